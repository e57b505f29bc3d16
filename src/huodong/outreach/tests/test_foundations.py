"""The shared parts of outreach: phone and e-mail rules, ticket tokens, calendar entries, templates and the
outbox's idempotent enqueue.

- Phone numbers: mainland mobiles with or without +86/0086 and spaces, international numbers; a landline,
  a short or a malformed number refused with the value named. E-mail syntax, lower-cased.
- Tokens: signed with the event's Ed25519 key, verified offline; a forged token (another key), a tampered
  one (any byte of payload or signature flipped), a superseded version or a revoked ticket are refused.
  The QR image decodes (zxing-cpp) back to the token.
- .ics: a stable UID, SEQUENCE larger after the event or the guest changes, METHOD CANCEL.
- Templates: unknown placeholders and bad braces refused; rendering per language.
- The outbox: the same idempotency key queues one row; moving the event moves relative messages.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image

from huodong.events.steps import Step
from huodong.outreach import calendar, contact, tickets
from huodong.outreach.models import Guest, Message, MessageKind, RegistrationSettings
from huodong.outreach.services import messaging, outbox
from huodong.planning.tests.conftest import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return make_event(organiser, step=Step.NOTIFICATION)


@pytest.fixture
def guest(event):
    return Guest.objects.create(
        event=event, name="张三", phone="+8613812345678", email="zhang@example.com", company="华东制造"
    )


# ---------------------------------------------------------------- phones and e-mail (NT-2: reachable guests)
@pytest.mark.parametrize(
    "raw, e164",
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("+44 7911 123456", "+447911123456"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("", ""),
    ],
)
def test_phone_numbers_normalised(raw, e164):
    assert contact.normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "abc", "+86 010 6552 9988", "12345"])
def test_bad_phone_numbers_refused_naming_the_value(raw):
    with pytest.raises(ValueError) as caught:
        contact.normalise_phone(raw)
    assert raw in str(caught.value)


def test_email_checked_and_lower_cased():
    assert contact.normalise_email(" Zhang.San@Example.COM ") == "zhang.san@example.com"
    for bad in ("zhang", "zhang@", "@example.com", "zhang san@example.com"):
        with pytest.raises(ValueError):
            contact.normalise_email(bad)


def test_masks_for_on_site_staff():
    assert contact.mask_phone("+8613812345678") == "138****5678"
    assert contact.phone_tail("+8613812345678") == "5678"
    assert contact.mask_email("zhang@example.com") == "z***@example.com"
    assert contact.display_phone("+8613812345678") == "13812345678"


# ---------------------------------------------------------------- tickets
def test_token_signed_and_verified_offline(guest):
    ticket = tickets.issue(guest)
    token = tickets.token_for(ticket)
    public = tickets.event_key(guest.event_id).public_key
    claims = tickets.verify(token, public)
    assert (claims.event_id, claims.guest_id, claims.version) == (guest.event_id, guest.pk, 1)
    assert tickets.ticket_for_token(token, guest.event_id) == ticket
    assert len(token) == 110


def test_forged_and_tampered_tokens_refused(guest, organiser):
    ticket = tickets.issue(guest)
    token = tickets.token_for(ticket)
    public = tickets.event_key(guest.event_id).public_key
    # Forged: the same claims signed with another key.
    other = make_event(organiser, step=Step.NOTIFICATION, name="另一场")
    forged = tickets.sign(tickets.verify(token, public), tickets.event_key(other.pk).private_key)
    with pytest.raises(tickets.InvalidTicket):
        tickets.verify(forged, public)
    with pytest.raises(tickets.InvalidTicket):
        tickets.ticket_for_token(forged)
    # Tampered: every character of payload and signature changed in turn.
    head = len(tickets.PREFIX) + 1
    for i in range(head, len(token)):
        if token[i] == ".":
            continue
        flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        with pytest.raises(tickets.InvalidTicket):
            tickets.ticket_for_token(flipped)
    for junk in ("", "HD1", "HD1..", "XX1.AAAA.BBBB", token + "x", "HD1.!!!.???"):
        with pytest.raises(tickets.InvalidTicket):
            tickets.ticket_for_token(junk)
    with pytest.raises(tickets.InvalidTicket):
        tickets.ticket_for_token(token, event_id=other.pk)


def test_revoked_ticket_refused_and_reissue_supersedes(guest):
    ticket = tickets.issue(guest)
    first = tickets.token_for(ticket)
    tickets.revoke(ticket)
    with pytest.raises(tickets.InvalidTicket):
        tickets.ticket_for_token(first)
    again = tickets.issue(guest)
    assert again.version == 2 and again.code == ticket.code
    with pytest.raises(tickets.InvalidTicket):
        tickets.ticket_for_token(first)  # the old QR stays void
    assert tickets.ticket_for_token(tickets.token_for(again)) == again


def test_qr_decodes_to_the_token(guest):
    token = tickets.token_for(tickets.issue(guest))
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(tickets.qr_png(token))))
    assert [r.text for r in found] == [token]
    assert tickets.verify(found[0].text, tickets.event_key(guest.event_id).public_key).guest_id == guest.pk


def test_short_codes_unique_and_forgiving(guest, event):
    codes = {tickets.issue(Guest.objects.create(event=event, name=f"客{i}")).code for i in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 8 and set(c) <= set(tickets.CODE_ALPHABET) for c in codes)
    assert tickets.normalise_code("ab-cd o1il") == "ABCD0111"


# ---------------------------------------------------------------- calendar
def test_ics_uid_stable_sequence_grows_and_cancel(guest):
    first = Calendar.from_ical(calendar.ics_for(guest))
    entry = first.walk("VEVENT")[0]
    assert str(first["METHOD"]) == "REQUEST"
    uid, seq = str(entry["UID"]), int(entry["SEQUENCE"])
    event = guest.event
    event.starts_at += dt.timedelta(days=1)
    event.ends_at += dt.timedelta(days=1)
    event.revision += 1
    event.save()
    guest.refresh_from_db()
    moved = Calendar.from_ical(calendar.ics_for(guest)).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) > seq
    assert moved.decoded("DTSTART") == event.starts_at
    cancel = Calendar.from_ical(calendar.ics_for(guest, calendar.CANCEL))
    assert str(cancel["METHOD"]) == "CANCEL" and str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


# ---------------------------------------------------------------- templates
def test_unknown_placeholder_and_bad_braces_refused():
    assert messaging.template_problems("尊敬的{guest_name},{event}") == []
    problems = messaging.template_problems("Hi {guest}", "{event.owner} {time!r} {place:>10}", "{oops")
    text = " ".join(problems)
    assert "{guest}" in text and "{event.owner}" in text and "{time}" in text and "花括号" in text
    assert "{guest_name}" in problems[0]  # the allowed ones are listed


def test_render_in_the_guest_language(guest, event):
    RegistrationSettings.objects.create(event=event, highlights="新品首发", notes="请提前 30 分钟到场")
    guest.language = "en"
    guest.save()
    zh = Guest.objects.create(event=event, name="李四", email="li@example.com")
    rows = messaging.guest_messages(event, [guest, zh], MessageKind.INVITATION)
    by_guest = {m.guest_id: m for m in rows if m.channel == "email"}
    assert by_guest[guest.pk].subject.startswith("You are invited") and "Dear 张三" in by_guest[guest.pk].body
    assert by_guest[zh.pk].subject.startswith("诚邀") and "新品首发" in by_guest[zh.pk].body
    assert "/r/" in by_guest[zh.pk].body  # the registration link
    channels = sorted(m.channel for m in rows if m.guest_id == guest.pk)
    assert channels == ["email", "sms"]  # no OpenID: no WeChat


# ---------------------------------------------------------------- the outbox
def test_same_key_queues_one_row(guest):
    first = messaging.queue_guest_message(guest, MessageKind.REMINDER, offset_minutes=-3 * 24 * 60)
    again = messaging.queue_guest_message(guest, MessageKind.REMINDER, offset_minutes=-3 * 24 * 60)
    assert [m.pk for m in first] == [m.pk for m in again]
    assert Message.objects.filter(guest=guest).count() == 2  # e-mail and SMS
    rows = messaging.guest_messages(guest.event, [guest], MessageKind.REMINDER, offset_minutes=-4320)
    assert outbox.enqueue_many(rows) == 0


def test_moving_the_event_moves_waiting_relative_messages(guest):
    # REQ: NT-2 — the reminder is T-3 days and follows the event.
    event = guest.event
    (reminder, *_), (now_msg, *_) = (
        messaging.queue_guest_message(guest, MessageKind.REMINDER, offset_minutes=-4320, channels=["email"]),
        messaging.queue_guest_message(guest, MessageKind.CONFIRMATION, channels=["email"]),
    )
    assert reminder.due_at == event.starts_at - dt.timedelta(days=3)
    event.starts_at += dt.timedelta(days=2)
    event.ends_at += dt.timedelta(days=2)
    event.save()
    assert outbox.messages_follow_event(event) == 1
    reminder.refresh_from_db()
    now_msg_due = now_msg.due_at
    now_msg.refresh_from_db()
    assert reminder.due_at == reminder.not_before == event.starts_at - dt.timedelta(days=3)
    assert now_msg.due_at == now_msg_due  # absolute: stays
    Message.objects.filter(pk=reminder.pk).update(status=Message.Status.SENT)
    event.starts_at += dt.timedelta(days=1)
    event.ends_at += dt.timedelta(days=1)
    event.save()
    assert outbox.messages_follow_event(event) == 0  # a sent message is history
