"""Plan API: a round trip through every resource, and the 400/403/404 answers (PL-1, PL-2, PL-3, DOC-2)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, RunOfShowSegment
from tests.factories import login

from .conftest import move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]
JSON = "application/json"


def api(event, tail: str = "") -> str:
    return f"/api/events/{event.pk}/plan{tail}"


def test_a_plan_round_trip_through_the_api(as_organiser, event, organiser, media_root):
    # REQ: PL-1, PL-2, PL-3, DOC-2
    c = as_organiser
    resp = c.put(
        api(event),
        {"theme": "智启未来·2027", "tone": "高端专业", "background": "新品上市", "approved_budget": "600000"},
        content_type=JSON,
    )
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["theme"] == "智启未来·2027" and data["approved_budget"] == "600000.00"
    assert len(data["segments"]) == 7 and len(data["risks"]) == 4

    resp = c.post(
        api(event, "/segments"),
        {
            "title": "媒体专访",
            "starts_at": "2027-03-18T16:30:00",
            "duration_minutes": 30,
            "owner": "organiser",
            "key_actions": "专访",
        },
        content_type=JSON,
    )
    assert resp.status_code == 201, resp.content
    seg = resp.json()
    assert seg["local_start"] == "2027-03-18T16:30" and seg["owner"] == "organiser"
    resp = c.patch(
        api(event, f"/segments/{seg['id']}"),
        {"duration_minutes": 45, "revision": seg["revision"]},
        content_type=JSON,
    )
    assert resp.status_code == 200 and resp.json()["duration_minutes"] == 45
    seg = resp.json()

    resp = c.post(
        api(event, "/budget-lines"),
        {"category": "venue", "item": "场地", "quantity": "1", "unit": "天", "unit_price": "460000"},
        content_type=JSON,
    )
    assert resp.status_code == 201, resp.content
    line = resp.json()
    assert line["amount"] == "460000.00"
    resp = c.post(
        api(event, "/budget-lines"),
        {"category": "contingency", "item": "备用金", "quantity": 1, "unit_price": 40000},
        content_type=JSON,
    )
    assert resp.status_code == 201
    resp = c.patch(
        api(event, f"/budget-lines/{line['id']}"),
        {"note": "含布展"},
        content_type=JSON,
        HTTP_IF_MATCH=f'"r{line["revision"]}"',
    )
    assert resp.status_code == 200 and resp.json()["note"] == "含布展"
    line = resp.json()

    resp = c.post(
        api(event, "/risks"),
        {"risk": "停电", "likelihood": "low", "impact": "high", "owner": "organiser", "response": "发电机"},
        content_type=JSON,
    )
    assert resp.status_code == 201
    risk = resp.json()
    resp = c.patch(api(event, f"/risks/{risk['id']}"), {"impact": "medium", "revision": 1}, content_type=JSON)
    assert resp.json()["impact"] == "medium"
    risk = resp.json()

    resp = c.post(
        api(event, "/attachments"),
        {"kind": "floor_plan", "file": SimpleUploadedFile("平面图.pdf", b"%PDF-1.4 floor")},
    )
    assert resp.status_code == 201, resp.content
    att = resp.json()
    assert att["original_name"] == "平面图.pdf" and att["size"] == 14
    resp = c.get(api(event, f"/attachments/{att['id']}/download"))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == b"%PDF-1.4 floor"

    data = c.get(api(event)).json()
    summary = data["budget_summary"]
    assert (
        summary["total"] == "500000.00"
        and summary["contingency_share"] == "0.0800"
        and summary["reserve_in_band"] is True
    )
    assert summary["remaining"] == "100000.00"
    assert [x["id"] for x in data["attachments"]] == [att["id"]]

    assert c.delete(api(event, f"/attachments/{att['id']}?revision={att['revision']}")).status_code == 204
    assert c.delete(api(event, f"/risks/{risk['id']}?revision={risk['revision']}")).status_code == 204
    resp = c.delete(api(event, f"/budget-lines/{line['id']}"), HTTP_IF_MATCH=f'"r{line["revision"]}"')
    assert resp.status_code == 204
    assert c.delete(api(event, f"/segments/{seg['id']}?revision={seg['revision']}")).status_code == 204
    data = c.get(api(event)).json()
    assert len(data["segments"]) == 7 and len(data["budget_lines"]) == 1 and data["attachments"] == []


@pytest.mark.parametrize(
    ("tail", "body", "field"),
    [
        (
            "/budget-lines",
            {"category": "venue", "item": "场地", "quantity": "-1", "unit_price": "100"},
            "quantity",
        ),
        (
            "/budget-lines",
            {"category": "venue", "item": "场地", "quantity": "1", "unit_price": "abc"},
            "unit_price",
        ),
        (
            "/segments",
            {"title": "晚宴", "starts_at": "2027-03-18T17:20:00", "duration_minutes": 30},
            "duration_minutes",
        ),
        (
            "/segments",
            {"title": "晚宴", "starts_at": "2027-03-18T16:30:00", "duration_minutes": 30, "owner": "nobody"},
            "owner",
        ),
        ("/risks", {"risk": "x", "likelihood": "huge"}, "likelihood"),
    ],
)
def test_bad_input_is_400_naming_the_field(as_organiser, event, tail, body, field):
    # REQ: PL-2, PL-3
    resp = as_organiser.post(api(event, tail), body, content_type=JSON)
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert not BudgetLine.objects.exists()
    assert not RunOfShowSegment.objects.filter(title="晚宴").exists()


def test_a_negative_approved_amount_is_400(as_organiser, event):
    # REQ: PL-3
    resp = as_organiser.put(api(event), {"approved_budget": "-5"}, content_type=JSON)
    assert resp.status_code == 400 and "approved_budget" in resp.json()["errors"]


def test_an_outsider_gets_403_and_can_still_read(client, event, organiser, outsider):
    login(client, outsider)
    resp = client.post(api(event, "/risks"), {"risk": "x"}, content_type=JSON)
    assert resp.status_code == 403
    assert client.get(api(event)).status_code == 200


def test_the_wrong_step_is_400_saying_which_steps_allow_it(as_organiser, event):
    # REQ: LC-2
    move(event, Step.RESOURCES)
    resp = as_organiser.put(api(event), {"background": "x"}, content_type=JSON)
    assert resp.status_code == 400 and resp.json()["code"] == "wrong_step"


def test_unknown_ids_are_404(as_organiser, event):
    assert as_organiser.get("/api/events/999999/plan").status_code == 404
    resp = as_organiser.patch(
        api(event, "/segments/999999"), {"title": "x", "revision": 1}, content_type=JSON
    )
    assert resp.status_code == 404
    assert as_organiser.delete(api(event, "/budget-lines/999999?revision=1")).status_code == 404
    assert as_organiser.get(api(event, "/attachments/999999/download")).status_code == 404


def test_anonymous_callers_are_401(client, event):
    assert client.get(api(event)).status_code == 401
