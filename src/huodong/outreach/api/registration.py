"""API: registration settings, cancelling the event for its guests, and tickets (NT-2, issue 9 points 2–3);
the same services as the pages.

- ``GET/PUT /events/{event_id}/registration``: the settings with their revision, the public link and the
  counts; change them (``revision`` or ``If-Match``: 428 without, 409 when stale).
- ``POST /events/{event_id}/registration/cancel-event``: every registered or waiting guest cancelled
  (tickets revoked, the cancellation sent), registration closed.
- ``GET /events/{event_id}/registration/public-key``: the event's Ed25519 public key, for scanners that
  verify tickets offline.
- ``POST /events/{event_id}/tickets/verify``: a ticket token → the guest's ticket state; a malformed,
  forged or tampered token (or another event's) → 400 naming ``token``.

Organisers and editors of the event only (``Need.EDIT``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Moment, Revision, StaleErrorOut, Text
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from .. import contact, tickets
from ..models import Guest, RegistrationSettings, Ticket
from ..rules import OUTREACH_REFUSAL
from ..services import messaging
from ..services import registration as services

router = Router(tags=["outreach: registration"])

if TYPE_CHECKING:
    Code = str
    Label = str
    Choice = str
    Prose = str
    Cohosts = str
    Token = str
else:
    Code = Line(services.CODE_MAX)
    Label = Line(services.LABEL_MAX)
    Choice = Line(services.CHOICE_MAX)
    Prose = Text(services.TEXT_MAX)
    Cohosts = Line(services.COHOSTS_MAX)
    Token = Line(300)
Capacity = Annotated[int, Field(ge=0, le=services.CAPACITY_MAX)]

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
EDIT: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut, 428: ErrorOut}


class QuestionIO(Schema):
    code: Code = Field(..., description="字母开头,字母、数字或下划线")
    label: Label = Field(..., description="中文标题")
    label_en: Label = Field("", description="英文标题")
    kind: Code = Field("text", description="text(填空)、choice(单选)、multi(多选)、yesno(是/否)")
    choices: list[Choice] = Field(default_factory=list, max_length=services.CHOICES_MAX)
    required: bool = False


class CountsOut(Schema):
    registered: int
    waitlisted: int
    cancelled: int
    capacity: int
    left: int | None = Field(None, description="剩余名额;null 表示不限")


class RegistrationOut(Schema):
    event_id: int
    revision: int
    slug: str
    public_url: str
    is_open: bool
    open_now: bool
    closed_reason: str = ""
    deadline: dt.datetime | None = None
    capacity: int
    questions: list[QuestionIO]
    highlights: str
    how_to_register: str
    notes: str
    cohosts: str
    opened_at: dt.datetime | None = None
    counts: CountsOut


class RegistrationIn(Schema):
    revision: Revision | None = None
    is_open: bool | None = None
    deadline: Moment | None = Field(None, description="不带时区时按活动时区理解;null 表示不设截止")
    capacity: Capacity | None = Field(None, description="0 表示不限")
    questions: list[QuestionIO] | None = Field(None, max_length=services.QUESTIONS_MAX)
    highlights: Prose | None = None
    how_to_register: Prose | None = None
    notes: Prose | None = None
    cohosts: Cohosts | None = None


class CancelEventIn(Schema):
    revision: Revision | None = None


class CancelEventOut(Schema):
    cancelled: int
    registration: RegistrationOut


class PublicKeyOut(Schema):
    event_id: int
    key_id: int
    algorithm: str = "Ed25519"
    public_key: str = Field(..., description="32 字节原始公钥,base64url 无填充")
    token_format: str = "HD1.<payload>.<signature>"


class VerifyIn(Schema):
    token: Token


class TicketStateOut(Schema):
    valid: bool = Field(..., description="签名有效、为当前版本且未作废")
    reason: str = ""
    event_id: int
    guest_id: int
    version: int
    code: str = ""
    name: str = ""
    phone: str = Field("", description="打码后的手机号")
    company: str = ""
    status: str = ""
    status_label: str = ""
    revoked: bool = False


def _out(event: Event, reg: RegistrationSettings) -> dict[str, Any]:
    reason = services.closed_reason(reg, event)
    return {
        "event_id": event.pk,
        "revision": reg.revision,
        "slug": reg.slug,
        "public_url": messaging.public_url(f"/r/{reg.slug}/"),
        "is_open": reg.is_open,
        "open_now": reason is None,
        "closed_reason": str(reason or ""),
        "deadline": reg.deadline,
        "capacity": reg.capacity,
        "questions": reg.questions or [],
        "highlights": reg.highlights,
        "how_to_register": reg.how_to_register,
        "notes": reg.notes,
        "cohosts": reg.cohosts,
        "opened_at": reg.opened_at,
        "counts": services.counts(event),
    }


def _edit_event(request: HttpRequest, event_id: int) -> Event:
    return event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)


def _answer(response: HttpResponse, event_id: int) -> dict[str, Any]:
    event = Event.objects.get(pk=event_id)
    reg = services.settings_of(event)
    response["ETag"] = etag(reg)
    return _out(event, reg)


@router.get(
    "/events/{event_id}/registration", response={200: RegistrationOut, **READ}, summary="报名设置与报名情况"
)
def get_registration(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    _edit_event(request, event_id)
    return _answer(response, event_id)


@router.put(
    "/events/{event_id}/registration", response={200: RegistrationOut, **EDIT}, summary="修改报名设置"
)
def put_registration(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, payload: RegistrationIn
):
    _edit_event(request, event_id)
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "deadline"}
    retry_on_conflict(services.settings_update)(
        actor=actor(request), event=event_id, seen=seen_revision(request, payload.revision), **changes
    )
    return _answer(response, event_id)


@router.post(
    "/events/{event_id}/registration/cancel-event",
    response={200: CancelEventOut, **EDIT},
    summary="取消活动:取消全部报名并通知嘉宾",
)
def cancel_event(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, payload: CancelEventIn
):
    _edit_event(request, event_id)
    n = retry_on_conflict(services.event_cancel_for_guests)(
        actor=actor(request), event=event_id, seen=seen_revision(request, payload.revision)
    )
    return {"cancelled": n, "registration": _answer(response, event_id)}


@router.get(
    "/events/{event_id}/registration/public-key",
    response={200: PublicKeyOut, **READ},
    summary="电子票验签公钥(Ed25519)",
)
def public_key(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = _edit_event(request, event_id)
    key = tickets.event_key(event.pk)
    return {"event_id": event.pk, "key_id": key.key_id, "public_key": tickets.public_key_b64(event.pk)}


@router.post(
    "/events/{event_id}/tickets/verify", response={200: TicketStateOut, **READ}, summary="验证电子票二维码"
)
def verify_ticket(request: HttpRequest, event_id: Id, payload: VerifyIn):  # noqa: ANN201
    event = _edit_event(request, event_id)
    key = tickets.event_key(event.pk)
    try:
        claims = tickets.verify(payload.token, bytes(key.public_key))
    except tickets.InvalidTicket:
        raise DomainError(
            {"token": [_("电子票无效:二维码格式不正确,或签名不符(伪造或被篡改)。")]}, code="invalid_ticket"
        ) from None
    if claims.event_id != event.pk or claims.key_id != key.key_id:
        raise DomainError({"token": [_("这不是本活动的电子票。")]}, code="invalid_ticket")
    guest = Guest.objects.filter(pk=claims.guest_id, event=event).first()
    ticket = Ticket.objects.filter(guest_id=claims.guest_id, event=event).first()
    if guest is None or ticket is None:
        raise DomainError({"token": [_("电子票对应的报名不存在。")]}, code="invalid_ticket")
    revoked = ticket.revoked_at is not None
    superseded = ticket.version != claims.version
    reason = ""
    if revoked:
        reason = str(_("电子票已作废(报名已取消)。"))
    elif superseded:
        reason = str(_("这是旧版电子票,已被新票取代。"))
    return {
        "valid": not (revoked or superseded),
        "reason": reason,
        "event_id": event.pk,
        "guest_id": guest.pk,
        "version": claims.version,
        "code": ticket.code,
        "name": guest.name,
        "phone": contact.mask_phone(guest.phone) if guest.phone else "",
        "company": guest.company,
        "status": guest.status,
        "status_label": str(guest.get_status_display()),
        "revoked": revoked,
    }
