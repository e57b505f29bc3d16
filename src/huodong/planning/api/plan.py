"""Plan API (PL-1, PL-2, PL-3, DOC-2), mounted under /api/events: the same services as the plan page.

GET/PUT /{event_id}/plan; POST/PATCH/DELETE /{event_id}/plan/segments[/{id}], /budget-lines[/{id}],
/risks[/{id}]; POST (multipart)/DELETE /{event_id}/plan/attachments[/{id}] and GET …/{id}/download.
Money goes in and out as decimal strings ("1200.50"); planned starts without a zone are read in the
event's time zone.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.schemas import ErrorOut
from huodong.events.models import Event
from huodong.planning.selectors_plan import attachment_file_response, plan_data
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


@router.get(
    "/{event_id}/plan",
    response={200: PlanOut, 404: ErrorOut},
    summary="策划方案(含流程、预算汇总、风险、附件)",
)
def get_plan(request: HttpRequest, event_id: int):  # noqa: ANN201
    return plan_data(_event(event_id))


@router.put(
    "/{event_id}/plan",
    response={200: PlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改主题、调性、背景、定位、审批额度",
)
def put_plan(request: HttpRequest, event_id: int, payload: PlanIn):  # noqa: ANN201
    event = _event(event_id)
    plan_services.plan_update(actor=request.user, event=event, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    event.refresh_from_db()
    return plan_data(event)


def _row_out(listed_as: str, event: Event, pk: int) -> dict[str, Any]:
    """The row as ``GET …/plan`` lists it, read again after the change (problems, amount, owner's name)."""
    return next(r for r in plan_data(event)[listed_as] if r["id"] == pk)


# ---------------------------------------------------------------- segments (PL-2), budget lines (PL-3), risks
@dataclass(frozen=True)
class _Rows:
    """One kind of row of the plan with add / change / delete endpoints, and the services behind them
    (``<thing>_get(event, <id_kwarg>)``, ``<thing>_add(actor, event, …)``, ``<thing>_update(actor,
    <row_kwarg>, …)``, ``<thing>_remove(actor, <row_kwarg>)``: the same ones the plan page calls)."""

    path: str
    noun: str  # names the endpoints: add_<noun>, patch_<noun>, delete_<noun>
    label: str  # the endpoints' summaries: 添加<label>, 修改<label>, 删除<label>
    listed_as: str  # its list in ``plan_data``
    id_kwarg: str
    row_kwarg: str
    schemas: tuple[type[Schema], type[Schema], type[Schema]]  # out, in, patch
    get: Callable[..., Any]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]

    def row(self, event: Event, pk: int) -> Any:
        return self.get(event=event, **{self.id_kwarg: pk})


def _endpoint(name: str, view: Callable[..., Any], **params: Any) -> Callable[..., Any]:
    """``view`` named and typed the way ninja reads an endpoint (operation id, path ids, payload)."""
    view.__name__ = view.__qualname__ = name
    arg = inspect.Parameter.POSITIONAL_OR_KEYWORD
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("request", arg, annotation=HttpRequest)]
        + [inspect.Parameter(key, arg, annotation=kind) for key, kind in params.items()]
    )
    return view


def _row_endpoints(rows: _Rows) -> None:
    """POST {path}: add (201, the new row); PATCH {path}/{id}: change (the row); DELETE: 204."""
    out, new, patch = rows.schemas
    item = f"{rows.path}/{{{rows.id_kwarg}}}"
    errors: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}

    def add(request: HttpRequest, event_id: int, payload: Schema) -> Status:
        event = _event(event_id)
        row = rows.add(actor=request.user, event=event, **_owner(payload.dict()))
        return Status(201, _row_out(rows.listed_as, event, row.pk))

    def update(request: HttpRequest, event_id: int, payload: Schema, **ids: int) -> dict[str, Any]:
        event = _event(event_id)
        row = rows.row(event, ids[rows.id_kwarg])
        rows.update(actor=request.user, **{rows.row_kwarg: row}, **_owner(_patch(payload)))
        return _row_out(rows.listed_as, event, row.pk)

    def delete(request: HttpRequest, event_id: int, **ids: int) -> Status:
        row = rows.row(_event(event_id), ids[rows.id_kwarg])
        rows.remove(actor=request.user, **{rows.row_kwarg: row})
        return Status(204, None)

    ids = {"event_id": int, rows.id_kwarg: int}
    router.post(rows.path, response={201: out, **errors}, summary=f"添加{rows.label}")(
        _endpoint(f"add_{rows.noun}", add, event_id=int, payload=new)
    )
    router.patch(item, response={200: out, **errors}, summary=f"修改{rows.label}")(
        _endpoint(f"patch_{rows.noun}", update, **ids, payload=patch)
    )
    router.delete(item, response={204: None, **errors}, summary=f"删除{rows.label}")(
        _endpoint(f"delete_{rows.noun}", delete, **ids)
    )


SEGMENTS = _Rows(
    path="/{event_id}/plan/segments",
    noun="segment",
    label="流程环节",
    listed_as="segments",
    id_kwarg="segment_id",
    row_kwarg="segment",
    schemas=(SegmentOut, SegmentIn, SegmentPatch),
    get=segment_services.segment_get,
    add=segment_services.segment_add,
    update=segment_services.segment_update,
    remove=segment_services.segment_remove,
)
_row_endpoints(SEGMENTS)


class MoveIn(Schema):
    direction: str = Field(..., description="up 或 down")


@router.post(
    "/{event_id}/plan/segments/{segment_id}/move",
    response={200: SegmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="上移/下移流程环节",
)
def move_segment(request: HttpRequest, event_id: int, segment_id: int, payload: MoveIn):  # noqa: ANN201
    event = _event(event_id)
    seg = SEGMENTS.row(event, segment_id)
    segment_services.segment_move(actor=request.user, segment=seg, direction=payload.direction)  # type: ignore[arg-type]
    return _row_out(SEGMENTS.listed_as, event, seg.pk)


_row_endpoints(
    _Rows(
        path="/{event_id}/plan/budget-lines",
        noun="budget_line",
        label="预算明细",
        listed_as="budget_lines",
        id_kwarg="line_id",
        row_kwarg="line",
        schemas=(BudgetLineOut, BudgetLineIn, BudgetLinePatch),
        get=budget_services.budget_line_get,
        add=budget_services.budget_line_add,
        update=budget_services.budget_line_update,
        remove=budget_services.budget_line_remove,
    )
)
_row_endpoints(
    _Rows(
        path="/{event_id}/plan/risks",
        noun="risk",
        label="风险预案",
        listed_as="risks",
        id_kwarg="risk_id",
        row_kwarg="risk",
        schemas=(RiskOut, RiskIn, RiskPatch),
        get=risk_services.risk_get,
        add=risk_services.risk_add,
        update=risk_services.risk_update,
        remove=risk_services.risk_remove,
    )
)


# ---------------------------------------------------------------- attachments (DOC-2)
@router.post(
    "/{event_id}/plan/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="上传附件(multipart)",
)
def add_attachment(request: HttpRequest, event_id: int, file: File[UploadedFile], kind: Form[str] = "other"):  # noqa: ANN201, B008
    event = _event(event_id)
    att = attachment_services.attachment_add(actor=request.user, event=event, file=file, kind=kind)  # type: ignore[arg-type]
    return Status(201, _row_out("attachments", event, att.pk))


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
    return attachment_file_response(att)
