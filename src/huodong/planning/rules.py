"""Rules shared by every planning service: who may edit, and in which steps each record may change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import User
from huodong.events.lifecycle import can_move
from huodong.events.models import Event
from huodong.events.steps import Step

# The needs report and goals may change anywhere in the planning phase (goals are part of the plan).
NEEDS_EDITABLE_STEPS = (Step.NEEDS, Step.GOALS, Step.PLAN, Step.APPROVAL)
GOALS_EDITABLE_STEPS = (Step.NEEDS, Step.GOALS, Step.PLAN, Step.APPROVAL)
# The plan may change while it is designed and while it is reviewed/approved (an edit then makes a new
# version and voids the signatures, AP-1). Once the event has left approval, it must be sent back first.
PLAN_EDITABLE_STEPS = (Step.GOALS, Step.PLAN, Step.APPROVAL)
# DepartmentReview and approval happen in the approval step (审批定稿).
REVIEW_STEPS = (Step.APPROVAL,)


def can_edit_planning(actor: User | None, event: Event) -> bool:
    """The event's owner, an organiser on its team, or an administrator."""
    return can_move(actor, event)


def require_planning_editor(actor: User | None, event: Event) -> None:
    if not can_edit_planning(actor, event):
        raise NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以修改策划内容。"))


def require_step(event: Event, steps: tuple[str, ...], what: str) -> None:
    """Refuse a change when the event is not in one of ``steps``; says which steps allow it."""
    if event.step not in steps:
        allowed = "、".join(str(Step(s).label) for s in steps)
        raise DomainError(
            {
                "__all__": [
                    _(
                        "活动当前处于「%(step)s」,不能修改%(what)s;仅在以下步骤可修改:%(allowed)s。如需修改,请先将活动退回。"
                    )
                    % {"step": Step(event.step).label, "what": what, "allowed": allowed}
                ]
            },
            code="wrong_step",
        )
