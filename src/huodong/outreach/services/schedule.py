"""When the notices of an event go out (NT-1, NT-2): the schedule, the invitations, the reminders.

The schedule (``NoticeSchedule``) has one row per notice, relative to the event's start, seeded from the
event type's ``schedule`` (``collaboration_letter`` → the collaboration letters, T-7 days, NT-1;
``guest_reminder`` → the reminder, T-3 days, NT-2) plus the invitation (T-14 days unless the type says
otherwise). Until the organiser changes it, the page shows the seeded values (``schedule_of``); the first
change writes the rows (``schedule_update``).

- Changing the reminder's offset or channels moves the waiting reminders (``offset_minutes``, ``due_at``,
  ``not_before`` of messages pending or waiting for a retry), cancels those on a channel taken away and
  queues the registered guests on a channel added; switching it off cancels them, on again revives them.
  Changing the letters' offset moves their waiting messages the same way; the invitations' offset moves
  the scheduled invitations.
- ``invitations_send``: the invitation to a chosen part of the guest list on chosen channels, now or at
  the scheduled moment (NT-2). Purpose "operation" (the guest is on the list for this event) unless the
  organiser marks the campaign as marketing: then only guests with a standing marketing consent receive it
  (the outbox enforces it when sending).
- ``reminders_queue``: the reminder for every registered guest (those registered before the schedule
  existed); the registration queues it for each new registration. Idempotency keys are the messaging
  module's (``reminder:<guest>:<channel>``), so nothing is queued twice.

Moving the event moves every relative message (``outbox.messages_follow_event``).
Lock order: the event (``outreach_event_lock``), then the schedule row, then messages by id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as AuditMessage
from huodong.core.audit import audit_record
from huodong.core.concurrency import row_update
from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.events.models import Event

from ..models import Channel, Guest, GuestCategory, GuestStatus, Job, Message, MessageKind, NoticeSchedule
from ..rules import outreach_event_lock
from . import messaging
from .outbox import WAITING, enqueue_many

DAY = 24 * 60
INVITATION_OFFSET_MINUTES = -14 * DAY  # the invitations two weeks before, unless the type says otherwise
REMINDER_OFFSET_MINUTES = -3 * DAY  # NT-2: the reminder three days before
LETTER_OFFSET_MINUTES = -7 * DAY  # NT-1: the collaboration letter a week before
OFFSET_MIN = -365 * DAY
GUEST_CHANNELS = (Channel.EMAIL.value, Channel.SMS.value, Channel.WECHAT.value)
LETTER_CHANNELS = (Channel.EMAIL.value, Channel.ROBOT.value)
# The notices of the schedule, in the page's order, with their default offset and channels.
SCHEDULE_KINDS: dict[str, tuple[int, tuple[str, ...]]] = {
    MessageKind.INVITATION.value: (INVITATION_OFFSET_MINUTES, GUEST_CHANNELS),
    MessageKind.COLLABORATION_LETTER.value: (LETTER_OFFSET_MINUTES, LETTER_CHANNELS),
    MessageKind.REMINDER.value: (REMINDER_OFFSET_MINUTES, GUEST_CHANNELS),
}
# The event type's schedule codes that are notices (the others are tasks: meeting, rehearsal...).
TYPE_CODES = {
    "collaboration_letter": MessageKind.COLLABORATION_LETTER.value,
    "guest_reminder": MessageKind.REMINDER.value,
    "invitation": MessageKind.INVITATION.value,
}
RULES = {
    MessageKind.INVITATION.value: "NT-2",
    MessageKind.COLLABORATION_LETTER.value: "NT-1",
    MessageKind.REMINDER.value: "NT-2",
}
WHAT = _("通知日程")
SCHEDULE_CANCEL = "schedule"  # Message.last_error of a message the schedule cancelled (revived with it)
NOW, SCHEDULED = "now", "scheduled"


# ---------------------------------------------------------------- the schedule
def _type_defaults(event: Event) -> dict[str, int]:
    out = {}
    for item in event.event_type.schedule or []:
        kind = TYPE_CODES.get(str(item.get("code", "")))
        offset = item.get("offset_minutes")
        if kind and isinstance(offset, int) and not isinstance(offset, bool) and OFFSET_MIN <= offset <= 0:
            out[kind] = offset
    return out


def schedule_defaults(event: Event) -> list[NoticeSchedule]:
    """The seeded rows (unsaved): the type's offsets, else the defaults; every channel."""
    offsets = _type_defaults(event)
    return [
        NoticeSchedule(
            event=event, kind=kind, offset_minutes=offsets.get(kind, offset), channels=list(channels)
        )
        for kind, (offset, channels) in SCHEDULE_KINDS.items()
    ]


def schedule_of(event: Event) -> list[NoticeSchedule]:
    """The event's schedule in the page's order: the rows written, the seeded values for the others
    (unsaved, revision 1)."""
    rows = {r.kind: r for r in NoticeSchedule.objects.filter(event=event)}
    return [rows.get(d.kind, d) for d in schedule_defaults(event)]


def schedule_row(event: Event, kind: str) -> NoticeSchedule | None:
    return next((r for r in schedule_of(event) if r.kind == kind), None)


def schedule_seed(event: Event) -> dict[str, NoticeSchedule]:
    """Write the seeded rows the event does not have (inside the caller's transaction, event locked)."""
    rows = {r.kind: r for r in NoticeSchedule.objects.select_for_update().filter(event=event)}
    for default in schedule_defaults(event):
        if default.kind not in rows:
            try:
                with transaction.atomic():
                    default.save(force_insert=True)
            except IntegrityError:
                default = NoticeSchedule.objects.select_for_update().get(event=event, kind=default.kind)
            rows[default.kind] = default
    return rows


def _kind_check(kind: Any) -> str:
    if kind not in SCHEDULE_KINDS:
        allowed = "、".join(f"{k}({MessageKind(k).label})" for k in SCHEDULE_KINDS)
        raise DomainError({"kind": [_("通知须为以下之一:%(allowed)s。") % {"allowed": allowed}]})
    return str(kind)


def _channels_check(kind: str, channels: Any, errors: dict[str, list[Any]], *, required: bool) -> list[str]:
    allowed = SCHEDULE_KINDS[kind][1]
    names = "、".join(f"{c}({Channel(c).label})" for c in allowed)
    if not isinstance(channels, list | tuple) or not all(isinstance(c, str) for c in channels):
        errors["channels"] = [_("渠道须为以下若干项:%(allowed)s。") % {"allowed": names}]
        return []
    unknown = [c for c in channels if c not in allowed]
    if unknown:
        errors["channels"] = [
            _("未知的渠道「%(c)s」;可选:%(allowed)s。") % {"c": "、".join(unknown), "allowed": names}
        ]
        return []
    if required and not channels:
        errors["channels"] = [_("请至少选择一个渠道(可选:%(allowed)s)。") % {"allowed": names}]
    return [c for c in allowed if c in channels]


def offset_text(offset_minutes: int) -> str:
    """T-7 天 / T-3 天 12 小时 / T-30 分钟."""
    minutes = -offset_minutes
    days, rest = divmod(minutes, DAY)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(str(_("%(n)s 天") % {"n": days}))
    if hours:
        parts.append(str(_("%(n)s 小时") % {"n": hours}))
    if mins or not parts:
        parts.append(str(_("%(n)s 分钟") % {"n": mins}))
    return "T-" + " ".join(parts)


def _follow(event: Event, kind: str, offset: int, *, floor_now: bool) -> int:
    """Move the waiting messages of ``kind`` that follow the schedule to ``offset``."""
    due = event.starts_at + dt.timedelta(minutes=offset)
    if floor_now:
        due = max(due, timezone.now())
    moved = 0
    waiting = Message.objects.select_for_update().filter(
        event=event, kind=kind, status__in=WAITING, offset_minutes__isnull=False
    )
    for m in waiting.only("id", "attempts", "not_before").order_by("id"):
        not_before = due if m.attempts == 0 else max(m.not_before, due)
        moved += Message.objects.filter(pk=m.pk, status__in=WAITING).update(
            offset_minutes=offset, due_at=due, not_before=not_before
        )
    return moved


def _cancel(event: Event, kind: str, channels: list[str] | None = None) -> int:
    qs = Message.objects.filter(event=event, kind=kind, status__in=WAITING)
    if channels is not None:
        qs = qs.filter(channel__in=channels)
    return qs.update(status=Message.Status.CANCELLED, last_error=SCHEDULE_CANCEL)


@transaction.atomic
def schedule_update(
    *,
    actor: User | None,
    event: Event | int,
    kind: str,
    seen: int | None,
    offset_minutes: Any = None,
    channels: Any = None,
    enabled: Any = None,
    system: bool = False,
) -> NoticeSchedule:
    """Change one notice's offset (minutes before the start, ≤ 0), channels or whether it is sent; the
    waiting messages of that notice follow (see the module's docstring)."""
    kind = _kind_check(kind)
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = schedule_seed(locked)[kind]
    errors: dict[str, list[Any]] = {}
    changes: dict[str, Any] = {}
    if offset_minutes is not None:
        if (
            isinstance(offset_minutes, bool)
            or not isinstance(offset_minutes, int)
            or not OFFSET_MIN <= offset_minutes <= 0
        ):
            errors["offset_minutes"] = [_("发送时间须在活动开始前 0 到 365 天之间。")]
        else:
            changes["offset_minutes"] = offset_minutes
    if channels is not None:
        chosen = _channels_check(kind, channels, errors, required=True)
        if "channels" not in errors:
            changes["channels"] = chosen
    if enabled is not None:
        if not isinstance(enabled, bool):
            errors["enabled"] = [_("启用须为是或否。")]
        else:
            changes["enabled"] = enabled
    if errors:
        raise DomainError(errors)
    before_channels = list(row.channels or [])
    before_enabled = row.enabled
    label = _("「%(kind)s」的发送日程") % {"kind": MessageKind(kind).label}
    written = row_update(
        row,
        changes=changes,
        seen=seen,
        actor=actor,
        action="outreach.schedule.update",
        label=label,
        event_id=locked.pk,
        system=system,
    )
    if not written:
        return row
    if kind == MessageKind.REMINDER:
        _reminders_follow(locked, row, before_channels, before_enabled, actor)
    elif kind == MessageKind.COLLABORATION_LETTER:
        if not row.enabled:
            _cancel(locked, kind)
        else:
            _follow(locked, kind, row.offset_minutes, floor_now=True)
            removed = [c for c in before_channels if c not in row.channels]
            if removed:
                _cancel(locked, kind, removed)
    else:
        if "offset_minutes" in written:
            _follow(locked, kind, row.offset_minutes, floor_now=False)
    return row


def _reminders_follow(
    event: Event, row: NoticeSchedule, before_channels: list[str], before_enabled: bool, actor: User | None
) -> None:
    if not row.enabled:
        _cancel(event, MessageKind.REMINDER)
        return
    _follow(event, MessageKind.REMINDER, row.offset_minutes, floor_now=False)
    removed = [c for c in before_channels if c not in row.channels]
    if removed:
        _cancel(event, MessageKind.REMINDER, removed)
    added = [c for c in row.channels if c not in before_channels]
    if added or not before_enabled:
        _reminders(event, row, actor, channels=row.channels if not before_enabled else added)


def registered_guests(event: Event) -> QuerySet[Guest]:
    """The guests a reminder goes to: registered and not cancelled (NT-2)."""
    return Guest.objects.filter(event=event, status=GuestStatus.REGISTERED).select_related("ticket")


def _reminders(event: Event, row: NoticeSchedule, actor: User | None, *, channels: list[str]) -> int:
    """Queue (or revive, when the schedule had cancelled it) the reminder of every registered guest."""
    due = event.starts_at + dt.timedelta(minutes=row.offset_minutes)
    revived = Message.objects.filter(
        event=event,
        kind=MessageKind.REMINDER,
        status=Message.Status.CANCELLED,
        last_error=SCHEDULE_CANCEL,
        channel__in=channels,
        guest__status=GuestStatus.REGISTERED,
    ).update(
        status=Message.Status.PENDING,
        last_error="",
        offset_minutes=row.offset_minutes,
        due_at=due,
        not_before=due,
        attempts=0,
    )
    guests = list(registered_guests(event))
    messages = messaging.guest_messages(
        event,
        guests,
        MessageKind.REMINDER,
        channels=channels,
        offset_minutes=row.offset_minutes,
        purpose=Message.Purpose.OPERATION,
        actor=actor,
    )
    return enqueue_many(messages) + revived


@transaction.atomic
def reminders_queue(*, actor: User | None, event: Event | int, system: bool = False) -> int:
    """Queue the reminder now for every registered guest on the schedule's channels, at the schedule's
    offset (NT-2: T-3 days) — for guests registered before the schedule existed. Idempotent: a guest
    already reminded (or waiting for it) gets nothing more. Returns how many messages were new."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = schedule_seed(locked)[MessageKind.REMINDER]
    if not row.enabled:
        raise DomainError({"__all__": [_("活动提醒已停用;请先在通知日程中启用。")]})
    created = _reminders(locked, row, actor, channels=list(row.channels or []))
    audit_record(
        actor=actor,
        action="outreach.reminders.queue",
        target=locked,
        event_id=locked.pk,
        summary=AuditMessage(_("为已报名嘉宾排入活动提醒(新增 %(n)s 条)"), n=created),
        after={"created": created, "offset_minutes": row.offset_minutes, "channels": row.channels},
    )
    return created


# ---------------------------------------------------------------- invitations (NT-2)
@dataclass
class InvitationSend:
    """What ``invitations_send`` did: the guests chosen, the messages new (or the background job)."""

    guests: int
    created: int
    job: Job | None = None
    via: str = "direct"  # "guests_send" when the guests service did the sending


def _invitation_guests(
    event: Event, *, statuses: list[str], categories: list[str] | None, guest_ids: list[int] | None
) -> QuerySet[Guest]:
    qs = Guest.objects.filter(event=event, status__in=statuses)
    if categories:
        qs = qs.filter(category__in=categories)
    if guest_ids:
        qs = qs.filter(pk__in=guest_ids)
    return qs.select_related("ticket").order_by("id")


def _send_service() -> Any:
    try:
        from .guests import guests_send
    except ImportError:
        return None
    return guests_send


@transaction.atomic
def invitations_send(
    *,
    actor: User | None,
    event: Event | int,
    channels: Any,
    statuses: Any = (GuestStatus.INVITED.value,),
    categories: Any = None,
    guest_ids: Any = None,
    when: str = NOW,
    marketing: bool = False,
    system: bool = False,
) -> InvitationSend:
    """Invite the guests of ``statuses`` (default: invited, not yet registered) and ``categories`` (default
    all) on ``channels``, ``when`` now or at the schedule's moment (T-14 days by default; moving the event
    moves them). ``marketing`` sends it as marketing: only guests with a standing marketing consent receive
    it. A guest already sent (or waiting for) an invitation on a channel gets nothing more there."""
    locked = outreach_event_lock(actor=actor, event=event, what=_("邀请函"), system=system)
    errors: dict[str, list[Any]] = {}
    chosen = _channels_check(MessageKind.INVITATION, list(channels or []), errors, required=True)
    statuses = list(statuses or [])
    if not statuses or any(s not in GuestStatus.values for s in statuses):
        allowed = "、".join(f"{v}({label})" for v, label in GuestStatus.choices)
        errors["statuses"] = [_("嘉宾状态须为以下若干项:%(allowed)s。") % {"allowed": allowed}]
    categories = list(categories or [])
    if any(c not in GuestCategory.values for c in categories):
        allowed = "、".join(f"{v}({label})" for v, label in GuestCategory.choices)
        errors["categories"] = [_("嘉宾类别须为以下若干项:%(allowed)s。") % {"allowed": allowed}]
    if when not in (NOW, SCHEDULED):
        errors["when"] = [_("发送时间须为 now(立即)或 scheduled(按日程)。")]
    if not isinstance(marketing, bool):
        errors["marketing"] = [_("营销须为是或否。")]
    if errors:
        raise DomainError(errors)
    ids = [int(i) for i in guest_ids] if guest_ids else None
    guests = _invitation_guests(locked, statuses=statuses, categories=categories, guest_ids=ids)
    count = guests.count()
    if count == 0:
        raise DomainError({"statuses": [_("没有符合条件的嘉宾;请调整状态或类别。")]})
    row = schedule_seed(locked)[MessageKind.INVITATION]
    offset = row.offset_minutes if when == SCHEDULED else None
    purpose = Message.Purpose.MARKETING if marketing else Message.Purpose.OPERATION
    send = _send_service()
    if send is not None:
        result = send(
            actor=actor,
            event=locked,
            guest_ids=list(guests.values_list("pk", flat=True)),
            kind=MessageKind.INVITATION,
            channels=chosen,
            due_at=None,
            offset_minutes=offset,
            purpose=purpose,
            system=system,
        )
        if isinstance(result, Job):
            return InvitationSend(count, 0, result, "guests_send")
        return InvitationSend(count, int(result), None, "guests_send")
    created = 0
    batch: list[Guest] = []
    for guest in guests.iterator(chunk_size=2000):
        batch.append(guest)
        if len(batch) >= 2000:
            created += _queue_invitations(locked, batch, chosen, offset, purpose, actor)
            batch = []
    if batch:
        created += _queue_invitations(locked, batch, chosen, offset, purpose, actor)
    outcome = InvitationSend(count, created)
    audit_record(
        actor=actor,
        action="outreach.invitations.send",
        target=locked,
        event_id=locked.pk,
        summary=AuditMessage(_("发送邀请函给 %(n)s 位嘉宾"), n=count),
        after={
            "guests": count,
            "created": outcome.created,
            "channels": chosen,
            "statuses": statuses,
            "categories": categories,
            "when": when,
            "purpose": purpose,
        },
    )
    return outcome


def _queue_invitations(
    event: Event,
    guests: list[Guest],
    channels: list[str],
    offset: int | None,
    purpose: str,
    actor: User | None,
) -> int:
    messages = messaging.guest_messages(
        event,
        guests,
        MessageKind.INVITATION,
        channels=channels,
        offset_minutes=offset,
        purpose=purpose,
        actor=actor,
    )
    return enqueue_many(messages)


# ---------------------------------------------------------------- what the page shows
FAILED = (Message.Status.DEAD, Message.Status.IN_DOUBT)


@dataclass
class ChannelStats:
    channel: str
    queued: int = 0
    sent: int = 0
    waiting: int = 0
    failed: int = 0
    suppressed: int = 0
    cancelled: int = 0

    @property
    def label(self) -> Any:
        return Channel(self.channel).label


def message_stats(event: Event, kind: str) -> list[ChannelStats]:
    """Per channel, how many messages of ``kind`` were queued, sent, are waiting, failed or were held
    back (no consent) or cancelled."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in (
        Message.objects.filter(event=event, kind=kind).values("channel", "status").annotate(n=Count("id"))
    ):
        counts[row["channel"]][row["status"]] += row["n"]
    out = []
    for channel in messaging.KIND_CHANNELS.get(kind, ()):
        c = counts.get(channel, Counter())
        out.append(
            ChannelStats(
                channel,
                queued=sum(c.values()),
                sent=c[Message.Status.SENT],
                waiting=sum(c[s] for s in (*WAITING, Message.Status.CLAIMED, Message.Status.SENDING)),
                failed=sum(c[s] for s in FAILED),
                suppressed=c[Message.Status.SUPPRESSED],
                cancelled=c[Message.Status.CANCELLED],
            )
        )
    return out


def invitation_summary(event: Event) -> dict[str, Any]:
    """The guests by status and how many were invited (an invitation queued on any channel)."""
    by_status = dict(
        Guest.objects.filter(event=event)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    invited_guests = (
        Message.objects.filter(event=event, kind=MessageKind.INVITATION, guest__isnull=False)
        .values("guest")
        .distinct()
        .count()
    )
    return {
        "guests": sum(by_status.values()),
        "by_status": by_status,
        "invited": by_status.get(GuestStatus.INVITED, 0),
        "registered": by_status.get(GuestStatus.REGISTERED, 0) + by_status.get(GuestStatus.CHECKED_IN, 0),
        "reached": invited_guests,
        "channels": message_stats(event, MessageKind.INVITATION),
    }
