"""The incident API (EX-5): every operation with valid and invalid data, revisions (428/409), and the
field named in every refusal, in Chinese by default and in English when asked."""

from __future__ import annotations

import pytest

from huodong.core.services import token_create
from huodong.onsite.incidents.models import Incident
from huodong.onsite.incidents.services import incidents as services

from .support import post, put, risk, show_event, stage_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser, marketing_mgr, checkin_staff):
    return show_event(organiser, [marketing_mgr, checkin_staff])


def auth(user, language: str = "zh-hans") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)[1]}", "HTTP_ACCEPT_LANGUAGE": language}


def base(event) -> str:
    return f"/api/events/{event.pk}/incidents"


def test_reporting_through_the_api_answers_the_playbook(client, event, checkin_staff):
    # REQ: EX-5
    r = post(client, base(event), {"category": "equipment", "title": "投影无信号"}, **auth(checkin_staff))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["category"] == "equipment" and body["category_label"] == "设备"
    assert body["playbook"]["backup_resource"] == "备用投影仪、备用麦克风"
    assert body["sla_state"] == "running" and body["sla_due_at"]
    assert body["reporter"]["id"] == checkin_staff.pk and r["ETag"] == '"r1"'


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "无类别"}, "category"),
        ({"category": "", "title": "x"}, "category"),
        ({"category": "fire", "title": "x"}, "category"),
        ({"category": "equipment"}, "title"),
        ({"category": "equipment", "title": ""}, "title"),
        ({"category": "equipment", "title": "x" * 101}, "title"),
        ({"category": "equipment", "title": "x", "severity": "huge"}, "severity"),
        ({"category": "equipment", "title": "x", "risk_id": 0}, "risk_id"),
        ({"category": "equipment", "title": "x", "risk_id": 999999}, "risk"),
    ],
)
def test_a_bad_report_names_its_field(client, event, checkin_staff, payload, field):
    # REQ: EX-5
    r = post(client, base(event), payload, **auth(checkin_staff))
    assert r.status_code in (400, 422), r.content
    assert field in r.content.decode()
    assert Incident.objects.count() == 0


def test_a_missing_category_is_said_in_english_when_asked(client, event, checkin_staff):
    r = post(client, base(event), {"category": "fire", "title": "x"}, **auth(checkin_staff, "en"))
    assert r.status_code in (400, 422) and "category" in r.content.decode()
    r = post(
        client,
        base(event),
        {"category": "other", "title": "x", "risk_id": 999999},
        **auth(checkin_staff, "en"),
    )
    assert r.status_code == 400 and r.json()["errors"]["risk"]


def test_reading_the_log_the_open_ones_and_the_stats(client, event, organiser):
    services.incident_report(actor=organiser, event=event, category="equipment", title="投影")
    done = services.incident_report(actor=organiser, event=event, category="other", title="笔")
    services.incident_move(
        actor=organiser, event=event, incident_id=done.pk, seen=1, move="resolve", resolution="好"
    )
    h = auth(organiser)
    assert len(client.get(base(event), **h).json()) == 2
    assert [i["title"] for i in client.get(base(event), {"status": "open"}, **h).json()] == ["投影"]
    assert [i["title"] for i in client.get(base(event), {"status": "resolved"}, **h).json()] == ["笔"]
    assert client.get(base(event), {"status": "bogus"}, **h).status_code in (400, 422)
    opened = client.get(f"{base(event)}/open", **h).json()
    assert opened[0]["sla_state"] == "running" and opened[0]["escalated"] is False
    stats = client.get(f"{base(event)}/stats", **h).json()
    assert stats["count"] == 2 and stats["open"] == 1 and stats["by_category"]["equipment"] == 1
    one = client.get(f"{base(event)}/{done.pk}", **h)
    assert one.status_code == 200 and one.json()["status"] == "resolved" and one["ETag"] == '"r2"'
    assert client.get(f"{base(event)}/999999", **h).status_code == 404


def test_moves_through_the_api_need_the_revision(client, event, organiser, checkin_staff):
    # REQ: EX-5
    incident = services.incident_report(actor=organiser, event=event, category="equipment", title="投影")
    url = f"{base(event)}/{incident.pk}/moves"
    assert post(client, url, {"move": "start"}, **auth(checkin_staff)).status_code == 428
    assert post(client, url, {"move": "fly", "revision": 1}, **auth(checkin_staff)).status_code in (400, 422)
    ok = post(client, url, {"move": "start", "revision": 1}, **auth(checkin_staff))
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    assert post(client, url, {"move": "start", "revision": 1}, **auth(checkin_staff)).status_code == 409
    refused = post(client, url, {"move": "resolve", "revision": 2, "resolution": "好"}, **auth(checkin_staff))
    assert refused.status_code == 403
    blank = post(client, url, {"move": "resolve", "revision": 2}, **auth(stage_manager()))
    assert blank.status_code == 400 and "resolution" in blank.json()["errors"]
    done = post(
        client,
        url,
        {"move": "resolve", "revision": 2, "resolution": "已换备用"},
        HTTP_IF_MATCH='"r2"',
        **auth(stage_manager()),
    )
    assert done.status_code == 200 and done.json()["minutes_to_resolve"] is not None
    wrong = post(client, url, {"move": "start", "revision": 3}, **auth(organiser))
    assert wrong.status_code == 400 and "move" in wrong.json()["errors"]


def test_editing_an_incident_through_the_api(client, event, organiser):
    incident = services.incident_report(
        actor=organiser, event=event, category="personnel", title="主持人缺席"
    )
    url = f"{base(event)}/{incident.pk}"
    late = risk(event, "开场延误")
    ok = put(client, url, {"revision": 1, "severity": "critical", "risk_id": late.pk}, **auth(organiser))
    assert ok.status_code == 200 and ok.json()["severity"] == "critical" and ok.json()["risk_id"] == late.pk
    assert ok.json()["playbook"]["response"] == late.response
    assert put(client, url, {"severity": "low"}, **auth(organiser)).status_code == 428
    assert put(client, url, {"revision": 1, "severity": "low"}, **auth(organiser)).status_code == 409
    assert put(client, url, {"revision": 2, "title": ""}, **auth(organiser)).status_code in (400, 422)


def test_notes_assignees_and_arrival_through_the_api(client, event, organiser, marketing_mgr, reviewer_sales):
    # REQ: EX-5
    incident = services.incident_report(actor=organiser, event=event, category="equipment", title="投影")
    url = f"{base(event)}/{incident.pk}"
    note = post(client, f"{url}/actions", {"text": "已联系技术"}, **auth(marketing_mgr))
    assert note.status_code == 201 and note.json()["actions"][-1]["text"] == "已联系技术"
    assert note.json()["minutes_to_respond"] is not None
    assert post(client, f"{url}/actions", {"text": ""}, **auth(marketing_mgr)).status_code in (400, 422)
    assert post(client, f"{url}/actions", {}, **auth(marketing_mgr)).status_code in (400, 422)
    people = put(client, f"{url}/assignees", {"revision": 1, "people": [marketing_mgr.pk]}, **auth(organiser))
    assert people.status_code == 200 and people.json()["assignees"][0]["id"] == marketing_mgr.pk
    bad = put(client, f"{url}/assignees", {"revision": 2, "people": [reviewer_sales.pk]}, **auth(organiser))
    assert bad.status_code == 400 and "people" in bad.json()["errors"]
    too_many = put(
        client, f"{url}/assignees", {"revision": 2, "people": list(range(1, 13))}, **auth(organiser)
    )
    assert too_many.status_code in (400, 422)
    arrived = post(client, f"{url}/arrival", {}, **auth(marketing_mgr))
    assert arrived.status_code == 200 and arrived.json()["sla_state"] == "met"
    assert arrived.json()["technician"]["id"] == marketing_mgr.pk
    assert post(client, f"{url}/arrival", {}, **auth(marketing_mgr)).status_code == 400
    assert post(client, f"{url}/arrival", {"technician_id": "x"}, **auth(marketing_mgr)).status_code in (
        400,
        422,
    )


def test_opinion_posts_and_the_statement_through_the_api(client, event, organiser, checkin_staff):
    # REQ: EX-5
    statements = f"/api/events/{event.pk}/incident-statements"
    assert (
        post(client, statements, {"title": "口径", "text": "内容"}, **auth(checkin_staff)).status_code == 403
    )
    made = post(client, statements, {"title": "口径一", "text": "我们高度重视。"}, **auth(organiser))
    assert made.status_code == 201
    second = post(
        client, statements, {"title": "口径二", "text": "请以官方公告为准。"}, **auth(stage_manager())
    ).json()
    assert post(client, statements, {"title": "口径一", "text": "重复"}, **auth(organiser)).status_code == 400
    assert post(client, statements, {"title": "", "text": "x"}, **auth(organiser)).status_code in (400, 422)
    assert len(client.get(statements, **auth(checkin_staff)).json()) == 2
    incident = services.incident_report(actor=checkin_staff, event=event, category="opinion", title="负面")
    url = f"{base(event)}/{incident.pk}"
    ok = post(
        client,
        f"{url}/posts",
        {"url": "https://weibo.com/1/a", "platform": "weibo", "text": "太差"},
        **auth(checkin_staff),
    )
    assert ok.status_code == 201 and ok.json()["posts"][0]["platform_label"] == "微博"
    for bad in (
        {"url": "weibo.com/x", "platform": "weibo"},
        {"url": "https://x.cn", "platform": "myspace"},
        {"platform": "weibo"},
    ):
        assert post(client, f"{url}/posts", bad, **auth(checkin_staff)).status_code in (400, 422)
    chose = put(
        client, f"{url}/statement", {"revision": 1, "statement_id": made.json()["id"]}, **auth(checkin_staff)
    )
    assert chose.status_code == 200 and chose.json()["statement"]["title"] == "口径一"
    rev = chose.json()["revision"]
    assert (
        put(
            client, f"{url}/statement", {"revision": rev, "statement_id": second["id"]}, **auth(checkin_staff)
        ).status_code
        == 403
    )
    assert (
        put(
            client, f"{url}/statement", {"revision": rev, "statement_id": 999999}, **auth(organiser)
        ).status_code
        == 400
    )
    changed = put(
        client, f"{url}/statement", {"revision": rev, "statement_id": second["id"]}, **auth(stage_manager())
    )
    assert changed.status_code == 200 and changed.json()["statement"]["title"] == "口径二"


def test_outsiders_are_refused(client, event, organiser, reviewer_sales):
    incident = services.incident_report(actor=organiser, event=event, category="other", title="x")
    h = auth(reviewer_sales)
    assert client.get(base(event), **h).status_code == 403
    assert client.get(f"{base(event)}/{incident.pk}", **h).status_code == 403
    assert post(client, base(event), {"category": "other", "title": "x"}, **h).status_code == 403
    assert client.get(base(event)).status_code == 401


def test_the_playbook_risk_and_the_arrival_have_their_own_schemas_in_the_openapi_document(client):
    # Found by the fuzzer (issue 11): RiskOut and ArrivalIn were also the names of the plan's risk and of the
    # check-in arrival; the OpenAPI document kept one of each pair, so GET /plan/risks answered against the
    # playbook's risk (owner an object, not a username) and the arrival's body was the check-in's.
    doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    playbook = {"id", "risk", "response", "backup_resource", "owner"}
    assert set(schemas["PlaybookRiskOut"]["properties"]) == playbook
    assert {"owner_name", "likelihood"} <= set(schemas["RiskOut"]["properties"])
    assert set(schemas["TechnicianArrivalIn"]["properties"]) == {"technician_id"}
    assert {"person_id", "gate_id"} <= set(schemas["ArrivalIn"]["properties"])
    arrival = doc["paths"]["/api/events/{event_id}/incidents/{incident_id}/arrival"]["post"]
    assert "/TechnicianArrivalIn" in str(arrival["requestBody"])
