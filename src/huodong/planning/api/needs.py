"""Needs research API (NI-1, NI-2, DOC-1): the whole report, its inputs and methods, the history candidates.

Mounted under /api/events; every write calls the same service as the page. Every input is bounded by its
schema (``core.schemas``), so bad input is a 400 naming the field and never reaches the database.

Revisions (``core.concurrency``): the report and each input and method carry ``revision``; a single
record's GET (and the answer of every write) has it in the body and as ``ETag: "r<revision>"``. PUT, PATCH
and DELETE say which revision they saw, as ``If-Match: "r3"`` or a ``revision`` field (body, or query for
DELETE; the field wins over the header): missing is 428 ``revision_required``, old is 409 ``stale`` with
``current``. Adding a row needs no revision; adding, changing or removing an input or a method also raises
the report's revision, because the report shows them and PUT replaces them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import actor, seen_revision, tagged
from huodong.core.models import Department, User
from huodong.core.schemas import Day, ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from .. import rules, selectors
from ..models import NeedsInput, NeedsMethod, NeedsReport
from ..services import needs as services

router = Router(tags=["planning: needs"])

if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Prose = str
    Source = str
    Participants = str
    Choice = str
    DepartmentCode = str
    Username = str
else:
    Prose = Text(services.TEXT_MAX)  # the report's texts, an input's content, a method's findings
    Source = Line(services.SOURCE_MAX)  # NeedsInput.source
    Participants = Line(services.PARTICIPANTS_MAX)  # NeedsMethod.participants
    Choice = Line(30)  # NeedsInput.kind, NeedsMethod.method, Goal.metric
    DepartmentCode = Line(40)  # Department.code
    Username = Line(150)  # User.username


# ---------------------------------------------------------------- shared with the goals API
# The answers of a read and a write besides their success.
READ: dict[int, Any] = {403: ErrorOut, 404: ErrorOut}
REFUSALS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut}
EDIT_REFUSALS: dict[int, Any] = {**REFUSALS, 428: ErrorOut}
REMOVED: dict[int, Any] = {
    204: None,
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: StaleErrorOut,
    428: ErrorOut,
}


def event_read(request: HttpRequest, event_id: int) -> Event:
    """The event for a read: anyone who may view it (``Need.VIEW``)."""
    return event_for(actor(request), event_id, Need.VIEW)


def event_edit(request: HttpRequest, event_id: int) -> Event:
    """The event for a write: 404/403 before the body is looked at; the service checks again under lock."""
    return event_for(actor(request), event_id, Need.EDIT, message=rules.PLANNING_REFUSAL)


def write(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call ``service`` in its own transaction, again on a serialization failure or deadlock, then 409."""
    return retry_on_conflict(service)(**kwargs)


# ---------------------------------------------------------------- schemas
class InputOut(Schema):
    id: int
    revision: int
    kind: str
    kind_label: str
    content: str
    source: str

    @staticmethod
    def resolve_kind_label(obj: NeedsInput) -> str:
        return str(obj.get_kind_display())


class MethodOut(Schema):
    id: int
    revision: int
    method: str
    method_label: str
    findings: str
    conducted_on: dt.date | None = None
    participants: str

    @staticmethod
    def resolve_method_label(obj: NeedsMethod) -> str:
        return str(obj.get_method_display())


class NeedsOut(Schema):
    event_id: int
    revision: int = Field(..., description="报告的修订号;未保存过的报告为 1")
    background: str
    audience_persona: str
    core_needs: str
    initial_goals: str
    requesting_department: str | None = Field(None, description="部门代码")
    requesters: list[str] = Field([], description="用户名")
    requested_on: dt.date | None = None
    history_event_ids: list[int] = []
    inputs: list[InputOut] = []
    methods: list[MethodOut] = []


class InputIn(Schema):
    kind: Choice = Field(..., description="business_goal / market_trend / customer_feedback / other")
    content: Prose
    source: Source = ""


class InputPatch(Schema):
    revision: Revision | None = None
    kind: Choice | None = None
    content: Prose | None = None
    source: Source | None = None


class MethodIn(Schema):
    method: Choice = Field(..., description="interview / questionnaire / benchmarking / historical_review")
    findings: Prose
    conducted_on: Day | None = None
    participants: Participants = ""


class MethodPatch(Schema):
    revision: Revision | None = None
    method: Choice | None = None
    findings: Prose | None = None
    conducted_on: Day | None = None
    participants: Participants | None = None


class NeedsIn(Schema):
    """The whole report: omitted fields are emptied; ``inputs``/``methods`` replace the rows when given."""

    revision: Revision | None = None
    background: Prose = ""
    audience_persona: Prose = ""
    core_needs: Prose = ""
    initial_goals: Prose = ""
    requesting_department: DepartmentCode | None = Field(None, description="部门代码,如 sales")
    requesters: list[Username] = Field([], max_length=services.REQUESTERS_MAX, description="用户名列表")
    requested_on: Day | None = None
    history_event_ids: list[Id] = Field([], max_length=services.ROWS_MAX)
    inputs: list[InputIn] | None = Field(
        None, max_length=services.ROWS_MAX, description="给出时替换全部需求输入"
    )
    methods: list[MethodIn] | None = Field(
        None, max_length=services.ROWS_MAX, description="给出时替换全部调研方法"
    )


class HistoryOut(Schema):
    event_id: int
    name: str
    date: dt.date
    venue: str
    expected_attendance: int
    actual_attendance: int | None = None
    results: list[dict[str, Any]] = []
    selected: bool


# ---------------------------------------------------------------- helpers
def _out(event: Event) -> dict[str, Any]:
    report: NeedsReport = selectors.needs_report_or_blank(event)
    saved = report.pk is not None
    return {
        "event_id": event.pk,
        "revision": report.revision,
        "background": report.background,
        "audience_persona": report.audience_persona,
        "core_needs": report.core_needs,
        "initial_goals": report.initial_goals,
        "requesting_department": report.requesting_department.code if report.requesting_department else None,
        "requesters": [u.username for u in report.requesters.all()] if saved else [],
        "requested_on": report.requested_on,
        "history_event_ids": report.history_event_ids or [],
        "inputs": list(report.inputs.all()) if saved else [],
        "methods": list(report.methods.all()) if saved else [],
    }


def _resolve_people(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(data)
    if "requesting_department" in out:
        code = out["requesting_department"]
        if code:
            dept = Department.objects.filter(code=code).first()
            if dept is None:
                errors["requesting_department"] = [
                    _("未知的部门代码「%(code)s」,可选:%(codes)s。")
                    % {
                        "code": code,
                        "codes": ", ".join(
                            Department.objects.filter(is_active=True).values_list("code", flat=True)
                        ),
                    }
                ]
            out["requesting_department"] = dept
        else:
            out["requesting_department"] = None
    if "requesters" in out:
        names = out["requesters"] or []
        people = list(User.objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in people})
        if missing:
            errors["requesters"] = [_("未知的用户:%(u)s。") % {"u": ", ".join(missing)}]
        out["requesters"] = people
    if errors:
        raise DomainError(errors)
    return out


def _row(
    model: type[NeedsInput] | type[NeedsMethod], event: Event, row_id: int, missing: Any
) -> NeedsInput | NeedsMethod:
    row = selectors.needs_row_get(event, model, row_id)
    if row is None:
        raise NotFound(missing % {"id": row_id})
    return row


_INPUT_MISSING = gettext_lazy("需求输入 %(id)s 不存在。")
_METHOD_MISSING = gettext_lazy("调研方法 %(id)s 不存在。")


# ---------------------------------------------------------------- the report
@router.get("/{event_id}/needs", response={200: NeedsOut, **READ}, summary="需求调研报告")
def get_needs(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    out = _out(event_read(request, event_id))
    response["ETag"] = f'"r{out["revision"]}"'
    return out


@router.put("/{event_id}/needs", response={200: NeedsOut, **EDIT_REFUSALS}, summary="保存整份需求调研报告")
def put_needs(request: HttpRequest, response: HttpResponse, event_id: Id, payload: NeedsIn):  # noqa: ANN201
    event = event_edit(request, event_id)
    data = _resolve_people(payload.dict(exclude={"revision"}))
    for rows in ("inputs", "methods"):
        if data[rows] is None:
            data.pop(rows)
    write(
        services.needs_report_update,
        actor=actor(request),
        event=event,
        seen=seen_revision(request, payload.revision),
        **data,
    )
    out = _out(event)
    response["ETag"] = f'"r{out["revision"]}"'
    return out


@router.get(
    "/{event_id}/needs/history",
    response={200: list[HistoryOut], **READ},
    summary="可参考的同类型已归档活动",
)
def get_needs_history(request: HttpRequest, event_id: Id):  # noqa: ANN201
    return selectors.needs_history_candidates(event_read(request, event_id))


# ---------------------------------------------------------------- inputs (NI-1)
@router.post("/{event_id}/needs/inputs", response={201: InputOut, **REFUSALS}, summary="添加需求输入")
def add_input(request: HttpRequest, response: HttpResponse, event_id: Id, payload: InputIn):  # noqa: ANN201
    event = event_edit(request, event_id)
    row = write(services.needs_input_add, actor=actor(request), event=event, **payload.dict())
    return Status(201, tagged(response, row))


@router.get("/{event_id}/needs/inputs/{input_id}", response={200: InputOut, **READ}, summary="一条需求输入")
def get_input(request: HttpRequest, response: HttpResponse, event_id: Id, input_id: Id):  # noqa: ANN201
    event = event_read(request, event_id)
    return tagged(response, _row(NeedsInput, event, input_id, _INPUT_MISSING))


@router.patch(
    "/{event_id}/needs/inputs/{input_id}", response={200: InputOut, **EDIT_REFUSALS}, summary="修改需求输入"
)
def update_input(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, input_id: Id, payload: InputPatch
):
    event = event_edit(request, event_id)
    row = write(
        services.needs_input_update,
        actor=actor(request),
        event=event,
        input_id=input_id,
        seen=seen_revision(request, payload.revision),
        **payload.dict(exclude_unset=True, exclude={"revision"}),
    )
    return tagged(response, row)


@router.delete("/{event_id}/needs/inputs/{input_id}", response=REMOVED, summary="删除需求输入")
def remove_input(request: HttpRequest, event_id: Id, input_id: Id, revision: Revision | None = None):  # noqa: ANN201
    event = event_edit(request, event_id)
    write(
        services.needs_input_remove,
        actor=actor(request),
        event=event,
        input_id=input_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)


# ---------------------------------------------------------------- methods (NI-2)
@router.post("/{event_id}/needs/methods", response={201: MethodOut, **REFUSALS}, summary="添加调研方法")
def add_method(request: HttpRequest, response: HttpResponse, event_id: Id, payload: MethodIn):  # noqa: ANN201
    event = event_edit(request, event_id)
    row = write(services.needs_method_add, actor=actor(request), event=event, **payload.dict())
    return Status(201, tagged(response, row))


@router.get(
    "/{event_id}/needs/methods/{method_id}", response={200: MethodOut, **READ}, summary="一条调研方法"
)
def get_method(request: HttpRequest, response: HttpResponse, event_id: Id, method_id: Id):  # noqa: ANN201
    event = event_read(request, event_id)
    return tagged(response, _row(NeedsMethod, event, method_id, _METHOD_MISSING))


@router.patch(
    "/{event_id}/needs/methods/{method_id}",
    response={200: MethodOut, **EDIT_REFUSALS},
    summary="修改调研方法",
)
def update_method(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, method_id: Id, payload: MethodPatch
):
    event = event_edit(request, event_id)
    row = write(
        services.needs_method_update,
        actor=actor(request),
        event=event,
        method_id=method_id,
        seen=seen_revision(request, payload.revision),
        **payload.dict(exclude_unset=True, exclude={"revision"}),
    )
    return tagged(response, row)


@router.delete("/{event_id}/needs/methods/{method_id}", response=REMOVED, summary="删除调研方法")
def remove_method(request: HttpRequest, event_id: Id, method_id: Id, revision: Revision | None = None):  # noqa: ANN201
    event = event_edit(request, event_id)
    write(
        services.needs_method_remove,
        actor=actor(request),
        event=event,
        method_id=method_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)
