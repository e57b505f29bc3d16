"""Rules every incident service shares (EX-5): when incidents are handled, who does what, the first locks.

When: in the execution phase's steps (场地布置, 流程执行, 现场监控, 突发应对); before and after, the log is
read-only and a write says which steps allow it.

Who: anyone of the team on the day (``Need.ONSITE``) reports, takes up, notes, assigns, marks the
technician's arrival and records posts; the stage manager and the editors (``Need.STAGE``) resolve and
reopen, agree the public statements and change the statement an incident uses once one is chosen.

Lock order (``core.concurrency``): the event row (``incident_event_lock``), then the incident row, then
its child rows (actions, posts are inserts).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import NotFound
from huodong.core.models import User
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.events.steps import Step

from .models import Incident

INCIDENT_STEPS: tuple[str, ...] = (Step.SETUP, Step.RUN, Step.MONITORING, Step.INCIDENTS)
WHAT = _("突发事件")


def pk_of(value: Any) -> int:
    """A primary key from a form or JSON value (0 when it is not one)."""
    if isinstance(value, bool):
        return 0
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**31 else 0


def incident_event_lock(*, actor: User | None, event: Event | int, need: Need = Need.ONSITE) -> Event:
    """Step 1 of the lock order: the event row locked, the actor's right and the step checked on it."""
    return event_for(actor, event, need, lock=True, steps=INCIDENT_STEPS, what=WHAT)


def incident_locked(event: Event, incident_id: Any) -> Incident:
    """Step 2: the incident row of ``event``, locked."""
    row = Incident.objects.select_for_update().filter(pk=pk_of(incident_id), event_id=event.pk).first()
    if row is None:
        raise NotFound(_("突发事件不存在。"))
    return row


def local_time(moment: Any, event: Event, fmt: str = "%H:%M") -> str:
    return timezone.localtime(moment, event.tz).strftime(fmt) if moment is not None else ""
