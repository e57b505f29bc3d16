"""A guest's rights over their personal information (PIPL; DESIGN.md, "Data protection") and its retention.

- ``guest_data`` / ``guest_export_self``: everything held about the guest — details, answers, each consent
  with its notice version and times, the ticket, the messages sent to them — as JSON, from the guest's own
  ticket page; every export is written to the audit log.
- ``guest_erase``: on the guest's request (their ticket page) or an organiser's (a request by phone or
  letter, ``Need.EDIT``): an active registration ends (ticket revoked, waiting messages cancelled, the seat
  goes to the waiting list — no message is sent to the person who asked to be forgotten), then what
  identifies the person is removed: name, phone, e-mail, company, title, answers, OpenID, note; the messages
  keep their kind, channel, status and times but lose recipient and text; standing consents are marked
  withdrawn (the records themselves are kept as proof of what was agreed). The guest's link stops working.
  The row stays (anonymous) so the event's counts remain true.
- ``retention_sweep``: the same for every guest of an event that ended more than
  ``HUODONG_GUEST_RETENTION_DAYS`` (180) days ago; ``huodong worker`` runs it hourly and
  ``huodong manage outreach_retention`` on demand.

The audit log is append-only by design (the database refuses changes): entries written before an erasure
keep the name they were written with.

Lock order: the event row, then the registration settings, then the guest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.access import event_load
from huodong.events.models import Event

from .. import pipl, tickets
from ..models import Consent, Guest, GuestStatus, Message, RegistrationSettings, Ticket, new_access_key
from ..rules import outreach_event_lock
from .outbox import cancel_waiting

ERASED_NAME = "(已删除)"
ACTIVE = (GuestStatus.REGISTERED, GuestStatus.WAITLISTED, GuestStatus.INVITED)
WHAT = _("嘉宾个人信息")


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def guest_data(guest: Guest) -> dict[str, Any]:
    """What is held about ``guest``, as plain data."""
    event = guest.event
    ticket = Ticket.objects.filter(guest=guest).first()
    return {
        "event": {"name": event.name, "starts_at": _iso(event.starts_at), "venue": event.venue},
        "guest": {
            "name": guest.name,
            "company": guest.company,
            "title": guest.title,
            "phone": guest.phone,
            "email": guest.email,
            "wechat_openid": guest.wechat_openid,
            "category": guest.category,
            "status": guest.status,
            "language": guest.language,
            "source": guest.source,
            "answers": guest.answers,
            "registered_at": _iso(guest.registered_at),
            "waitlisted_at": _iso(guest.waitlisted_at),
            "cancelled_at": _iso(guest.cancelled_at),
            "created_at": _iso(guest.created_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "notice_version": c.notice_version,
                "source": c.source,
                "granted_at": _iso(c.granted_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in Consent.objects.filter(guest=guest).order_by("purpose")
        ],
        "ticket": (
            {"code": ticket.code, "issued_at": _iso(ticket.issued_at), "revoked_at": _iso(ticket.revoked_at)}
            if ticket
            else None
        ),
        "messages": [
            {
                "kind": m.kind,
                "channel": m.channel,
                "recipient": m.recipient,
                "status": m.status,
                "due_at": _iso(m.due_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in Message.objects.filter(guest=guest).order_by("due_at", "id")
        ],
        "retention_days_after_event": pipl.retention_days(),
    }


def _guest_by_key(access_key: str) -> Guest:
    guest = (
        Guest.objects.select_related("event")
        .filter(access_key=str(access_key or "")[:32], anonymised_at__isnull=True)
        .first()
    )
    if guest is None:
        raise NotFound(_("链接无效或已失效。"))
    return guest


def guest_export_self(*, access_key: str) -> tuple[str, bytes]:
    """The guest's own data as a JSON file (name, bytes); written to the audit log."""
    guest = _guest_by_key(access_key)
    body = json.dumps(guest_data(guest), ensure_ascii=False, indent=2).encode("utf-8")
    audit_record(
        actor=None,
        action="outreach.guest.export_self",
        target=guest,
        event_id=guest.event_id,
        summary=Said(_("嘉宾导出了本人的个人信息(#%(id)s)"), id=guest.pk),
    )
    return f"huodong-guest-{guest.pk}.json", body


def _lock_settings(event: Event) -> None:
    """Step 2 of the lock order (the registration settings, when the event has them)."""
    RegistrationSettings.objects.select_for_update().filter(event=event).first()


def _anonymise(guest: Guest, now: dt.datetime) -> None:
    """Remove what identifies the person (the caller holds the event, settings and guest locks)."""
    ticket = Ticket.objects.filter(guest=guest, revoked_at__isnull=True).first()
    if ticket is not None:
        tickets.revoke(ticket)
    cancel_waiting(reason="guest erased", guest=guest)
    Message.objects.filter(guest=guest).update(recipient="", subject="", body="", extras={})
    Consent.objects.filter(guest=guest, granted=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    changes: dict[str, Any] = {
        "name": ERASED_NAME,
        "company": "",
        "title": "",
        "phone": "",
        "email": "",
        "wechat_openid": "",
        "answers": {},
        "note": "",
        "sort_key": "",
        "anonymised_at": now,
        "access_key": new_access_key(),
    }
    if guest.status in ACTIVE:
        changes["status"] = GuestStatus.CANCELLED
        changes["cancelled_at"] = guest.cancelled_at or now
    for field, value in changes.items():
        setattr(guest, field, value)
    guest.revision += 1
    guest.save(update_fields=[*changes, "revision"])


def _erase(event: Event, guest: Guest, *, actor: User | None, reason: str, now: dt.datetime) -> Guest:
    held_seat = guest.status in (GuestStatus.REGISTERED, GuestStatus.WAITLISTED)
    guest_id = guest.pk
    _anonymise(guest, now)
    audit_record(
        actor=actor,
        action="outreach.guest.erase",
        target=guest,
        event_id=event.pk,
        summary=(
            Said(_("按请求删除嘉宾 #%(id)s 的个人信息:%(reason)s"), id=guest_id, reason=reason)
            if reason
            else Said(_("按本人请求删除嘉宾 #%(id)s 的个人信息"), id=guest_id)
        ),
    )
    if held_seat:
        from .registration import waitlist_move_up

        waitlist_move_up(event, actor=actor)
    return guest


@transaction.atomic
def guest_erase_self(*, access_key: str, confirm: bool) -> Guest:
    """The guest asks, from their ticket page, for their information to be deleted."""
    if not confirm:
        raise DomainError({"confirm": [_("请勾选确认:删除后无法恢复,您的报名(如有)将被取消。")]})
    found = _guest_by_key(access_key)
    event = event_load(found.event_id, lock=True)
    _lock_settings(event)
    guest = Guest.objects.select_for_update().get(pk=found.pk)
    if guest.anonymised_at is not None:
        raise NotFound(_("链接无效或已失效。"))
    return _erase(event, guest, actor=None, reason="", now=timezone.now())


@transaction.atomic
def guest_erase(*, actor: User, event: Event | int, guest_id: Any, reason: str) -> Guest:
    """An organiser deletes a guest's information at the guest's request (by phone, letter, e-mail): the
    reason (who asked, how) goes to the audit log. Allowed in any step (a request is answered whenever it
    comes) to the event's editors."""
    from huodong.events.steps import Step

    text = str(reason or "").strip()
    if not text or len(text) > 300:
        raise DomainError({"reason": [_("请写明请求的来源(谁、何时、通过什么方式提出),不超过 300 个字。")]})
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, steps=tuple(Step.values))
    _lock_settings(locked)
    try:
        pk = int(guest_id)
    except (TypeError, ValueError):
        raise NotFound(_("嘉宾不存在。")) from None
    guest = Guest.objects.select_for_update().filter(pk=pk, event=locked, anonymised_at__isnull=True).first()
    if guest is None:
        raise NotFound(_("嘉宾不存在。"))
    return _erase(locked, guest, actor=actor, reason=text, now=timezone.now())


def retention_sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Anonymise the guests of events that ended more than the retention period ago (PIPL); returns how
    many. Each event in its own transaction, in the lock order."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=pipl.retention_days())
    done = 0
    event_ids = list(
        Guest.objects.filter(anonymised_at__isnull=True, event__ends_at__lt=cutoff)
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .distinct()[:100]
    )
    for event_id in event_ids:
        with transaction.atomic():
            event = event_load(event_id, lock=True)
            _lock_settings(event)
            for guest in Guest.objects.select_for_update().filter(event=event, anonymised_at__isnull=True)[
                : limit - done
            ]:
                _anonymise(guest, now)
                done += 1
            audit_record(
                actor=None,
                action="outreach.guest.retention",
                target=event,
                event_id=event.pk,
                summary=Said(_("活动结束已满 %(days)s 天,嘉宾个人信息已匿名化"), days=pipl.retention_days()),
            )
        if done >= limit:
            break
    return done
