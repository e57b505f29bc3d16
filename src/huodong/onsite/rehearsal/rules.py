"""Rules shared by the rehearsal services (EX-1): who may do what, in which steps, and the first lock.

Who: the event's editors (``Need.EDIT``: owner, organisers, administrators) add, rename, reorder and remove
checklist items; the team on the day (``Need.ONSITE``: the editors, team members, the stage manager, gate
staff and check-in supervisors) check items and work on the follow-ups; anyone who may view the event reads
the checklist.

When: the checklist may be prepared from 资源协调 on (``EDIT_STEPS``); items are checked, and follow-ups
worked on, only while the event is in the execution phase (``CHECK_STEPS``: 场地布置, 流程执行, 现场监控,
突发应对) — the day before and on the day.

Lock order (``core.concurrency``): the event row (``rehearsal_event_lock``), then the checklist, then its
items by id, then their follow-ups.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.access import Need, event_for, event_load, step_require
from huodong.events.models import Event
from huodong.events.steps import PHASE_STEPS, Phase, Step

# EX-1: the checks happen on the day before and on the day: the execution phase.
CHECK_STEPS: tuple[str, ...] = tuple(s.value for s in PHASE_STEPS[Phase.EXECUTION])
# The checklist itself may be prepared ahead, once the plan is approved.
EDIT_STEPS: tuple[str, ...] = (
    Step.RESOURCES,
    Step.MATERIALS,
    Step.TRAINING,
    Step.NOTIFICATION,
    *CHECK_STEPS,
)

EDIT_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以修改彩排检查清单。")
CHECK_REFUSAL = _("只有此活动的现场团队(团队成员、舞台监督、签到人员)、策划人员或管理员可以检查彩排项目。")


def rehearsal_event_lock(
    *,
    actor: User | None,
    event: Event | int,
    what: Any,
    need: Need = Need.EDIT,
    steps: tuple[str, ...] = EDIT_STEPS,
    system: bool = False,
) -> Event:
    """Step 1 of the lock order: the event row locked, the actor's ``need`` and the step checked on it.
    ``system`` (the demo loader) skips the person's check, not the step's."""
    if system:
        locked = event_load(event, lock=True)
        step_require(locked, steps, what)
        return locked
    message = CHECK_REFUSAL if need == Need.ONSITE else EDIT_REFUSAL
    return event_for(actor, event, need, lock=True, steps=steps, what=what, message=message)
