"""SMART goals API (GO-1): list, add, change, remove; each goal with its SMART status and achievability.

Mounted under /api/events; every write calls the same service as the page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.core.schemas import ErrorOut

from .. import selectors
from ..models import Goal
from ..services import goals as services
from .needs import REFUSALS, REMOVED, event_or_404

router = Router(tags=["planning: goals"])


class SmartLetterOut(Schema):
    ok: bool | None
    message: str


class AchievabilityOut(Schema):
    status: str = Field(..., description="ok / flagged / no_history / unknown")
    message: str


class GoalOut(Schema):
    id: int
    metric: str
    metric_label: str
    custom_metric: str
    description: str
    target_value: Decimal | None = None
    unit: str
    baseline: Decimal | None = None
    due_date: dt.date | None = None
    owner: str | None = Field(None, description="用户名")
    objective: str
    smart: dict[str, SmartLetterOut]
    smart_ok: bool
    missing: str = Field("", description="未满足 SMART 的说明,如 目标「有效线索」缺少截止日期")
    achievability: AchievabilityOut

    @staticmethod
    def resolve_owner(obj: Goal) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_smart(obj: Goal) -> dict[str, Any]:
        status = services.goal_smart_status(obj)
        return {k: {"ok": v["ok"], "message": v["message"]} for k, v in status.items()}

    @staticmethod
    def resolve_smart_ok(obj: Goal) -> bool:
        return not services.goal_issues(obj)

    @staticmethod
    def resolve_missing(obj: Goal) -> str:
        return services.goal_missing_text(obj)

    @staticmethod
    def resolve_achievability(obj: Goal) -> dict[str, str]:
        status, message = services.goal_achievability(obj)
        return {"status": status, "message": message}


class GoalIn(Schema):
    metric: str = Field(
        ...,
        description="attendees / valid_leads / media_exposure / satisfaction / registrations / deals / custom",
    )
    custom_metric: str = ""
    description: str = ""
    target_value: Decimal | None = None
    unit: str = ""
    baseline: Decimal | None = None
    due_date: dt.date | None = None
    owner: str | None = Field(None, description="负责人用户名")
    objective: str = ""


class GoalPatch(Schema):
    metric: str | None = None
    custom_metric: str | None = None
    description: str | None = None
    target_value: Decimal | None = None
    unit: str | None = None
    baseline: Decimal | None = None
    due_date: dt.date | None = None
    owner: str | None = None
    objective: str | None = None


def _resolve_owner(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "owner" in out and out["owner"] is not None:
        owner = User.objects.filter(username=out["owner"], is_active=True).first()
        if owner is None:
            raise DomainError({"owner": [_("未知的用户「%(u)s」。") % {"u": out["owner"]}]})
        out["owner"] = owner
    return out


@router.get("/{event_id}/goals", response={200: list[GoalOut], 404: ErrorOut}, summary="活动目标列表")
def list_goals(request: HttpRequest, event_id: int):  # noqa: ANN201
    return list(selectors.goals_for_event(event_or_404(event_id)).select_related("event"))


@router.post("/{event_id}/goals", response={201: GoalOut, **REFUSALS}, summary="添加 SMART 目标")
def add_goal(request: HttpRequest, event_id: int, payload: GoalIn):  # noqa: ANN201
    event = event_or_404(event_id)
    goal = services.goal_add(actor=request.user, event=event, **_resolve_owner(payload.dict()))  # type: ignore[arg-type]
    return Status(201, goal)


@router.patch("/{event_id}/goals/{goal_id}", response={200: GoalOut, **REFUSALS}, summary="修改目标")
def update_goal(request: HttpRequest, event_id: int, goal_id: int, payload: GoalPatch):  # noqa: ANN201
    event = event_or_404(event_id)
    changes = _resolve_owner(payload.dict(exclude_unset=True))
    return services.goal_update(actor=request.user, event=event, goal_id=goal_id, **changes)  # type: ignore[arg-type]


@router.delete("/{event_id}/goals/{goal_id}", response=REMOVED, summary="删除目标")
def remove_goal(request: HttpRequest, event_id: int, goal_id: int):  # noqa: ANN201
    services.goal_remove(actor=request.user, event=event_or_404(event_id), goal_id=goal_id)  # type: ignore[arg-type]
    return Status(204, None)
