"""Events API: list, create, read, update, advance, move back, history; event types.

Every operation loads the event through ``events.access.event_for`` (404 unknown, 403 not allowed). Every
input is bounded by its schema (``core.schemas``), so bad input is a 400 naming the field.

Revisions (``core.concurrency``): ``GET /api/events/{id}`` (and the answer of every write) carries
``revision`` in the body and ``ETag: "r<revision>"``. ``PATCH`` says which revision it saw, as a
``revision`` field or ``If-Match: "r3"`` (the field wins): missing is 428 ``revision_required``, old is 409
``stale`` with ``current``, ``changed_by`` and ``changed_at``. A move says which step it saw
(``from_step``, required): two identical advances move the event once, the second is 409 ``conflict``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import Stale, etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.models import Department, User
from huodong.core.schemas import (
    ErrorOut,
    GateErrorOut,
    Id,
    Limit,
    Line,
    Moment,
    Offset,
    Revision,
    StaleErrorOut,
    Text,
)

from . import selectors, services
from .access import Need, event_for
from .lifecycle import event_advance, event_move_back, gate_evaluate
from .models import Event, EventType
from .steps import Phase, Step

router = Router(tags=["events"])

if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Name = str
    Theme = str
    Tone = str
    Venue = str
    Code = str
    Username = str
    TimeZone = str
    Query = str
    Reason = str
else:
    Name = Line(services.column_length("name"))
    Theme = Line(services.column_length("theme"))
    Tone = Line(services.column_length("tone"))
    Venue = Line(services.column_length("venue"))
    TimeZone = Line(services.column_length("time_zone"))
    Code = Line(40)  # EventType.code, Department.code
    Username = Line(150)  # User.username
    Query = Line(200)
    Reason = Text(2000)

# The answers of a read and of a write besides their success (the API's error shape, ``core.schemas``).
READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
EDIT: dict[int, Any] = {**WRITE, 409: StaleErrorOut, 428: ErrorOut}
MOVE: dict[int, Any] = {**WRITE, 409: GateErrorOut | ErrorOut}


class EventTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    is_builtin: bool
    is_active: bool


class EventOut(Schema):
    id: int
    revision: int = Field(..., description="修订号:修改时以 revision 字段或 If-Match 头回传")
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
        return sorted(u.username for u in obj.team_members.all())

    @staticmethod
    def resolve_step_label(obj: Event) -> str:
        return str(obj.get_step_display())

    @staticmethod
    def resolve_phase(obj: Event) -> str:
        return obj.phase.value


class EventIn(Schema):
    name: Name
    event_type: Code = Field(..., description="活动类型代码,如 product-launch")
    starts_at: Moment
    ends_at: Moment
    time_zone: TimeZone = "Asia/Shanghai"
    theme: Theme = ""
    tone: Tone = ""
    venue: Venue = ""
    expected_attendance: int = Field(0, ge=0, le=services.MAX_ATTENDANCE)
    requesting_department: Code | None = Field(None, description="部门代码,如 sales")
    owner: Username | None = Field(None, description="负责人用户名(策划人员或管理员),默认为调用者")
    team_members: list[Username] = Field([], max_length=200)


class EventPatch(Schema):
    revision: Revision | None = Field(None, description="调用者看到的修订号;也可用 If-Match 头")
    name: Name | None = None
    event_type: Code | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    time_zone: TimeZone | None = None
    theme: Theme | None = None
    tone: Tone | None = None
    venue: Venue | None = None
    expected_attendance: int | None = Field(None, ge=0, le=services.MAX_ATTENDANCE)
    requesting_department: Code | None = None
    owner: Username | None = None
    team_members: list[Username] | None = Field(None, max_length=200)


class AdvanceIn(Schema):
    from_step: Step = Field(..., description="调用者看到的当前步骤;活动已被他人移动时返回 409")


class BackIn(Schema):
    to_step: Step
    reason: Reason
    from_step: Step = Field(..., description="调用者看到的当前步骤;活动已被他人移动时返回 409")


class TransitionOut(Schema):
    from_step: str
    to_step: str
    direction: str
    actor: str | None = None
    reason: str = Field(..., description="退回原因;引用评审或审批意见的原因仅对可查看审批的人显示")
    reason_hidden: bool = Field(False, description="原因因含评审/审批意见而不向调用者显示")
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor else None

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return obj.reason_text


class CriterionOut(Schema):
    code: str
    label: str
    met: bool
    detail: str


class GateOut(Schema):
    step: str
    criteria: list[CriterionOut]
    ready: bool


def _resolve(data: dict[str, Any]) -> tuple[dict[str, Any], list[User] | None]:
    """Codes and usernames of the input as records; every unknown one is named at once."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    out.pop("revision", None)
    team = out.pop("team_members", None)
    if "event_type" in out:
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
    if "requesting_department" in out:
        code = out["requesting_department"]
        dept = Department.objects.filter(code=code).first() if code else None
        if code and dept is None:
            errors["requesting_department"] = [_("未知的部门代码「%(code)s」。") % {"code": code}]
        out["requesting_department"] = dept
    if out.get("owner") is not None:
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


def _tagged(response: HttpResponse, event: Event) -> Event:
    response["ETag"] = etag(event)
    return event


@router.get("/types", response={200: list[EventTypeOut]}, summary="活动类型列表")
def list_event_types(request: HttpRequest):  # noqa: ANN201
    return EventType.objects.all()


@router.get("", response={200: list[EventOut], 400: ErrorOut}, summary="活动列表")
def list_events(
    request: HttpRequest,
    phase: Phase | None = None,
    step: Step | None = None,
    event_type: Code | None = None,
    owner: Username | None = None,
    q: Query | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):  # noqa: ANN201
    owner_id = None
    if owner:
        owner_id = User.objects.filter(username=owner).values_list("pk", flat=True).first() or -1
    qs = selectors.event_list(
        phase=phase.value if phase else None,
        step=step.value if step else None,
        event_type=event_type,
        owner=owner_id,
        q=q,
    )
    return qs.prefetch_related("team_members")[offset : offset + limit]


@router.post("", response={201: EventOut, **WRITE}, summary="创建活动")
def create_event(request: HttpRequest, response: HttpResponse, payload: EventIn):  # noqa: ANN201
    data, team = _resolve(payload.dict())
    event = retry_on_conflict(services.event_create)(actor=actor(request), team_members=team, **data)
    return Status(201, _tagged(response, event))


@router.get("/{event_id}", response={200: EventOut, **READ}, summary="活动详情(含修订号与 ETag)")
def get_event(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    return _tagged(response, event_for(actor(request), event_id, Need.VIEW))


@router.patch(
    "/{event_id}",
    response={200: EventOut, **EDIT},
    summary="修改活动(需 revision 或 If-Match;过期返回 409 stale)",
)
def update_event(request: HttpRequest, response: HttpResponse, event_id: Id, payload: EventPatch):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.EDIT)
    seen = seen_revision(request, payload.revision)
    data, team = _resolve(payload.dict(exclude_unset=True))
    try:
        updated = retry_on_conflict(services.event_update)(
            actor=actor(request), event=event, revision=seen, team_members=team, **data
        )
    except Stale as exc:
        # ``current`` is the event as GET returns it now (usernames and codes, not row ids).
        exc.current = EventOut.from_orm(event_for(actor(request), event_id, Need.VIEW)).dict()
        raise
    return _tagged(response, updated)


@router.get("/{event_id}/gate", response={200: GateOut, **READ}, summary="当前步骤的关口检查")
def get_gate(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    criteria = [c.as_dict() for c in gate_evaluate(event)] if event.step != Step.CLOSED else []
    return {"step": event.step, "criteria": criteria, "ready": all(c["met"] for c in criteria)}


@router.post(
    "/{event_id}/advance",
    response={200: EventOut, **MOVE},
    summary="推进到下一步(需 from_step;关口未满足时返回 409 与全部未满足条件)",
)
def advance_event(request: HttpRequest, response: HttpResponse, event_id: Id, payload: AdvanceIn):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.EDIT)
    result = retry_on_conflict(event_advance)(
        event=event, actor=actor(request), from_step=payload.from_step.value
    )
    return _tagged(response, result.event)


@router.post(
    "/{event_id}/back",
    response={200: EventOut, **MOVE},
    summary="退回到之前的步骤(需 from_step 与原因)",
)
def move_back_event(request: HttpRequest, response: HttpResponse, event_id: Id, payload: BackIn):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.EDIT)
    result = retry_on_conflict(event_move_back)(
        event=event,
        actor=actor(request),
        to_step=payload.to_step.value,
        reason=payload.reason,
        from_step=payload.from_step.value,
    )
    return _tagged(response, result.event)


@router.get(
    "/{event_id}/history",
    response={200: list[TransitionOut], **READ},
    summary="流转记录(含评审/审批意见的退回原因仅对可查看审批的人显示)",
)
def event_history(request: HttpRequest, event_id: Id):  # noqa: ANN201
    user = actor(request)
    return selectors.event_history(event_for(user, event_id, Need.VIEW), viewer=user)
