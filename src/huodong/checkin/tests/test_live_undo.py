"""A supervisor undoes a mistaken check-in (EX-2): the accepted scan becomes ``undone``, the guest is back
to not arrived and may be checked in again; audit-logged; once only; supervisors only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.checkin import selectors_live
from huodong.checkin.models import Result, Scan
from huodong.checkin.services import redeem
from huodong.checkin.services import undo as undo_services
from huodong.core.errors import Conflict as Taken
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import AuditEntry
from huodong.outreach.models import Guest, GuestStatus
from tests.factories import login

from .support import door_event, guests_of, post, staff, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 2)


def _checked_in(organiser, event):  # noqa: ANN001, ANN202
    guest = guests_of(event)[0]
    outcome = redeem.scan(actor=organiser, event=event.pk, token=token_of(guest))
    assert outcome.ok
    return guest, outcome.scan


def test_undo_puts_the_guest_back_and_they_can_check_in_again(organiser, checkin_staff, event):
    # REQ: EX-2
    guest, scan = _checked_in(organiser, event)
    staff(event, checkin_staff, supervisor=True)
    undone = undo_services.scan_undo(
        actor=checkin_staff, event=event.pk, scan_id=scan.pk, reason="选错了嘉宾"
    )
    assert undone.result == Result.UNDONE
    assert Scan.objects.get(pk=scan.pk).result == Result.UNDONE
    assert Guest.objects.get(pk=guest.pk).status == GuestStatus.REGISTERED
    entry = AuditEntry.objects.get(action="checkin.scan.undo", event_id=event.pk)
    assert entry.actor == checkin_staff and entry.after["reason"] == "选错了嘉宾"
    counts = selectors_live.live_counts(event)
    assert counts.checked_in == 0 and guest.pk in [m["id"] for m in counts.missing]
    again = redeem.scan(actor=organiser, event=event.pk, token=token_of(guest))
    assert again.ok and again.scan.pk != scan.pk


def test_an_invited_guest_signed_in_on_paper_goes_back_to_invited(organiser, event):
    # REQ: EX-2
    invited = Guest.objects.create(event=event, name="受邀", status=GuestStatus.INVITED)
    out = redeem.scan(actor=organiser, event=event.pk, guest_id=invited.pk, method="paper")
    undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=out.scan.pk, reason="误签")
    assert Guest.objects.get(pk=invited.pk).status == GuestStatus.INVITED


def test_undo_refusals(organiser, checkin_staff, event):
    # REQ: EX-2
    guest, scan = _checked_in(organiser, event)
    duplicate = redeem.scan(actor=organiser, event=event.pk, token=token_of(guest)).scan
    for reason in ("", "  ", "长" * 201):
        with pytest.raises(DomainError) as bad:
            undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=scan.pk, reason=reason)
        assert "reason" in bad.value.errors
    with pytest.raises(DomainError) as not_accepted:
        undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=duplicate.pk, reason="x")
    assert "scan_id" in not_accepted.value.errors and not_accepted.value.status == 400
    with pytest.raises(NotFound):
        undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=999999, reason="x")
    staff(event, checkin_staff)  # gate staff, not a supervisor
    with pytest.raises(NotAllowed):
        undo_services.scan_undo(actor=checkin_staff, event=event.pk, scan_id=scan.pk, reason="x")
    undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=scan.pk, reason="误签")
    with pytest.raises(Taken) as twice:
        undo_services.scan_undo(actor=organiser, event=event.pk, scan_id=scan.pk, reason="再次")
    assert twice.value.status == 409
    assert AuditEntry.objects.filter(action="checkin.scan.undo").count() == 1


def test_undo_on_the_page(client, organiser, event):
    # REQ: EX-2
    guest, scan = _checked_in(organiser, event)
    login(client, organiser)
    live = client.get(reverse("checkin:live", args=[event.pk])).content.decode()
    url = reverse("checkin:scan_undo", args=[event.pk, scan.pk])
    assert url in live  # the recent scans link to it
    page = client.get(url)
    assert page.status_code == 200 and guest.name in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "请填写撤销原因" in refused.content.decode()
    assert Scan.objects.get(pk=scan.pk).result == Result.ACCEPTED
    done = client.post(url, {"reason": "选错了嘉宾"})
    assert done.status_code == 302 and done["Location"] == reverse("checkin:live", args=[event.pk])
    assert Guest.objects.get(pk=guest.pk).status == GuestStatus.REGISTERED
    again = client.post(url, {"reason": "再次"})
    assert again.status_code == 409 and "已被撤销" in again.content.decode()
    assert client.get(reverse("checkin:scan_undo", args=[event.pk, 999999])).status_code == 404


def test_undo_through_the_api(client, organiser, checkin_staff, event):
    # REQ: EX-2
    guest, scan = _checked_in(organiser, event)
    login(client, organiser)
    url = f"/api/events/{event.pk}/checkin/scans/{scan.pk}/undo"
    assert post(client, url, {}).status_code == 400
    empty = post(client, url, {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]
    assert (
        post(client, f"/api/events/{event.pk}/checkin/scans/999999/undo", {"reason": "x"}).status_code == 404
    )
    ok = post(client, url, {"reason": "选错了嘉宾"})
    assert ok.status_code == 200
    assert ok.json() == {
        "scan_id": scan.pk,
        "result": "undone",
        "guest_id": guest.pk,
        "guest_status": "registered",
    }
    again = post(client, url, {"reason": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "already_undone"
    staff(event, checkin_staff)
    login(client, checkin_staff)
    assert post(client, url, {"reason": "x"}).status_code == 403
