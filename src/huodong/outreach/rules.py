"""Rules shared by every outreach service: who may change what, in which steps, and the first lock.

The guest list, registration settings, templates, quotas and notices of an event are changed by the owner,
the organisers of its team and administrators (``Need.EDIT``); a team member (``Need.VIEW`` and on the
roster) adds guests for their own department. Guests themselves act through their own link (the ticket
page) without signing in.

Lock order (``core.concurrency``): the event row first (``outreach_event_lock``), then the area's root
record (registration settings, letter, template), then guests by id, then messages by id.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.access import Need, event_for, event_load, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

# Guests are invited and register from the moment the plan is approved until the event runs.
OUTREACH_STEPS: tuple[str, ...] = (
    Step.RESOURCES,
    Step.MATERIALS,
    Step.TRAINING,
    Step.NOTIFICATION,
    Step.SETUP,
    Step.RUN,
    Step.MONITORING,
    Step.INCIDENTS,
)

OUTREACH_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以修改嘉宾与通知。")


def outreach_event_lock(
    *,
    actor: User | None,
    event: Event | int,
    what: Any,
    need: Need = Need.EDIT,
    steps: tuple[str, ...] = OUTREACH_STEPS,
    system: bool = False,
) -> Event:
    """Step 1 of the lock order for an outreach write: the event row locked, the actor's ``need`` and the
    step checked on the locked row. Returns the locked event. ``system`` (the worker, a guest's own link,
    the demo) skips the person's check, not the step's."""
    if system:
        locked = event_load(event, lock=True)
        step_require(locked, steps, what)
        return locked
    return event_for(actor, event, need, lock=True, steps=steps, what=what, message=OUTREACH_REFUSAL)
