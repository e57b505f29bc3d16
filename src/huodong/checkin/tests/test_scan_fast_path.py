"""The scanner's hot path (``redeem.checkin_event``, the retry found by the constraint) keeps the rules of a
scan: access is checked on every scan, nothing is cached; a scan sent again is recorded once whatever its
first answer was (issue 10, EX-2; bench/bench_checkin.py measures the same path)."""

from __future__ import annotations

import uuid

import pytest

from huodong.checkin.models import GateStaff, Result, Scan
from huodong.checkin.services import redeem
from huodong.core.errors import NotAllowed, NotFound
from huodong.events.models import Event
from tests.factories import login

from .support import door_event, guests_of, post, staff, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 4)


def test_access_is_checked_on_every_scan_not_remembered(client, organiser, reviewer_sales, event):
    # REQ: EX-2
    g1, g2, g3, _g4 = guests_of(event)
    url = f"/api/events/{event.pk}/checkin/scan"
    login(client, reviewer_sales)
    assert post(client, url, {"token": token_of(g1)}).status_code == 403
    staff(event, reviewer_sales, gate_name="入口 A")
    assert post(client, url, {"token": token_of(g1)}).json()["result"] == "accepted"
    GateStaff.objects.filter(event=event, person=reviewer_sales).delete()
    refused = post(client, url, {"token": token_of(g2)})
    assert refused.status_code == 403 and "签到" in refused.json()["message"]
    assert not Scan.objects.filter(guest=g2).exists()
    # The owner passes on the short path, an unknown event is 404 as everywhere else.
    assert redeem.scan(actor=organiser, event=event.pk, token=token_of(g2)).ok
    with pytest.raises(NotFound):
        redeem.scan(actor=organiser, event=999_999, token=token_of(g3))


def test_an_organiser_of_the_team_goes_through_the_full_check(marketing_mgr, reviewer_sales, event):
    # REQ: EX-2
    g1, g2, *_ = guests_of(event)
    with pytest.raises(NotAllowed):
        redeem.scan(actor=marketing_mgr, event=event.pk, token=token_of(g1))
    Event.objects.get(pk=event.pk).team_members.add(marketing_mgr)
    assert redeem.scan(actor=marketing_mgr, event=event.pk, token=token_of(g1)).ok
    with pytest.raises(NotAllowed):  # on the team, but not an organiser: no check-in
        Event.objects.get(pk=event.pk).team_members.add(reviewer_sales)
        redeem.scan(actor=reviewer_sales, event=event.pk, token=token_of(g2))


def test_a_scan_sent_again_is_answered_as_first_recorded(organiser, event):
    # REQ: EX-2
    g1, g2, *_ = guests_of(event)
    device = uuid.uuid4()
    first = redeem.scan(actor=organiser, event=event.pk, token="not a ticket", device=device, client_id="x-1")
    again = redeem.scan(actor=organiser, event=event.pk, token="not a ticket", device=device, client_id="x-1")
    assert first.result == again.result == Result.REFUSED and first.scan.pk == again.scan.pk
    # The same scanner id naming a good ticket later is still the first answer, and changes nothing.
    late = redeem.scan(actor=organiser, event=event.pk, token=token_of(g1), device=device, client_id="x-1")
    assert late.result == Result.REFUSED and late.scan.pk == first.scan.pk
    assert not Scan.objects.filter(guest=g1).exists()
    g1.refresh_from_db()
    assert g1.status == "registered"
    ok = redeem.scan(actor=organiser, event=event.pk, token=token_of(g2), device=device, client_id="x-2")
    dup = redeem.scan(actor=organiser, event=event.pk, token=token_of(g2), device=device, client_id="x-2")
    assert ok.ok and dup.ok and ok.scan.pk == dup.scan.pk
    assert Scan.objects.filter(event=event).count() == 2
