"""Signal receivers of planning: an event's theme, tone, time and place are part of the signed plan (AP-1).

Connected on import; ``PlanningConfig.ready`` imports this module. The receiver only hands over to
``plan_touch`` (the rule lives in versioning), which supersedes an open version the change made stale.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext

from huodong.core.errors import DomainError
from huodong.events.signals import event_updated, event_updating
from huodong.events.steps import Step, step_index

from .versioning import plan_touch

# The event's facts that the signed plan contains (DOC-2): they cannot change once the plan is final.
SIGNED_EVENT_FIELDS = frozenset(
    {"name", "theme", "tone", "starts_at", "ends_at", "time_zone", "venue", "expected_attendance"}
)


@receiver(event_updating, dispatch_uid="planning.refuse_change_to_signed_facts")
def refuse_change_to_signed_facts(sender: Any, *, event: Any, changes: dict[str, Any], **kwargs: Any) -> None:
    """LC-2/AP-1: past 审批定稿 the approved plan stands; changing what it says means sending the event back."""
    if step_index(event.step) <= step_index(Step.APPROVAL):
        return
    locked = sorted(SIGNED_EVENT_FIELDS & set(changes))
    if locked:
        message = gettext(
            "活动方案已审批定稿,主题、时间、地点等是已签字方案的内容;如需修改,请先将活动退回「方案设计」重新评审与审批。"
        )
        raise DomainError({field: [message] for field in locked}, code="plan_final")


@receiver(event_updated, dispatch_uid="planning.plan_touch_on_event_updated")
def plan_touch_on_event_updated(sender: Any, *, event: Any, actor: Any = None, **kwargs: Any) -> None:
    plan_touch(event=event, actor=actor, what=gettext("活动基本信息"))
