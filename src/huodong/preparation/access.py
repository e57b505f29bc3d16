"""Who preparation adds to an event's people (``events.access``): the project team of TM-1.

A person on the team roster (leader or member, from any department) is a member of the event's team
(``Member.TEAM``): they see the event, its plan and approval, and work on the tasks the RACI matrix gives
them. An organiser on the roster (the leader is a marketing supervisor) is an organiser of the event
(``Member.ORGANISER``), as an organiser in the event's own team list is. Changing the team and the preparation records stays with the owner, the organisers of the team
and administrators (``Need.EDIT``); a person updates the status of a task they are R or A of.
"""

from __future__ import annotations

from huodong.core.models import Role, User
from huodong.events.access import Member, register_membership
from huodong.events.models import Event

from .models import TeamMember


@register_membership("preparation")
def team_roster(user: User, event: Event) -> set[str]:
    if user.pk is None or not TeamMember.objects.filter(event=event, person_id=user.pk).exists():
        return set()
    if user.role == Role.ORGANISER:
        return {Member.TEAM, Member.ORGANISER}
    return {Member.TEAM}
