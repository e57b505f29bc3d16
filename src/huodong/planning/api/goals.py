"""SMART goals API (GO-1): list, read, add, change, remove; each goal with its SMART status and achievability.

Mounted under /api/events; every write calls the same service as the page. A goal carries ``revision``:
its GET (and the answer of every write) has it in the body and as ``ETag: "r<revision>"``; PATCH and
DELETE take ``If-Match`` or a ``revision`` field (428 when missing, 409 ``stale`` with ``current`` when
old), as for the needs report (``api.needs``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huodong.core.errors import NotFound
from huodong.core.http import actor, seen_revision, tagged
from huodong.core.schemas import Day, Id, Line, Revision
from huodong.core.selectors import active_person

from .. import selectors
from ..models import Goal
from ..services import goals as services
from .needs import EDIT_REFUSALS, READ, REFUSALS, REMOVED, event_edit, event_read, write

router = Router(tags=["planning: goals"])

# A target or a baseline: a number the column holds (max_digits=14, decimal_places=2), never NaN or ±∞.
Quantity = Annotated[Decimal, Field(ge=0, le=services.TARGET_MAX, max_digits=14, decimal_places=2)]
if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Metric = str
    CustomMetric = str
    Description = str
    Unit = str
    Objective = str
    Username = str
else:
    Metric = Line(30)  # Goal.metric
    CustomMetric = Line(100)  # Goal.custom_metric
    Description = Line(300)  # Goal.description
    Unit = Line(20)  # Goal.unit
    Objective = Line(300)  # Goal.objective
    Username = Line(150)  # User.username


class SmartLetterOut(Schema):
    ok: bool | None
    message: str


class AchievabilityOut(Schema):
    status: str = Field(..., description="ok / flagged / no_history / unknown")
    message: str


class GoalOut(Schema):
    id: int
    revision: int
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
    metric: Metric = Field(
        ...,
        description="attendees / valid_leads / media_exposure / satisfaction / registrations / deals / custom",
    )
    custom_metric: CustomMetric = ""
    description: Description = ""
    target_value: Quantity | None = None
    unit: Unit = ""
    baseline: Quantity | None = None
    due_date: Day | None = None
    owner: Username | None = Field(None, description="负责人用户名")
    objective: Objective = ""


class GoalPatch(Schema):
    revision: Revision | None = None
    metric: Metric | None = None
    custom_metric: CustomMetric | None = None
    description: Description | None = None
    target_value: Quantity | None = None
    unit: Unit | None = None
    baseline: Quantity | None = None
    due_date: Day | None = None
    owner: Username | None = None
    objective: Objective | None = None


def _resolve_owner(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "owner" in out and out["owner"] is not None:
        out["owner"] = active_person(out["owner"], field="owner")
    return out


def _goal(event: Any, goal_id: int) -> Goal:
    goal = selectors.goal_get(event, goal_id)
    if goal is None:
        raise NotFound(_("目标 %(id)s 不存在。") % {"id": goal_id})
    return goal


@router.get("/{event_id}/goals", response={200: list[GoalOut], **READ}, summary="活动目标列表")
def list_goals(request: HttpRequest, event_id: Id):  # noqa: ANN201
    return list(selectors.goals_for_event(event_read(request, event_id)).select_related("event"))


@router.get("/{event_id}/goals/{goal_id}", response={200: GoalOut, **READ}, summary="一个目标")
def get_goal(request: HttpRequest, response: HttpResponse, event_id: Id, goal_id: Id):  # noqa: ANN201
    return tagged(response, _goal(event_read(request, event_id), goal_id))


@router.post("/{event_id}/goals", response={201: GoalOut, **REFUSALS}, summary="添加 SMART 目标")
def add_goal(request: HttpRequest, response: HttpResponse, event_id: Id, payload: GoalIn):  # noqa: ANN201
    event = event_edit(request, event_id)
    data = _resolve_owner(payload.dict())
    goal = write(services.goal_add, actor=actor(request), event=event, **data)
    return Status(201, tagged(response, goal))


@router.patch("/{event_id}/goals/{goal_id}", response={200: GoalOut, **EDIT_REFUSALS}, summary="修改目标")
def update_goal(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, goal_id: Id, payload: GoalPatch
):
    event = event_edit(request, event_id)
    changes = _resolve_owner(payload.dict(exclude_unset=True, exclude={"revision"}))
    goal = write(
        services.goal_update,
        actor=actor(request),
        event=event,
        goal_id=goal_id,
        seen=seen_revision(request, payload.revision),
        **changes,
    )
    return tagged(response, goal)


@router.delete("/{event_id}/goals/{goal_id}", response=REMOVED, summary="删除目标")
def remove_goal(request: HttpRequest, event_id: Id, goal_id: Id, revision: Revision | None = None):  # noqa: ANN201
    event = event_edit(request, event_id)
    write(
        services.goal_remove,
        actor=actor(request),
        event=event,
        goal_id=goal_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)
