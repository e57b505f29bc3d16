"""Needs research API (NI-1, NI-2, DOC-1): the whole report, its inputs and methods, the history candidates.

Mounted under /api/events; every write calls the same service as the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Department, User
from huodong.core.schemas import ErrorOut
from huodong.events import selectors as event_selectors
from huodong.events.models import Event

from .. import selectors
from ..models import NeedsInput, NeedsMethod, NeedsReport
from ..services import needs as services

router = Router(tags=["planning: needs"])


class InputOut(Schema):
    id: int
    kind: str
    kind_label: str
    content: str
    source: str

    @staticmethod
    def resolve_kind_label(obj: NeedsInput) -> str:
        return str(obj.get_kind_display())


class MethodOut(Schema):
    id: int
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
    kind: str = Field(..., description="business_goal / market_trend / customer_feedback / other")
    content: str
    source: str = ""


class InputPatch(Schema):
    kind: str | None = None
    content: str | None = None
    source: str | None = None


class MethodIn(Schema):
    method: str = Field(..., description="interview / questionnaire / benchmarking / historical_review")
    findings: str
    conducted_on: dt.date | None = None
    participants: str = ""


class MethodPatch(Schema):
    method: str | None = None
    findings: str | None = None
    conducted_on: dt.date | None = None
    participants: str | None = None


class NeedsIn(Schema):
    """The whole report: omitted fields are emptied; ``inputs``/``methods`` replace the rows when given."""

    background: str = ""
    audience_persona: str = ""
    core_needs: str = ""
    initial_goals: str = ""
    requesting_department: str | None = Field(None, description="部门代码,如 sales")
    requesters: list[str] = Field([], description="用户名列表")
    requested_on: dt.date | None = None
    history_event_ids: list[int] = []
    inputs: list[InputIn] | None = Field(None, description="给出时替换全部需求输入")
    methods: list[MethodIn] | None = Field(None, description="给出时替换全部调研方法")


class HistoryOut(Schema):
    event_id: int
    name: str
    date: dt.date
    venue: str
    expected_attendance: int
    actual_attendance: int | None = None
    results: list[dict[str, Any]] = []
    selected: bool


# The answers of a write besides its success (shared with the goals API).
REFUSALS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
REMOVED: dict[int, Any] = {204: None, 403: ErrorOut, 404: ErrorOut}


def event_or_404(event_id: int) -> Event:
    event = event_selectors.event_get(event_id)
    if event is None:
        raise NotFound(_("活动 %(id)s 不存在。") % {"id": event_id})
    return event


def _out(event: Event) -> dict[str, Any]:
    report: NeedsReport = selectors.needs_report_or_blank(event)
    saved = report.pk is not None
    return {
        "event_id": event.pk,
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


@router.get("/{event_id}/needs", response={200: NeedsOut, 404: ErrorOut}, summary="需求调研报告")
def get_needs(request: HttpRequest, event_id: int):  # noqa: ANN201
    return _out(event_or_404(event_id))


@router.put("/{event_id}/needs", response={200: NeedsOut, **REFUSALS}, summary="保存整份需求调研报告")
def put_needs(request: HttpRequest, event_id: int, payload: NeedsIn):  # noqa: ANN201
    event = event_or_404(event_id)
    data = _resolve_people(payload.dict())
    for rows in ("inputs", "methods"):
        if data[rows] is None:
            data.pop(rows)
    services.needs_report_update(actor=request.user, event=event, **data)  # type: ignore[arg-type]
    return _out(event)


@router.get(
    "/{event_id}/needs/history",
    response={200: list[HistoryOut], 404: ErrorOut},
    summary="可参考的同类型已归档活动",
)
def get_needs_history(request: HttpRequest, event_id: int):  # noqa: ANN201
    return selectors.needs_history_candidates(event_or_404(event_id))


def _patch(update: Any, request: HttpRequest, event_id: int, payload: Schema, **row_id: int) -> Any:
    """Change the fields the payload sets, through ``update`` (the page's service)."""
    return update(
        actor=request.user, event=event_or_404(event_id), **row_id, **payload.dict(exclude_unset=True)
    )


@router.post("/{event_id}/needs/inputs", response={201: InputOut, **REFUSALS}, summary="添加需求输入")
def add_input(request: HttpRequest, event_id: int, payload: InputIn):  # noqa: ANN201
    row = services.needs_input_add(actor=request.user, event=event_or_404(event_id), **payload.dict())  # type: ignore[arg-type]
    return Status(201, row)


@router.patch(
    "/{event_id}/needs/inputs/{input_id}", response={200: InputOut, **REFUSALS}, summary="修改需求输入"
)
def update_input(request: HttpRequest, event_id: int, input_id: int, payload: InputPatch):  # noqa: ANN201
    return _patch(services.needs_input_update, request, event_id, payload, input_id=input_id)


@router.delete("/{event_id}/needs/inputs/{input_id}", response=REMOVED, summary="删除需求输入")
def remove_input(request: HttpRequest, event_id: int, input_id: int):  # noqa: ANN201
    services.needs_input_remove(actor=request.user, event=event_or_404(event_id), input_id=input_id)  # type: ignore[arg-type]
    return Status(204, None)


@router.post("/{event_id}/needs/methods", response={201: MethodOut, **REFUSALS}, summary="添加调研方法")
def add_method(request: HttpRequest, event_id: int, payload: MethodIn):  # noqa: ANN201
    row = services.needs_method_add(actor=request.user, event=event_or_404(event_id), **payload.dict())  # type: ignore[arg-type]
    return Status(201, row)


@router.patch(
    "/{event_id}/needs/methods/{method_id}", response={200: MethodOut, **REFUSALS}, summary="修改调研方法"
)
def update_method(request: HttpRequest, event_id: int, method_id: int, payload: MethodPatch):  # noqa: ANN201
    return _patch(services.needs_method_update, request, event_id, payload, method_id=method_id)


@router.delete("/{event_id}/needs/methods/{method_id}", response=REMOVED, summary="删除调研方法")
def remove_method(request: HttpRequest, event_id: int, method_id: int):  # noqa: ANN201
    services.needs_method_remove(actor=request.user, event=event_or_404(event_id), method_id=method_id)  # type: ignore[arg-type]
    return Status(204, None)
