"""The training API (TR-1): every operation with valid and invalid input, revisions (428/409), access."""

from __future__ import annotations

import pytest

from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import TeamMember, Training
from tests.factories import login

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def prep_event(organiser, marketing_mgr):
    event = make_event(organiser, step=Step.TRAINING)
    TeamMember.objects.create(event=event, person=organiser, is_leader=True)
    TeamMember.objects.create(event=event, person=marketing_mgr)
    return event


def _base(event):
    return f"/api/events/{event.pk}/trainings"


def test_the_meeting_defaults_to_t_minus_3(client, prep_event, organiser):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(f"{_base(prep_event)}/execution-meeting", {}, content_type=J)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["kind"] == "execution_meeting" and body["title"] == "执行会议"
    assert body["starts_at"].startswith("2027-03-15T13:30:00+08:00")
    assert sorted(a["person"] for a in body["attendance"]) == ["marketing_mgr", "organiser"]
    again = client.post(f"{_base(prep_event)}/execution-meeting", {}, content_type=J)
    assert again.status_code == 400 and "kind" in again.json()["errors"]
    late = make_event(organiser, step=Step.TRAINING, name="另一场")
    bad = client.post(
        f"{_base(late)}/execution-meeting", {"starts_at": "2027-03-20T09:00:00"}, content_type=J
    )
    assert bad.status_code == 400 and "starts_at" in bad.json()["errors"]


def test_add_read_patch_delete(client, prep_event, organiser, marketing_mgr, reviewer_sales):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(
        _base(prep_event),
        {
            "kind": "host",
            "starts_at": "2027-03-17T10:00:00",
            "trainer": "marketing_mgr",
            "attendees": ["reviewer_sales"],
        },
        content_type=J,
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["title"] == "主持人培训" and body["trainer"] == "marketing_mgr" and resp["ETag"] == '"r1"'
    assert [a["person"] for a in body["attendance"]] == ["reviewer_sales"]
    url = f"{_base(prep_event)}/{body['id']}"
    assert client.get(url).json()["id"] == body["id"]
    assert [t["id"] for t in client.get(_base(prep_event)).json()] == [body["id"]]
    assert client.patch(url, {"location": "报告厅"}, content_type=J).status_code == 428
    ok = client.patch(
        url, {"location": "报告厅", "attendees": ["organiser"]}, content_type=J, HTTP_IF_MATCH='"r1"'
    )
    assert ok.status_code == 200 and ok.json()["location"] == "报告厅"
    assert [a["person"] for a in ok.json()["attendance"]] == ["organiser"]
    stale = client.patch(url, {"location": "旧", "revision": 1}, content_type=J)
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    rev = ok.json()["revision"]
    bad = client.patch(url, {"starts_at": "2027-03-19T10:00:00+08:00", "revision": rev}, content_type=J)
    assert bad.status_code == 400 and "starts_at" in bad.json()["errors"]
    assert client.delete(url).status_code == 428
    assert client.delete(f"{url}?revision={rev}").status_code == 204
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "party", "starts_at": "2027-03-17T10:00:00"}, "kind"),
        ({"kind": "host", "starts_at": "2027-03-19T10:00:00"}, "starts_at"),
        ({"kind": "host", "starts_at": "不是时间"}, "starts_at"),
        ({"kind": "host", "starts_at": "2027-03-17T10:00:00", "duration_minutes": 0}, "duration_minutes"),
        ({"kind": "host", "starts_at": "2027-03-17T10:00:00", "trainer": "nobody"}, "trainer"),
        ({"kind": "host", "starts_at": "2027-03-17T10:00:00", "attendees": ["nobody"]}, "attendees"),
        ({"kind": "host", "starts_at": "2027-03-17T10:00:00", "location": "a\nb"}, "location"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, prep_event, organiser, body, field):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(_base(prep_event), body, content_type=J)
    assert resp.status_code == 400, resp.content
    assert field in str(resp.json()["errors"])
    assert not Training.objects.exists()


def test_held_and_attendance(client, prep_event, organiser, marketing_mgr):
    # REQ: TR-1
    login(client, organiser)
    m = client.post(f"{_base(prep_event)}/execution-meeting", {}, content_type=J).json()
    url = f"{_base(prep_event)}/{m['id']}"
    early = client.put(f"{url}/attendance", {"revision": 1, "rows": []}, content_type=J)
    assert early.status_code == 400  # not held yet
    assert client.post(f"{url}/held", {"held_at": "2026-11-30T14:00:00"}, content_type=J).status_code == 428
    no_minutes = client.post(f"{url}/held", {"held_at": "2026-11-30T14:00:00", "revision": 1}, content_type=J)
    assert no_minutes.status_code == 400 and "minutes" in no_minutes.json()["errors"]
    future = client.post(
        f"{url}/held", {"held_at": "2099-01-01T14:00:00", "minutes": "x", "revision": 1}, content_type=J
    )
    assert future.status_code == 400 and "held_at" in future.json()["errors"]
    held = client.post(
        f"{url}/held", {"held_at": "2026-11-30T14:00:00", "minutes": "纪要", "revision": 1}, content_type=J
    )
    assert held.status_code == 200 and held.json()["held_at"].startswith("2026-11-30T14:00:00+08:00")
    rev = held.json()["revision"]
    partial = client.put(
        f"{url}/attendance",
        {"revision": rev, "rows": [{"person": "organiser", "attended": True}]},
        content_type=J,
    )
    assert partial.status_code == 400 and "rows" in partial.json()["errors"]
    unknown = client.put(
        f"{url}/attendance",
        {"revision": rev, "rows": [{"person": "nobody", "attended": True}]},
        content_type=J,
    )
    assert unknown.status_code == 400 and "rows" in unknown.json()["errors"]
    not_bool = client.put(
        f"{url}/attendance",
        {"revision": rev, "rows": [{"person": "organiser", "attended": "也许"}]},
        content_type=J,
    )
    assert not_bool.status_code == 400
    rows = [
        {"person": "organiser", "attended": True},
        {"person": "marketing_mgr", "attended": False, "note": "出差"},
    ]
    ok = client.put(f"{url}/attendance", {"revision": rev, "rows": rows}, content_type=J)
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["attendance_recorded_at"] and body["attended"] == ["王策划"] and body["missed"] == ["陈经理"]
    assert client.put(f"{url}/attendance", {"revision": rev, "rows": rows}, content_type=J).status_code == 409
    gate = client.get(f"/api/events/{prep_event.pk}/gate")
    assert gate.status_code == 200


def test_outsiders_read_but_do_not_write(client, prep_event, organiser, reviewer_sales):
    login(client, reviewer_sales)
    assert client.get(_base(prep_event)).status_code == 200
    assert client.post(f"{_base(prep_event)}/execution-meeting", {}, content_type=J).status_code == 403
    assert (
        client.post(
            _base(prep_event), {"kind": "host", "starts_at": "2027-03-17T10:00:00"}, content_type=J
        ).status_code
        == 403
    )
    assert client.get(f"{_base(prep_event)}/999999").status_code == 404
