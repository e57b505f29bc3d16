"""Who preparation adds to an event's people (``events.access``): the project team of TM-1.

A person on the team roster (leader or member, from any department) is a member of the event's team
(``Member.TEAM``): they see the event, its plan and approval, and work on the tasks the RACI matrix gives
them. Changing the team and the preparation records stays with the owner, the organisers of the team
and administrators (``Need.EDIT``); a person updates the status of a task they are R or A of.
"""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.access import Member, register_membership
from huodong.events.models import Event

from .models import TeamMember


@register_membership("preparation")
def team_roster(user: User, event: Event) -> set[str]:
    if TeamMember.objects.filter(event=event, person=user).exists():
        return {Member.TEAM}
    return set()
