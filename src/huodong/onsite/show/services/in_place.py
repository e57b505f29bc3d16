"""Owners in place (EX-3): a segment owner says "我已到位" from their phone.

The arrival is check-in's (``huodong.checkin.services.arrivals.arrival_record``): one ``StaffArrival`` per
person and event, ``late`` when after the owner's due time (30 minutes before their first segment), a
late owner told to the stage manager at once; ``late_owner_sweep`` (the worker, once a minute) raises the
alert for owners not in place by their due time. This module only adds who may press the button on the
show's pages (the owners of a segment and the team on the day) and the execution phase.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.checkin.models import StaffArrival
from huodong.checkin.services.arrivals import arrival_record
from huodong.core.errors import NotAllowed
from huodong.core.models import User
from huodong.events.access import Need, event_access, event_for, step_require
from huodong.events.models import Event

from ..selectors import owned_segment_ids
from .run import SHOW_STEPS

REFUSAL = _("只有环节负责人和此活动的现场团队可以确认到位。")


def may_confirm(user: User | None, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(owned_segment_ids(event, user.pk)) or event_access(user, event).can(Need.ONSITE)


def in_place_confirm(
    *, actor: User, event: Event | int, at: dt.datetime | None = None
) -> tuple[StaffArrival, bool]:
    """Record that ``actor`` is in place now; returns the arrival and whether it is new (a second press
    answers the first arrival)."""
    with transaction.atomic():
        ev = event_for(actor, event, Need.VIEW, lock=True)
        if not may_confirm(actor, ev):
            raise NotAllowed(REFUSAL)
        step_require(ev, SHOW_STEPS, _("到位确认"))
        return arrival_record(actor=actor, event=ev, at=at)


def in_place_of(event: Event, person_id: int) -> StaffArrival | None:
    return StaffArrival.objects.filter(event=event, person_id=person_id).first()
