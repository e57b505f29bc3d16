"""Who the check-in staff are to an event (``events.access``, found by ``autodiscover_modules("access")``):
a person on ``GateStaff`` is gate staff (``Need.CHECKIN``), a supervisor also ``Need.SUPERVISE_CHECKIN``."""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.access import Member, register_membership
from huodong.events.models import Event


@register_membership("checkin")
def gate_people(user: User, event: Event) -> set[str]:
    from .models import GateStaff

    row = GateStaff.objects.filter(event_id=event.pk, person_id=user.pk).values_list("is_supervisor").first()
    if row is None:
        return set()
    return {Member.GATE_STAFF, Member.CHECKIN_SUPERVISOR} if row[0] else {Member.GATE_STAFF}
