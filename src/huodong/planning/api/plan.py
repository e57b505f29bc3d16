"""Plan API (PL-1, PL-2, PL-3, DOC-2), mounted under /api/events: the same services as the plan page.

GET/PUT /{event_id}/plan; POST/PATCH/DELETE /{event_id}/plan/segments[/{id}], /budget-lines[/{id}],
/risks[/{id}]; POST (multipart)/DELETE /{event_id}/plan/attachments[/{id}] and GET …/{id}/download.
Money goes in and out as decimal strings ("1200.50"); planned starts without a zone are read in the
event's time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.api.schemas import ErrorOut
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.models import Event
from huodong.planning.selectors_plan import plan_data
from huodong.planning.services import attachments as attachment_services
from huodong.planning.services import budget as budget_services
from huodong.planning.services import plan as plan_services
from huodong.planning.services import risks as risk_services
from huodong.planning.services import run_of_show as segment_services

router = Router(tags=["planning: plan"])

Money = Decimal | str | int


class SegmentOut(Schema):
    id: int
    position: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: str
    duration_minutes: int
    owner: str | None
    owner_name: str | None
    key_actions: str
    parallel: bool
    problems: list[str]


class BudgetLineOut(Schema):
    id: int
    position: int
    category: str
    category_name: str
    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    note: str


class RiskOut(Schema):
    id: int
    position: int
    risk: str
    likelihood: str
    impact: str
    owner: str | None
    owner_name: str | None
    response: str
    backup_resource: str


class AttachmentOut(Schema):
    id: int
    kind: str
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str | None
    uploaded_at: dt.datetime


class CategoryOut(Schema):
    code: str
    name: str
    custom: str = ""


class CategoryTotalOut(Schema):
    code: str
    name: str
    subtotal: Decimal
    share: Decimal | None


class BudgetSummaryOut(Schema):
    currency: str
    categories: list[CategoryTotalOut]
    total: Decimal
    contingency: Decimal
    contingency_share: Decimal | None
    reserve_min: Decimal
    reserve_max: Decimal
    approved: Decimal | None
    remaining: Decimal | None
    over_budget: bool
    reserve_in_band: bool
    warnings: list[str]


class PlanOut(Schema):
    event_id: int
    exists: bool
    theme: str
    tone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    venue: str
    background: str
    positioning: str
    approved_budget: Decimal | None
    currency: str
    segments: list[SegmentOut]
    budget_lines: list[BudgetLineOut]
    budget_categories: list[CategoryOut]
    budget_summary: BudgetSummaryOut
    risks: list[RiskOut]
    attachments: list[AttachmentOut]


class PlanIn(Schema):
    theme: str | None = None
    tone: str | None = None
    background: str | None = None
    positioning: str | None = None
    approved_budget: Money | None = Field(None, description='需求部门审批额度,如 "600000.00";null 表示清空')


class SegmentIn(Schema):
    title: str
    starts_at: dt.datetime = Field(..., description="计划开始;不带时区时按活动时区理解")
    duration_minutes: int
    owner: str | None = Field(None, description="负责人用户名")
    key_actions: str = ""
    parallel: bool = False


class SegmentPatch(Schema):
    title: str | None = None
    starts_at: dt.datetime | None = None
    duration_minutes: int | None = None
    owner: str | None = None
    key_actions: str | None = None
    parallel: bool | None = None


class BudgetLineIn(Schema):
    category: str = Field(
        ...,
        description="科目代码(venue, materials, equipment, labour, promotion, contingency…),或 custom 并填写 category_name",
    )
    category_name: str = ""
    item: str
    quantity: Money
    unit: str = ""
    unit_price: Money
    note: str = ""


class BudgetLinePatch(Schema):
    category: str | None = None
    category_name: str | None = None
    item: str | None = None
    quantity: Money | None = None
    unit: str | None = None
    unit_price: Money | None = None
    note: str | None = None


class RiskIn(Schema):
    risk: str
    likelihood: str = "medium"
    impact: str = "medium"
    owner: str | None = None
    response: str = ""
    backup_resource: str = ""


class RiskPatch(Schema):
    risk: str | None = None
    likelihood: str | None = None
    impact: str | None = None
    owner: str | None = None
    response: str | None = None
    backup_resource: str | None = None


def _event(event_id: int) -> Event:
    event = Event.objects.select_related("event_type").filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("活动 %(id)s 不存在。") % {"id": event_id})
    return event


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the ``owner`` username into a person; unknown names are refused naming the field."""
    if "owner" in data and data["owner"] is not None and data["owner"] != "":
        person = User.objects.filter(username=data["owner"], is_active=True).first()
        if person is None:
            raise DomainError({"owner": [_("未知的用户「%(u)s」。") % {"u": data["owner"]}]})
        data["owner"] = person
    elif "owner" in data:
        data["owner"] = None
    return data


def _patch(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    # ``null`` clears an owner, other fields keep their value when null.
    return {k: v for k, v in data.items() if v is not None or k == "owner"}


def _plan(event: Event) -> dict[str, Any]:
    return plan_data(event)


@router.get(
    "/{event_id}/plan",
    response={200: PlanOut, 404: ErrorOut},
    summary="策划方案(含流程、预算汇总、风险、附件)",
)
def get_plan(request: HttpRequest, event_id: int):  # noqa: ANN201
    return _plan(_event(event_id))


@router.put(
    "/{event_id}/plan",
    response={200: PlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改主题、调性、背景、定位、审批额度",
)
def put_plan(request: HttpRequest, event_id: int, payload: PlanIn):  # noqa: ANN201
    event = _event(event_id)
    plan_services.plan_update(actor=request.user, event=event, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    event.refresh_from_db()
    return _plan(event)


# ---------------------------------------------------------------- run of show (PL-2)
@router.post(
    "/{event_id}/plan/segments",
    response={201: SegmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="添加流程环节",
)
def add_segment(request: HttpRequest, event_id: int, payload: SegmentIn):  # noqa: ANN201
    event = _event(event_id)
    seg = segment_services.segment_add(actor=request.user, event=event, **_owner(payload.dict()))  # type: ignore[arg-type]
    return Status(201, _segment_out(event, seg.pk))


@router.patch(
    "/{event_id}/plan/segments/{segment_id}",
    response={200: SegmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改流程环节",
)
def patch_segment(request: HttpRequest, event_id: int, segment_id: int, payload: SegmentPatch):  # noqa: ANN201
    event = _event(event_id)
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    segment_services.segment_update(actor=request.user, segment=seg, **_owner(_patch(payload)))  # type: ignore[arg-type]
    return _segment_out(event, seg.pk)


class MoveIn(Schema):
    direction: str = Field(..., description="up 或 down")


@router.post(
    "/{event_id}/plan/segments/{segment_id}/move",
    response={200: SegmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="上移/下移流程环节",
)
def move_segment(request: HttpRequest, event_id: int, segment_id: int, payload: MoveIn):  # noqa: ANN201
    event = _event(event_id)
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    segment_services.segment_move(actor=request.user, segment=seg, direction=payload.direction)  # type: ignore[arg-type]
    return _segment_out(event, seg.pk)


@router.delete(
    "/{event_id}/plan/segments/{segment_id}",
    response={204: None, 403: ErrorOut, 400: ErrorOut, 404: ErrorOut},
    summary="删除流程环节",
)
def delete_segment(request: HttpRequest, event_id: int, segment_id: int):  # noqa: ANN201
    event = _event(event_id)
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    segment_services.segment_remove(actor=request.user, segment=seg)  # type: ignore[arg-type]
    return Status(204, None)


def _segment_out(event: Event, pk: int) -> dict[str, Any]:
    return next(s for s in plan_data(event)["segments"] if s["id"] == pk)


# ---------------------------------------------------------------- budget (PL-3)
def _line_out(event: Event, pk: int) -> dict[str, Any]:
    return next(b for b in plan_data(event)["budget_lines"] if b["id"] == pk)


@router.post(
    "/{event_id}/plan/budget-lines",
    response={201: BudgetLineOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="添加预算明细",
)
def add_budget_line(request: HttpRequest, event_id: int, payload: BudgetLineIn):  # noqa: ANN201
    event = _event(event_id)
    line = budget_services.budget_line_add(actor=request.user, event=event, **payload.dict())  # type: ignore[arg-type]
    return Status(201, _line_out(event, line.pk))


@router.patch(
    "/{event_id}/plan/budget-lines/{line_id}",
    response={200: BudgetLineOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改预算明细",
)
def patch_budget_line(request: HttpRequest, event_id: int, line_id: int, payload: BudgetLinePatch):  # noqa: ANN201
    event = _event(event_id)
    line = budget_services.budget_line_get(event=event, line_id=line_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    budget_services.budget_line_update(actor=request.user, line=line, **data)  # type: ignore[arg-type]
    return _line_out(event, line.pk)


@router.delete(
    "/{event_id}/plan/budget-lines/{line_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="删除预算明细",
)
def delete_budget_line(request: HttpRequest, event_id: int, line_id: int):  # noqa: ANN201
    event = _event(event_id)
    line = budget_services.budget_line_get(event=event, line_id=line_id)
    budget_services.budget_line_remove(actor=request.user, line=line)  # type: ignore[arg-type]
    return Status(204, None)


# ---------------------------------------------------------------- risks
def _risk_out(event: Event, pk: int) -> dict[str, Any]:
    return next(r for r in plan_data(event)["risks"] if r["id"] == pk)


@router.post(
    "/{event_id}/plan/risks",
    response={201: RiskOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="添加风险预案",
)
def add_risk(request: HttpRequest, event_id: int, payload: RiskIn):  # noqa: ANN201
    event = _event(event_id)
    risk = risk_services.risk_add(actor=request.user, event=event, **_owner(payload.dict()))  # type: ignore[arg-type]
    return Status(201, _risk_out(event, risk.pk))


@router.patch(
    "/{event_id}/plan/risks/{risk_id}",
    response={200: RiskOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改风险预案",
)
def patch_risk(request: HttpRequest, event_id: int, risk_id: int, payload: RiskPatch):  # noqa: ANN201
    event = _event(event_id)
    risk = risk_services.risk_get(event=event, risk_id=risk_id)
    risk_services.risk_update(actor=request.user, risk=risk, **_owner(_patch(payload)))  # type: ignore[arg-type]
    return _risk_out(event, risk.pk)


@router.delete(
    "/{event_id}/plan/risks/{risk_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="删除风险预案",
)
def delete_risk(request: HttpRequest, event_id: int, risk_id: int):  # noqa: ANN201
    event = _event(event_id)
    risk = risk_services.risk_get(event=event, risk_id=risk_id)
    risk_services.risk_remove(actor=request.user, risk=risk)  # type: ignore[arg-type]
    return Status(204, None)


# ---------------------------------------------------------------- attachments (DOC-2)
@router.post(
    "/{event_id}/plan/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="上传附件(multipart)",
)
def add_attachment(request: HttpRequest, event_id: int, file: File[UploadedFile], kind: Form[str] = "other"):  # noqa: ANN201, B008
    event = _event(event_id)
    att = attachment_services.attachment_add(actor=request.user, event=event, file=file, kind=kind)  # type: ignore[arg-type]
    return Status(201, next(a for a in plan_data(event)["attachments"] if a["id"] == att.pk))


@router.delete(
    "/{event_id}/plan/attachments/{attachment_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="删除附件",
)
def delete_attachment(request: HttpRequest, event_id: int, attachment_id: int):  # noqa: ANN201
    event = _event(event_id)
    att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    attachment_services.attachment_remove(actor=request.user, attachment=att)  # type: ignore[arg-type]
    return Status(204, None)


@router.get(
    "/{event_id}/plan/attachments/{attachment_id}/download", response={404: ErrorOut}, summary="下载附件"
)
def download_attachment(request: HttpRequest, event_id: int, attachment_id: int):  # noqa: ANN201
    event = _event(event_id)
    att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("附件文件已丢失。")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=att.original_name, content_type=att.content_type or None
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
