"""Putting messages into the outbox (DESIGN.md, "The outbox"): every message is a row before it is a
delivery. The worker (``delivery``) claims and sends them; this module only writes rows.

A message's due time is absolute (``due_at``) or relative to the event's start (``offset_minutes``, then
``due_at`` is the moment in force and moving the event moves it: ``messages_follow_event``). The
idempotency key names what the message is for (``invitation:<guest>:email``): queueing the same thing
twice writes one row, so a page submitted twice or a schedule applied twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from huodong.events.models import Event

from ..models import Message

# Statuses a message can still be moved, cancelled or suppressed in (nothing has gone out yet).
WAITING = (Message.Status.PENDING, Message.Status.RETRY)
BATCH = 1000


def due_moment(event: Event | None, *, due_at: dt.datetime | None, offset_minutes: int | None) -> dt.datetime:
    """The moment a message is due: the event's start plus ``offset_minutes`` when given, else ``due_at``,
    else now."""
    if offset_minutes is not None and event is not None:
        return event.starts_at + dt.timedelta(minutes=offset_minutes)
    return due_at or timezone.now()


def enqueue(message: Message) -> tuple[Message, bool]:
    """Write ``message`` (unsaved) unless a row with its idempotency key exists; returns the row in force
    and whether it is new. ``not_before`` starts at ``due_at``."""
    if not message.not_before:
        message.not_before = message.due_at
    existing = Message.objects.filter(idempotency_key=message.idempotency_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return Message.objects.get(idempotency_key=message.idempotency_key), False
    return message, True


def enqueue_many(messages: Sequence[Message]) -> int:
    """Bulk-write unsaved messages in batches, skipping any whose idempotency key is already queued;
    returns how many rows were new."""
    for message in messages:
        if not message.not_before:
            message.not_before = message.due_at
    created = 0
    for start in range(0, len(messages), BATCH):
        chunk = list(messages[start : start + BATCH])
        keys = [m.idempotency_key for m in chunk]
        present = set(
            Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
        )
        fresh = [m for m in chunk if m.idempotency_key not in present]
        if fresh:
            Message.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
            created += len(fresh)
    return created


def messages_follow_event(event: Event) -> int:
    """Move the due time of every waiting message relative to the event's start (inside the transaction
    that moved the event). Returns how many moved."""
    waiting = Message.objects.filter(event=event, status__in=WAITING, offset_minutes__isnull=False)
    moved = 0
    for message in waiting.only("id", "offset_minutes", "due_at", "not_before", "attempts"):
        due = event.starts_at + dt.timedelta(minutes=message.offset_minutes or 0)
        if due == message.due_at:
            continue
        # A message waiting for its first try moves entirely; a retry keeps its backoff but never goes
        # out before the new due time.
        not_before = due if message.attempts == 0 else max(message.not_before, due)
        Message.objects.filter(pk=message.pk, status__in=WAITING).update(due_at=due, not_before=not_before)
        moved += 1
    return moved


def cancel_waiting(messages: Iterable[Message] | None = None, *, reason: str = "", **filters: object) -> int:
    """Cancel messages not yet sent (a cancelled registration's reminder): by ``filters`` on Message."""
    qs = Message.objects.filter(status__in=WAITING, **filters)  # type: ignore[arg-type]
    if messages is not None:
        qs = qs.filter(pk__in=[m.pk for m in messages])
    return qs.update(status=Message.Status.CANCELLED, last_error=reason or F("last_error"))
