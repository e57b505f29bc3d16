"""Rules shared by every check-in service: who checks in, when the doors are open, the first lock.

Who: the event's editors (owner, organisers, administrators) and the people on its check-in staff
(``GateStaff``, registered in ``access.py``: ``Need.CHECKIN``); supervisors among them, and the editors, see the counts and conflicts
(``Need.SUPERVISE_CHECKIN``). Gates, staff and settings are changed by the editors (``Need.EDIT``).

When: guests are checked in from ``opens_minutes_before`` the start until ``closes_minutes_after`` the
end (``CheckinSettings``), and never once the event has moved on to the review phase.

Lock order (``core.concurrency``): the event row, then the check-in settings, then gates, then guests by
id, then scans. The hot path (one scan) takes no event lock: the conditional update of the guest row is
the whole decision (``services.redeem``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.access import Need, event_for, event_load, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

# Gates, staff, kit and the doors' times are set up from the approved plan until the event runs.
CHECKIN_SETUP_STEPS: tuple[str, ...] = (
    Step.RESOURCES,
    Step.MATERIALS,
    Step.TRAINING,
    Step.NOTIFICATION,
    Step.SETUP,
    Step.RUN,
    Step.MONITORING,
    Step.INCIDENTS,
)
# Guests are checked in in any of those steps (an organiser may not have moved the event on the day);
# once it is in review (数据汇总 …) the doors are closed.
CHECKIN_STEPS = CHECKIN_SETUP_STEPS

CHECKIN_SETUP_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以设置签到。")


def checkin_event_lock(*, actor: User | None, event: Event | int, what: Any, system: bool = False) -> Event:
    """Step 1 of the lock order for a change to the check-in setup: the event row locked, the actor's
    right to edit and the step checked on the locked row."""
    if system:
        locked = event_load(event, lock=True)
        step_require(locked, CHECKIN_SETUP_STEPS, what)
        return locked
    return event_for(
        actor,
        event,
        Need.EDIT,
        lock=True,
        steps=CHECKIN_SETUP_STEPS,
        what=what,
        message=CHECKIN_SETUP_REFUSAL,
    )


def doors(event: Event, settings: Any) -> tuple[dt.datetime, dt.datetime]:
    """When the doors open and close for ``event`` with its check-in ``settings``."""
    opens = event.starts_at - dt.timedelta(minutes=settings.opens_minutes_before)
    closes = event.ends_at + dt.timedelta(minutes=settings.closes_minutes_after)
    return opens, closes


def local_time(moment: dt.datetime | None, event: Event, fmt: str = "%H:%M") -> str:
    """``moment`` on the event's clock, as check-in says it at the door and on the live page ("" for none)."""
    return timezone.localtime(moment, event.tz).strftime(fmt) if moment is not None else ""
