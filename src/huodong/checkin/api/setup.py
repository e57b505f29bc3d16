"""API: the check-in setup (tab 签到; EX-2) and the staff's arrivals (EX-3), the same services as the page.

- ``GET/PUT /events/{event_id}/checkin/settings``: the doors' times, the kit, the stage manager, with the
  revision (``revision`` or ``If-Match``: 428 without, 409 when stale).
- ``GET/POST /events/{event_id}/checkin/gates``; ``PUT/DELETE …/gates/{gate_id}`` (revisioned): a gate
  with scans is deactivated by ``DELETE`` (200 with the gate), one without is deleted (204).
- ``GET/POST /events/{event_id}/checkin/staff``; ``DELETE …/staff/{staff_id}``.
- ``POST /events/{event_id}/checkin/arrivals``: one's own arrival (team and check-in staff); an editor may
  name ``person_id``. 201 for a new arrival, 200 with the first one when already recorded.

Reading the setup: the event's check-in staff and editors (``Need.CHECKIN``); changing it: its editors
(``Need.EDIT``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Revision, StaleErrorOut
from huodong.events.access import Need, event_for

from ..models import CheckinSettings, Gate, GateStaff, StaffArrival
from ..services import arrivals as arrival_services
from ..services import setup as services
from ..services.redeem import settings_for

router = Router(tags=["checkin: setup"])

if TYPE_CHECKING:
    GateName = str
    KitCode = str
    KitName = str
else:
    GateName = Line(services.GATE_NAME_MAX)
    KitCode = Line(40)
    KitName = Line(60)
Minutes = Annotated[int, Field(ge=0, le=services.MINUTES_MAX)]
Position = Annotated[int, Field(ge=0, le=services.POSITION_MAX)]

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class SetupKitItem(Schema):
    code: KitCode = Field(..., description="小写字母、数字、连字符或下划线")
    name: KitName
    name_en: KitName = ""


class SetupPersonOut(Schema):
    id: int
    name: str


class CheckinSettingsOut(Schema):
    event_id: int
    revision: int
    opens_minutes_before: int
    closes_minutes_after: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    kit: list[SetupKitItem]
    stage_manager: SetupPersonOut | None = Field(None, description="未设置时为 null(通知活动负责人)")


class CheckinSettingsIn(Schema):
    revision: Revision | None = None
    opens_minutes_before: Minutes | None = None
    closes_minutes_after: Minutes | None = None
    kit: list[SetupKitItem] | None = Field(None, max_length=50)
    stage_manager_id: Id | None = Field(None, description="现场总控;null 表示活动负责人")


class SetupGateOut(Schema):
    id: int
    revision: int
    name: str
    name_en: str
    is_vip: bool
    position: int
    is_active: bool


class SetupGateIn(Schema):
    name: GateName
    name_en: GateName = ""
    is_vip: bool = False
    position: Position | None = Field(None, description="顺序;省略则排在最后")


class SetupGatePut(Schema):
    revision: Revision | None = None
    name: GateName | None = None
    name_en: GateName | None = None
    is_vip: bool | None = None
    position: Position | None = None
    is_active: bool | None = None


class SetupStaffOut(Schema):
    id: int
    person: SetupPersonOut
    gate_id: int | None = Field(None, description="null 表示任意签到口")
    is_supervisor: bool


class SetupStaffIn(Schema):
    person_id: Id
    gate_id: Id | None = Field(None, description="签到口;省略表示任意签到口")
    is_supervisor: bool = False


class ArrivalIn(Schema):
    person_id: Id | None = Field(None, description="替他人登记(仅策划人员);省略为本人")
    gate_id: Id | None = None


class ArrivalOut(Schema):
    id: int
    person: SetupPersonOut
    arrived_at: dt.datetime
    gate_id: int | None = None
    due_at: dt.datetime | None = Field(None, description="环节负责人的应到时间(第一个环节开始前 30 分钟)")
    late: bool


def _person(p: Any) -> dict[str, Any] | None:
    return {"id": p.pk, "name": p.name} if p is not None else None


def _settings_out(conf: CheckinSettings) -> dict[str, Any]:
    from ..rules import doors

    opens, closes = doors(conf.event, conf)
    return {
        "event_id": conf.event_id,
        "revision": conf.revision,
        "opens_minutes_before": conf.opens_minutes_before,
        "closes_minutes_after": conf.closes_minutes_after,
        "opens_at": opens,
        "closes_at": closes,
        "kit": conf.kit or [],
        "stage_manager": _person(conf.stage_manager),
    }


def _gate_out(g: Gate) -> dict[str, Any]:
    return {k: getattr(g, k) for k in ("revision", "name", "name_en", "is_vip", "position", "is_active")} | {
        "id": g.pk
    }


def _staff_out(s: GateStaff) -> dict[str, Any]:
    return {"id": s.pk, "person": _person(s.person), "gate_id": s.gate_id, "is_supervisor": s.is_supervisor}


def _arrival_out(a: StaffArrival) -> dict[str, Any]:
    return {
        "id": a.pk,
        "person": _person(a.person),
        "arrived_at": a.arrived_at,
        "gate_id": a.gate_id,
        "due_at": a.due_at,
        "late": a.late,
    }


def _settings_read(event_id: int) -> CheckinSettings:
    return CheckinSettings.objects.select_related("event", "stage_manager").get(event_id=event_id)


# ---------------------------------------------------------------- settings
@router.get(
    "/events/{event_id}/checkin/settings", response={200: CheckinSettingsOut, **READ}, summary="签到设置"
)
def get_settings(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.CHECKIN)
    settings_for(event)
    conf = _settings_read(event.pk)
    response["ETag"] = etag(conf)
    return _settings_out(conf)


@router.put(
    "/events/{event_id}/checkin/settings", response={200: CheckinSettingsOut, **EDIT}, summary="修改签到设置"
)
def put_settings(request: HttpRequest, response: HttpResponse, event_id: Id, payload: CheckinSettingsIn):  # noqa: ANN201
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    if "stage_manager_id" in changes:
        changes["stage_manager"] = changes.pop("stage_manager_id")
    changes = {k: v for k, v in changes.items() if v is not None or k == "stage_manager"}
    row = retry_on_conflict(services.settings_update)(
        actor=actor(request), event=event_id, seen=seen_revision(request, payload.revision), **changes
    )
    conf = _settings_read(row.event_id)
    response["ETag"] = etag(conf)
    return _settings_out(conf)


# ---------------------------------------------------------------- gates
@router.get("/events/{event_id}/checkin/gates", response={200: list[SetupGateOut], **READ}, summary="签到口")
def list_gates(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.CHECKIN)
    return [_gate_out(g) for g in services.gates_all(event)]


@router.post("/events/{event_id}/checkin/gates", response={201: SetupGateOut, **WRITE}, summary="添加签到口")
def add_gate(request: HttpRequest, response: HttpResponse, event_id: Id, payload: SetupGateIn):  # noqa: ANN201
    gate = retry_on_conflict(services.gate_add)(actor=actor(request), event=event_id, **payload.dict())
    response["ETag"] = etag(gate)
    return Status(201, _gate_out(gate))


@router.put(
    "/events/{event_id}/checkin/gates/{gate_id}", response={200: SetupGateOut, **EDIT}, summary="修改签到口"
)
def put_gate(request: HttpRequest, response: HttpResponse, event_id: Id, gate_id: Id, payload: SetupGatePut):  # noqa: ANN201
    changes = {
        k: v for k, v in payload.dict(exclude_unset=True, exclude={"revision"}).items() if v is not None
    }
    gate = retry_on_conflict(services.gate_update)(
        actor=actor(request),
        event=event_id,
        gate_id=gate_id,
        seen=seen_revision(request, payload.revision),
        **changes,
    )
    response["ETag"] = etag(gate)
    return _gate_out(gate)


@router.delete(
    "/events/{event_id}/checkin/gates/{gate_id}",
    response={200: SetupGateOut, 204: None, **EDIT},
    summary="删除签到口(已有签到记录的改为停用)",
)
def delete_gate(request: HttpRequest, event_id: Id, gate_id: Id, revision: Revision | None = None):  # noqa: ANN201
    gate, deleted = retry_on_conflict(services.gate_remove)(
        actor=actor(request), event=event_id, gate_id=gate_id, seen=seen_revision(request, revision)
    )
    if deleted:
        return Status(204, None)
    return _gate_out(gate)


# ---------------------------------------------------------------- staff
@router.get(
    "/events/{event_id}/checkin/staff", response={200: list[SetupStaffOut], **READ}, summary="签到人员"
)
def list_staff(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.CHECKIN)
    return [_staff_out(s) for s in services.staff_all(event)]


@router.post(
    "/events/{event_id}/checkin/staff", response={201: SetupStaffOut, **WRITE}, summary="添加签到人员"
)
def add_staff(request: HttpRequest, event_id: Id, payload: SetupStaffIn):  # noqa: ANN201
    rows = retry_on_conflict(services.staff_add)(
        actor=actor(request),
        event=event_id,
        people=[payload.person_id],
        gate_id=payload.gate_id,
        is_supervisor=payload.is_supervisor,
    )
    return Status(201, _staff_out(rows[0]))


@router.delete(
    "/events/{event_id}/checkin/staff/{staff_id}", response={204: None, **WRITE}, summary="移除签到人员"
)
def delete_staff(request: HttpRequest, event_id: Id, staff_id: Id):  # noqa: ANN201
    retry_on_conflict(services.staff_remove)(actor=actor(request), event=event_id, staff_id=staff_id)
    return Status(204, None)


# ---------------------------------------------------------------- arrivals (EX-3)
@router.post(
    "/events/{event_id}/checkin/arrivals",
    response={200: ArrivalOut, 201: ArrivalOut, **WRITE},
    summary="工作人员到场登记",
)
def add_arrival(request: HttpRequest, event_id: Id, payload: ArrivalIn | None = None):  # noqa: ANN201
    body = payload or ArrivalIn(person_id=None, gate_id=None)
    row, new = retry_on_conflict(arrival_services.arrival_record)(
        actor=actor(request), event=event_id, person=body.person_id, gate_id=body.gate_id
    )
    return Status(201 if new else 200, _arrival_out(row))
