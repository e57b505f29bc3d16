"""Outreach across its parts: what one part does to another.

- An organiser cancelling a registered guest by hand frees the seat: the first on the waiting list moves
  up (ticket, promotion message), as when a guest cancels on their own page.
- Moving the event: the registered guests get an update (an .ics with a larger SEQUENCE), the T-3-day
  reminder moves with the start, and both go out through the worker to a real SMTP server.
"""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from huodong.events.services import event_update
from huodong.events.steps import Step
from huodong.outreach.models import GuestStatus, Message, MessageKind, Ticket
from huodong.outreach.services.guests import guest_status_set
from huodong.outreach.tests.test_delivery_fixtures import deliverer, smtp  # noqa: F401  (smtp: a fixture)
from huodong.outreach.tests.test_registration_support import open_event, sign_up
from huodong.planning.tests.conftest import move

pytestmark = pytest.mark.django_db


def test_a_seat_freed_by_the_organiser_goes_to_the_waiting_list(organiser):
    # REQ: NT-2 — capacity with a waiting list that moves up on cancellations.
    event = open_event(organiser, capacity=1)
    first = sign_up(event, 1)
    waiting = sign_up(event, 2)
    assert (first.status, waiting.status) == (GuestStatus.REGISTERED, GuestStatus.WAITLISTED)
    guest_status_set(
        actor=organiser,
        event=event,
        guest_id=first.pk,
        seen=first.revision,
        status="cancelled",
        reason="改期",
    )
    waiting.refresh_from_db()
    assert waiting.status == GuestStatus.REGISTERED
    assert Ticket.objects.get(guest=waiting).revoked_at is None
    assert Ticket.objects.get(guest=first).revoked_at is not None
    assert Message.objects.filter(guest=waiting, kind=MessageKind.PROMOTED).exists()


def test_moving_the_event_updates_guests_and_moves_the_reminder(organiser, smtp):  # noqa: F811
    # REQ: NT-2 — the reminder is relative to the start; a registered guest's calendar follows the event.
    event = open_event(organiser)
    guest = sign_up(event, 1)
    reminder = Message.objects.get(guest=guest, kind=MessageKind.REMINDER, channel="email")
    assert reminder.due_at == event.starts_at - dt.timedelta(days=3)
    first_ics = Calendar.from_ical(
        next(
            part.get_payload(decode=True)
            for m in _deliver_all(smtp)
            for part in m.walk()
            if part.get_content_type() == "text/calendar"
        )
    )
    old_sequence = int(first_ics.walk("VEVENT")[0]["SEQUENCE"])

    # Time and place are part of the signed plan (AP-1): the event goes back to 方案设计 to move.
    event = move(event, Step.PLAN)
    new_start = event.starts_at + dt.timedelta(days=7)
    event_update(
        actor=organiser,
        event=event,
        revision=event.revision,
        starts_at=new_start,
        ends_at=event.ends_at + dt.timedelta(days=7),
    )
    reminder.refresh_from_db()
    assert reminder.due_at == new_start - dt.timedelta(days=3)
    update = Message.objects.get(guest=guest, kind=MessageKind.UPDATE, channel="email")
    sent = _deliver_all(smtp)
    assert update.idempotency_key in {m["X-Huodong-Key"] for m in sent}
    ics = next(
        Calendar.from_ical(part.get_payload(decode=True))
        for m in sent
        if m["X-Huodong-Key"] == update.idempotency_key
        for part in m.walk()
        if part.get_content_type() == "text/calendar"
    )
    entry = ics.walk("VEVENT")[0]
    assert str(ics["METHOD"]) == "REQUEST"
    assert int(entry["SEQUENCE"]) > old_sequence
    assert entry.decoded("DTSTART") == new_start
    assert str(entry["UID"]) == str(first_ics.walk("VEVENT")[0]["UID"])


def _deliver_all(sink):  # noqa: ANN001, ANN202
    """Everything due now, delivered by the worker's own code to the SMTP sink; the messages it received."""
    before = sink.handler.count()
    deliverer().run_once()
    return sink.handler.parsed()[before:]


def test_development_mail_is_written_as_eml_files(organiser, settings, tmp_path):
    # REQ: NT-2 — `make run` without a mail server still delivers: the confirmation as a .eml file with
    # the ticket's QR inline and the .ics attached.
    import email as email_lib
    import io
    from email.policy import default

    import zxingcpp
    from PIL import Image

    from huodong.outreach import tickets

    settings.HUODONG_EMAIL_BACKEND = "file"
    settings.HUODONG_OUTBOX_DIR = tmp_path
    event = open_event(organiser)
    guest = sign_up(event, 1)
    deliverer().run_once()
    files = sorted((tmp_path / "email").glob("*.eml"))
    assert len(files) == 1
    mail = email_lib.message_from_bytes(files[0].read_bytes(), policy=default)
    assert mail["To"].addresses[0].addr_spec == guest.email
    image = next(p for p in mail.walk() if p.get_content_type() == "image/png")
    token = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_payload(decode=True))))[0].text
    assert tickets.ticket_for_token(token, event.pk).guest_id == guest.pk
    assert any(p.get_content_type() == "text/calendar" for p in mail.walk())
    confirmation = Message.objects.get(guest=guest, kind=MessageKind.CONFIRMATION, channel="email")
    assert confirmation.status == Message.Status.SENT and confirmation.provider_id == str(files[0])


def test_the_robot_register_is_in_the_administration_menu(as_admin):
    from django.urls import reverse

    for page in ("core:people", "core:departments", "outreach:robots"):
        html = as_admin.get(reverse(page)).content.decode()
        assert f'href="{reverse("outreach:robots")}"' in html
    assert 'aria-current="page">群机器人' in as_admin.get(reverse("outreach:robots")).content.decode()
