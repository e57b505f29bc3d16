"""API: the incident log of the show day (EX-5), the same services as the pages.

- ``GET/POST /events/{event_id}/incidents``: the log (``?status=open|resolved``); report one (the team on
  the day, ``Need.ONSITE``): 201 with the incident and its playbook.
- ``GET /events/{event_id}/incidents/open``, ``GET /events/{event_id}/incidents/stats``: the selectors the
  dashboard and the review phase read.
- ``GET/PUT /events/{event_id}/incidents/{incident_id}``: one incident with its playbook, timeline and posts;
  change its severity, title, description or risk (revisioned: ``revision`` or ``If-Match``).
- ``POST …/{incident_id}/moves``: ``start`` (team), ``resolve`` and ``reopen`` (stage manager), revisioned.
- ``POST …/{incident_id}/actions``: a note on the timeline. ``PUT …/{incident_id}/assignees``: who handles
  it (revisioned). ``POST …/{incident_id}/arrival``: the technician on site (设备).
- ``PUT …/{incident_id}/statement`` (舆情, revisioned), ``POST …/{incident_id}/posts`` (舆情).
- ``GET/POST /events/{event_id}/incident-statements``: the agreed statements (adding: the stage manager).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.events.access import Need, event_for

from .. import selectors
from ..models import Incident
from ..services import incidents as services

router = Router(tags=["onsite: incidents"])

if TYPE_CHECKING:
    Title = str
    Description = str
    NoteText = str
    Url = str
    StatementTitle = str
    StatementText = str
else:
    Title = Line(services.TITLE_MAX)
    Description = Text(services.DESCRIPTION_MAX)
    NoteText = Text(services.NOTE_MAX)
    Url = Line(services.URL_MAX)
    StatementTitle = Line(services.STATEMENT_TITLE_MAX)
    StatementText = Text(services.STATEMENT_TEXT_MAX)

CategoryIn = Literal["equipment", "personnel", "opinion", "safety", "other"]
SeverityIn = Literal["low", "medium", "high", "critical"]
PlatformIn = Literal["weibo", "wechat", "douyin", "xiaohongshu", "zhihu", "news", "other"]
MoveIn = Literal["start", "resolve", "reopen"]

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class PersonOut(Schema):
    id: int
    name: str


class PlaybookRiskOut(Schema):
    id: int
    risk: str
    response: str
    backup_resource: str
    owner: PersonOut | None = None


class StatementOut(Schema):
    id: int
    title: str
    text: str


class PlaybookOut(Schema):
    risk: PlaybookRiskOut | None = Field(None, description="对应的风险预案;null 表示方案中没有匹配的条目")
    response: str = Field(..., description="应对预案")
    backup_resource: str = Field(..., description="备用资源(备用设备)")
    substitute: str = Field(..., description="人员类事件的替补人员(来自风险预案的备用资源)")
    statements: list[StatementOut] = Field(..., description="舆情类事件可选用的统一口径")
    suggestions: list[PlaybookRiskOut] = Field(..., description="其他匹配的风险预案")


class ActionOut(Schema):
    id: int
    kind: str
    kind_label: str
    actor: PersonOut | None = None
    at: dt.datetime
    text: str


class PostOut(Schema):
    id: int
    url: str
    platform: str
    platform_label: str
    text: str
    recorded_by: PersonOut | None = None
    recorded_at: dt.datetime


class IncidentOut(Schema):
    id: int
    revision: int
    category: str
    category_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    title: str
    description: str
    reporter: PersonOut | None = None
    reported_at: dt.datetime
    risk_id: int | None = None
    assignees: list[PersonOut]
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    resolution: str
    minutes_to_respond: float | None = None
    minutes_to_resolve: float | None = None
    sla_due_at: dt.datetime | None = Field(None, description="设备类:技术人员应到时间(上报后 15 分钟)")
    sla_state: str | None = Field(None, description="running / breached / met;非设备类为 null")
    technician: PersonOut | None = None
    technician_arrived_at: dt.datetime | None = None
    escalated: bool
    escalated_at: dt.datetime | None = None
    statement: StatementOut | None = None


class IncidentDetailOut(IncidentOut):
    playbook: PlaybookOut
    actions: list[ActionOut]
    posts: list[PostOut]


class OpenIncidentOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    severity: str
    severity_label: str
    status: str
    reported_at: dt.datetime
    open_minutes: int
    sla_due_at: dt.datetime | None = None
    sla_state: str | None = None
    escalated: bool


class StatsOut(Schema):
    count: int
    open: int
    by_category: dict[str, int]
    mean_minutes_to_respond: float | None = None
    mean_minutes_to_resolve: float | None = None
    sla_met: int
    sla_breached: int


class IncidentIn(Schema):
    category: CategoryIn = Field(
        ..., description="设备 equipment、人员 personnel、舆情 opinion、安全 safety、其他 other"
    )
    severity: SeverityIn = "medium"
    title: Title
    description: Description = ""
    risk_id: Id | None = Field(None, description="方案风险预案中的条目;省略则按类别自动匹配")


class IncidentPut(Schema):
    revision: Revision | None = None
    severity: SeverityIn | None = None
    title: Title | None = None
    description: Description | None = None
    risk_id: Id | None = None


class MoveBody(Schema):
    revision: Revision | None = None
    move: MoveIn
    resolution: Description = Field("", description="resolve 时必填:处理结果")


class NoteIn(Schema):
    text: NoteText


class AssigneesIn(Schema):
    revision: Revision | None = None
    people: list[Id] = Field(..., max_length=services.ASSIGNEES_MAX)


class TechnicianArrivalIn(Schema):
    technician_id: Id | None = Field(None, description="到场的技术人员;省略为本人")


class StatementPut(Schema):
    revision: Revision | None = None
    statement_id: Id


class PostIn(Schema):
    url: Url
    platform: PlatformIn
    text: Description = ""


class StatementIn(Schema):
    title: StatementTitle
    text: StatementText


def _person(p: Any) -> dict[str, Any] | None:
    return {"id": p.pk, "name": p.name} if p is not None else None


def _risk(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": r.pk,
        "risk": r.risk,
        "response": r.response,
        "backup_resource": r.backup_resource,
        "owner": _person(r.owner),
    }


def _statement(s: Any) -> dict[str, Any] | None:
    return {"id": s.pk, "title": s.title, "text": s.text} if s is not None else None


def _incident_out(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "revision": i.revision,
        "category": i.category,
        "category_label": str(i.get_category_display()),
        "severity": i.severity,
        "severity_label": str(i.get_severity_display()),
        "status": i.status,
        "status_label": str(i.get_status_display()),
        "title": i.title,
        "description": i.description,
        "reporter": _person(i.reporter),
        "reported_at": i.reported_at,
        "risk_id": i.risk_id,
        "assignees": [_person(p) for p in i.assignees.all().order_by("id")],
        "responded_at": i.responded_at,
        "resolved_at": i.resolved_at,
        "resolution": i.resolution,
        "minutes_to_respond": selectors.minutes_to_respond(i),
        "minutes_to_resolve": selectors.minutes_to_resolve(i),
        "sla_due_at": i.sla_due_at,
        "sla_state": selectors.sla_state(i),
        "technician": _person(i.technician),
        "technician_arrived_at": i.technician_arrived_at,
        "escalated": i.escalated_at is not None,
        "escalated_at": i.escalated_at,
        "statement": _statement(i.statement),
    }


def _detail_out(event: Any, i: Incident) -> dict[str, Any]:
    book = selectors.playbook(i, event)
    return _incident_out(i) | {
        "playbook": {
            "risk": _risk(book["risk"]),
            "response": book["response"],
            "backup_resource": book["backup_resource"],
            "substitute": book["substitute"],
            "statements": [_statement(s) for s in book["statements"]],
            "suggestions": [_risk(r) for r in book["suggestions"]],
        },
        "actions": [
            {
                "id": a.pk,
                "kind": a.kind,
                "kind_label": str(a.get_kind_display()),
                "actor": _person(a.actor),
                "at": a.at,
                "text": a.text,
            }
            for a in i.actions.select_related("actor").all()
        ],
        "posts": [
            {
                "id": p.pk,
                "url": p.url,
                "platform": p.platform,
                "platform_label": str(p.get_platform_display()),
                "text": p.text,
                "recorded_by": _person(p.recorded_by),
                "recorded_at": p.recorded_at,
            }
            for p in i.posts.select_related("recorded_by").all()
        ],
    }


def _detail(request: HttpRequest, response: HttpResponse, event_id: int, incident_id: int) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.ONSITE)
    incident = services.incident_get(event, incident_id)
    response["ETag"] = etag(incident)
    return _detail_out(event, incident)


# ---------------------------------------------------------------- the log
@router.get("/events/{event_id}/incidents", response={200: list[IncidentOut], **READ}, summary="突发事件")
def list_incidents(request: HttpRequest, event_id: Id, status: Literal["", "open", "resolved"] = ""):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    rows = Incident.objects.filter(pk__in=[i.pk for i in selectors.incidents_of(event, status=status)])
    rows = rows.select_related("reporter", "technician", "statement").prefetch_related("assignees")
    return [_incident_out(i) for i in rows.order_by("-reported_at", "-id")]


@router.post(
    "/events/{event_id}/incidents", response={201: IncidentDetailOut, **WRITE}, summary="上报突发事件"
)
def report_incident(request: HttpRequest, response: HttpResponse, event_id: Id, payload: IncidentIn):  # noqa: ANN201
    incident = retry_on_conflict(services.incident_report)(
        actor=actor(request),
        event=event_id,
        category=payload.category,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        risk=payload.risk_id,
    )
    return Status(201, _detail(request, response, event_id, incident.pk))


@router.get(
    "/events/{event_id}/incidents/open",
    response={200: list[OpenIncidentOut], **READ},
    summary="未解决的突发事件",
)
def list_open(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return selectors.open_incidents(event.pk)


@router.get("/events/{event_id}/incidents/stats", response={200: StatsOut, **READ}, summary="突发事件统计")
def stats(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return selectors.incident_stats(event.pk)


@router.get(
    "/events/{event_id}/incidents/{incident_id}",
    response={200: IncidentDetailOut, **READ},
    summary="突发事件详情",
)
def get_incident(request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id):  # noqa: ANN201
    return _detail(request, response, event_id, incident_id)


@router.put(
    "/events/{event_id}/incidents/{incident_id}",
    response={200: IncidentDetailOut, **EDIT},
    summary="修改突发事件",
)
def put_incident(
    request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: IncidentPut
):  # noqa: ANN201
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    if "risk_id" in changes:
        changes["risk"] = changes.pop("risk_id")
    changes = {k: v for k, v in changes.items() if v is not None or k == "risk"}
    retry_on_conflict(services.incident_update)(
        actor=actor(request),
        event=event_id,
        incident_id=incident_id,
        seen=seen_revision(request, payload.revision),
        **changes,
    )
    return _detail(request, response, event_id, incident_id)


@router.post(
    "/events/{event_id}/incidents/{incident_id}/moves",
    response={200: IncidentDetailOut, **EDIT},
    summary="开始处理、标记已解决或重新打开",
)
def move_incident(
    request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: MoveBody
):  # noqa: ANN201
    retry_on_conflict(services.incident_move)(
        actor=actor(request),
        event=event_id,
        incident_id=incident_id,
        seen=seen_revision(request, payload.revision),
        move=payload.move,
        resolution=payload.resolution,
    )
    return _detail(request, response, event_id, incident_id)


@router.post(
    "/events/{event_id}/incidents/{incident_id}/actions",
    response={201: IncidentDetailOut, **WRITE},
    summary="添加处理记录",
)
def add_action(request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: NoteIn):  # noqa: ANN201
    retry_on_conflict(services.incident_note)(
        actor=actor(request), event=event_id, incident_id=incident_id, text=payload.text
    )
    return Status(201, _detail(request, response, event_id, incident_id))


@router.put(
    "/events/{event_id}/incidents/{incident_id}/assignees",
    response={200: IncidentDetailOut, **EDIT},
    summary="指派处理人",
)
def put_assignees(
    request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: AssigneesIn
):  # noqa: ANN201
    retry_on_conflict(services.incident_assign)(
        actor=actor(request),
        event=event_id,
        incident_id=incident_id,
        seen=seen_revision(request, payload.revision),
        people=list(payload.people),
    )
    return _detail(request, response, event_id, incident_id)


@router.post(
    "/events/{event_id}/incidents/{incident_id}/arrival",
    response={200: IncidentDetailOut, **WRITE},
    summary="技术人员到场(设备类)",
)
def technician_arrival(  # noqa: ANN201
    request: HttpRequest,
    response: HttpResponse,
    event_id: Id,
    incident_id: Id,
    payload: TechnicianArrivalIn | None = None,
):
    body = payload or TechnicianArrivalIn(technician_id=None)
    retry_on_conflict(services.incident_arrive)(
        actor=actor(request), event=event_id, incident_id=incident_id, technician=body.technician_id
    )
    return _detail(request, response, event_id, incident_id)


@router.put(
    "/events/{event_id}/incidents/{incident_id}/statement",
    response={200: IncidentDetailOut, **EDIT},
    summary="选用统一口径(舆情类)",
)
def put_statement(
    request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: StatementPut
):  # noqa: ANN201
    retry_on_conflict(services.incident_statement_set)(
        actor=actor(request),
        event=event_id,
        incident_id=incident_id,
        seen=seen_revision(request, payload.revision),
        statement=payload.statement_id,
    )
    return _detail(request, response, event_id, incident_id)


@router.post(
    "/events/{event_id}/incidents/{incident_id}/posts",
    response={201: IncidentDetailOut, **WRITE},
    summary="记录帖子(舆情类)",
)
def add_post(request: HttpRequest, response: HttpResponse, event_id: Id, incident_id: Id, payload: PostIn):  # noqa: ANN201
    retry_on_conflict(services.incident_post_add)(
        actor=actor(request),
        event=event_id,
        incident_id=incident_id,
        url=payload.url,
        platform=payload.platform,
        text=payload.text,
    )
    return Status(201, _detail(request, response, event_id, incident_id))


# ---------------------------------------------------------------- agreed statements
@router.get(
    "/events/{event_id}/incident-statements", response={200: list[StatementOut], **READ}, summary="统一口径"
)
def list_statements(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return [_statement(s) for s in selectors.statements_of(event)]


@router.post(
    "/events/{event_id}/incident-statements", response={201: StatementOut, **WRITE}, summary="确定统一口径"
)
def add_statement(request: HttpRequest, event_id: Id, payload: StatementIn):  # noqa: ANN201
    row = retry_on_conflict(services.statement_add)(
        actor=actor(request), event=event_id, title=payload.title, text=payload.text
    )
    return Status(201, _statement(row))
