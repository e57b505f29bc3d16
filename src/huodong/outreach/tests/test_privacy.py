"""A guest's rights over their data and its retention (PIPL; DESIGN.md, "Data protection").

- Export: everything held — details, answers, consents with notice version and times, ticket, messages —
  and the export is in the audit log.
- Erasure on the guest's own request (ticket page) or an organiser's (API): identity gone from the guest
  and their messages, ticket void, standing consents withdrawn, no message sent to them, the seat to the
  waiting list, the link dead; a reason is required from an organiser; another event's guest is 404.
- Retention: guests of an event ended more than HUODONG_GUEST_RETENTION_DAYS ago are anonymised by the
  sweep the worker runs; recent events are not touched.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.outreach import tickets
from huodong.outreach.models import Consent, Guest, GuestStatus, Message, MessageKind, Ticket
from huodong.outreach.services import privacy
from huodong.outreach.tests.test_registration_support import open_event, sign_up
from huodong.planning.tests.conftest import make_event, move

pytestmark = pytest.mark.django_db


def test_a_guest_exports_everything_held_about_them(organiser):
    event = open_event(organiser)
    guest = sign_up(event, 1, consents={"operation": True, "marketing": True})
    name, body = privacy.guest_export_self(access_key=guest.access_key)
    data = json.loads(body)
    assert name.endswith(".json")
    assert data["guest"]["phone"] == guest.phone and data["guest"]["answers"] == guest.answers
    assert {c["purpose"] for c in data["consents"] if c["granted"]} == {"operation", "marketing"}
    assert all(c["notice_version"] for c in data["consents"] if c["granted"])
    assert data["ticket"]["code"] == Ticket.objects.get(guest=guest).code
    assert {m["kind"] for m in data["messages"]} >= {"confirmation", "reminder"}
    assert AuditEntry.objects.filter(action="outreach.guest.export_self", event_id=event.pk).count() == 1


def test_a_guest_erases_their_data_and_the_seat_moves_on(organiser):
    event = open_event(organiser, capacity=1)
    guest = sign_up(event, 1, consents={"operation": True, "marketing": True})
    waiting = sign_up(event, 2)
    token = tickets.token_for(Ticket.objects.get(guest=guest))
    with pytest.raises(DomainError) as refused:
        privacy.guest_erase_self(access_key=guest.access_key, confirm=False)
    assert "confirm" in refused.value.errors
    old_key = guest.access_key
    privacy.guest_erase_self(access_key=old_key, confirm=True)
    guest.refresh_from_db()
    assert guest.anonymised_at is not None and guest.status == GuestStatus.CANCELLED
    assert (guest.name, guest.phone, guest.email, guest.company, guest.answers) == (
        privacy.ERASED_NAME,
        "",
        "",
        "",
        {},
    )
    with pytest.raises(tickets.InvalidTicket):
        tickets.ticket_for_token(token)
    messages = Message.objects.filter(guest=guest)
    assert messages.exists() and not messages.exclude(recipient="", body="").exists()
    assert not messages.filter(status__in=("pending", "retry")).exists()
    assert not messages.filter(kind=MessageKind.CANCELLATION).exists()  # nothing sent to them
    assert not Consent.objects.filter(guest=guest, granted=True, withdrawn_at__isnull=True).exists()
    waiting.refresh_from_db()
    assert waiting.status == GuestStatus.REGISTERED
    with pytest.raises(NotFound):
        privacy.guest_export_self(access_key=old_key)
    assert AuditEntry.objects.filter(action="outreach.guest.erase").count() == 1


def test_the_ticket_page_link_stops_working_after_erasure(client, organiser):
    event = open_event(organiser)
    guest = sign_up(event, 1)
    assert client.get(reverse("outreach:ticket", args=[guest.access_key])).status_code == 200
    privacy.guest_erase_self(access_key=guest.access_key, confirm=True)
    assert client.get(reverse("outreach:ticket", args=[guest.access_key])).status_code == 404


def test_an_organiser_erases_on_request_through_the_api(client, organiser, outsider):
    event = open_event(organiser)
    guest = sign_up(event, 1)
    other = open_event(organiser)
    url = f"/api/events/{event.pk}/guests/{guest.pk}/erase"
    client.force_login(organiser)
    empty = client.post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and "reason" in empty.content.decode()
    wrong_event = client.post(
        f"/api/events/{other.pk}/guests/{guest.pk}/erase", {"reason": "电话"}, content_type="application/json"
    )
    assert wrong_event.status_code == 404
    client.force_login(outsider)
    assert client.post(url, {"reason": "电话"}, content_type="application/json").status_code == 403
    client.force_login(organiser)
    move(event, Step.DATA)  # a request is answered whenever it comes, after the event too
    done = client.post(url, {"reason": "本人 12 月 1 日来电要求删除"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled"
    assert Guest.objects.get(pk=guest.pk).anonymised_at is not None
    again = client.post(url, {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 404


def test_retention_sweep_anonymises_guests_of_old_events_only(organiser, settings):
    settings.HUODONG_GUEST_RETENTION_DAYS = 180
    now = dt.datetime(2027, 12, 1, tzinfo=dt.UTC)
    old = make_event(organiser, step=Step.ARCHIVE, starts=now - dt.timedelta(days=200))
    recent = make_event(organiser, step=Step.DATA, starts=now - dt.timedelta(days=100))
    for n, event in enumerate((old, old, recent)):
        Guest.objects.create(
            event=event, name=f"客{n}", phone=f"+861380000{n:04d}", email=f"k{n}@example.com"
        )
    assert privacy.retention_sweep(now=now) == 2
    assert set(Guest.objects.filter(event=old).values_list("name", "phone")) == {(privacy.ERASED_NAME, "")}
    assert not Guest.objects.filter(event=recent, anonymised_at__isnull=False).exists()
    assert privacy.retention_sweep(now=now) == 0
    assert AuditEntry.objects.filter(action="outreach.guest.retention", event_id=old.pk).count() == 1


def test_the_worker_runs_the_retention_sweep(organiser, settings):
    from huodong.outreach.worker import HuodongWorker

    settings.HUODONG_GUEST_RETENTION_DAYS = 30
    old = make_event(organiser, step=Step.ARCHIVE, starts=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    Guest.objects.create(event=old, name="旧客", phone="+8613800000001")
    worker = HuodongWorker(worker_id="sweeper", once=True)
    worker.step()  # one turn of the loop (run() also closes connections, which a test transaction forbids)
    assert Guest.objects.get(event=old).anonymised_at is not None
    Guest.objects.create(event=old, name="新旧客", phone="+8613800000002")
    worker.step()
    assert Guest.objects.filter(event=old, anonymised_at__isnull=True).count() == 1  # hourly, not each turn


def test_the_guest_downloads_and_erases_from_their_pages(client, organiser):
    event = open_event(organiser)
    guest = sign_up(event, 1)
    privacy_page = client.get(reverse("outreach:ticket_privacy", args=[guest.access_key])).content.decode()
    assert reverse("outreach:ticket_data", args=[guest.access_key]) in privacy_page
    assert reverse("outreach:ticket_erase", args=[guest.access_key]) in privacy_page
    download = client.get(reverse("outreach:ticket_data", args=[guest.access_key]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["guest"]["email"] == guest.email
    assert download["Cache-Control"] == "no-store, private"
    erase = reverse("outreach:ticket_erase", args=[guest.access_key])
    assert "确定删除" in client.get(erase).content.decode()
    refused = client.post(erase, {})
    assert refused.status_code == 400 and "请勾选确认" in refused.content.decode()
    assert Guest.objects.get(pk=guest.pk).anonymised_at is None
    english = client.post(erase + "?lang=en", {})
    assert english.status_code == 400 and "请勾选" not in english.content.decode()
    done = client.post(erase + "?lang=zh-hans", {"confirm": "yes"})  # the English post set the cookie
    assert done.status_code == 200 and "已删除" in done.content.decode()
    assert Guest.objects.get(pk=guest.pk).anonymised_at is not None
    assert client.get(reverse("outreach:ticket", args=[guest.access_key])).status_code == 404


def test_an_organiser_erases_from_the_guest_page(client, organiser):
    event = open_event(organiser)
    guest = sign_up(event, 1)
    client.force_login(organiser)
    page = reverse("outreach:guest_detail", args=[event.pk, guest.pk])
    assert reverse("outreach:guest_erase", args=[event.pk, guest.pk]) in client.get(page).content.decode()
    url = reverse("outreach:guest_erase", args=[event.pk, guest.pk])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "请写明请求的来源" in refused.content.decode()
    assert Guest.objects.get(pk=guest.pk).anonymised_at is None
    done = client.post(url, {"reason": "本人来电"}, follow=True)
    assert done.status_code == 200 and "已按请求删除" in done.content.decode()
    assert Guest.objects.get(pk=guest.pk).name == privacy.ERASED_NAME


def test_the_audit_log_tells_erasures_in_the_readers_language(organiser):
    from django.utils.translation import override

    event = open_event(organiser)
    guest = sign_up(event, 1)
    privacy.guest_erase(actor=organiser, event=event, guest_id=guest.pk, reason="本人来电")
    entry = AuditEntry.objects.get(action="outreach.guest.erase")
    assert "按请求删除嘉宾" in entry.summary_text
    with override("en"):
        assert (
            entry.summary_text
            == f"Deleted the personal information of guest #{guest.pk} on request: 本人来电"
        )
    registered = (
        AuditEntry.objects.filter(action="outreach.registration.register").first()
        or AuditEntry.objects.filter(event_id=event.pk, action__startswith="outreach.registration").first()
    )
    assert registered is not None
    with override("en"):
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in registered.summary_text.replace("嘉宾1", ""))
