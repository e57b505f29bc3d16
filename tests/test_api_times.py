"""Issue 7, point 8 "API consistency" (times): every time in every API answer is ISO 8601 with the
organisation's UTC offset (``2027-03-18T09:00:00+08:00``), reads and writes alike.

Before, a read said UTC (``…T05:30:00Z``, the database's value) while the create that wrote it echoed the
client's ``+08:00``: the same instant in two spellings.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from huodong.api.urls import LocalTimeRenderer
from huodong.core.models import Notification
from huodong.core.services import organisation_get
from huodong.planning.tests.conftest import build_plan_event, submit

pytestmark = pytest.mark.django_db

LAUNCH = {
    "name": "智启未来·2027新品发布会",
    "event_type": "product-launch",
    "starts_at": "2027-03-18T13:30:00+08:00",
    "ends_at": "2027-03-18T17:30:00+08:00",
    "time_zone": "Asia/Shanghai",
    "venue": "上海国际会议中心",
    "expected_attendance": 220,
    "requesting_department": "sales",
}
PLUS_EIGHT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00$")


def bearer(user) -> dict[str, str]:
    out = io.StringIO()
    call_command("token", "create", user.username, stdout=out)
    return {"HTTP_AUTHORIZATION": f"Bearer {out.getvalue().strip()}"}


def times(value, key: str = "") -> list[tuple[str, str]]:
    """Every (key, value) of the answer whose key names a time (…_at, at)."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if (k.endswith("_at") or k == "at") and isinstance(v, str) and v:
                found.append((k, v))
            else:
                found += times(v, k)
    elif isinstance(value, list):
        for v in value:
            found += times(v, key)
    return found


def test_a_create_and_a_read_of_an_event_say_the_same_starts_at(client, organiser):
    auth = bearer(organiser)
    body = dict(LAUNCH, starts_at="2027-03-18T05:30:00Z", ends_at="2027-03-18T09:30:00Z")  # sent as UTC
    created = client.post("/api/events", data=json.dumps(body), content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    read = client.get(f"/api/events/{created.json()['id']}", **auth)
    listed = client.get("/api/events", **auth)
    assert created.json()["starts_at"] == "2027-03-18T13:30:00+08:00"
    assert read.json()["starts_at"] == created.json()["starts_at"]
    assert read.json()["ends_at"] == created.json()["ends_at"] == "2027-03-18T17:30:00+08:00"
    assert [e["starts_at"] for e in listed.json()] == ["2027-03-18T13:30:00+08:00"]


def test_segments_versions_and_the_history_use_the_organisations_offset(
    client, organiser, reviewers, approver_exec, approver_gm
):
    event = build_plan_event(organiser)
    submit(event, organiser)
    auth = bearer(organiser)
    plan = client.get(f"/api/events/{event.pk}/plan", **auth).json()
    segments = plan["segments"]
    assert segments[0]["starts_at"] == "2027-03-18T13:30:00+08:00"
    versions = client.get(f"/api/events/{event.pk}/plan/versions", **auth).json()
    assert PLUS_EIGHT.match(versions[0]["submitted_at"]), versions[0]["submitted_at"]
    answers = [plan, versions, client.get(f"/api/events/{event.pk}/history", **auth).json()]
    answers.append(client.get(f"/api/events/{event.pk}", **auth).json())
    found = [t for answer in answers for t in times(answer)]
    assert len(found) >= 5
    assert [(k, v) for k, v in found if not PLUS_EIGHT.match(v)] == []


def test_a_notification_time_is_written_with_the_organisations_offset(
    organiser, reviewers, approver_exec, approver_gm
):
    submit(build_plan_event(organiser), organiser)
    note = Notification.objects.order_by("id").first()
    assert note is not None and note.created_at.utcoffset() == dt.timedelta(0)  # as the database gives it
    text = LocalTimeRenderer().render(
        RequestFactory().get("/api/"), {"at": note.created_at}, response_status=200
    )
    assert PLUS_EIGHT.match(json.loads(text)["at"])


def test_times_follow_the_organisations_time_zone_not_the_servers(client, organiser):
    org = organisation_get()
    org.time_zone = "Asia/Tokyo"
    org.save(update_fields=["time_zone"])
    auth = bearer(organiser)
    created = client.post("/api/events", data=json.dumps(LAUNCH), content_type="application/json", **auth)
    read = client.get(f"/api/events/{created.json()['id']}", **auth)
    assert created.json()["starts_at"] == read.json()["starts_at"] == "2027-03-18T14:30:00+09:00"


def test_the_zone_is_read_once_per_request(django_assert_num_queries):
    request = RequestFactory().get("/api/")
    renderer = LocalTimeRenderer()
    moment = dt.datetime(2027, 3, 18, 1, 0, tzinfo=dt.UTC)
    renderer.render(request, {"at": moment}, response_status=200)
    with django_assert_num_queries(0):
        text = renderer.render(request, {"at": moment, "list": [moment]}, response_status=200)
    assert json.loads(text) == {"at": "2027-03-18T09:00:00+08:00", "list": ["2027-03-18T09:00:00+08:00"]}


def test_a_stale_answer_writes_the_record_and_when_it_changed_like_every_other_time(client, organiser):
    auth = bearer(organiser)
    created = client.post(
        "/api/events", data=json.dumps(LAUNCH), content_type="application/json", **auth
    ).json()
    url = f"/api/events/{created['id']}"
    seen = created["revision"]
    first = client.patch(
        url, data=json.dumps({"name": "新名称", "revision": seen}), content_type="application/json", **auth
    )
    assert first.status_code == 200
    stale = client.patch(
        url, data=json.dumps({"name": "再改", "revision": seen}), content_type="application/json", **auth
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    body = stale.json()
    assert body["current"]["starts_at"] == created["starts_at"] == "2027-03-18T13:30:00+08:00"
    assert PLUS_EIGHT.match(body["changed_at"]), body["changed_at"]
