"""Events API: list, create, read, update, advance, move back, history; event types."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Department, User
from huodong.core.schemas import ErrorOut, GateErrorOut

from . import selectors, services
from .lifecycle import event_advance, event_move_back, gate_evaluate
from .models import Event, EventType

router = Router(tags=["events"])


class EventTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    is_builtin: bool
    is_active: bool


class EventOut(Schema):
    id: int
    name: str
    event_type: str = Field(..., alias="event_type.code")
    theme: str
    tone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    venue: str
    expected_attendance: int
    requesting_department: str | None = None
    owner: str = Field(..., alias="owner.username")
    team_members: list[str] = []
    step: str
    step_label: str
    phase: str

    @staticmethod
    def resolve_requesting_department(obj: Event) -> str | None:
        return obj.requesting_department.code if obj.requesting_department else None

    @staticmethod
    def resolve_team_members(obj: Event) -> list[str]:
        return [u.username for u in obj.team_members.all()]

    @staticmethod
    def resolve_step_label(obj: Event) -> str:
        return str(obj.get_step_display())

    @staticmethod
    def resolve_phase(obj: Event) -> str:
        return obj.phase.value


class EventIn(Schema):
    name: str
    event_type: str = Field(..., description="活动类型代码,如 product-launch")
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str = "Asia/Shanghai"
    theme: str = ""
    tone: str = ""
    venue: str = ""
    expected_attendance: int = 0
    requesting_department: str | None = Field(None, description="部门代码,如 sales")
    owner: str | None = Field(None, description="负责人用户名,默认为调用者")
    team_members: list[str] = []


class EventPatch(Schema):
    name: str | None = None
    event_type: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    time_zone: str | None = None
    theme: str | None = None
    tone: str | None = None
    venue: str | None = None
    expected_attendance: int | None = None
    requesting_department: str | None = None
    owner: str | None = None
    team_members: list[str] | None = None


class AdvanceIn(Schema):
    from_step: str | None = Field(None, description="调用者看到的当前步骤;活动已被他人移动时返回 409")


class BackIn(Schema):
    to_step: str
    reason: str
    from_step: str | None = None


class TransitionOut(Schema):
    from_step: str
    to_step: str
    direction: str
    actor: str | None = None
    reason: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:  # noqa: ANN001
        return obj.actor.username if obj.actor else None


class CriterionOut(Schema):
    code: str
    label: str
    met: bool
    detail: str


class GateOut(Schema):
    step: str
    criteria: list[CriterionOut]
    ready: bool


def _get_event(event_id: int) -> Event:
    event = selectors.event_get(event_id)
    if event is None:
        raise NotFound(_("活动 %(id)s 不存在。") % {"id": event_id})
    return event


def _resolve(data: dict) -> tuple[dict, list[User] | None]:
    errors: dict[str, list[str]] = {}
    out = dict(data)
    team = out.pop("team_members", None)
    if "event_type" in out and out["event_type"] is not None:
        et = EventType.objects.filter(code=out["event_type"], is_active=True).first()
        if et is None:
            errors["event_type"] = [
                _("未知的活动类型「%(code)s」,可选:%(codes)s。")
                % {
                    "code": out["event_type"],
                    "codes": ", ".join(
                        EventType.objects.filter(is_active=True).values_list("code", flat=True)
                    ),
                }
            ]
        out["event_type"] = et
    if out.get("requesting_department"):
        dept = Department.objects.filter(code=out["requesting_department"]).first()
        if dept is None:
            errors["requesting_department"] = [
                _("未知的部门代码「%(code)s」。") % {"code": out["requesting_department"]}
            ]
        out["requesting_department"] = dept
    if out.get("owner"):
        owner = User.objects.filter(username=out["owner"], is_active=True).first()
        if owner is None:
            errors["owner"] = [_("未知的用户「%(u)s」。") % {"u": out["owner"]}]
        out["owner"] = owner
    members = None
    if team is not None:
        members = list(User.objects.filter(username__in=team, is_active=True))
        missing = set(team) - {u.username for u in members}
        if missing:
            errors["team_members"] = [_("未知的用户:%(u)s。") % {"u": ", ".join(sorted(missing))}]
    if errors:
        raise DomainError(errors)
    return out, members


@router.get("/types", response=list[EventTypeOut], summary="活动类型列表")
def list_event_types(request: HttpRequest):  # noqa: ANN201
    return EventType.objects.all()


@router.get("", response=list[EventOut], summary="活动列表")
def list_events(
    request: HttpRequest,
    phase: str | None = None,
    step: str | None = None,
    event_type: str | None = None,
    owner: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
):  # noqa: ANN201
    owner_id = None
    if owner:
        owner_id = User.objects.filter(username=owner).values_list("pk", flat=True).first() or -1
    qs = selectors.event_list(phase=phase, step=step, event_type=event_type, owner=owner_id, q=q)
    limit = max(1, min(limit, 500))
    return qs.prefetch_related("team_members")[offset : offset + limit]


@router.post("", response={201: EventOut, 400: ErrorOut, 403: ErrorOut}, summary="创建活动")
def create_event(request: HttpRequest, payload: EventIn):  # noqa: ANN201
    data, team = _resolve(payload.dict())
    event = services.event_create(actor=request.user, team_members=team, **data)  # type: ignore[arg-type]
    return Status(201, event)


@router.get("/{event_id}", response={200: EventOut, 404: ErrorOut}, summary="活动详情")
def get_event(request: HttpRequest, event_id: int):  # noqa: ANN201
    return _get_event(event_id)


@router.patch(
    "/{event_id}", response={200: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="修改活动"
)
def update_event(request: HttpRequest, event_id: int, payload: EventPatch):  # noqa: ANN201
    event = _get_event(event_id)
    data, team = _resolve(payload.dict(exclude_unset=True))
    return services.event_update(actor=request.user, event=event, team_members=team, **data)  # type: ignore[arg-type]


@router.get("/{event_id}/gate", response={200: GateOut, 404: ErrorOut}, summary="当前步骤的关口检查")
def get_gate(request: HttpRequest, event_id: int):  # noqa: ANN201
    event = _get_event(event_id)
    criteria = [c.as_dict() for c in gate_evaluate(event)] if event.step != "closed" else []
    return {"step": event.step, "criteria": criteria, "ready": all(c["met"] for c in criteria)}


@router.post(
    "/{event_id}/advance",
    response={200: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: GateErrorOut | ErrorOut},
    summary="推进到下一步(关口未满足时返回 409 与全部未满足条件)",
)
def advance_event(request: HttpRequest, event_id: int, payload: AdvanceIn | None = None):  # noqa: ANN201
    event = _get_event(event_id)
    result = event_advance(event=event, actor=request.user, from_step=payload.from_step if payload else None)  # type: ignore[arg-type]
    return result.event


@router.post(
    "/{event_id}/back",
    response={200: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="退回到之前的步骤",
)
def move_back_event(request: HttpRequest, event_id: int, payload: BackIn):  # noqa: ANN201
    event = _get_event(event_id)
    result = event_move_back(
        event=event,
        actor=request.user,  # type: ignore[arg-type]
        to_step=payload.to_step,
        reason=payload.reason,
        from_step=payload.from_step,
    )
    return result.event


@router.get("/{event_id}/history", response={200: list[TransitionOut], 404: ErrorOut}, summary="流转记录")
def event_history(request: HttpRequest, event_id: int):  # noqa: ANN201
    return selectors.event_history(_get_event(event_id))
