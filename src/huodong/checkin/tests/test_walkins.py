"""Walk-ins (issue 10 point 3; EX-2): registered on the spot with the PIPL consents of the registration
page, found by phone instead of duplicated, checked in at once as 现场登记; over the capacity the door
decides, and the page says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huodong.checkin.models import Method, Result, Scan
from huodong.checkin.services import setup as setup_services
from huodong.checkin.services import walkins as services
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.models import Event
from huodong.outreach.models import Consent, Guest, GuestStatus, RegistrationSettings, Ticket
from tests.factories import login

from .support import door_event, gate, guests_of, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 2)


def _walkin(actor, event, **over):
    data = {"name": "张现场", "phone": "13912345678", "company": "临时公司", "consents": {"operation": True}}
    data.update(over)
    return services.walkin(actor=actor, event=event, **data)


def test_a_walk_in_is_registered_with_consent_and_checked_in_at_once(organiser, checkin_staff, event):
    # REQ: EX-2
    setup_services.staff_add(actor=organiser, event=event, people=[checkin_staff], gate_id=gate(event).pk)
    done = _walkin(checkin_staff, event, kit=["agenda"], gate_id=gate(event).pk, address="10.1.1.1")
    guest = done.guest
    assert done.created and done.outcome.ok and not done.over_capacity
    guest.refresh_from_db()
    assert (guest.status, guest.phone, guest.company) == (
        GuestStatus.CHECKED_IN,
        "+8613912345678",
        "临时公司",
    )
    scan = Scan.objects.get(guest=guest, result=Result.ACCEPTED)
    assert (scan.method, scan.staff, scan.gate, scan.kit) == (
        Method.WALKIN,
        checkin_staff,
        gate(event),
        ["agenda"],
    )
    consents = {c.purpose: c for c in Consent.objects.filter(guest=guest)}
    notice = services.notice(event, "zh-hans")
    assert consents["operation"].granted and consents["operation"].notice_version == notice.version
    assert not consents["marketing"].granted and consents["operation"].address == "10.1.1.1"
    assert Ticket.objects.filter(guest=guest).exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"consents": {"operation": False, "marketing": True}}, "consent_operation"),
        ({"phone": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"category": "king"}, "category"),
        ({"kit": ["caviar"]}, "kit"),
        ({"gate_id": 999999}, "gate"),
    ],
)
def test_a_walk_in_without_consent_or_with_bad_details_writes_nothing(organiser, event, over, field):
    # REQ: EX-2
    before = Guest.objects.filter(event=event).count()
    with pytest.raises(DomainError) as refused:
        _walkin(organiser, event, **over)
    assert field in refused.value.errors
    assert Guest.objects.filter(event=event).count() == before
    assert not Scan.objects.filter(event=event).exists()


def test_a_phone_already_on_the_list_is_that_guest_not_a_duplicate(organiser, event):
    # REQ: EX-2
    registered = guests_of(event)[0]
    done = _walkin(organiser, event, name="另一个名字", phone=registered.phone)
    assert not done.created and done.guest.pk == registered.pk and done.outcome.ok
    assert Guest.objects.filter(event=event).count() == 2
    again = _walkin(organiser, event, phone=registered.phone)
    assert again.outcome.result == Result.DUPLICATE and "已于" in again.outcome.message
    cancelled = guests_of(event)[0]
    Guest.objects.filter(pk=cancelled.pk).update(status=GuestStatus.CANCELLED)
    back = _walkin(organiser, event, phone=cancelled.phone)
    assert back.outcome.ok and Guest.objects.get(pk=cancelled.pk).status == GuestStatus.CHECKED_IN


def test_a_phone_and_an_email_of_two_different_guests_are_refused(organiser, event):
    # REQ: EX-2
    a, b = guests_of(event)
    with pytest.raises(DomainError) as refused:
        _walkin(organiser, event, phone=a.phone, email=b.email)
    assert "email" in refused.value.errors


def test_a_walk_in_may_exceed_the_capacity_and_says_so(client, organiser, event):
    # REQ: EX-2
    RegistrationSettings.objects.filter(event=event).update(capacity=2)
    done = _walkin(organiser, event)
    assert done.outcome.ok and done.over_capacity
    assert Guest.objects.filter(event=event, status=GuestStatus.CHECKED_IN).count() == 1
    login(client, organiser)
    page = client.get(reverse("checkin:walkin", kwargs={"event_id": event.pk}))
    assert 'data-testid="capacity-full"' in page.content.decode()


def test_no_walk_in_before_the_doors_open(organiser, event):
    # REQ: EX-2
    later = event.starts_at + dt.timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(starts_at=later, ends_at=later + dt.timedelta(hours=4))
    with pytest.raises(DomainError) as refused:
        _walkin(organiser, event)
    assert refused.value.code == "not_open" and "尚未开放签到" in refused.value.message
    assert not Guest.objects.filter(event=event, phone="+8613912345678").exists()


def test_only_check_in_staff_register_walk_ins(checkin_staff, event):
    # REQ: EX-2
    with pytest.raises(NotAllowed):
        _walkin(checkin_staff, event)


def test_the_walk_in_page_shows_the_notice_and_checks_in(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    url = reverse("checkin:walkin", kwargs={"event_id": event.pk})
    page = client.get(url)
    text = page.content.decode()
    assert (
        page.status_code == 200 and 'data-testid="pipl-notice"' in text and 'name="consent_operation"' in text
    )
    assert text.index('name="phone"') < text.index('name="name"')  # phone first
    data = {"phone": "13912345678", "name": "张现场", "category": "customer", "gate": gate(event).pk,
            "kit": ["agenda"], "consent_operation": "on"}  # fmt: skip
    refused = client.post(url, {**data, "consent_operation": ""})
    assert refused.status_code == 400 and "现场登记须嘉宾同意" in refused.content.decode()
    assert client.post(url, {**data, "phone": "abc"}).status_code == 400
    assert client.post(url, {**data, "kit": ["caviar"]}).status_code == 400
    done = client.post(url, data)
    guest = Guest.objects.get(event=event, phone="+8613912345678")
    # Back to the form at the same gate, with the guest's badge offered (test_qa_pages).
    assert done.status_code == 302 and done["Location"].endswith(f"?gate={gate(event).pk}&badge={guest.pk}")
    assert guest.status == GuestStatus.CHECKED_IN


def test_the_walk_in_api(client, organiser, checkin_staff, event):
    # REQ: EX-2
    url = f"/api/events/{event.pk}/checkin/walkins"
    login(client, checkin_staff)
    assert post(client, url, {"name": "张", "phone": "13912345678"}).status_code == 403
    login(client, organiser)
    refused = post(client, url, {"name": "张现场", "phone": "13912345678"})
    assert refused.status_code == 400 and "consent_operation" in refused.json()["errors"]
    assert post(client, url, {"name": "张现场"}).status_code in (400, 422)  # phone missing
    ok = post(client, url, {"name": "张现场", "phone": "13912345678", "consents": {"operation": True},
                            "kit": ["agenda"], "gate_id": gate(event).pk})  # fmt: skip
    assert ok.status_code == 201
    body = ok.json()
    assert body["created"] and body["result"] == "accepted" and not body["over_capacity"]
    again = post(client, url, {"name": "张现场", "phone": "139 1234 5678", "consents": {"operation": True}})
    assert again.status_code == 201 and not again.json()["created"] and again.json()["result"] == "duplicate"
