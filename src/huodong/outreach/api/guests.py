"""API of the guest list (issue 9, point 1; NT-2); the same services as the pages.

- ``GET/POST /events/{event_id}/guests``: the list (filters ``status``, ``category``, ``department`` (id or
  code), ``q``; ``page``, ``page_size``), add a guest (a team member: for their own department).
- ``GET/PATCH/DELETE /events/{event_id}/guests/{guest_id}``; ``POST …/{guest_id}/status``.
- ``POST /events/{event_id}/guests/bulk``: ``action`` (category, department, status, remove, send) on
  ``guest_ids`` or ``filters``; a send of more than 500 guests answers 202 with the job.
- ``POST /events/{event_id}/guests/import`` (multipart ``file``, ``on_duplicate``): 200 with the finished
  job and its report, or 202 with a queued job (> 2,000 rows); an unreadable file is 400, nothing written.
- ``GET /events/{event_id}/guests.xlsx``: export (filters apply; written to the audit log).
- ``GET/POST /events/{event_id}/quotas``, ``PATCH/DELETE …/quotas/{quota_id}``,
  ``POST …/quotas/{quota_id}/accept-shortfall``.
- ``GET /events/{event_id}/jobs/{job_id}``: a background job's progress and report.

Phones and e-mails are masked for readers who are not editors (PIPL). Revisions: ``If-Match: "r3"`` or
``revision``; missing → 428, old → 409.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.models import Department
from huodong.core.schemas import ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_person
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from .. import excel_guests, jobs, selectors
from ..models import Guest, Job
from ..rules import OUTREACH_REFUSAL
from ..services import guests as services
from ..services import quotas as quota_services

router = Router(tags=["outreach: guests"])

if TYPE_CHECKING:
    Name = str
    Company = str
    Title = str
    PhoneText = str
    EmailText = str
    Code = str
    OpenId = str
    Note = str
    Username = str
    Reason = str
    Search = str
else:
    Name = Line(services.NAME_MAX)
    Company = Line(services.COMPANY_MAX)
    Title = Line(services.TITLE_MAX)
    PhoneText = Line(40)
    EmailText = Line(254)
    Code = Line(40)
    OpenId = Line(services.OPENID_MAX)
    Note = Text(services.NOTE_MAX)
    Username = Line(150)
    Reason = Text(quota_services.REASON_MAX)
    Search = Line(100)
PageSize = Annotated[int, Field(ge=1, le=500)]
PageNo = Annotated[int, Field(ge=1, le=1_000_000)]
QuotaNumber = Annotated[int, Field(ge=0, le=quota_services.QUOTA_MAX)]

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class GuestOut(Schema):
    id: int
    revision: int
    name: str
    company: str
    title: str
    phone: str = Field(..., description="E.164;非编辑者看到的是隐藏后的号码")
    email: str
    masked: bool
    category: str
    category_label: str
    department: str | None = None
    department_name: str | None = None
    invited_by: str | None = None
    status: str
    status_label: str
    source: str
    language: str
    wechat_openid: str
    note: str
    sort_key: str
    registered_at: dt.datetime | None = None
    created_at: dt.datetime


class GuestPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[GuestOut]


class GuestIn(Schema):
    name: Name
    company: Company = ""
    title: Title = ""
    phone: PhoneText = Field("", description="中国大陆手机号,或以 + 和国家代码开头的国际号码")
    email: EmailText = ""
    category: Code = Field("customer", description="customer、vip、media、speaker、partner、employee")
    department: Code | None = Field(None, description="部门代码;团队成员默认为本部门")
    invited_by: Username | None = Field(None, description="邀请人用户名")
    language: Code = Field("zh-hans", description="zh-hans 或 en")
    wechat_openid: OpenId = ""
    note: Note = ""
    status: Code = Field("invited", description="invited、declined、cancelled、no_show")


class GuestPatch(Schema):
    revision: Revision | None = None
    name: Name | None = None
    company: Company | None = None
    title: Title | None = None
    phone: PhoneText | None = None
    email: EmailText | None = None
    category: Code | None = None
    department: Code | None = None
    invited_by: Username | None = None
    language: Code | None = None
    wechat_openid: OpenId | None = None
    note: Note | None = None


class GuestStatusIn(Schema):
    revision: Revision | None = None
    status: Code = Field(..., description="invited、declined、cancelled、no_show")
    reason: Reason = ""


class GuestEraseIn(Schema):
    reason: Reason = Field(..., description="谁、何时、通过什么方式提出删除请求(记入审计日志)")


class GuestErasedOut(Schema):
    id: int
    status: str
    anonymised_at: dt.datetime


class GuestFiltersIn(Schema):
    status: Code = ""
    category: Code = ""
    department: Code = ""
    q: Search = ""


class GuestBulkIn(Schema):
    action: Code = Field(..., description="category、department、status、remove、send")
    guest_ids: list[Id] | None = Field(None, max_length=services.BULK_MAX)
    filters: GuestFiltersIn | None = Field(None, description="不给 guest_ids 时按筛选条件选择")
    value: Code | None = Field(None, description="category/status 的代码,department 的部门代码(null 清空)")
    kind: Code | None = Field(None, description="send:消息类别,如 invitation")
    channels: list[Code] | None = Field(None, max_length=3, description="send:email、sms、wechat")
    purpose: Code = Field("operation", description="send:operation 或 marketing")


class GuestBulkOut(Schema):
    count: int = Field(..., description="处理的嘉宾数;发送时为新排入发件箱的消息数")
    job: int | None = None


class OutreachJobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    total: int
    done: int
    percent: int
    report: dict
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None = None


class QuotaOut(Schema):
    id: int
    revision: int
    department: str
    department_name: str
    quota: int
    added: int
    registered: int
    shortfall: int
    met: bool
    accepted: bool
    reason: str
    accepted_by: str
    accepted_at: dt.datetime | None = None
    contact: str | None = None
    contact_name: str | None = None


class QuotaIn(Schema):
    department: Code = Field(..., description="部门代码")
    quota: QuotaNumber
    contact: Username | None = None


class QuotaPatch(Schema):
    revision: Revision | None = None
    quota: QuotaNumber | None = None
    contact: Username | None = None


class QuotaShortfallIn(Schema):
    revision: Revision | None = None
    reason: Reason


# ---------------------------------------------------------------- helpers
def _out(g: Guest, full: bool) -> dict[str, Any]:
    return {
        "id": g.pk,
        "revision": g.revision,
        "name": g.name,
        "company": g.company,
        "title": g.title,
        "phone": g.phone if full else (selectors.shown_phone(g, False)),
        "email": g.email if full else selectors.shown_email(g, False),
        "masked": not full,
        "category": g.category,
        "category_label": str(g.get_category_display()),
        "department": g.department.code if g.department else None,
        "department_name": g.department.display_name if g.department else None,
        "invited_by": g.invited_by.username if g.invited_by else None,
        "status": g.status,
        "status_label": str(g.get_status_display()),
        "source": g.source,
        "language": g.language,
        "wechat_openid": g.wechat_openid if full else "",
        "note": g.note,
        "sort_key": g.sort_key,
        "registered_at": g.registered_at,
        "created_at": g.created_at,
    }


def _answer(request: HttpRequest, response: HttpResponse, event_id: int, guest_id: int) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.VIEW)
    g = services.guest_get(event=event, guest_id=guest_id)
    response["ETag"] = etag(g)
    return _out(g, services.can_see_contact(actor(request), event, g))


def _department(code: str | None, field: str = "department") -> Department | None:
    if not code:
        return None
    d = Department.objects.filter(code=code).first()
    if d is None:
        raise DomainError({field: [_("未知的部门代码「%(v)s」。") % {"v": code}]})
    return d


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    if "department" in data:
        data["department"] = _department(data["department"])
    if "invited_by" in data:
        data["invited_by"] = (
            active_person(data["invited_by"], field="invited_by") if data["invited_by"] else None
        )
    return data


def _job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total": job.total,
        "done": job.done,
        "percent": job.percent,
        "report": job.report or {},
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _editor(request: HttpRequest, event_id: int) -> Event:
    return event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)


# ---------------------------------------------------------------- guests
@router.get(
    "/events/{event_id}/guests", response={200: GuestPageOut, **READ}, summary="嘉宾名单(可筛选,分页)"
)
def list_guests(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    filters: Query[GuestFiltersIn],
    page: PageNo = 1,
    page_size: PageSize = 100,
):
    event = event_for(actor(request), event_id, Need.VIEW)
    qs = selectors.guests_filtered(event, filters.dict()).order_by("sort_key", "id")
    count = qs.count()
    rows = list(qs[(page - 1) * page_size : page * page_size])
    who = actor(request)
    return {
        "count": count,
        "page": page,
        "pages": max(1, -(-count // page_size)),
        "results": [_out(g, services.can_see_contact(who, event, g)) for g in rows],
    }


@router.post("/events/{event_id}/guests", response={201: GuestOut, **WRITE}, summary="添加嘉宾")
def add_guest(request: HttpRequest, response: HttpResponse, event_id: Id, payload: GuestIn):  # noqa: ANN201
    g = retry_on_conflict(services.guest_add)(actor=actor(request), event=event_id, **_refs(payload.dict()))
    return Status(201, _answer(request, response, event_id, g.pk))


@router.post(
    "/events/{event_id}/guests/bulk",
    response={200: GuestBulkOut, 202: GuestBulkOut, **WRITE},
    summary="批量操作(设置类别/部门/状态、删除、发送消息)",
)
def bulk_guests(request: HttpRequest, event_id: Id, payload: GuestBulkIn):  # noqa: ANN201
    _editor(request, event_id)
    if payload.guest_ids is None and payload.filters is None:
        raise DomainError({"guest_ids": [_("请给出 guest_ids,或给出 filters 按筛选条件选择。")]})
    selection: dict[str, Any] = (
        {"guest_ids": payload.guest_ids}
        if payload.guest_ids is not None
        else {"filters": payload.filters.dict()}  # type: ignore[union-attr]
    )
    if payload.action == services.BulkAction.SEND:
        if not payload.kind:
            raise DomainError({"kind": [_("发送时须给出消息类别 kind,如 invitation。")]})
        result = services.guests_send(
            actor=actor(request), event=event_id, kind=payload.kind, channels=payload.channels,
            purpose=payload.purpose, **selection,
        )  # fmt: skip
        if isinstance(result, Job):
            return Status(202, {"count": 0, "job": result.pk})
        return {"count": result, "job": None}
    value: Any = payload.value
    if payload.action == services.BulkAction.DEPARTMENT:
        value = _department(payload.value, "value")
    count = retry_on_conflict(services.guests_bulk)(
        actor=actor(request), event=event_id, action=payload.action, value=value, **selection
    )
    return {"count": count, "job": None}


@router.post(
    "/events/{event_id}/guests/import",
    response={
        200: OutreachJobOut,
        202: OutreachJobOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="从 Excel 或 CSV 导入嘉宾(multipart;超过 2,000 行在后台进行)",
)
def import_guests(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    file: UploadedFile | None = File(None, description="Excel(.xlsx)或 CSV 文件"),  # noqa: B008
    on_duplicate: str = Form("merge", max_length=20, description="merge(合并)或 report(报告)"),  # noqa: B008
):
    job = retry_on_conflict(excel_guests.guests_import)(
        actor=actor(request), event=event_id, file=file, on_duplicate=on_duplicate
    )
    return Status(200 if job.status == Job.Status.DONE else 202, _job_out(job))


@router.get(
    "/events/{event_id}/guests/{guest_id}", response={200: GuestOut, **READ}, summary="一位嘉宾(含修订号)"
)
def get_guest(request: HttpRequest, response: HttpResponse, event_id: Id, guest_id: Id):  # noqa: ANN201
    return _answer(request, response, event_id, guest_id)


@router.patch("/events/{event_id}/guests/{guest_id}", response={200: GuestOut, **EDIT}, summary="修改嘉宾")
def patch_guest(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, guest_id: Id, payload: GuestPatch
):
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    changes = {k: v for k, v in changes.items() if v is not None or k in ("department", "invited_by")}
    retry_on_conflict(services.guest_update)(
        actor=actor(request),
        event=event_id,
        guest_id=guest_id,
        seen=seen_revision(request, payload.revision),
        **_refs(changes),
    )
    return _answer(request, response, event_id, guest_id)


@router.delete("/events/{event_id}/guests/{guest_id}", response={204: None, **EDIT}, summary="删除嘉宾")
def delete_guest(request: HttpRequest, event_id: Id, guest_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(services.guest_remove)(
        actor=actor(request), event=event_id, guest_id=guest_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/guests/{guest_id}/status", response={200: GuestOut, **EDIT}, summary="更改嘉宾状态"
)
def set_guest_status(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, guest_id: Id, payload: GuestStatusIn
):
    retry_on_conflict(services.guest_status_set)(
        actor=actor(request),
        event=event_id,
        guest_id=guest_id,
        seen=seen_revision(request, payload.revision),
        status=payload.status,
        reason=payload.reason,
    )
    return _answer(request, response, event_id, guest_id)


@router.post(
    "/events/{event_id}/guests/{guest_id}/erase",
    response={200: GuestErasedOut, **READ},
    summary="按本人请求删除嘉宾个人信息(PIPL;不可恢复;记入审计日志)",
)
def erase_guest(request: HttpRequest, event_id: Id, guest_id: Id, payload: GuestEraseIn):  # noqa: ANN201
    from ..services.privacy import guest_erase

    guest = guest_erase(actor=actor(request), event=event_id, guest_id=guest_id, reason=payload.reason)
    assert guest.anonymised_at is not None
    return {"id": guest.pk, "status": guest.status, "anonymised_at": guest.anonymised_at}


@router.get(
    "/events/{event_id}/guests.xlsx",
    response={200: None, **READ},
    summary="导出嘉宾名单(Excel;筛选条件适用;记入审计日志)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Excel 文件",
                "content": {
                    excel_guests.EXCEL_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def export_guests(request: HttpRequest, event_id: Id, filters: Query[GuestFiltersIn]) -> HttpResponse:
    event = _editor(request, event_id)
    raw = {k: v for k, v in filters.dict().items() if v}
    qs = selectors.guests_filtered(event, raw).order_by("sort_key", "id")
    content = excel_guests.guests_workbook(
        actor=actor(request), event=event, guests=qs.iterator(2000), filters=raw
    )
    response = HttpResponse(content, content_type=excel_guests.EXCEL_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=excel_guests.export_filename(event))
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/events/{event_id}/jobs/{job_id}", response={200: OutreachJobOut, **READ}, summary="后台任务的进度与报告"
)
def get_job(request: HttpRequest, event_id: Id, job_id: Id):  # noqa: ANN201
    event = _editor(request, event_id)
    return _job_out(jobs.job_get(event=event, job_id=job_id))


# ---------------------------------------------------------------- quotas
def _quota_answer(response: HttpResponse, event: Event | int, quota_id: int) -> dict[str, Any]:
    event_obj = event if isinstance(event, Event) else Event.objects.get(pk=event)
    status = next(s for s in quota_services.quota_status(event_obj) if s.quota_id == quota_id)
    response["ETag"] = f'"r{status.revision}"'
    return status.as_dict()


@router.get(
    "/events/{event_id}/quotas", response={200: list[QuotaOut], **READ}, summary="部门邀约名额与完成情况"
)
def list_quotas(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return [s.as_dict() for s in quota_services.quota_status(event)]


@router.post("/events/{event_id}/quotas", response={201: QuotaOut, **WRITE}, summary="设定部门邀约名额")
def add_quota(request: HttpRequest, response: HttpResponse, event_id: Id, payload: QuotaIn):  # noqa: ANN201
    _editor(request, event_id)
    row = retry_on_conflict(quota_services.quota_add)(
        actor=actor(request),
        event=event_id,
        department=_department(payload.department),
        quota=payload.quota,
        contact=active_person(payload.contact, field="contact") if payload.contact else None,
    )
    if row is None:  # pragma: no cover
        raise DomainError({"department": [_("请选择部门。")]})
    return Status(201, _quota_answer(response, event_id, row.pk))


@router.patch(
    "/events/{event_id}/quotas/{quota_id}", response={200: QuotaOut, **EDIT}, summary="修改邀约名额或对接人"
)
def patch_quota(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, quota_id: Id, payload: QuotaPatch
):
    _editor(request, event_id)
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    if "quota" in changes and changes["quota"] is None:
        changes.pop("quota")
    if "contact" in changes:
        changes["contact"] = (
            active_person(changes["contact"], field="contact") if changes["contact"] else None
        )
    retry_on_conflict(quota_services.quota_update)(
        actor=actor(request), event=event_id, quota_id=quota_id, seen=seen_revision(request, payload.revision),
        **changes,
    )  # fmt: skip
    return _quota_answer(response, event_id, quota_id)


@router.delete("/events/{event_id}/quotas/{quota_id}", response={204: None, **EDIT}, summary="删除邀约名额")
def delete_quota(request: HttpRequest, event_id: Id, quota_id: Id, revision: Revision | None = None):  # noqa: ANN201
    _editor(request, event_id)
    retry_on_conflict(quota_services.quota_remove)(
        actor=actor(request), event=event_id, quota_id=quota_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/quotas/{quota_id}/accept-shortfall",
    response={200: QuotaOut, **EDIT},
    summary="接受部门邀约缺口(须写明原因)",
)
def accept_shortfall(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, quota_id: Id, payload: QuotaShortfallIn
):
    _editor(request, event_id)
    retry_on_conflict(quota_services.quota_shortfall_accept)(
        actor=actor(request), event=event_id, quota_id=quota_id, reason=payload.reason,
        revision=seen_revision(request, payload.revision),
    )  # fmt: skip
    return _quota_answer(response, event_id, quota_id)
