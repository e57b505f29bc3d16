"""Rules shared by every planning service: who may edit, and in which steps each record may change.

Who may do what is decided by ``events.access`` (``Need.EDIT``: the owner, an organiser on the team, an
administrator); the steps in which each planning record may change are named here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.access import Need, can, event_for, event_load, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

# The needs report and goals may change anywhere in the planning phase (goals are part of the plan).
NEEDS_EDITABLE_STEPS = (Step.NEEDS, Step.GOALS, Step.PLAN, Step.APPROVAL)
GOALS_EDITABLE_STEPS = (Step.NEEDS, Step.GOALS, Step.PLAN, Step.APPROVAL)
# The plan may change while it is designed and while it is reviewed/approved (an edit then makes a new
# version and voids the signatures, AP-1). Once the event has left approval, it must be sent back first.
PLAN_EDITABLE_STEPS = (Step.GOALS, Step.PLAN, Step.APPROVAL)
# Review and approval happen in the approval step (审批定稿).
REVIEW_STEPS = (Step.APPROVAL,)

PLANNING_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以修改策划内容。")


def can_edit_planning(actor: User | None, event: Event) -> bool:
    """The event's owner, an organiser on its team, or an administrator (``Need.EDIT``)."""
    return can(actor, event, Need.EDIT)


def planning_event_lock(
    *, actor: User | None, event: Event | int, steps: tuple[str, ...], what: Any, system: bool = False
) -> Event:
    """Step 1 of the lock order for a planning write: the event row locked, the actor's right to edit and
    the step checked on the locked row. Returns the locked event (use it, not the caller's copy)."""
    if system:
        locked = event_load(event, lock=True)
        step_require(locked, steps, what)
        return locked
    return event_for(actor, event, Need.EDIT, lock=True, steps=steps, what=what, message=PLANNING_REFUSAL)
