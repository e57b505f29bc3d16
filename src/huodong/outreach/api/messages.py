"""API: the outbox's delivery log of an event (issue 9, point 4); the same services as the pages.

- ``GET /events/{event_id}/messages``: the event's messages, newest due first, filtered by ``status``,
  ``channel``, ``kind`` and ``q`` (recipient, subject or guest name), paginated (``page``, ``page_size``),
  with the counts by status;
- ``GET /events/{event_id}/messages/{message_id}``: one message with its attempts;
- ``POST …/{message_id}/retry``: a dead letter back in the queue (attempts kept);
- ``POST …/{message_id}/resolve``: decide a message in doubt: ``{"outcome": "delivered" | "resend"}``.

Guest contact data is personal information: only the event's editors (``Need.EDIT``). The two writes are
conditional transitions (like a step's ``from_step``): a message no longer dead, or no longer in doubt,
is refused with 409 — so they need no revision.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id, Line
from huodong.events.access import Need, event_for

from .. import delivery, delivery_log
from ..models import Message
from ..rules import OUTREACH_REFUSAL

router = Router(tags=["outreach: messages"])

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: ErrorOut}
PageSize = Annotated[int, Field(ge=1, le=500)]
PageNo = Annotated[int, Field(ge=1, le=1_000_000)]
if TYPE_CHECKING:
    Search = str
    Code = str
else:
    Search = Line(delivery_log.Q_MAX)
    Code = Line(30)


class AttemptOut(Schema):
    at: dt.datetime
    outcome: str
    error: str
    duration_ms: int


class MessageOut(Schema):
    id: int
    event_id: int | None
    guest_id: int | None
    robot_id: int | None
    channel: str
    kind: str
    purpose: str
    recipient: str
    language: str
    subject: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    due_at: dt.datetime
    offset_minutes: int | None
    not_before: dt.datetime
    sent_at: dt.datetime | None
    provider_id: str
    idempotency_key: str


class MessageDetailOut(MessageOut):
    body: str
    extras: dict
    attempt_log: list[AttemptOut]


class CountOut(Schema):
    status: str
    label: str
    n: int


class MessagePageOut(Schema):
    count: int
    page: int
    pages: int
    counts: list[CountOut]
    results: list[MessageOut]


class FiltersIn(Schema):
    status: Code = Field(
        "", description="pending, claimed, sending, sent, retry, dead, in_doubt, suppressed, cancelled"
    )
    channel: Code = Field("", description="email, sms, wechat, robot")
    kind: Code = Field("", description="invitation, confirmation, reminder, …")
    q: Search = Field("", description="收件人、标题或嘉宾姓名")


class ResolveIn(Schema):
    outcome: Literal["delivered", "resend"] = Field(..., description="delivered:确认已送达;resend:重新发送")


def _out(m: Message, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.pk,
        "event_id": m.event_id,
        "guest_id": m.guest_id,
        "robot_id": m.robot_id,
        "channel": m.channel,
        "kind": m.kind,
        "purpose": m.purpose,
        "recipient": m.recipient,
        "language": m.language,
        "subject": m.subject,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "attempts": m.attempts,
        "last_error": m.last_error,
        "due_at": m.due_at,
        "offset_minutes": m.offset_minutes,
        "not_before": m.not_before,
        "sent_at": m.sent_at,
        "provider_id": m.provider_id,
        "idempotency_key": m.idempotency_key,
    }
    if detail:
        out["body"] = m.body
        out["extras"] = m.extras or {}
        out["attempt_log"] = [
            {"at": a.at, "outcome": a.outcome, "error": a.error, "duration_ms": a.duration_ms}
            for a in m.attempt_log.all()
        ]
    return out


def _event(request: HttpRequest, event_id: int) -> Any:
    return event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)


@router.get(
    "/events/{event_id}/messages", response={200: MessagePageOut, **READ}, summary="投递记录(可筛选,分页)"
)
def list_messages(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    filters: Query[FiltersIn],
    page: PageNo = 1,
    page_size: PageSize = 100,
):
    event = _event(request, event_id)
    wanted = filters.dict()
    problems = delivery_log.filter_problems(**wanted)
    if problems:
        raise DomainError(problems)
    qs = delivery_log.event_messages(event, **wanted)
    count = qs.count()
    rows = list(qs[(page - 1) * page_size : page * page_size])
    return {
        "count": count,
        "page": page,
        "pages": max(1, -(-count // page_size)),
        "counts": [
            {"status": c["code"], "label": str(c["label"]), "n": c["n"]}
            for c in delivery_log.status_counts(event)
        ],
        "results": [_out(m) for m in rows],
    }


@router.get(
    "/events/{event_id}/messages/{message_id}",
    response={200: MessageDetailOut, **READ},
    summary="一条消息(含投递尝试)",
)
def get_message(request: HttpRequest, event_id: Id, message_id: Id):  # noqa: ANN201
    event = _event(request, event_id)
    return _out(delivery_log.message_get(event, message_id), detail=True)


@router.post(
    "/events/{event_id}/messages/{message_id}/retry",
    response={200: MessageDetailOut, **WRITE},
    summary="重新发送失败的消息(保留尝试次数)",
)
def retry_message(request: HttpRequest, event_id: Id, message_id: Id):  # noqa: ANN201
    _event(request, event_id)
    retry_on_conflict(delivery.message_retry)(actor=actor(request), event=event_id, message_id=message_id)
    return _out(delivery_log.message_get(event_id, message_id), detail=True)


@router.post(
    "/events/{event_id}/messages/{message_id}/resolve",
    response={200: MessageDetailOut, **WRITE},
    summary="处理待确认的消息:确认已送达或重新发送",
)
def resolve_message(request: HttpRequest, event_id: Id, message_id: Id, payload: ResolveIn):  # noqa: ANN201
    _event(request, event_id)
    retry_on_conflict(delivery.message_resolve)(
        actor=actor(request), event=event_id, message_id=message_id, outcome=payload.outcome
    )
    return _out(delivery_log.message_get(event_id, message_id), detail=True)
