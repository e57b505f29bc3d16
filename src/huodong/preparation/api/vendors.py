"""API: the vendor register, vendor needs, quotes, comparison, choice, exception and contract (VD-1, VD-2).

The register (not one event's): ``GET/POST /vendors``, ``GET/PATCH /vendors/{vendor_id}``,
``POST /vendors/{vendor_id}/qualifications``, ``PATCH/DELETE …/qualifications/{qualification_id}``;
the organisation's weights: ``GET/PUT /vendor-weights`` (administrators change them).

Per event: ``GET/POST /events/{event_id}/vendor-needs`` (the list carries each linked budget line's planned
vs committed amount), ``GET/PATCH …/vendor-needs/{need_id}``, ``POST …/cancel``, ``POST …/quotes``,
``GET …/comparison``, ``POST …/choose``, ``POST …/exception`` (approvers), ``POST/PATCH …/contract``,
``POST …/contract/file`` (multipart), ``POST …/rating``; a quote: ``PATCH/DELETE
/events/{event_id}/quotes/{quote_id}``, ``POST …/quotes/{quote_id}/attachments`` (multipart);
``GET …/quote-attachments/{quote_attachment_id}/download`` and ``DELETE`` it.

Amounts are decimal strings ("1200.50"); a delivery time without a zone is read in the event's time
zone. Updates say which revision they saw (``revision`` field or ``If-Match``): missing → 428, stale →
409 with the current state. Choosing, recording the exception and the contract say the need's revision.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Moment, Money, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_person
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import Contract, Quote, QuoteAttachment, Vendor, VendorCategory, VendorNeed
from ..selectors import scoring_weights
from ..services import vendors as services

router = Router(tags=["preparation: vendors"])

Score = Annotated[int, Field(ge=0, le=100)]
Stars = Annotated[int, Field(ge=1, le=5)]
MinQuotes = Annotated[int, Field(ge=1, le=services.MAX_MIN_QUOTES)]
Day = Annotated[dt.date, Field(description="YYYY-MM-DD")]
if TYPE_CHECKING:
    Name = str
    Short = str
    Phone = str
    Email = str
    Address = str
    Prose = str
    Title = str
    Code = str
    Username = str
    Number = str
    Reason = str
    Query = str
else:
    Name = Line(200)
    Short = Line(100)
    Phone = Line(40)
    Email = Line(254)
    Address = Line(300)
    Prose = Text(5000)
    Title = Line(200)
    Code = Line(20)
    Username = Line(150)
    Number = Line(60)
    Reason = Text(2000)
    Query = Line(100)
CATEGORIES = "、".join(f"{v}({label})" for v, label in VendorCategory.choices)

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut}
EDIT_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: StaleErrorOut, 428: ErrorOut}


# ---------------------------------------------------------------- schemas: the register
class QualificationOut(Schema):
    id: int
    revision: int
    name: str
    number: str
    expires_on: dt.date | None
    expired: bool


class VendorOut(Schema):
    id: int
    revision: int
    name: str
    categories: list[str]
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    cases: str
    note: str
    is_active: bool
    rating: Decimal | None = Field(None, description="历次活动评分的平均值(1–5)")
    rating_count: int
    qualifications: list[QualificationOut]
    expired_qualifications: list[str]


class VendorIn(Schema):
    name: Name
    categories: list[Code] = Field(..., description=CATEGORIES, max_length=len(VendorCategory.values))
    contact_name: Short = ""
    contact_phone: Phone = ""
    contact_email: Email = ""
    address: Address = ""
    cases: Prose = ""
    note: Prose = ""
    is_active: bool = True


class VendorPatch(Schema):
    revision: Revision | None = None
    name: Name | None = None
    categories: list[Code] | None = Field(None, max_length=len(VendorCategory.values))
    contact_name: Short | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    address: Address | None = None
    cases: Prose | None = None
    note: Prose | None = None
    is_active: bool | None = None


class QualificationIn(Schema):
    name: Name
    number: Short = ""
    expires_on: Day | None = None


class QualificationPatch(Schema):
    revision: Revision | None = None
    name: Name | None = None
    number: Short | None = None
    expires_on: Day | None = None


class WeightsOut(Schema):
    revision: int
    qualification: int
    price: int
    cases: int
    delivery: int
    min_quotes: int


class WeightsIn(Schema):
    revision: Revision | None = None
    qualification: Score
    price: Score
    cases: Score
    delivery: Score
    min_quotes: MinQuotes = 3


# ---------------------------------------------------------------- schemas: needs, quotes, contracts
class QuoteAttachmentOut(Schema):
    id: int
    revision: int
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class QuoteOut(Schema):
    id: int
    revision: int
    need_id: int
    vendor_id: int
    vendor_name: str
    amount: Decimal
    includes: str
    delivery_on: dt.date | None
    valid_until: dt.date | None
    qualification_score: int | None
    cases_score: int | None
    delivery_score: int | None
    note: str
    expired_qualifications: list[str]
    attachments: list[QuoteAttachmentOut]


class ContractOut(Schema):
    id: int
    revision: int
    number: str
    vendor_id: int
    vendor_name: str
    service_content: str
    delivery_at: dt.datetime
    liability: str
    amount: Decimal
    signed_on: dt.date | None
    signed_file_name: str
    has_signed_file: bool


class NeedOut(Schema):
    id: int
    revision: int
    title: str
    category: str
    description: str
    budget_line: int | None
    budget_line_item: str | None
    needed_by: dt.date | None
    owner: str | None
    owner_name: str | None
    status: str
    status_label: str
    quote_count: int
    min_quotes: int
    chosen_quote: int | None
    choice_reason: str
    exception_reason: str
    exception_by: str | None
    exception_at: dt.datetime | None
    quotes: list[QuoteOut]
    contract: ContractOut | None
    rating: int | None


class LineOut(Schema):
    line_id: int
    item: str
    planned: Decimal
    committed: Decimal
    over: bool


class VendorNeedsOut(Schema):
    min_quotes: int
    needs: list[NeedOut]
    budget_lines: list[LineOut]


class NeedIn(Schema):
    title: Title
    category: Code = Field(..., description=CATEGORIES)
    description: Prose = ""
    budget_line: Id | None = Field(None, description="策划方案中预算明细的 id")
    needed_by: Day | None = None
    owner: Username | None = Field(None, description="负责人用户名")


class NeedPatch(Schema):
    revision: Revision | None = None
    title: Title | None = None
    category: Code | None = None
    description: Prose | None = None
    budget_line: Id | None = None
    needed_by: Day | None = None
    owner: Username | None = None


class QuoteIn(Schema):
    vendor: Id = Field(..., description="供应商库中供应商的 id")
    amount: Money = Field(..., description='报价金额,如 "120000.00"')
    includes: Prose = ""
    delivery_on: Day | None = None
    valid_until: Day | None = None
    qualification_score: Score | None = None
    cases_score: Score | None = None
    delivery_score: Score | None = None
    note: Prose = ""


class QuotePatch(Schema):
    revision: Revision | None = None
    vendor: Id | None = None
    amount: Money | None = None
    includes: Prose | None = None
    delivery_on: Day | None = None
    valid_until: Day | None = None
    qualification_score: Score | None = None
    cases_score: Score | None = None
    delivery_score: Score | None = None
    note: Prose | None = None


class ChooseIn(Schema):
    revision: Revision | None = None
    quote: Id
    reason: Reason


class ExceptionIn(Schema):
    revision: Revision | None = None
    reason: Reason


class RevisionIn(Schema):
    revision: Revision | None = None


class ContractIn(Schema):
    revision: Revision | None = Field(None, description="采购需求的修订号")
    number: Number = ""
    service_content: Text(10000)  # type: ignore[valid-type]
    delivery_at: Moment = Field(..., description="交付时间;不带时区时按活动时区理解")
    liability: Prose
    amount: Money
    signed_on: Day | None = None


class ContractPatch(Schema):
    revision: Revision | None = Field(None, description="合同的修订号")
    number: Number | None = None
    service_content: Text(10000) | None = None  # type: ignore[valid-type]
    delivery_at: Moment | None = None
    liability: Prose | None = None
    amount: Money | None = None
    signed_on: Day | None = None


class RatingIn(Schema):
    score: Stars
    comment: Reason = ""


class RatingOut(Schema):
    vendor_id: int
    event_id: int
    score: int
    comment: str


class ScoreRowOut(Schema):
    rank: int
    quote_id: int
    vendor_id: int
    vendor_name: str
    amount: Decimal
    qualification_score: int | None
    price_score: Decimal
    cases_score: int | None
    delivery_score: int | None
    weighted: Decimal
    expired_qualifications: list[str]
    unscored: list[str]


class ComparisonOut(Schema):
    need_id: int
    status: str
    weights: WeightsOut
    enough_quotes: bool
    exception: bool
    chosen_quote: int | None
    rows: list[ScoreRowOut]


# ---------------------------------------------------------------- serialisers
def _vendor_out(vendor: Vendor) -> dict[str, Any]:
    rating = getattr(vendor, "rating_avg", None)
    return {
        **{f: getattr(vendor, f) for f in services.VENDOR_FIELDS},
        "id": vendor.pk,
        "revision": vendor.revision,
        "rating": Decimal(str(rating)).quantize(Decimal("0.01")) if rating is not None else None,
        "rating_count": getattr(vendor, "rating_count", 0) or 0,
        "qualifications": [
            {
                "id": q.pk,
                "revision": q.revision,
                "name": q.name,
                "number": q.number,
                "expires_on": q.expires_on,
                "expired": q.is_expired(),
            }
            for q in vendor.qualifications.all()
        ],
        "expired_qualifications": [q.name for q in services.expired_qualifications(vendor)],
    }


def _attachment_out(a: QuoteAttachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "revision": a.revision,
        "original_name": a.original_name,
        "size": a.size,
        "content_type": a.content_type,
        "sha256": a.sha256,
        "uploaded_at": a.uploaded_at,
    }


def _quote_out(q: Quote) -> dict[str, Any]:
    return {
        "id": q.pk,
        "revision": q.revision,
        "need_id": q.need_id,
        "vendor_id": q.vendor_id,
        "vendor_name": q.vendor.name,
        **{f: getattr(q, f) for f in services.QUOTE_FIELDS if f != "vendor"},
        "expired_qualifications": [x.name for x in services.expired_qualifications(q.vendor)],
        "attachments": [_attachment_out(a) for a in q.attachments.all()],
    }


def _contract_out(c: Contract | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "id": c.pk,
        "revision": c.revision,
        "vendor_id": c.vendor_id,
        "vendor_name": c.vendor.name,
        **{f: getattr(c, f) for f in services.CONTRACT_FIELDS},
        "signed_file_name": c.signed_file_name,
        "has_signed_file": bool(c.signed_file),
    }


def _need_out(event: Event, need: VendorNeed) -> dict[str, Any]:
    from ..models import VendorRating

    quotes = services.quotes_of(need)
    contract = services.contract_of(need)
    rating = (
        VendorRating.objects.filter(vendor_id=contract.vendor_id, event=event).first() if contract else None
    )
    return {
        "id": need.pk,
        "revision": need.revision,
        "title": need.title,
        "category": need.category,
        "description": need.description,
        "budget_line": need.budget_line_id,
        "budget_line_item": need.budget_line.item if need.budget_line else None,
        "needed_by": need.needed_by,
        "owner": need.owner.username if need.owner else None,
        "owner_name": need.owner.name if need.owner else None,
        "status": need.status,
        "status_label": str(need.get_status_display()),
        "quote_count": len(quotes),
        "min_quotes": scoring_weights().min_quotes,
        "chosen_quote": need.chosen_quote_id,
        "choice_reason": need.choice_reason,
        "exception_reason": need.exception_reason,
        "exception_by": need.exception_by.username if need.exception_by else None,
        "exception_at": need.exception_at,
        "quotes": [_quote_out(q) for q in quotes],
        "contract": _contract_out(contract),
        "rating": rating.score if rating else None,
    }


def _weights_out() -> dict[str, Any]:
    w = scoring_weights()
    return {f: getattr(w, f) for f in ("revision", *services.WEIGHT_FIELDS, "min_quotes")}


def _need_answer(request: HttpRequest, event_id: int, need_id: int, response: HttpResponse) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.VIEW)
    need = services.need_get(event=event, need_id=need_id)
    response["ETag"] = etag(need)
    return _need_out(event, need)


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("owner"):
        data["owner"] = active_person(data["owner"], field="owner")
    elif "owner" in data:
        data["owner"] = None
    return data


NULLABLE = {
    "budget_line",
    "needed_by",
    "owner",
    "delivery_on",
    "valid_until",
    "qualification_score",
    "cases_score",
    "delivery_score",
    "signed_on",
    "expires_on",
}


def _patch(payload: Schema) -> dict[str, Any]:
    """The fields sent; ``null`` clears a field that may be empty, and is ignored on the others."""
    data = payload.dict(exclude_unset=True)
    data.pop("revision", None)
    return {k: v for k, v in data.items() if v is not None or k in NULLABLE}


# ---------------------------------------------------------------- the register
@router.get(
    "/vendors", response={200: list[VendorOut], **READ_ERRORS}, summary="供应商库(可按名称、类别筛选)"
)
def list_vendors(request: HttpRequest, q: Query = "", category: Code = ""):  # noqa: ANN201
    actor(request)
    if category and category not in VendorCategory.values:
        raise DomainError({"category": [_("类别须为以下之一:%(allowed)s。") % {"allowed": CATEGORIES}]})
    return [_vendor_out(v) for v in services.vendor_list(q=q, category=category)]


@router.post("/vendors", response={201: VendorOut, **WRITE_ERRORS}, summary="添加供应商")
def add_vendor(request: HttpRequest, payload: VendorIn, response: HttpResponse):  # noqa: ANN201
    vendor = retry_on_conflict(services.vendor_add)(actor=actor(request), **payload.dict())
    vendor = services.vendor_get(vendor.pk)
    response["ETag"] = etag(vendor)
    return Status(201, _vendor_out(vendor))


@router.get("/vendors/{vendor_id}", response={200: VendorOut, **READ_ERRORS}, summary="供应商(含资质、评分)")
def get_vendor(request: HttpRequest, vendor_id: Id, response: HttpResponse):  # noqa: ANN201
    actor(request)
    vendor = services.vendor_get(vendor_id)
    response["ETag"] = etag(vendor)
    return _vendor_out(vendor)


@router.patch("/vendors/{vendor_id}", response={200: VendorOut, **EDIT_ERRORS}, summary="修改供应商")
def patch_vendor(request: HttpRequest, vendor_id: Id, payload: VendorPatch, response: HttpResponse):  # noqa: ANN201
    retry_on_conflict(services.vendor_update)(
        actor=actor(request),
        vendor_id=vendor_id,
        seen=seen_revision(request, payload.revision),
        **_patch(payload),
    )
    vendor = services.vendor_get(vendor_id)
    response["ETag"] = etag(vendor)
    return _vendor_out(vendor)


@router.post(
    "/vendors/{vendor_id}/qualifications",
    response={201: QualificationOut, **WRITE_ERRORS},
    summary="添加供应商资质",
)
def add_qualification(request: HttpRequest, vendor_id: Id, payload: QualificationIn, response: HttpResponse):  # noqa: ANN201
    row = retry_on_conflict(services.qualification_add)(
        actor=actor(request), vendor_id=vendor_id, **payload.dict()
    )
    response["ETag"] = etag(row)
    return Status(
        201,
        {
            "id": row.pk,
            "revision": row.revision,
            "name": row.name,
            "number": row.number,
            "expires_on": row.expires_on,
            "expired": row.is_expired(),
        },
    )


@router.patch(
    "/vendors/{vendor_id}/qualifications/{qualification_id}",
    response={200: QualificationOut, **EDIT_ERRORS},
    summary="修改供应商资质",
)
def patch_qualification(  # noqa: ANN201
    request: HttpRequest,
    vendor_id: Id,
    qualification_id: Id,
    payload: QualificationPatch,
    response: HttpResponse,
):
    row = retry_on_conflict(services.qualification_update)(
        actor=actor(request),
        vendor_id=vendor_id,
        qualification_id=qualification_id,
        seen=seen_revision(request, payload.revision),
        **_patch(payload),
    )
    response["ETag"] = etag(row)
    return {
        "id": row.pk,
        "revision": row.revision,
        "name": row.name,
        "number": row.number,
        "expires_on": row.expires_on,
        "expired": row.is_expired(),
    }


@router.delete(
    "/vendors/{vendor_id}/qualifications/{qualification_id}",
    response={204: None, **EDIT_ERRORS},
    summary="删除供应商资质",
)
def delete_qualification(  # noqa: ANN201
    request: HttpRequest, vendor_id: Id, qualification_id: Id, revision: Revision | None = None
):
    retry_on_conflict(services.qualification_remove)(
        actor=actor(request),
        vendor_id=vendor_id,
        qualification_id=qualification_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)


@router.get("/vendor-weights", response={200: WeightsOut, **READ_ERRORS}, summary="比价权重与最少报价数")
def get_weights(request: HttpRequest, response: HttpResponse):  # noqa: ANN201
    actor(request)
    response["ETag"] = etag(scoring_weights())
    return _weights_out()


@router.put("/vendor-weights", response={200: WeightsOut, **EDIT_ERRORS}, summary="修改比价权重(管理员)")
def put_weights(request: HttpRequest, payload: WeightsIn, response: HttpResponse):  # noqa: ANN201
    data = payload.dict()
    data.pop("revision", None)
    retry_on_conflict(services.weights_update)(
        actor=actor(request), seen=seen_revision(request, payload.revision), **data
    )
    response["ETag"] = etag(scoring_weights())
    return _weights_out()


# ---------------------------------------------------------------- vendor needs
@router.get(
    "/events/{event_id}/vendor-needs",
    response={200: VendorNeedsOut, **READ_ERRORS},
    summary="采购需求(含报价、合同)与预算承诺",
)
def list_needs(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    needs = services.needs_with_flags(event)
    return {
        "min_quotes": scoring_weights().min_quotes,
        "needs": [_need_out(event, n) for n in needs],
        "budget_lines": [
            {
                "line_id": s.line.pk,
                "item": s.line.item,
                "planned": s.planned,
                "committed": s.committed,
                "over": s.over,
            }
            for s in services.line_statuses(event, needs)
        ],
    }


@router.post(
    "/events/{event_id}/vendor-needs", response={201: NeedOut, **WRITE_ERRORS}, summary="添加采购需求"
)
def add_need(request: HttpRequest, event_id: Id, payload: NeedIn, response: HttpResponse):  # noqa: ANN201
    need = retry_on_conflict(services.need_add)(
        actor=actor(request), event=event_id, **_owner(payload.dict())
    )
    return Status(201, _need_answer(request, event_id, need.pk, response))


@router.get(
    "/events/{event_id}/vendor-needs/{need_id}", response={200: NeedOut, **READ_ERRORS}, summary="采购需求"
)
def get_need(request: HttpRequest, event_id: Id, need_id: Id, response: HttpResponse):  # noqa: ANN201
    return _need_answer(request, event_id, need_id, response)


@router.patch(
    "/events/{event_id}/vendor-needs/{need_id}",
    response={200: NeedOut, **EDIT_ERRORS},
    summary="修改采购需求",
)
def patch_need(request: HttpRequest, event_id: Id, need_id: Id, payload: NeedPatch, response: HttpResponse):  # noqa: ANN201
    retry_on_conflict(services.need_update)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, payload.revision),
        **_owner(_patch(payload)),
    )
    return _need_answer(request, event_id, need_id, response)


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/cancel",
    response={200: NeedOut, **EDIT_ERRORS},
    summary="取消采购需求",
)
def cancel_need(request: HttpRequest, event_id: Id, need_id: Id, payload: RevisionIn, response: HttpResponse):  # noqa: ANN201
    retry_on_conflict(services.need_cancel)(
        actor=actor(request), event=event_id, need_id=need_id, seen=seen_revision(request, payload.revision)
    )
    return _need_answer(request, event_id, need_id, response)


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/quotes",
    response={201: QuoteOut, **WRITE_ERRORS},
    summary="添加报价(需求关闭后拒绝)",
)
def add_quote(request: HttpRequest, event_id: Id, need_id: Id, payload: QuoteIn, response: HttpResponse):  # noqa: ANN201
    quote = retry_on_conflict(services.quote_add)(
        actor=actor(request), event=event_id, need_id=need_id, **payload.dict()
    )
    event = event_for(actor(request), event_id, Need.VIEW)
    quote = services.quote_get(event=event, quote_id=quote.pk)
    response["ETag"] = etag(quote)
    return Status(201, _quote_out(quote))


@router.patch(
    "/events/{event_id}/quotes/{quote_id}", response={200: QuoteOut, **EDIT_ERRORS}, summary="修改报价"
)
def patch_quote(
    request: HttpRequest, event_id: Id, quote_id: Id, payload: QuotePatch, response: HttpResponse
):  # noqa: ANN201
    retry_on_conflict(services.quote_update)(
        actor=actor(request),
        event=event_id,
        quote_id=quote_id,
        seen=seen_revision(request, payload.revision),
        **_patch(payload),
    )
    event = event_for(actor(request), event_id, Need.VIEW)
    quote = services.quote_get(event=event, quote_id=quote_id)
    response["ETag"] = etag(quote)
    return _quote_out(quote)


@router.delete(
    "/events/{event_id}/quotes/{quote_id}", response={204: None, **EDIT_ERRORS}, summary="删除报价"
)
def delete_quote(request: HttpRequest, event_id: Id, quote_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(services.quote_remove)(
        actor=actor(request), event=event_id, quote_id=quote_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/quotes/{quote_id}/attachments",
    response={201: QuoteAttachmentOut, **WRITE_ERRORS},
    summary="上传报价附件(multipart)",
)
def add_quote_attachment(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    quote_id: Id,
    file: File[UploadedFile],  # noqa: B008
):
    att = retry_on_conflict(services.quote_attachment_add)(
        actor=actor(request), event=event_id, quote_id=quote_id, file=file
    )
    return Status(201, _attachment_out(att))


@router.get(
    "/events/{event_id}/quote-attachments/{quote_attachment_id}/download",
    response={200: None, **READ_ERRORS},
    summary="下载报价附件",
)
def download_quote_attachment(request: HttpRequest, event_id: Id, quote_attachment_id: Id):  # noqa: ANN201
    from ..views.vendors import _file_response

    event = event_for(actor(request), event_id, Need.VIEW)
    att = services.quote_attachment_get(event=event, attachment_id=quote_attachment_id)
    return _file_response(att.file, att.original_name, att.content_type)


@router.delete(
    "/events/{event_id}/quote-attachments/{quote_attachment_id}",
    response={204: None, **EDIT_ERRORS},
    summary="删除报价附件",
)
def delete_quote_attachment(  # noqa: ANN201
    request: HttpRequest, event_id: Id, quote_attachment_id: Id, revision: Revision | None = None
):
    retry_on_conflict(services.quote_attachment_remove)(
        actor=actor(request),
        event=event_id,
        attachment_id=quote_attachment_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)


# ---------------------------------------------------------------- comparison, choice, exception
@router.get(
    "/events/{event_id}/vendor-needs/{need_id}/comparison",
    response={200: ComparisonOut, **READ_ERRORS},
    summary="比价:加权得分与排名",
)
def get_comparison(request: HttpRequest, event_id: Id, need_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    need = services.need_get(event=event, need_id=need_id)
    result = services.comparison(need)
    return {
        "need_id": need.pk,
        "status": need.status,
        "weights": _weights_out(),
        "enough_quotes": result.enough,
        "exception": need.exception_at is not None,
        "chosen_quote": need.chosen_quote_id,
        "rows": [
            {
                "rank": r.rank,
                "quote_id": r.quote.pk,
                "vendor_id": r.quote.vendor_id,
                "vendor_name": r.quote.vendor.name,
                "amount": r.quote.amount,
                "qualification_score": r.quote.qualification_score,
                "price_score": r.price_score,
                "cases_score": r.quote.cases_score,
                "delivery_score": r.quote.delivery_score,
                "weighted": r.weighted,
                "expired_qualifications": r.expired,
                "unscored": r.unscored,
            }
            for r in result.rows
        ],
    }


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/choose",
    response={200: NeedOut, **EDIT_ERRORS},
    summary="选定报价(须说明理由;报价不足须有例外)",
)
def choose_quote(request: HttpRequest, event_id: Id, need_id: Id, payload: ChooseIn, response: HttpResponse):  # noqa: ANN201
    retry_on_conflict(services.need_choose)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, payload.revision),
        quote_id=payload.quote,
        reason=payload.reason,
    )
    return _need_answer(request, event_id, need_id, response)


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/exception",
    response={200: NeedOut, **EDIT_ERRORS},
    summary="登记报价不足的例外(审批人或管理员)",
)
def record_exception(  # noqa: ANN201
    request: HttpRequest, event_id: Id, need_id: Id, payload: ExceptionIn, response: HttpResponse
):
    retry_on_conflict(services.need_exception)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, payload.revision),
        reason=payload.reason,
    )
    return _need_answer(request, event_id, need_id, response)


# ---------------------------------------------------------------- contract (VD-2), rating
def _contract_answer(
    request: HttpRequest, event_id: int, need_id: int, response: HttpResponse
) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.VIEW)
    contract = services.contract_of(services.need_get(event=event, need_id=need_id))
    if contract is None:
        raise NotFound(_("该需求尚无合同。"))
    response["ETag"] = etag(contract)
    return _contract_out(contract)  # type: ignore[return-value]


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/contract",
    response={201: ContractOut, **EDIT_ERRORS},
    summary="登记合同(服务内容、交付时间、违约责任必填)",
)
def record_contract(  # noqa: ANN201
    request: HttpRequest, event_id: Id, need_id: Id, payload: ContractIn, response: HttpResponse
):
    data = payload.dict()
    data.pop("revision", None)
    retry_on_conflict(services.contract_record)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, payload.revision),
        **data,
    )
    return Status(201, _contract_answer(request, event_id, need_id, response))


@router.get(
    "/events/{event_id}/vendor-needs/{need_id}/contract",
    response={200: ContractOut, **READ_ERRORS},
    summary="合同",
)
def get_contract(request: HttpRequest, event_id: Id, need_id: Id, response: HttpResponse):  # noqa: ANN201
    return _contract_answer(request, event_id, need_id, response)


@router.patch(
    "/events/{event_id}/vendor-needs/{need_id}/contract",
    response={200: ContractOut, **EDIT_ERRORS},
    summary="修改合同",
)
def patch_contract(  # noqa: ANN201
    request: HttpRequest, event_id: Id, need_id: Id, payload: ContractPatch, response: HttpResponse
):
    retry_on_conflict(services.contract_update)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, payload.revision),
        **_patch(payload),
    )
    return _contract_answer(request, event_id, need_id, response)


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/contract/file",
    response={200: ContractOut, **EDIT_ERRORS},
    summary="上传已签合同文件(PDF 或图片,multipart)",
)
def upload_contract_file(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    need_id: Id,
    response: HttpResponse,
    signed_file: File[UploadedFile],  # noqa: B008
    revision: int | None = Form(None, ge=1, le=2**31 - 1, description="合同的修订号(或 If-Match)"),  # noqa: B008
):
    retry_on_conflict(services.contract_file_set)(
        actor=actor(request),
        event=event_id,
        need_id=need_id,
        seen=seen_revision(request, revision),
        file=signed_file,
    )
    return _contract_answer(request, event_id, need_id, response)


@router.post(
    "/events/{event_id}/vendor-needs/{need_id}/rating",
    response={200: RatingOut, **WRITE_ERRORS},
    summary="评价已签合同的供应商(活动开始后,1–5 分)",
)
def rate_vendor(request: HttpRequest, event_id: Id, need_id: Id, payload: RatingIn):  # noqa: ANN201
    rating = retry_on_conflict(services.rating_record)(
        actor=actor(request), event=event_id, need_id=need_id, score=payload.score, comment=payload.comment
    )
    return {
        "vendor_id": rating.vendor_id,
        "event_id": rating.event_id,
        "score": rating.score,
        "comment": rating.comment,
    }
