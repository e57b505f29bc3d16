"""API of the live part (EX-6): the dashboard's snapshot, the final figures (定格) and the leads.

- ``GET /events/{event_id}/live``: the dashboard's snapshot (``selectors.snapshot``), computed at most
  once a second per event and language and served with an ``ETag``; with ``If-None-Match`` naming the
  current one the answer is ``304 Not Modified`` without a body. The dashboard page polls it every 2 s.
- ``GET /events/{event_id}/live/final``: the confirmed final figures (404 while none);
  ``POST /events/{event_id}/live/final``: confirm them now (``note``; ``revision`` or ``If-Match`` when
  replacing earlier ones: 428 without, 409 when stale). The event's editors, in 流程执行 to 突发应对.
- ``GET /events/{event_id}/leads``: the leads captured; ``POST``: record one from a badge QR (``token``),
  a ticket ``code`` or a ``guest_id`` found by search (201; 409 ``lead_exists`` when this person already
  has one on the guest, with ``lead_id``); ``PUT /events/{event_id}/leads/{lead_id}``: change its
  interest or notes (revisioned).
- ``GET /events/{event_id}/leads/guests?q=``: find guests by name, pinyin, ticket code or phone tail
  (masked phones); ``GET /events/{event_id}/leads/identify?token=|code=``: the guest a badge names and the
  caller's own lead on them.

The team on the day (``Need.ONSITE``); the final figures: editors (``Need.EDIT``) to write.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import NotFound
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Revision, StaleErrorOut
from huodong.events.access import Need, event_for, event_load
from huodong.outreach import contact

from .. import selectors
from ..models import FINAL_NOTE_MAX, NOTES_MAX, Interest, Lead
from ..services import final as final_services
from ..services import leads as lead_services

router = Router(tags=["onsite: live"])

if TYPE_CHECKING:
    Notes = str
    FinalNote = str
    Token = str
    Code = str
    Query = str
else:
    from huodong.core.schemas import Line, Text

    Notes = Text(NOTES_MAX)
    FinalNote = Line(FINAL_NOTE_MAX)
    Token = Line(lead_services.TOKEN_MAX)
    Code = Line(20)
    Query = Line(lead_services.QUERY_MAX)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}
ACCESS_SECONDS = 10  # a right withdrawn stops the polling of the dashboard within this long
InterestCode = Annotated[str, Field(pattern="^[abc]$", description="a 高意向, b 中意向, c 低意向")]


# ---------------------------------------------------------------- the snapshot
class LiveTotalsOut(Schema):
    expected: int = Field(..., description="应到 = 已报名 + 已签到")
    checked_in: int
    not_arrived: int
    rate: float = Field(..., description="签到率,0 到 1")


class LiveSeriesOut(Schema):
    bucket_minutes: int
    starts: list[str] = Field(..., description="每 5 分钟时段的开始(UTC,ISO 8601)")
    labels: list[str] = Field(..., description="活动时区的时刻")
    registered: list[int] = Field(..., description="截至该时段的累计报名")
    checked_in: list[int] = Field(..., description="截至该时段的累计签到")
    arrivals: list[int] = Field(..., description="该时段的签到人数")


class DashboardCategoryOut(Schema):
    category: str
    label: str
    expected: int
    checked_in: int
    rate: float


class DashboardGateOut(Schema):
    gate_id: int | None
    gate: str
    checked_in: int


class LiveMediaOut(Schema):
    expected: int
    checked_in: int
    rate: float


class LiveInterestOut(Schema):
    interest: str
    label: str
    count: int


class LiveLeadsOut(Schema):
    total: int
    by_interest: list[LiveInterestOut]
    people: int = Field(..., description="记录线索的人数")


class LiveFinalBriefOut(Schema):
    confirmed_by: str
    confirmed_at: dt.datetime
    time: str
    note: str
    revision: int


class LiveSnapshotOut(Schema):
    event_id: int
    step: str
    step_label: str
    running: bool = Field(..., description="活动处于执行阶段:页面每 2 秒刷新")
    generated_at: dt.datetime
    time_zone: str
    etag: str
    totals: LiveTotalsOut
    series: LiveSeriesOut
    by_category: list[DashboardCategoryOut]
    by_gate: list[DashboardGateOut]
    media: LiveMediaOut = Field(..., description="媒体类嘉宾的签到")
    leads: LiveLeadsOut
    interaction: dict[str, Any] | None = Field(None, description="互动计数;null 表示暂无数据")
    survey: dict[str, Any] | None = None
    incidents: list[dict[str, Any]] | None = Field(
        None, description="未关闭的突发事件及其 SLA;null 表示暂无数据"
    )
    show: dict[str, Any] | None = Field(None, description="流程准点情况;null 表示暂无数据")
    final: LiveFinalBriefOut | None = Field(None, description="已定格时:确认人与时间")


@router.get(
    "/events/{event_id}/live",
    response={200: LiveSnapshotOut, 304: None, **READ},
    summary="现场数据看板(支持 If-None-Match / 304)",
)
def get_snapshot(request: HttpRequest, event_id: Id):  # noqa: ANN201
    user = actor(request)
    # Who may watch is decided by ``event_for`` and remembered for ACCESS_SECONDS per person and event:
    # a poll every 2 s then costs the sign-in check and two cache reads (bench/bench_dashboard.py).
    key = f"onsite_live:access:{user.pk}:{event_id}"
    event = None
    if cache.get(key) is not True:
        event = event_for(user, event_id, Need.ONSITE)
        cache.set(key, True, ACCESS_SECONDS)
    served = selectors.snapshot_cached(event or event_id, load=lambda: event_load(event_id))
    if selectors.matches(request.headers.get("If-None-Match", ""), served.etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(served.body, content_type="application/json")
    response["ETag"] = served.etag
    response["Cache-Control"] = "private, no-cache"
    return response


# ---------------------------------------------------------------- final figures
class LiveFinalOut(Schema):
    id: int
    revision: int
    figures: dict[str, Any]
    confirmed_by: str
    confirmed_by_id: int | None
    confirmed_at: dt.datetime
    note: str


class LiveFinalIn(Schema):
    note: FinalNote = ""
    revision: Revision | None = Field(None, description="替换已有定格时必填(或 If-Match)")


@router.get("/events/{event_id}/live/final", response={200: LiveFinalOut, **READ}, summary="定格的最终数据")
def get_final(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    found = selectors.final_figures(event.pk)
    if found is None:
        raise NotFound(gettext_lazy("尚未定格最终数据。"))
    response["ETag"] = f'"{found["revision"]}"'
    return found


@router.post("/events/{event_id}/live/final", response={200: LiveFinalOut, **EDIT}, summary="定格最终数据")
def post_final(request: HttpRequest, response: HttpResponse, event_id: Id, payload: LiveFinalIn):  # noqa: ANN201
    row = retry_on_conflict(final_services.final_confirm)(
        actor=actor(request), event=event_id, note=payload.note, seen=seen_revision(request, payload.revision)
    )
    response["ETag"] = etag(row)
    return selectors.final_figures(row.event_id)


# ---------------------------------------------------------------- leads
class LeadOut(Schema):
    id: int
    revision: int
    guest_id: int
    guest: str
    company: str
    title: str
    category: str
    category_label: str
    interest: str
    interest_label: str
    notes: str
    found_by: str = Field(..., description="qr 扫胸牌、code 票号、search 姓名查找")
    recorded_by_id: int
    recorded_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class LeadIn(Schema):
    interest: InterestCode
    notes: Notes = ""
    token: Token = Field("", description="胸牌二维码中的电子票")
    code: Code = Field("", description="票号")
    guest_id: Id | None = Field(None, description="按姓名查找到的嘉宾")


class LeadPut(Schema):
    revision: Revision | None = None
    interest: InterestCode | None = None
    notes: Notes | None = None


class LeadExistsOut(ErrorOut):
    lead_id: int | None = None


class LeadGuestOut(Schema):
    id: int
    name: str
    company: str
    title: str
    category: str
    category_label: str
    status: str
    phone: str = Field(..., description="打码后的手机号")


class LeadSearchOut(Schema):
    total: int
    guests: list[LeadGuestOut]


class LeadIdentifyOut(Schema):
    guest: LeadGuestOut
    found_by: str
    lead: LeadOut | None = Field(None, description="本人对该嘉宾已有的线索")


def _guest_out(g: Any) -> dict[str, Any]:
    from huodong.checkin.selectors import category_label

    return {
        "id": g.pk,
        "name": g.name,
        "company": g.company,
        "title": g.title,
        "category": g.category,
        "category_label": category_label(g.category),
        "status": g.status,
        "phone": contact.mask_phone(g.phone) if g.phone else "",
    }


def _lead(pk: int) -> dict[str, Any]:
    return selectors.lead_row(Lead.objects.select_related("guest", "recorded_by").get(pk=pk))


@router.get("/events/{event_id}/leads", response={200: list[LeadOut], **READ}, summary="销售线索")
def list_leads(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return selectors.leads_of(event.pk)


@router.post(
    "/events/{event_id}/leads", response={201: LeadOut, 409: LeadExistsOut, **READ}, summary="记录销售线索"
)
def post_lead(request: HttpRequest, response: HttpResponse, event_id: Id, payload: LeadIn):  # noqa: ANN201
    from huodong.core.errors import Conflict

    try:
        lead = lead_services.lead_record(
            actor=actor(request),
            event=event_id,
            interest=payload.interest,
            notes=payload.notes,
            token=payload.token,
            code=payload.code,
            guest_id=payload.guest_id,
        )
    except Conflict as exc:
        body = {"code": exc.code, "message": exc.message, "errors": exc.as_dict()}
        return Status(409, {**body, "lead_id": getattr(exc, "lead_id", None)})
    response["ETag"] = etag(lead)
    return Status(201, _lead(lead.pk))


@router.get("/events/{event_id}/leads/guests", response={200: LeadSearchOut, **READ}, summary="查找嘉宾")
def search_guests(request: HttpRequest, event_id: Id, q: Query = ""):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    found, total = lead_services.guests_search(event, q)
    return {"total": total, "guests": [_guest_out(g) for g in found]}


@router.get("/events/{event_id}/leads/identify", response={200: LeadIdentifyOut, **READ}, summary="识别胸牌")
def identify_guest(request: HttpRequest, event_id: Id, token: Token = "", code: Code = ""):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    guest, found = lead_services.guest_identify(event, token=token, code=code)
    mine = lead_services.lead_mine(event, guest, actor(request))
    return {"guest": _guest_out(guest), "found_by": found, "lead": _lead(mine.pk) if mine else None}


# After the fixed paths above: in ``leads/guests``, ``guests`` is not a lead's id.
@router.put("/events/{event_id}/leads/{lead_id}", response={200: LeadOut, **EDIT}, summary="修改销售线索")
def put_lead(request: HttpRequest, response: HttpResponse, event_id: Id, lead_id: Id, payload: LeadPut):  # noqa: ANN201
    lead = retry_on_conflict(lead_services.lead_update)(
        actor=actor(request),
        event=event_id,
        lead_id=lead_id,
        seen=seen_revision(request, payload.revision),
        interest=payload.interest,
        notes=payload.notes,
    )
    response["ETag"] = etag(lead)
    return _lead(lead.pk)


__all__ = ["router", "Interest"]
