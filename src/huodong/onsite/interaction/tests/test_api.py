"""The interaction API (EX-4): every operation with valid and invalid data, the same rules as the pages."""

from __future__ import annotations

import json

import pytest

from huodong.checkin.tests.support import post
from huodong.outreach.models import Ticket
from tests.factories import login

from ..models import Draw, Question
from ..services import qa, survey
from .support import all_guests, show_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return show_event(organiser, 3)


@pytest.fixture
def api(client, organiser):
    login(client, organiser)
    return client


def _url(event, tail=""):  # noqa: ANN001, ANN202
    return f"/api/events/{event.pk}/interaction{tail}"


def test_settings_read_and_write(api, event, checkin_staff):
    # REQ: EX-4
    r = api.get(_url(event))
    assert r.status_code == 200
    body = r.json()
    assert body["qa_open"] and body["survey_open"] and body["guest_url"] == f"/x/{body['key']}/"
    assert set(body["counts"]) == {
        "questions",
        "questions_approved",
        "survey_answers",
        "lottery_draws",
        "winners",
    }
    assert api.put(_url(event), json.dumps({"qa_open": False}), "application/json").status_code == 428
    bad = api.put(_url(event), json.dumps({"qa_open": "maybe", "revision": 1}), "application/json")
    assert bad.status_code == 400
    ok = api.put(
        _url(event), json.dumps({"qa_open": False, "revision": body["revision"]}), "application/json"
    )
    assert ok.status_code == 200 and ok.json()["qa_open"] is False
    stale = api.put(
        _url(event), json.dumps({"survey_open": False, "revision": body["revision"]}), "application/json"
    )
    assert stale.status_code == 409


def test_questions_list_and_moderate(api, event):
    # REQ: EX-4
    q = qa.question_ask(event=event, respondent="a:phone-one-xyz", guest_id=None, text="什么时候发货?")
    rows = api.get(_url(event, "/questions")).json()
    assert [r["text"] for r in rows] == ["什么时候发货?"] and rows[0]["from_ticket"] is False
    assert api.get(_url(event, "/questions?status=nonsense")).status_code == 400
    url = _url(event, f"/questions/{q.pk}/moderate")
    assert post(api, url, {"action": "approve"}).status_code == 428
    assert post(api, url, {"action": "explode", "revision": 1}).status_code == 400
    assert (
        post(api, _url(event, "/questions/999999/moderate"), {"action": "approve", "revision": 1}).status_code
        == 404
    )
    ok = post(api, url, {"action": "approve", "revision": 1})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert post(api, url, {"action": "reject", "revision": 1}).status_code == 409
    assert api.get(_url(event, "/questions?status=approved")).json()[0]["id"] == q.pk
    assert Question.objects.get().status == "approved"


def test_survey_summary(api, event):
    # REQ: EX-4
    survey.survey_answer(
        event=event,
        respondent="a:phone-one-xyz",
        guest_id=None,
        rating=4,
        rating_content=4,
        rating_organisation=5,
        nps=10,
    )
    s = api.get(_url(event, "/survey")).json()
    assert s["count"] == 1 and s["rating_avg"] == 4.0 and s["nps"] == 100 and s["distribution"]["4"] == 1


def test_draws_prepare_run_and_refusals(api, event):
    # REQ: EX-4
    assert post(api, _url(event, "/draws"), {"title": "", "winners_count": 1}).status_code == 400
    assert post(api, _url(event, "/draws"), {"title": "一等奖", "winners_count": 0}).status_code == 400
    assert (
        post(api, _url(event, "/draws"), {"title": "一等奖", "winners_count": 4}).status_code == 400
    )  # 3 eligible
    made = post(api, _url(event, "/draws"), {"title": "一等奖", "winners_count": 2})
    assert made.status_code == 201
    d = made.json()
    assert (
        d["seed"] == ""
        and d["winners"] == []
        and len(d["seed_commitment"]) == 64
        and d["eligible_count"] == 3
    )
    run = _url(event, f"/draws/{d['id']}/draw")
    assert post(api, run, {}).status_code == 428
    assert post(api, _url(event, "/draws/999999/draw"), {"revision": 1}).status_code == 404
    done = post(api, run, {"revision": d["revision"]})
    assert done.status_code == 200
    assert len(done.json()["winners"]) == 2 and done.json()["seed"] == Draw.objects.get().seed
    assert post(api, run, {"revision": done.json()["revision"]}).status_code == 409
    listed = api.get(_url(event, "/draws")).json()
    assert listed[0]["status"] == "drawn"
    # two more draws leave one guest; then nobody
    post(api, _url(event, "/draws"), {"title": "二等奖", "winners_count": 1})
    last = Draw.objects.order_by("-pk").first()
    post(api, _url(event, f"/draws/{last.pk}/draw"), {"revision": last.revision})
    nobody = post(api, _url(event, "/draws"), {"title": "三等奖", "winners_count": 1})
    assert nobody.status_code == 400 and nobody.json()["code"] == "nobody_eligible"


def test_exclusions(api, event):
    # REQ: EX-4
    guest = all_guests(event)[0]
    assert post(api, _url(event, "/exclusions"), {"reason": "供应商"}).status_code == 400
    assert post(api, _url(event, "/exclusions"), {"guest_id": 999999, "reason": "x"}).status_code == 400
    assert post(api, _url(event, "/exclusions"), {"guest_id": guest.pk, "reason": ""}).status_code == 400
    made = post(api, _url(event, "/exclusions"), {"guest_id": guest.pk, "reason": "供应商"})
    assert made.status_code == 201 and made.json()["guest_id"] == guest.pk
    code = Ticket.objects.get(guest=all_guests(event)[1]).code
    assert post(api, _url(event, "/exclusions"), {"code": code, "reason": "家属"}).status_code == 201
    assert len(api.get(_url(event, "/exclusions")).json()) == 2
    assert api.delete(_url(event, f"/exclusions/{made.json()['id']}")).status_code == 204
    assert api.delete(_url(event, "/exclusions/999999")).status_code == 404


def test_the_api_is_for_the_stage(client, checkin_staff, event):
    # REQ: EX-4
    login(client, checkin_staff)
    assert client.get(_url(event, "/draws")).status_code == 403
    assert post(client, _url(event, "/draws"), {"title": "一等奖", "winners_count": 1}).status_code == 403


def test_the_interaction_counts_have_their_own_schema_in_the_openapi_document(client):
    # Found by the fuzzer (issue 11): the counts were a schema named CountsOut like the registration's; the
    # OpenAPI document kept one of the two, so GET /registration answered against the interaction's fields.
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["SettingsOut"]["properties"]["counts"]["$ref"].endswith("/InteractionCountsOut")
    assert {"questions", "survey_answers", "winners"} <= set(schemas["InteractionCountsOut"]["properties"])
    assert {"registered", "waitlisted", "capacity"} <= set(schemas["CountsOut"]["properties"])
