"""Plan API (PL-1, PL-2, PL-3, DOC-2), mounted under /api/events: the same services as the plan page.

GET/PUT /{event_id}/plan; POST /{event_id}/plan/segments, /budget-lines, /risks; GET/PATCH/DELETE
…/{id} of each; POST …/segments/{id}/move; POST (multipart) /{event_id}/plan/attachments, GET/DELETE
…/attachments/{id} and GET …/{id}/download.

Money goes in and out as decimal strings ("1200.50"); planned starts without a zone are read in the
event's time zone. Every input is bounded by its schema (``core.schemas``): lengths are the columns',
amounts and ids ranged, times within 2000–2099, so bad input is a 400 naming the field.

**Revisions** (``core.concurrency``). The plan and each of its rows carry ``revision``; a single-record GET
(and the answer to a write) sends it as ``ETag: "r<revision>"``. PUT/PATCH/DELETE say which revision they
saw, as ``If-Match: "r<revision>"`` or a ``revision`` field (body, or query for DELETE; the field wins):
missing → 428 ``revision_required``, stale → 409 ``stale`` with ``current``, ``changed_by``,
``changed_at``. Adding rows needs none. The plan's revision covers what PUT changes (theme, tone,
background, positioning, approved amount); each row has its own.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import (
    MAX_ID,
    ErrorOut,
    Id,
    Line,
    Moment,
    Money,
    Revision,
    StaleErrorOut,
    Text,
)
from huodong.core.selectors import active_person
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.planning.selectors_plan import attachment_file_response, plan_data, plan_of
from huodong.planning.services import attachments as attachment_services
from huodong.planning.services import budget as budget_services
from huodong.planning.services import plan as plan_services
from huodong.planning.services import risks as risk_services
from huodong.planning.services import run_of_show as segment_services
from huodong.planning.services.budget import MAX_QUANTITY

router = Router(tags=["planning: plan"])

# BudgetLine.quantity: 12 digits, two places, more than nothing (PL-3).
Quantity = Annotated[Decimal, Field(gt=0, le=MAX_QUANTITY, max_digits=12, decimal_places=2)]
Minutes = Annotated[int, Field(ge=1, le=MAX_ID)]
if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Theme = str
    Tone = str
    Prose = str
    Title = str
    Actions = str
    Username = str
    Category = str
    CategoryName = str
    Item = str
    Unit = str
    Note = str
    RiskText = str
    Level = str
    Backup = str
    Direction = str
else:
    Theme = Line(plan_services.THEME_MAX)  # Event.theme
    Tone = Line(plan_services.TONE_MAX)  # Event.tone
    Prose = Text(plan_services.TEXT_MAX)  # Plan.background, Plan.positioning
    Title = Line(200)  # RunOfShowSegment.title
    Actions = Text(5000)  # RunOfShowSegment.key_actions, Risk.response
    Username = Line(150)  # User.username
    Category = Line(100)  # a category code, or "custom"
    CategoryName = Line(100)  # BudgetLine.category_name
    Item = Line(200)  # BudgetLine.item
    Unit = Line(20)  # BudgetLine.unit
    Note = Line(300)  # BudgetLine.note
    RiskText = Line(300)  # Risk.risk
    Level = Line(10)  # Risk.likelihood, Risk.impact
    Backup = Line(300)  # Risk.backup_resource
    Direction = Line(10)
LEVEL = "low(低)、medium(中)、high(高)"

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut}
EDIT_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: StaleErrorOut, 428: ErrorOut}


class SegmentOut(Schema):
    id: int
    revision: int
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
    revision: int
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
    revision: int
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
    revision: int
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
    share: str = Field("", description='该活动类型模板中的典型占比(%),如 "30";无则为空')


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
    revision: int | None = Field(None, description="修订号(ETag 同值);尚无方案时为 null")
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
    revision: Revision | None = Field(None, description="所看到的修订号(或 If-Match);尚无方案时可省略")
    theme: Theme | None = None
    tone: Tone | None = None
    background: Prose | None = None
    positioning: Prose | None = None
    approved_budget: Money | None = Field(None, description='需求部门审批额度,如 "600000.00";null 表示清空')


class SegmentIn(Schema):
    title: Title
    starts_at: Moment = Field(..., description="计划开始;不带时区时按活动时区理解")
    duration_minutes: Minutes
    owner: Username | None = Field(None, description="负责人用户名")
    key_actions: Actions = ""
    parallel: bool = False


class SegmentPatch(Schema):
    revision: Revision | None = None
    title: Title | None = None
    starts_at: Moment | None = None
    duration_minutes: Minutes | None = None
    owner: Username | None = None
    key_actions: Actions | None = None
    parallel: bool | None = None


class BudgetLineIn(Schema):
    category: Category = Field(
        ...,
        description="科目代码(venue, materials, equipment, labour, promotion, contingency…),或 custom 并填写 category_name",
    )
    category_name: CategoryName = ""
    item: Item
    quantity: Quantity
    unit: Unit = ""
    unit_price: Money
    note: Note = ""


class BudgetLinePatch(Schema):
    revision: Revision | None = None
    category: Category | None = None
    category_name: CategoryName | None = None
    item: Item | None = None
    quantity: Quantity | None = None
    unit: Unit | None = None
    unit_price: Money | None = None
    note: Note | None = None


class RiskIn(Schema):
    risk: RiskText
    likelihood: Level = Field("medium", description=LEVEL)
    impact: Level = Field("medium", description=LEVEL)
    owner: Username | None = None
    response: Actions = ""
    backup_resource: Backup = ""


class RiskPatch(Schema):
    revision: Revision | None = None
    risk: RiskText | None = None
    likelihood: Level | None = Field(None, description=LEVEL)
    impact: Level | None = Field(None, description=LEVEL)
    owner: Username | None = None
    response: Actions | None = None
    backup_resource: Backup | None = None


class MoveIn(Schema):
    direction: Direction = Field(..., description="up 或 down")
    revision: Revision | None = None


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the ``owner`` username into a person; unknown names are refused naming the field."""
    if "owner" in data and data["owner"]:
        data["owner"] = active_person(data["owner"], field="owner")
    elif "owner" in data:
        data["owner"] = None
    return data


def _patch(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("revision", None)
    # ``null`` clears an owner, other fields keep their value when null.
    return {k: v for k, v in data.items() if v is not None or k == "owner"}


def _plan_out(event: Event, response: HttpResponse) -> dict[str, Any]:
    plan = plan_of(event)
    if plan is not None:
        response["ETag"] = etag(plan)
    return plan_data(event, plan)


@router.get(
    "/{event_id}/plan",
    response={200: PlanOut, **READ_ERRORS},
    summary="策划方案(含流程、预算汇总、风险、附件)",
)
def get_plan(request: HttpRequest, event_id: Id, response: HttpResponse):  # noqa: ANN201
    return _plan_out(event_for(actor(request), event_id, Need.VIEW), response)


@router.put(
    "/{event_id}/plan",
    response={200: PlanOut, **EDIT_ERRORS},
    summary="修改主题、调性、背景、定位、审批额度",
)
def put_plan(request: HttpRequest, event_id: Id, payload: PlanIn, response: HttpResponse):  # noqa: ANN201
    changes = payload.dict(exclude_unset=True)
    changes.pop("revision", None)
    retry_on_conflict(plan_services.plan_update)(
        actor=actor(request), event=event_id, seen=seen_revision(request, payload.revision), **changes
    )
    return _plan_out(event_for(actor(request), event_id, Need.VIEW), response)


def _row_out(listed_as: str, event: Event, pk: int) -> dict[str, Any]:
    """The row as ``GET …/plan`` lists it, read again after the change (problems, amount, owner's name)."""
    return next(r for r in plan_data(event)[listed_as] if r["id"] == pk)


def _row_answer(listed_as: str, event: Event, pk: int, response: HttpResponse) -> dict[str, Any]:
    row = _row_out(listed_as, event, pk)
    response["ETag"] = f'"r{row["revision"]}"'
    return row


# ---------------------------------------------------------------- segments (PL-2), budget lines (PL-3), risks
@dataclass(frozen=True)
class _Rows:
    """One kind of row of the plan with add / read / change / delete endpoints, and the services behind
    them (``<thing>_get(event, <id_kwarg>)``, ``<thing>_add(actor, event, …)``, ``<thing>_update(actor,
    event, <id_kwarg>, seen, …)``, ``<thing>_remove(actor, event, <id_kwarg>, seen)``: the same ones the
    plan page calls)."""

    path: str
    noun: str  # names the endpoints: add_<noun>, get_<noun>, patch_<noun>, delete_<noun>
    label: str  # the endpoints' summaries: 添加<label>, 修改<label>, 删除<label>
    listed_as: str  # its list in ``plan_data``
    id_kwarg: str
    schemas: tuple[type[Schema], type[Schema], type[Schema]]  # out, in, patch
    get: Callable[..., Any]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]


_ARG = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _endpoint(name: str, view: Callable[..., Any], **params: Any) -> Callable[..., Any]:
    """``view`` named and typed the way ninja reads an endpoint (operation id, path ids, payload); a
    ``(type, default)`` pair is an optional query parameter; ``response`` sets headers."""
    view.__name__ = view.__qualname__ = name
    required, optional = [inspect.Parameter("request", _ARG, annotation=HttpRequest)], []
    for key, kind in params.items():
        if isinstance(kind, tuple):
            optional.append(inspect.Parameter(key, _ARG, annotation=kind[0], default=kind[1]))
        else:
            required.append(inspect.Parameter(key, _ARG, annotation=kind))
    view.__signature__ = inspect.Signature(required + optional)  # type: ignore[attr-defined]
    return view


def _row_endpoints(rows: _Rows) -> None:
    """POST {path}: add (201); GET {path}/{id}: the row with its ETag; PATCH: change; DELETE: 204."""
    out, new, patch = rows.schemas
    item = f"{rows.path}/{{{rows.id_kwarg}}}"

    def add(request: HttpRequest, event_id: int, payload: Schema, response: HttpResponse) -> Status:
        row = retry_on_conflict(rows.add)(actor=actor(request), event=event_id, **_owner(payload.dict()))
        event = event_for(actor(request), event_id, Need.VIEW)
        return Status(201, _row_answer(rows.listed_as, event, row.pk, response))

    def read(request: HttpRequest, event_id: int, response: HttpResponse, **ids: int) -> dict[str, Any]:
        event = event_for(actor(request), event_id, Need.VIEW)
        row = rows.get(event=event, **{rows.id_kwarg: ids[rows.id_kwarg]})
        return _row_answer(rows.listed_as, event, row.pk, response)

    def update(
        request: HttpRequest, event_id: int, payload: Schema, response: HttpResponse, **ids: int
    ) -> dict[str, Any]:
        pk = ids[rows.id_kwarg]
        retry_on_conflict(rows.update)(
            actor=actor(request),
            event=event_id,
            seen=seen_revision(request, getattr(payload, "revision", None)),
            **{rows.id_kwarg: pk},
            **_owner(_patch(payload)),
        )
        return _row_answer(rows.listed_as, event_for(actor(request), event_id, Need.VIEW), pk, response)

    def delete(request: HttpRequest, event_id: int, revision: int | None = None, **ids: int) -> Status:
        retry_on_conflict(rows.remove)(
            actor=actor(request),
            event=event_id,
            seen=seen_revision(request, revision),
            **{rows.id_kwarg: ids[rows.id_kwarg]},
        )
        return Status(204, None)

    ids: dict[str, Any] = {"event_id": Id, rows.id_kwarg: Id}
    router.post(rows.path, response={201: out, **WRITE_ERRORS}, summary=f"添加{rows.label}")(
        _endpoint(f"add_{rows.noun}", add, event_id=Id, payload=new, response=HttpResponse)
    )
    router.get(item, response={200: out, **READ_ERRORS}, summary=f"{rows.label}(含修订号)")(
        _endpoint(f"get_{rows.noun}", read, **ids, response=HttpResponse)
    )
    router.patch(item, response={200: out, **EDIT_ERRORS}, summary=f"修改{rows.label}")(
        _endpoint(f"patch_{rows.noun}", update, **ids, payload=patch, response=HttpResponse)
    )
    router.delete(item, response={204: None, **EDIT_ERRORS}, summary=f"删除{rows.label}")(
        _endpoint(f"delete_{rows.noun}", delete, **ids, revision=(Revision | None, None))
    )


SEGMENTS = _Rows(
    path="/{event_id}/plan/segments",
    noun="segment",
    label="流程环节",
    listed_as="segments",
    id_kwarg="segment_id",
    schemas=(SegmentOut, SegmentIn, SegmentPatch),
    get=segment_services.segment_get,
    add=segment_services.segment_add,
    update=segment_services.segment_update,
    remove=segment_services.segment_remove,
)
_row_endpoints(SEGMENTS)


@router.post(
    "/{event_id}/plan/segments/{segment_id}/move",
    response={200: SegmentOut, **EDIT_ERRORS},
    summary="上移/下移流程环节",
)
def move_segment(  # noqa: ANN201
    request: HttpRequest, event_id: Id, segment_id: Id, payload: MoveIn, response: HttpResponse
):
    retry_on_conflict(segment_services.segment_move)(
        actor=actor(request),
        event=event_id,
        segment_id=segment_id,
        direction=payload.direction,
        seen=seen_revision(request, payload.revision),
    )
    event = event_for(actor(request), event_id, Need.VIEW)
    return _row_answer(SEGMENTS.listed_as, event, segment_id, response)


_row_endpoints(
    _Rows(
        path="/{event_id}/plan/budget-lines",
        noun="budget_line",
        label="预算明细",
        listed_as="budget_lines",
        id_kwarg="line_id",
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
    response={201: AttachmentOut, **WRITE_ERRORS},
    summary="上传附件(multipart)",
)
def add_attachment(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    response: HttpResponse,
    file: File[UploadedFile],  # noqa: B008
    kind: str = Form("other", max_length=20, description="floor_plan、materials_list 或 other"),
):
    att = retry_on_conflict(attachment_services.attachment_add)(
        actor=actor(request), event=event_id, file=file, kind=kind
    )
    event = event_for(actor(request), event_id, Need.VIEW)
    return Status(201, _row_answer("attachments", event, att.pk, response))


@router.get(
    "/{event_id}/plan/attachments/{attachment_id}",
    response={200: AttachmentOut, **READ_ERRORS},
    summary="附件信息(含修订号)",
)
def get_attachment(request: HttpRequest, event_id: Id, attachment_id: Id, response: HttpResponse):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    return _row_answer("attachments", event, att.pk, response)


@router.delete(
    "/{event_id}/plan/attachments/{attachment_id}",
    response={204: None, **EDIT_ERRORS},
    summary="删除附件",
)
def delete_attachment(  # noqa: ANN201
    request: HttpRequest, event_id: Id, attachment_id: Id, revision: Revision | None = None
):
    retry_on_conflict(attachment_services.attachment_remove)(
        actor=actor(request),
        event=event_id,
        attachment_id=attachment_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)


@router.get(
    "/{event_id}/plan/attachments/{attachment_id}/download",
    response={200: None, **READ_ERRORS},
    summary="下载附件",
)
def download_attachment(request: HttpRequest, event_id: Id, attachment_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    return attachment_file_response(att)
