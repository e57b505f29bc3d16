"""API: the execution meeting and special trainings with attendance (TR-1); the same services as the pages.

- ``GET/POST /events/{event_id}/trainings``: the event's trainings; add one (``attendees``: usernames, by
  default the project team).
- ``POST /events/{event_id}/trainings/execution-meeting``: create the execution meeting (one per event) at
  T-3 days before the start unless ``starts_at`` is given, drafted from the team's duties and the risks.
- ``GET/PATCH/DELETE /events/{event_id}/trainings/{training_id}``: one training; change it (``attendees``
  replaces the people expected), remove it.
- ``POST …/{training_id}/held``: that it took place (``held_at``, ``minutes``; the meeting needs minutes).
- ``PUT …/{training_id}/attendance``: who came — one row per expected person (``person``, ``attended``,
  ``note``); sets ``attendance_recorded_at``.

Times without a zone are read in the event's time zone. Revisions (``core.concurrency``): every change
says which revision it saw (``If-Match: "r3"`` or ``revision``): missing → 428, old → 409 ``stale``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Moment, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_people, active_person, people_named
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import Training
from ..rules import PREPARATION_REFUSAL
from ..services import training as services

router = Router(tags=["preparation: training"])

Minutes = Annotated[int, Field(ge=1, le=services.DURATION_MAX)]
if TYPE_CHECKING:
    Kind = str
    Title = str
    Place = str
    Prose = str
    MinutesText = str
    Username = str
    Note = str
else:
    Kind = Line(20)
    Title = Line(services.TITLE_MAX)
    Place = Line(services.LOCATION_MAX)
    Prose = Text(services.TEXT_MAX)
    MinutesText = Text(services.MINUTES_MAX)
    Username = Line(150)
    Note = Line(services.NOTE_MAX)
KINDS = (
    "execution_meeting(执行会议)、etiquette(礼仪培训)、host(主持人培训)、guide(讲解员培训)、other(其他培训)"
)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class AttendanceOut(Schema):
    person: str = Field(..., description="用户名")
    name: str
    attended: bool | None = Field(None, description="null:尚未登记")
    note: str


class TrainingOut(Schema):
    id: int
    revision: int
    event_id: int
    kind: str
    kind_label: str
    title: str
    starts_at: dt.datetime
    duration_minutes: int
    location: str
    agenda: str
    roles_covered: str
    scripts_covered: str
    trainer: str | None = None
    trainer_name: str | None = None
    held_at: dt.datetime | None = None
    minutes: str
    attendance_recorded_at: dt.datetime | None = None
    attendance: list[AttendanceOut]
    attended: list[str] = Field(..., description="出席者姓名")
    missed: list[str] = Field(..., description="缺席者姓名")


class TrainingIn(Schema):
    kind: Kind = Field(..., description=KINDS)
    title: Title = Field("", description="留空则用类别名称")
    starts_at: Moment = Field(..., description="须早于活动开始;不带时区时按活动时区理解")
    duration_minutes: Minutes = 60
    location: Place = ""
    agenda: Prose = ""
    roles_covered: Prose = Field("", description="讲解的岗位职责")
    scripts_covered: Prose = Field("", description="演练的应急话术")
    trainer: Username | None = Field(None, description="主持/讲师用户名")
    attendees: list[Username] | None = Field(
        None, max_length=services.ATTENDEES_MAX, description="应到人员用户名;省略则为项目团队"
    )


class TrainingPatch(Schema):
    revision: Revision | None = None
    kind: Kind | None = Field(None, description=KINDS)
    title: Title | None = None
    starts_at: Moment | None = None
    duration_minutes: Minutes | None = None
    location: Place | None = None
    agenda: Prose | None = None
    roles_covered: Prose | None = None
    scripts_covered: Prose | None = None
    trainer: Username | None = None
    attendees: list[Username] | None = Field(
        None, max_length=services.ATTENDEES_MAX, description="替换应到人员"
    )


class MeetingIn(Schema):
    starts_at: Moment | None = Field(None, description="默认为活动开始前 3 天(T-3)")


class HeldIn(Schema):
    revision: Revision | None = None
    held_at: Moment
    minutes: MinutesText = Field("", description="会议纪要;执行会议必填")


class MarkIn(Schema):
    person: Username
    attended: bool
    note: Note = ""


class AttendanceIn(Schema):
    revision: Revision | None = None
    rows: list[MarkIn] = Field(..., max_length=services.ATTENDEES_MAX)


def _out(t: Training) -> dict[str, Any]:
    rows = list(t.attendance.select_related("person"))
    return {
        "id": t.pk,
        "revision": t.revision,
        "event_id": t.event_id,
        "kind": t.kind,
        "kind_label": str(t.get_kind_display()),
        "title": t.title,
        "starts_at": t.starts_at,
        "duration_minutes": t.duration_minutes,
        "location": t.location,
        "agenda": t.agenda,
        "roles_covered": t.roles_covered,
        "scripts_covered": t.scripts_covered,
        "trainer": t.trainer.username if t.trainer else None,
        "trainer_name": t.trainer.name if t.trainer else None,
        "held_at": t.held_at,
        "minutes": t.minutes,
        "attendance_recorded_at": t.attendance_recorded_at,
        "attendance": [
            {"person": a.person.username, "name": a.person.name, "attended": a.attended, "note": a.note}
            for a in rows
        ],
        "attended": [a.person.name for a in rows if a.attended is True],
        "missed": [a.person.name for a in rows if a.attended is False],
    }


def _answer(response: HttpResponse, event: Event | int, training_id: int) -> dict[str, Any]:
    event_id = event.pk if isinstance(event, Event) else event
    t = Training.objects.select_related("trainer").get(pk=training_id, event_id=event_id)
    response["ETag"] = etag(t)
    return _out(t)


def _people(data: dict[str, Any]) -> dict[str, Any]:
    if "trainer" in data:
        data["trainer"] = active_person(data["trainer"], field="trainer") if data["trainer"] else None
    if data.get("attendees") is not None:
        data["attendees"] = active_people(data["attendees"], field="attendees")
    return data


def _edit_event(request: HttpRequest, event_id: int) -> Event:
    return event_for(actor(request), event_id, Need.EDIT, message=PREPARATION_REFUSAL)


@router.get(
    "/events/{event_id}/trainings", response={200: list[TrainingOut], **READ}, summary="执行会议与专项培训"
)
def list_trainings(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return [_out(t) for t in services.trainings_of(event)]


@router.post("/events/{event_id}/trainings", response={201: TrainingOut, **WRITE}, summary="添加培训")
def add_training(request: HttpRequest, response: HttpResponse, event_id: Id, payload: TrainingIn):  # noqa: ANN201
    _edit_event(request, event_id)
    t = retry_on_conflict(services.training_add)(
        actor=actor(request), event=event_id, **_people(payload.dict())
    )
    return Status(201, _answer(response, event_id, t.pk))


@router.post(
    "/events/{event_id}/trainings/execution-meeting",
    response={201: TrainingOut, **WRITE},
    summary="创建执行会议(默认活动前 3 天)",
)
def create_meeting(request: HttpRequest, response: HttpResponse, event_id: Id, payload: MeetingIn):  # noqa: ANN201
    _edit_event(request, event_id)
    t = retry_on_conflict(services.meeting_create)(
        actor=actor(request), event=event_id, starts_at=payload.starts_at
    )
    return Status(201, _answer(response, event_id, t.pk))


@router.get(
    "/events/{event_id}/trainings/{training_id}",
    response={200: TrainingOut, **READ},
    summary="一项培训(含修订号)",
)
def get_training(request: HttpRequest, response: HttpResponse, event_id: Id, training_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    t = services.training_get(event=event, training_id=training_id)
    return _answer(response, event, t.pk)


@router.patch(
    "/events/{event_id}/trainings/{training_id}", response={200: TrainingOut, **EDIT}, summary="修改培训"
)
def patch_training(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, training_id: Id, payload: TrainingPatch
):
    _edit_event(request, event_id)
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "trainer"}
    retry_on_conflict(services.training_update)(
        actor=actor(request),
        event=event_id,
        training_id=training_id,
        seen=seen_revision(request, payload.revision),
        **_people(changes),
    )
    return _answer(response, event_id, training_id)


@router.delete("/events/{event_id}/trainings/{training_id}", response={204: None, **EDIT}, summary="删除培训")
def delete_training(request: HttpRequest, event_id: Id, training_id: Id, revision: Revision | None = None):  # noqa: ANN201
    _edit_event(request, event_id)
    retry_on_conflict(services.training_remove)(
        actor=actor(request), event=event_id, training_id=training_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/trainings/{training_id}/held",
    response={200: TrainingOut, **EDIT},
    summary="登记培训已召开(实际时间、会议纪要)",
)
def record_held(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, training_id: Id, payload: HeldIn
):
    _edit_event(request, event_id)
    retry_on_conflict(services.training_held)(
        actor=actor(request),
        event=event_id,
        training_id=training_id,
        seen=seen_revision(request, payload.revision),
        held_at=payload.held_at,
        minutes=payload.minutes,
    )
    return _answer(response, event_id, training_id)


@router.put(
    "/events/{event_id}/trainings/{training_id}/attendance",
    response={200: TrainingOut, **EDIT},
    summary="登记出席情况(每位应到人员是否出席)",
)
def record_attendance(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, training_id: Id, payload: AttendanceIn
):
    _edit_event(request, event_id)
    names = [m.person for m in payload.rows]
    people = people_named(names)
    unknown = [n for n in names if n not in people]
    if unknown:
        raise DomainError({"rows": [_("未知的用户:%(names)s。") % {"names": "、".join(unknown[:10])}]})
    rows = [{"person": people[m.person], "attended": m.attended, "note": m.note} for m in payload.rows]
    try:
        retry_on_conflict(services.attendance_record)(
            actor=actor(request),
            event=event_id,
            training_id=training_id,
            seen=seen_revision(request, payload.revision),
            rows=rows,
        )
    except DomainError as exc:  # the service names the list "attendance"; here it is the body's "rows"
        if "attendance" in exc.errors:
            exc.errors["rows"] = exc.errors.pop("attendance")
        raise
    return _answer(response, event_id, training_id)
