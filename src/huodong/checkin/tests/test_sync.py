"""Offline and back (EX-2, issue 10 point 4): a scanner's queued scans are applied in one batch in the order
they happened; the earliest scan of a guest wins; the same guest at two gates while offline is a conflict
reported to the supervisors with both gates and times; a batch sent twice is recorded once; malformed,
duplicated and foreign entries are answered without losing the rest."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from huodong.checkin.models import Conflict, Device, Reason, Result, Scan
from huodong.checkin.services import redeem
from huodong.core.models import Notification
from huodong.outreach.models import GuestStatus
from tests.factories import login

from .support import door_event, gate, guests_of, post, staff, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 4)


def _entry(token: str, minutes_ago: float, cid: str | None = None, **extra):
    return {
        "client_id": cid or uuid.uuid4().hex,
        "token": token,
        "method": "qr",
        "scanned_at": timezone.now() - dt.timedelta(minutes=minutes_ago),
        **extra,
    }


def test_offline_scans_sync_in_one_batch_and_each_is_answered(organiser, event):
    # REQ: EX-2
    g1, g2, g3, g4 = guests_of(event)
    device = uuid.uuid4()
    redeem.device_for(event, device, actor=organiser, gate_id=gate(event, "入口 B").pk)
    entries = [_entry(token_of(g), 10 - i) for i, g in enumerate((g1, g2, g3))]
    entries.append(_entry(token_of(g1), 1))  # scanned twice on this device: a plain duplicate
    report = redeem.sync(actor=organiser, event=event.pk, device=device, entries=entries)
    assert [o.result for o in report.outcomes] == ["accepted", "accepted", "accepted", "duplicate"]
    assert report.conflicts == []  # the same device twice is not a conflict between gates
    rows = Scan.objects.filter(event=event, result=Result.ACCEPTED)
    assert rows.count() == 3 and all(r.offline and r.gate.name == "入口 B" for r in rows)
    # The device's clock is kept: the scan happened ten minutes ago, not when the server heard of it.
    first = rows.get(guest=g1)
    assert abs((first.scanned_at - entries[0]["scanned_at"]).total_seconds()) < 1
    assert set(type(g1).objects.filter(pk__in=[g1.pk, g2.pk, g3.pk]).values_list("status", flat=True)) == {
        GuestStatus.CHECKED_IN
    }
    assert Device.objects.get(key=device).last_sync_at is not None


def test_the_same_guest_at_two_gates_offline_the_earliest_wins_and_the_supervisor_is_told(
    organiser, event, reviewer_sales
):
    # REQ: EX-2
    staff(event, reviewer_sales, supervisor=True)
    g1 = guests_of(event)[0]
    token = token_of(g1)
    gate_a, gate_b = uuid.uuid4(), uuid.uuid4()
    redeem.device_for(event, gate_a, actor=organiser, gate_id=gate(event, "入口 A").pk)
    redeem.device_for(event, gate_b, actor=organiser, gate_id=gate(event, "入口 B").pk)
    # Gate B syncs first with the later scan; gate A comes back with the earlier one.
    later = redeem.sync(actor=organiser, event=event.pk, device=gate_b, entries=[_entry(token, 2)])
    assert later.outcomes[0].ok
    earlier = redeem.sync(actor=organiser, event=event.pk, device=gate_a, entries=[_entry(token, 5)])
    assert earlier.outcomes[0].ok and len(earlier.conflicts) == 1
    kept = Scan.objects.get(guest=g1, result=Result.ACCEPTED)
    assert kept.gate.name == "入口 A"
    assert Scan.objects.get(guest=g1, result=Result.SUPERSEDED).gate.name == "入口 B"
    conflict = Conflict.objects.get(guest=g1)
    assert (conflict.kept.gate.name, conflict.other.gate.name) == ("入口 A", "入口 B")
    assert conflict.kept.scanned_at < conflict.other.scanned_at
    assert Notification.objects.filter(recipient=reviewer_sales, kind="checkin.conflict").exists()
    # A third device, later still: a duplicate, reported as a conflict too; the check-in stands.
    third = uuid.uuid4()
    out = redeem.sync(actor=organiser, event=event.pk, device=third, entries=[_entry(token, 1)])
    assert out.outcomes[0].result == Result.DUPLICATE and "入口 A" in out.outcomes[0].message
    assert Conflict.objects.filter(guest=g1).count() == 2
    assert Scan.objects.filter(guest=g1, result=Result.ACCEPTED).count() == 1


def test_an_online_check_in_after_an_earlier_offline_scan_stands_down(organiser, event):
    # REQ: EX-2
    g1 = guests_of(event)[0]
    token = token_of(g1)
    online = redeem.scan(actor=organiser, event=event.pk, token=token, gate_id=gate(event, "入口 B").pk)
    assert online.ok
    offline = uuid.uuid4()
    redeem.device_for(event, offline, actor=organiser, gate_id=gate(event).pk)
    report = redeem.sync(actor=organiser, event=event.pk, device=offline, entries=[_entry(token, 30)])
    assert report.outcomes[0].ok and len(report.conflicts) == 1
    assert Scan.objects.get(guest=g1, result=Result.ACCEPTED).gate.name == "入口 A"


def test_a_batch_sent_twice_is_recorded_once(organiser, event):
    # REQ: EX-2
    device = uuid.uuid4()
    entries = [_entry(token_of(g), 5, cid=f"scan-{g.pk}") for g in guests_of(event)]
    first = redeem.sync(actor=organiser, event=event.pk, device=device, entries=[dict(e) for e in entries])
    again = redeem.sync(actor=organiser, event=event.pk, device=device, entries=[dict(e) for e in entries])
    assert [o.result for o in first.outcomes] == ["accepted"] * 4
    assert [o.result for o in again.outcomes] == ["accepted"] * 4
    assert Scan.objects.filter(event=event).count() == 4 and not again.conflicts


def test_malformed_repeated_and_refused_entries_are_answered_and_the_rest_kept(organiser, event):
    # REQ: EX-2
    g1, g2, *_ = guests_of(event)
    device = uuid.uuid4()
    good = _entry(token_of(g1), 3, cid="same")
    entries = [
        good,
        dict(good),  # the same client id twice in the batch
        {"client_id": "", "token": token_of(g2), "scanned_at": timezone.now()},  # no id
        {"client_id": "no-time", "token": token_of(g2)},  # no time
        _entry(token_of(g2), -60),  # an hour in the future: the device's clock is wrong
        {**_entry(token_of(g2), 1), "code": "ABCDEFGH"},  # two ways to name a guest
        _entry("HD1.garbage.x", 2),
        _entry(token_of(g2), 2, kit=["umbrella"]),
        _entry(token_of(g2), 2, method="telepathy"),
        "not an object",
    ]
    report = redeem.sync(actor=organiser, event=event.pk, device=device, entries=entries)
    results = [o.result for o in report.outcomes]
    assert results[0] == "accepted" and results[1] == "repeated"
    assert results[2:6] == ["invalid"] * 4 and results[6] == "refused" and results[7:] == ["invalid"] * 3
    assert "scanned_at" in report.outcomes[3].message and "umbrella" in report.outcomes[7].message
    assert report.outcomes[6].reason == Reason.MALFORMED
    assert Scan.objects.filter(event=event, result=Result.ACCEPTED).count() == 1


def test_the_sync_api_answers_each_entry_and_refuses_a_foreign_device(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    other = door_event(organiser, 1, name="另一场活动")
    foreign = str(uuid.uuid4())
    assert post(client, f"/api/events/{other.pk}/checkin/devices", {"device": foreign}).status_code == 200
    url = f"/api/events/{event.pk}/checkin/sync"
    g1, g2, *_ = guests_of(event)
    scans = [_entry(token_of(g1), 4), _entry(token_of(g2), 3), _entry(token_of(g1), 2)]
    refused = post(client, url, {"device": foreign, "scans": scans})
    assert refused.status_code == 400 and "device" in refused.json()["errors"]
    assert not Scan.objects.filter(event=event).exists()
    device = str(uuid.uuid4())
    ok = post(client, url, {"device": device, "scans": scans})
    body = ok.json()
    assert ok.status_code == 200 and (body["accepted"], body["duplicate"]) == (2, 1)
    assert body["results"][2]["previous"]["gate"]
    bad = post(client, url, {"device": device, "scans": [{"token": "x"}]})
    assert bad.status_code == 400  # the schema names the missing fields
    assert post(client, url, {"device": "not-a-uuid", "scans": []}).status_code == 400


def test_one_accepted_scan_per_guest_is_a_database_constraint(organiser, event):
    # REQ: EX-2
    from django.db import IntegrityError, transaction

    g1 = guests_of(event)[0]
    Scan.objects.create(event=event, guest=g1, result=Result.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scan.objects.create(event=event, guest=g1, result=Result.ACCEPTED)


def test_scans_made_while_the_doors_were_open_are_kept_after_the_event_moved_on(organiser, event):
    # REQ: EX-2
    from huodong.events.models import Event
    from huodong.events.steps import Step

    g1, g2, *_ = guests_of(event)
    Event.objects.filter(pk=event.pk).update(step=Step.DATA)  # the organiser moved on to review
    event.refresh_from_db()
    assert redeem.scan(actor=organiser, event=event.pk, token=token_of(g2)).reason == Reason.CLOSED
    report = redeem.sync(
        actor=organiser, event=event.pk, device=uuid.uuid4(), entries=[_entry(token_of(g1), 20)]
    )
    assert report.outcomes[0].ok


def test_an_old_ticket_of_a_checked_in_guest_is_a_duplicate_offline_as_online(organiser, event):
    # REQ: EX-2
    from huodong.outreach import tickets

    g1 = guests_of(event)[0]
    old = token_of(g1)
    assert redeem.scan(actor=organiser, event=event.pk, token=old).ok
    tickets.revoke(tickets.issue(g1))
    assert redeem.scan(actor=organiser, event=event.pk, token=old).reason == Reason.DUPLICATE
    later = _entry(old, -0.1)  # after the check-in above (an earlier scan would win and replace it)
    report = redeem.sync(actor=organiser, event=event.pk, device=uuid.uuid4(), entries=[later])
    assert report.outcomes[0].reason == Reason.DUPLICATE


def test_an_earlier_offline_scan_of_a_revoked_ticket_never_replaces_the_check_in(organiser, event):
    # REQ: EX-2
    from huodong.outreach import tickets

    g1 = guests_of(event)[0]
    old = token_of(g1)
    tickets.revoke(tickets.issue(g1))
    tickets.issue(g1)  # reissued: version 2
    assert redeem.scan(actor=organiser, event=event.pk, token=token_of(g1)).ok
    report = redeem.sync(actor=organiser, event=event.pk, device=uuid.uuid4(), entries=[_entry(old, 30)])
    assert report.outcomes[0].result == Result.DUPLICATE
    assert Scan.objects.get(guest=g1, result=Result.ACCEPTED).offline is False
