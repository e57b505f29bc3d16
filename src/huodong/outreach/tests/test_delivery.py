"""The outbox's delivery (DESIGN.md, "The outbox"; NT-2): a real SMTP server receives the confirmation
with its .ics (parsed with icalendar) and its inline QR (decoded with zxing-cpp, the signature verified
with the event's public key); SMTP down or a refused recipient is retried with backoff, then dead with the
server's words, never lost; consent and cancellation are re-checked at send time; a row a dead worker left
is released or put in doubt, never sent twice; the organiser retries a dead letter and decides one in
doubt."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from huodong.outreach import delivery, tickets
from huodong.outreach.models import Consent, DeliveryAttempt, GuestStatus, Message
from huodong.outreach.tests.test_delivery_fixtures import (  # noqa: F401  (fixtures)
    add_guest,
    deliverer,
    free_port,
    outbox_event,
    queue,
    smtp,
)

pytestmark = pytest.mark.django_db
S = Message.Status


def _ics_of(mail):
    from icalendar import Calendar

    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") in ("REQUEST", "CANCEL")
    return Calendar.from_ical(part.get_payload(decode=True)), part.get_param("method")


def test_a_confirmation_reaches_a_real_smtp_server_with_its_ics_and_qr(outbox_event, smtp):  # REQ: NT-2
    import zxingcpp
    from PIL import Image

    guest = add_guest(outbox_event)
    ticket = tickets.issue(guest)
    (row,) = queue(guest, "confirmation")
    assert row.extras == {"ics": "REQUEST", "qr": True}

    outcomes = deliverer().run_once()

    assert outcomes == {"sent": 1}
    row.refresh_from_db()
    assert row.status == S.SENT and row.sent_at and row.attempts == 1
    assert row.provider_id.startswith("250")
    assert row.attempt_log.get().outcome == DeliveryAttempt.Outcome.SENT
    (mail,) = smtp.handler.parsed()
    assert mail["To"].addresses[0].addr_spec == "guest1@example.com"
    assert mail["Message-ID"] == delivery_message_id(row)
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "嘉宾1" in text and ticket.code in text
    assert "<br>" in html and 'src="cid:ticket-qr"' in html
    # the .ics: METHOD:REQUEST, a stable UID, the event's time
    cal, method = _ics_of(mail)
    assert method == "REQUEST" and str(cal["method"]) == "REQUEST"
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["uid"]) == f"huodong-{outbox_event.pk}-{guest.pk}@huodong.local"
    assert vevent.decoded("dtstart") == outbox_event.starts_at
    # the inline QR decodes to a token signed with the event's key
    png = next(p for p in mail.walk() if p.get_content_type() == "image/png")
    assert png["Content-ID"] == "<ticket-qr>"
    import io

    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.get_payload(decode=True))))
    public = base64.urlsafe_b64decode(tickets.public_key_b64(outbox_event.pk) + "==")
    claims = tickets.verify(found.text, public)
    assert (claims.event_id, claims.guest_id, claims.version) == (outbox_event.pk, guest.pk, ticket.version)


def delivery_message_id(row: Message) -> str:
    from huodong.outreach.channels.email import message_id_for

    return message_id_for(row.idempotency_key)


def test_the_ics_sequence_grows_after_a_change_and_a_cancellation_sends_method_cancel(
    outbox_event, smtp
):  # REQ: NT-2
    guest = add_guest(outbox_event)
    tickets.issue(guest)
    queue(guest, "confirmation")
    deliverer().run_once()
    type(outbox_event).objects.filter(pk=outbox_event.pk).update(revision=outbox_event.revision + 1)
    queue(guest, "update", key="r2")
    deliverer().run_once()
    guest.status = GuestStatus.CANCELLED
    guest.revision += 1
    guest.save()
    queue(guest, "cancellation")
    deliverer().run_once()

    first, second, third = (_ics_of(m) for m in smtp.handler.parsed())
    uids = {str(c.walk("VEVENT")[0]["uid"]) for c, _m in (first, second, third)}
    sequences = [int(c.walk("VEVENT")[0]["sequence"]) for c, _m in (first, second, third)]
    assert len(uids) == 1
    assert sequences[0] < sequences[1] < sequences[2]
    assert [m for _c, m in (first, second, third)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert str(third[0].walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_an_invitation_email_has_text_and_html_parts_with_the_body_escaped(outbox_event, smtp):  # REQ: NT-2
    guest = add_guest(outbox_event, name="<b>王</b>")
    (row,) = queue(guest, "invitation")
    deliverer().run_once()
    (mail,) = smtp.handler.parsed()
    assert "&lt;b&gt;王&lt;/b&gt;" in mail.get_body(("html",)).get_content()
    assert "新品首发" in mail.get_body(("plain",)).get_content()
    assert not any(p.get_content_type() == "text/calendar" for p in mail.walk())


def test_smtp_down_is_retried_with_backoff_then_dead_with_the_error_never_lost(outbox_event, settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.HUODONG_OUTBOX_MAX_ATTEMPTS = 3
    settings.HUODONG_OUTBOX_RETRY_SECONDS = 30
    (row,) = queue(add_guest(outbox_event), "invitation")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert deliverer().run_once() == {"retry": 1}
        row.refresh_from_db()
        assert row.status == S.RETRY and row.attempts == 1
        assert "Connection refused" in row.last_error or "111" in row.last_error
        assert dt.timedelta(seconds=24) <= row.not_before - start <= dt.timedelta(seconds=36)
        assert deliverer().run_once() == {}  # not due yet
        clock.shift(dt.timedelta(seconds=37))
        assert deliverer().run_once() == {"retry": 1}
        row.refresh_from_db()
        waited = row.not_before - timezone.now()
        assert dt.timedelta(seconds=48) <= waited <= dt.timedelta(seconds=72)  # doubled
        clock.shift(dt.timedelta(seconds=73))
        assert deliverer().run_once() == {"dead": 1}
    row.refresh_from_db()
    assert row.status == S.DEAD and row.attempts == 3 and row.last_error
    assert row.attempt_log.count() == 3


def test_a_refused_recipient_is_retried_then_dead_with_the_servers_words(outbox_event, smtp, settings):
    settings.HUODONG_OUTBOX_MAX_ATTEMPTS = 2
    smtp.handler.refuse.add("nobody@example.com")
    refused = add_guest(outbox_event, 1, email="nobody@example.com")
    fine = add_guest(outbox_event, 2)
    queue(refused, "invitation")
    queue(fine, "invitation")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert deliverer().run_once() == {"retry": 1, "sent": 1}
        clock.shift(dt.timedelta(hours=1))
        assert deliverer().run_once() == {"dead": 1}
    dead = Message.objects.get(guest=refused)
    assert dead.status == S.DEAD
    assert dead.last_error.startswith("550") and "User unknown" in dead.last_error
    assert Message.objects.get(guest=fine).status == S.SENT
    assert smtp.handler.count() == 1  # the connection survived the refusal


def test_a_withdrawn_consent_suppresses_the_message_at_send_time(outbox_event, smtp):
    guest = add_guest(outbox_event)
    (marketing,) = queue(guest, "invitation", purpose="marketing", key="m")
    (operation,) = queue(guest, "reminder")
    Consent.objects.create(guest=guest, purpose="operation", granted=True, withdrawn_at=timezone.now())
    assert deliverer().run_once() == {"suppressed": 2}
    for row in (marketing, operation):
        row.refresh_from_db()
        assert row.status == S.SUPPRESSED and "同意" in row.last_error
    assert smtp.handler.count() == 0


def test_marketing_goes_out_with_a_standing_consent(outbox_event, smtp):
    guest = add_guest(outbox_event)
    Consent.objects.create(guest=guest, purpose="marketing", granted=True, granted_at=timezone.now())
    (row,) = queue(guest, "invitation", purpose="marketing")
    assert deliverer().run_once() == {"sent": 1}


def test_a_cancelled_guests_reminder_is_cancelled_but_the_cancellation_goes(outbox_event, smtp):
    guest = add_guest(outbox_event, status=GuestStatus.CANCELLED)
    (reminder,) = queue(guest, "reminder")
    (cancellation,) = queue(guest, "cancellation")
    assert deliverer().run_once() == {"cancelled": 1, "sent": 1}
    reminder.refresh_from_db()
    assert reminder.status == S.CANCELLED


def test_claimed_rows_of_a_dead_worker_come_back_after_the_lease_and_go_once(outbox_event, smtp):
    rows = [queue(add_guest(outbox_event, n), "invitation")[0] for n in range(1, 4)]
    now = timezone.now()
    assert delivery.claim("dead-worker", 10, now=now) == [r.pk for r in rows]
    assert delivery.claim("other", 10, now=now) == []  # nobody takes a claimed row
    assert deliverer().run_once() == {}
    later = now + delivery.lease() + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert deliverer().run_once() == {"sent": 3}
    assert sorted(smtp.handler.keys()) == sorted(r.idempotency_key for r in rows)


def test_a_sending_row_left_behind_is_in_doubt_on_smtp_and_sent_again_where_the_provider_dedupes(
    outbox_event, smtp, settings
):
    settings.HUODONG_SMS_BACKEND = "http"
    guest = add_guest(outbox_event)
    (mail,) = queue(guest, "invitation")
    (sms,) = queue(guest, "reminder", channels=("sms",))
    past = timezone.now() - dt.timedelta(seconds=1)
    Message.objects.filter(pk__in=[mail.pk, sms.pk]).update(
        status=S.SENDING, claimed_by="gone", lease_until=past
    )
    assert delivery.recover() == {"released": 0, "resend": 1, "in_doubt": 1}
    mail.refresh_from_db()
    sms.refresh_from_db()
    assert mail.status == S.IN_DOUBT and mail.last_error
    assert sms.status == S.RETRY  # the SMS provider drops a repeated idempotency key
    assert smtp.handler.count() == 0  # in doubt: never sent again by itself


def test_a_restarted_worker_takes_back_its_own_rows_at_once(outbox_event):
    (row,) = queue(add_guest(outbox_event), "invitation")
    delivery.claim("w1", 10)
    assert delivery.recover(worker_id="w1")["released"] == 1
    row.refresh_from_db()
    assert row.status == S.PENDING and row.claimed_by == ""


def test_the_organiser_retries_a_dead_letter_with_its_attempts_kept(outbox_event, organiser, smtp):
    (row,) = queue(add_guest(outbox_event), "invitation")
    Message.objects.filter(pk=row.pk).update(status=S.DEAD, attempts=5, last_error="550 no")
    delivery.message_retry(actor=organiser, event=outbox_event, message_id=row.pk)
    row.refresh_from_db()
    assert row.status == S.PENDING and row.attempts == 5
    assert deliverer().run_once() == {"sent": 1}
    from huodong.core.errors import Conflict

    with pytest.raises(Conflict):  # sent now: nothing to retry
        delivery.message_retry(actor=organiser, event=outbox_event, message_id=row.pk)


def test_the_organiser_decides_a_message_in_doubt(outbox_event, organiser, smtp):
    guest = add_guest(outbox_event)
    (a,) = queue(guest, "invitation")
    (b,) = queue(guest, "reminder")
    Message.objects.filter(pk__in=[a.pk, b.pk]).update(status=S.IN_DOUBT)
    delivery.message_resolve(actor=organiser, event=outbox_event, message_id=a.pk, outcome="delivered")
    delivery.message_resolve(actor=organiser, event=outbox_event, message_id=b.pk, outcome="resend")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == S.SENT and a.provider_id == "manual"
    assert b.status == S.PENDING
    assert deliverer().run_once() == {"sent": 1}
    assert smtp.handler.keys() == [b.idempotency_key]


def test_an_unknown_outcome_after_the_last_byte_is_in_doubt(outbox_event, monkeypatch):
    from huodong.outreach.channels import DeliveryError
    from huodong.outreach.channels.base import Channel

    class Breaks(Channel):
        name = "email"

        def send(self, message, *, commit=lambda: None):
            commit()
            raise DeliveryError("connection reset after the final dot", unknown=True)

    (row,) = queue(add_guest(outbox_event), "invitation")
    assert deliverer(channels={"email": Breaks()}).run_once() == {"in_doubt": 1}
    row.refresh_from_db()
    assert row.status == S.IN_DOUBT


def test_backoff_doubles_with_jitter_and_is_capped():
    import random

    rng = random.Random(1)
    for attempts, expected in ((1, 30), (2, 60), (3, 120), (4, 240)):
        seconds = delivery.backoff(attempts, base=30, rng=rng).total_seconds()
        assert expected * 0.8 <= seconds <= expected * 1.2
    assert delivery.backoff(40, base=30, rng=rng) <= delivery.RETRY_CAP


def test_the_token_bucket_spaces_messages_at_the_channel_rate():
    now = [0.0]
    bucket = delivery.TokenBucket(2, clock=lambda: now[0])
    waits = [bucket.wait_time() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0] and waits[2] == pytest.approx(0.5) and waits[3] == pytest.approx(1.0)
    assert delivery.TokenBucket(0).wait_time() == 0.0
