"""API: the notices of an event (NT-1, NT-2) and the gate of 通知发布; the same services as the pages.

- ``GET /events/{event_id}/notices``: the schedule, the collaboration letters with their delivery state,
  the invitations per channel, registration open or not, the quotas, and the gate's criteria.
- ``PUT /events/{event_id}/notices/schedule/{kind}``: one notice's ``offset_minutes`` (≤ 0, before the
  start), ``channels`` and ``enabled`` (revision: ``If-Match`` or ``revision``); waiting messages follow.
- ``POST /events/{event_id}/letters/prepare``: one letter per collaborating department.
- ``POST /events/{event_id}/letters/queue``: queue every letter (T-7 days by default, ``offset_minutes``
  to override).
- ``POST /events/{event_id}/letters/{letter_id}/acknowledge``: accept a failed delivery with a ``reason``.
- ``POST /events/{event_id}/invitations``: send the invitation to guests of ``statuses``/``categories``
  on ``channels``, ``when`` now or scheduled, ``marketing`` or not.
- ``POST /events/{event_id}/reminders``: queue the reminder for every registered guest (idempotent).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import CriterionOut, ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import RegistrationSettings
from ..readiness import notification_criteria
from ..rules import OUTREACH_REFUSAL
from ..services import letters as letter_services
from ..services import schedule as schedule_services
from ..services.quotas import quota_status

router = Router(tags=["outreach: notices"])

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}

Offset = Annotated[int, Field(ge=schedule_services.OFFSET_MIN, le=0, description="相对活动开始的分钟数(≤ 0)")]
if TYPE_CHECKING:
    Code = str
    Reason = str
else:
    Code = Line(24)
    Reason = Text(letter_services.REASON_MAX)


class ScheduleOut(Schema):
    kind: str
    kind_label: str
    rule: str
    offset_minutes: int
    offset_label: str
    due_at: dt.datetime
    channels: list[str]
    enabled: bool
    revision: int
    saved: bool = Field(..., description="false:尚为按活动类型的默认值")


class MessageStateOut(Schema):
    id: int
    channel: str
    recipient: str
    status: str
    due_at: dt.datetime
    sent_at: dt.datetime | None = None
    last_error: str


class LetterTaskOut(Schema):
    title: str
    due_at: dt.datetime
    people: list[str] = Field(..., description="姓名(RACI 字母)")


class LetterOut(Schema):
    id: int | None = Field(None, description="尚未生成时为 null")
    revision: int | None = None
    department: str
    department_name: str
    contact: str | None = None
    contact_name: str | None = None
    tasks: list[LetterTaskOut]
    quota: int | None = None
    state: str = Field(..., description="sent、waiting、dead、in_doubt、unreachable、not_queued")
    state_label: str
    acknowledged: bool
    acknowledged_reason: str
    done: bool
    messages: list[MessageStateOut]


class ChannelStatsOut(Schema):
    channel: str
    queued: int
    sent: int
    waiting: int
    failed: int
    suppressed: int
    cancelled: int


class InvitationsOut(Schema):
    guests: int
    invited: int
    registered: int
    reached: int
    channels: list[ChannelStatsOut]


class GateCriterionOut(CriterionOut):
    pass


class NoticesOut(Schema):
    event_id: int
    schedule: list[ScheduleOut]
    letters: list[LetterOut]
    invitations: InvitationsOut
    reminders: list[ChannelStatsOut]
    registration_open: bool
    quotas: list[dict]
    gate: list[GateCriterionOut]
    gate_met: bool


class ScheduleIn(Schema):
    revision: Revision | None = None
    offset_minutes: Offset | None = None
    channels: list[Code] | None = Field(None, max_length=4)
    enabled: bool | None = None


class QueueIn(Schema):
    offset_minutes: Offset | None = Field(None, description="默认按通知日程(T-7 天)")


class AcknowledgeIn(Schema):
    revision: Revision | None = None
    reason: Reason


class InvitationsIn(Schema):
    channels: list[Code] = Field(..., min_length=1, max_length=3, description="email、sms、wechat")
    statuses: list[Code] = Field(["invited"], min_length=1, max_length=7, description="默认 invited")
    categories: list[Code] = Field([], max_length=6, description="默认全部类别")
    guest_ids: list[Id] | None = Field(None, max_length=100_000)
    when: Code = Field("now", description="now(立即)或 scheduled(按通知日程)")
    marketing: bool = Field(False, description="作为营销邀约:只发给已同意营销跟进的嘉宾")


class SendOut(Schema):
    guests: int
    created: int
    job_id: int | None = None


class QueuedCountOut(Schema):
    created: int


def _schedule_out(event: Event, row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "kind_label": str(row.get_kind_display()),
        "rule": schedule_services.RULES.get(row.kind, ""),
        "offset_minutes": row.offset_minutes,
        "offset_label": schedule_services.offset_text(row.offset_minutes),
        "due_at": event.starts_at + dt.timedelta(minutes=row.offset_minutes),
        "channels": list(row.channels or []),
        "enabled": row.enabled,
        "revision": row.revision,
        "saved": row.pk is not None,
    }


def _letter_out(r: letter_services.LetterRow) -> dict[str, Any]:
    c = r.content
    return {
        "id": r.letter.pk if r.letter else None,
        "revision": r.letter.revision if r.letter else None,
        "department": c.department.code,
        "department_name": c.department.display_name,
        "contact": c.contact.username if c.contact else None,
        "contact_name": c.contact.name if c.contact else None,
        "tasks": [
            {
                "title": line.task.title,
                "due_at": line.task.due_at,
                "people": [f"{p.name}({role})" for p, role in line.people],
            }
            for line in c.tasks
        ],
        "quota": c.quota.quota if c.quota else None,
        "state": r.state,
        "state_label": str(r.state_label),
        "acknowledged": r.acknowledged,
        "acknowledged_reason": r.letter.failure_acknowledged_reason if r.letter else "",
        "done": r.done,
        "messages": [
            {
                "id": m.pk,
                "channel": m.channel,
                "recipient": m.recipient,
                "status": m.status,
                "due_at": m.due_at,
                "sent_at": m.sent_at,
                "last_error": m.last_error,
            }
            for m in r.messages
        ],
    }


def _stats(rows: list[schedule_services.ChannelStats]) -> list[dict[str, Any]]:
    return [
        {
            "channel": c.channel,
            "queued": c.queued,
            "sent": c.sent,
            "waiting": c.waiting,
            "failed": c.failed,
            "suppressed": c.suppressed,
            "cancelled": c.cancelled,
        }
        for c in rows
    ]


def notices_out(event: Event) -> dict[str, Any]:
    letters = letter_services.letters_overview(event)
    criteria = notification_criteria(event, letters=letters)
    invitations = schedule_services.invitation_summary(event)
    registration = RegistrationSettings.objects.filter(event=event).first()
    return {
        "event_id": event.pk,
        "schedule": [_schedule_out(event, row) for row in schedule_services.schedule_of(event)],
        "letters": [_letter_out(r) for r in letters],
        "invitations": {
            **{k: invitations[k] for k in ("guests", "invited", "registered", "reached")},
            "channels": _stats(invitations["channels"]),
        },
        "reminders": _stats(schedule_services.message_stats(event, "reminder")),
        "registration_open": bool(registration and registration.is_open),
        "quotas": [q.as_dict() for q in quota_status(event)],
        "gate": [c.as_dict() for c in criteria],
        "gate_met": all(c.met for c in criteria),
    }


def _edit_event(request: HttpRequest, event_id: int) -> Event:
    return event_for(actor(request), event_id, Need.EDIT, message=OUTREACH_REFUSAL)


@router.get(
    "/events/{event_id}/notices",
    response={200: NoticesOut, **READ},
    summary="通知日程、协作函送达状态、邀请函与「通知发布」关口",
)
def get_notices(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return notices_out(event)


@router.put(
    "/events/{event_id}/notices/schedule/{kind}",
    response={200: ScheduleOut, **EDIT},
    summary="调整一项通知的发送时间、渠道或启用",
)
def put_schedule(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, kind: Code, payload: ScheduleIn
):
    _edit_event(request, event_id)
    row = retry_on_conflict(schedule_services.schedule_update)(
        actor=actor(request),
        event=event_id,
        kind=kind,
        seen=seen_revision(request, payload.revision),
        offset_minutes=payload.offset_minutes,
        channels=payload.channels,
        enabled=payload.enabled,
    )
    response["ETag"] = etag(row)
    return _schedule_out(Event.objects.get(pk=event_id), row)


@router.post(
    "/events/{event_id}/letters/prepare",
    response={200: list[LetterOut], **WRITE},
    summary="按 RACI 矩阵与邀约名额生成各协作部门的协作函",
)
def prepare_letters(request: HttpRequest, event_id: Id):  # noqa: ANN201
    _edit_event(request, event_id)
    retry_on_conflict(letter_services.letters_prepare)(actor=actor(request), event=event_id)
    return [_letter_out(r) for r in letter_services.letters_overview(Event.objects.get(pk=event_id))]


@router.post(
    "/events/{event_id}/letters/queue",
    response={200: QueuedCountOut, **WRITE},
    summary="发送协作函(默认活动前 7 天,NT-1)",
)
def queue_letters(request: HttpRequest, event_id: Id, payload: QueueIn):  # noqa: ANN201
    _edit_event(request, event_id)
    created = retry_on_conflict(letter_services.letters_queue)(
        actor=actor(request), event=event_id, offset_minutes=payload.offset_minutes
    )
    return {"created": created}


@router.post(
    "/events/{event_id}/letters/{letter_id}/acknowledge",
    response={200: LetterOut, **EDIT},
    summary="确认协作函送达失败并说明原因",
)
def acknowledge_letter(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, letter_id: Id, payload: AcknowledgeIn
):
    _edit_event(request, event_id)
    letter = retry_on_conflict(letter_services.letter_failure_acknowledge)(
        actor=actor(request),
        event=event_id,
        letter_id=letter_id,
        reason=payload.reason,
        seen=seen_revision(request, payload.revision),
    )
    response["ETag"] = etag(letter)
    rows = letter_services.letters_overview(Event.objects.get(pk=event_id))
    return next(_letter_out(r) for r in rows if r.letter and r.letter.pk == letter.pk)


@router.post(
    "/events/{event_id}/invitations",
    response={200: SendOut, 202: SendOut, **WRITE},
    summary="发送邀请函(NT-2)",
)
def send_invitations(request: HttpRequest, event_id: Id, payload: InvitationsIn):  # noqa: ANN201
    _edit_event(request, event_id)
    result = retry_on_conflict(schedule_services.invitations_send)(
        actor=actor(request),
        event=event_id,
        channels=payload.channels,
        statuses=payload.statuses,
        categories=payload.categories,
        guest_ids=payload.guest_ids,
        when=payload.when,
        marketing=payload.marketing,
    )
    body = {
        "guests": result.guests,
        "created": result.created,
        "job_id": result.job.pk if result.job else None,
    }
    return Status(202, body) if result.job is not None else body


@router.post(
    "/events/{event_id}/reminders",
    response={200: QueuedCountOut, **WRITE},
    summary="为所有已报名嘉宾排入活动提醒(不会重复)",
)
def queue_reminders(request: HttpRequest, event_id: Id):  # noqa: ANN201
    _edit_event(request, event_id)
    return {
        "created": retry_on_conflict(schedule_services.reminders_queue)(actor=actor(request), event=event_id)
    }
