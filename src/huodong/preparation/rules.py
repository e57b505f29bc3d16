"""Rules shared by every preparation service: who may change what, in which steps, and the first lock.

Who may do what is decided by ``events.access``: the preparation records of an event are changed by the
owner, the organisers of its team and administrators (``Need.EDIT``); a team member (``Member.TEAM``,
``preparation.access``) updates the status of a task they are R or A of, a department's people answer a
request to their department (IR-1), and an approver records a quote exception (VD-1) — each service checks
its own rule after the lock.

Lock order (``core.concurrency``): the event row first (``preparation_event_lock``), then the area's root
record (need, training…), then its rows by id.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.access import Need, event_for, event_load, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

# The plan is approved once the event has left 审批定稿: preparation happens from 资源协调 until the
# notices go out; the team and tasks may still change in 通知发布 (a late task), not afterwards.
PREPARATION_STEPS: tuple[str, ...] = (Step.RESOURCES, Step.MATERIALS, Step.TRAINING, Step.NOTIFICATION)

PREPARATION_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以修改准备工作。")


def preparation_event_lock(
    *,
    actor: User | None,
    event: Event | int,
    what: Any,
    need: Need = Need.EDIT,
    steps: tuple[str, ...] = PREPARATION_STEPS,
    system: bool = False,
) -> Event:
    """Step 1 of the lock order for a preparation write: the event row locked, the actor's ``need`` and
    the step checked on the locked row. Returns the locked event (use it, not the caller's copy).
    ``system`` (the demo loader, the template) skips the person's check, not the step's."""
    if system:
        locked = event_load(event, lock=True)
        step_require(locked, steps, what)
        return locked
    return event_for(actor, event, need, lock=True, steps=steps, what=what, message=PREPARATION_REFUSAL)
