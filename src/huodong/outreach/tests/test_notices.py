"""The notices page (tab 通知) and API (NT-1, NT-2): it shows the schedule, letters, invitations,
registration, quotas and the gate; its forms and operations accept valid input and refuse bad input with
a 400 naming the field (Chinese, English with the UI switched), writing nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from huodong.outreach.models import CollaborationLetter, Message, MessageKind, NoticeSchedule
from tests.factories import login

from .test_letters_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BEFORE = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def _url(event, name="notices", **kw):
    return reverse(f"outreach:{name}", kwargs={"event_id": event.pk, **kw})


def test_the_page_shows_schedule_letters_invitations_and_the_gate(notices_world, client):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    login(client, w.organiser)
    response = client.get(_url(w.event))
    text = response.content.decode()
    assert response.status_code == 200
    for part in (
        'data-testid="schedule"',
        'data-testid="letters-table"',
        'data-testid="invitation-stats"',
        'data-testid="notification-gate"',
    ):
        assert part in text
    assert "T-7 天" in text and "T-3 天" in text and "销售部" in text and "报名尚未开放" in text
    client.cookies["django_language"] = "en"
    english = client.get(_url(w.event), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and "Sales" in english.content.decode()


@time_machine.travel(BEFORE, tick=False)
def test_the_page_forms_work_and_refuse_bad_input(notices_world, client):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    login(client, w.organiser)
    bad = client.post(
        _url(w.event, "notices_schedule", kind="reminder"), {"revision": 1, "days": "-3", "channels": ["fax"]}
    )
    assert bad.status_code == 400 and "提前天数" in bad.content.decode()
    assert not NoticeSchedule.objects.exists()
    ok = client.post(
        _url(w.event, "notices_schedule", kind="reminder"),
        {"revision": 1, "days": "2", "hours": "12", "channels": ["email"], "enabled": "on"},
    )
    assert ok.status_code == 302
    assert NoticeSchedule.objects.get(event=w.event, kind="reminder").offset_minutes == -(2 * 24 + 12) * 60
    assert client.post(_url(w.event, "letters_queue")).status_code == 302
    assert Message.objects.filter(kind=MessageKind.COLLABORATION_LETTER).count() == 4
    letter = CollaborationLetter.objects.get(event=w.event, department=w.sales)
    mark(Message.objects.filter(letter=letter), Message.Status.DEAD)  # noqa: F405
    empty = client.post(
        _url(w.event, "letter_acknowledge", letter_id=letter.pk), {"revision": letter.revision, "reason": ""}
    )
    assert empty.status_code == 400
    letter.refresh_from_db()
    done = client.post(
        _url(w.event, "letter_acknowledge", letter_id=letter.pk),
        {"revision": letter.revision, "reason": "已当面递交"},
    )
    assert done.status_code == 302
    letter.refresh_from_db()
    assert letter.failure_acknowledged_reason == "已当面递交"
    guest_factory(w.event, 2)  # noqa: F405
    refused = client.post(
        _url(w.event, "invitations_send"), {"statuses": ["invited"], "channels": ["fax"], "when": "now"}
    )
    assert refused.status_code == 400 and not Message.objects.filter(kind=MessageKind.INVITATION).exists()
    sent = client.post(
        _url(w.event, "invitations_send"), {"statuses": ["invited"], "channels": ["email"], "when": "now"}
    )
    assert sent.status_code == 302 and Message.objects.filter(kind=MessageKind.INVITATION).count() == 2
    assert client.post(_url(w.event, "reminders_queue")).status_code == 302


@time_machine.travel(BEFORE, tick=False)
def test_the_api_reads_and_writes_the_notices(notices_world, client):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    login(client, w.organiser)
    base = f"/api/events/{w.event.pk}"
    data = client.get(f"{base}/notices").json()
    assert [s["kind"] for s in data["schedule"]] == ["invitation", "collaboration_letter", "reminder"]
    assert {letter["department"] for letter in data["letters"]} == {"marketing", "sales", "legal"}
    assert not data["gate_met"] and len([c for c in data["gate"] if c["code"].startswith("outreach.")]) == 4
    put = f"{base}/notices/schedule/collaboration_letter"
    assert (
        client.put(
            put, json.dumps({"offset_minutes": -6 * 24 * 60}), content_type="application/json"
        ).status_code
        == 428
    )
    bad = client.put(
        put,
        json.dumps({"revision": 1, "offset_minutes": 10}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400 and "offset_minutes" in bad.json()["errors"]
    bad = client.put(put, json.dumps({"revision": 1, "channels": ["sms"]}), content_type="application/json")
    assert bad.status_code == 400 and "channels" in bad.json()["errors"]
    ok = client.put(
        put, json.dumps({"revision": 1, "offset_minutes": -6 * 24 * 60}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["offset_label"] == "T-6 天"
    assert (
        client.put(
            put, json.dumps({"revision": 1, "enabled": True}), content_type="application/json"
        ).status_code
        == 409
    )
    prepared = client.post(f"{base}/letters/prepare", "{}", content_type="application/json")
    assert prepared.status_code == 200 and len(prepared.json()) == 3
    queued = client.post(f"{base}/letters/queue", "{}", content_type="application/json")
    assert queued.status_code == 200 and queued.json()["created"] == 4
    due = Message.objects.filter(kind=MessageKind.COLLABORATION_LETTER).values_list("due_at", flat=True)
    assert set(due) == {w.event.starts_at - dt.timedelta(days=6)}
    letter = CollaborationLetter.objects.get(event=w.event, department=w.legal)
    mark(Message.objects.filter(letter=letter), Message.Status.DEAD)  # noqa: F405
    ack = f"{base}/letters/{letter.pk}/acknowledge"
    letter.refresh_from_db()
    empty = client.post(
        ack, json.dumps({"revision": letter.revision, "reason": ""}), content_type="application/json"
    )
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]
    ok = client.post(
        ack,
        json.dumps({"revision": letter.revision, "reason": "对接人离职,已改由部门负责人转达"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["done"] and ok.json()["acknowledged"]
    guest_factory(w.event, 2)  # noqa: F405
    inv = f"{base}/invitations"
    bad = client.post(inv, json.dumps({"channels": ["fax"]}), content_type="application/json")
    assert bad.status_code == 400 and "channels" in bad.json()["errors"]
    bad = client.post(inv, json.dumps({"channels": []}), content_type="application/json")
    assert bad.status_code == 400 and "channels" in bad.json()["errors"]
    sent = client.post(inv, json.dumps({"channels": ["email", "sms"]}), content_type="application/json")
    assert sent.status_code == 200 and sent.json() == {"guests": 2, "created": 4, "job_id": None}
    assert client.post(f"{base}/reminders", "{}", content_type="application/json").json() == {"created": 0}


def test_a_viewer_reads_but_cannot_send(notices_world, client, outsider):
    w = notices_world
    login(client, outsider)
    assert client.get(_url(w.event)).status_code == 200
    assert client.post(_url(w.event, "letters_queue")).status_code == 403
    assert (
        client.post(
            f"/api/events/{w.event.pk}/letters/queue", "{}", content_type="application/json"
        ).status_code
        == 403
    )
    assert not Message.objects.exists()
