"""The needs and goals API: create, read, validation 400 naming the field, 403, 404."""

from __future__ import annotations

import pytest

from huodong.events.steps import Step
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport

from .conftest import make_event, move, smart_goal

pytestmark = pytest.mark.django_db

J = "application/json"


def _url(event, tail: str = "") -> str:
    return f"/api/events/{event.pk}/{tail}"


REPORT = {
    "revision": 1,
    "background": "公司将于2027年3月发布新品",
    "audience_persona": "行业客户 IT 负责人",
    "core_needs": "现场体验、一对一交流",
    "initial_goals": "吸引200+行业客户参与,收集有效线索150条,媒体曝光量达50万",
    "requesting_department": "sales",
    "requesters": ["marketing_mgr", "reviewer_sales"],
    "requested_on": "2026-12-12",
    "inputs": [
        {"kind": "business_goal", "content": "新品上市需提升30%线索量", "source": "销售部"},
        {"kind": "customer_feedback", "content": "调研显示目标受众对现场互动需求提升"},
    ],
    "methods": [{"method": "interview", "findings": "销售部希望收集有效线索", "conducted_on": "2026-12-01"}],
}


# ---------------------------------------------------------------- needs
def test_an_empty_report_reads_as_blank(as_organiser, event):
    resp = as_organiser.get(_url(event, "needs"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["background"] == "" and body["inputs"] == [] and body["requesters"] == []
    assert not NeedsReport.objects.exists()


def test_the_whole_report_is_put_and_read_back(as_organiser, event, marketing_mgr, reviewer_sales):
    # REQ: DOC-1
    # REQ: NI-1
    # REQ: NI-2
    resp = as_organiser.put(_url(event, "needs"), REPORT, content_type=J)
    assert resp.status_code == 200, resp.content
    body = as_organiser.get(_url(event, "needs")).json()
    assert body["requesting_department"] == "sales"
    assert sorted(body["requesters"]) == ["marketing_mgr", "reviewer_sales"]
    assert body["requested_on"] == "2026-12-12"
    assert [i["kind"] for i in body["inputs"]] == ["business_goal", "customer_feedback"]
    assert body["inputs"][0]["kind_label"] == "业务部门目标"
    assert body["methods"][0]["method_label"] == "部门访谈"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requesting_department": "nowhere"}, "requesting_department"),
        ({"requesters": ["ghost"]}, "requesters"),
        ({"requested_on": "明天"}, "requested_on"),
        ({"inputs": [{"kind": "rumour", "content": "x"}]}, "inputs.0.kind"),
        ({"methods": [{"method": "interview", "findings": ""}]}, "methods.0.findings"),
        ({"history_event_ids": [123456]}, "history_event_ids"),
    ],
)
def test_a_bad_report_is_400_naming_the_field(
    as_organiser, event, marketing_mgr, reviewer_sales, change, field
):
    resp = as_organiser.put(_url(event, "needs"), {**REPORT, **change}, content_type=J)
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    assert not NeedsReport.objects.exists()


def test_inputs_and_methods_are_added_and_deleted(as_organiser, event):
    # REQ: NI-1
    # REQ: NI-2
    resp = as_organiser.post(
        _url(event, "needs/inputs"), {"kind": "market_trend", "content": "行业热点"}, content_type=J
    )
    assert resp.status_code == 201
    input_id = resp.json()["id"]
    resp = as_organiser.patch(
        _url(event, f"needs/inputs/{input_id}"), {"source": "市场部"}, content_type=J, HTTP_IF_MATCH='"r1"'
    )
    assert resp.status_code == 200 and resp.json()["source"] == "市场部"
    resp = as_organiser.post(
        _url(event, "needs/methods"), {"method": "benchmarking", "findings": "竞品均设体验区"}, content_type=J
    )
    assert resp.status_code == 201
    method_id = resp.json()["id"]
    assert (
        as_organiser.delete(_url(event, f"needs/inputs/{input_id}"), HTTP_IF_MATCH='"r2"').status_code == 204
    )
    assert as_organiser.delete(_url(event, f"needs/methods/{method_id}?revision=1")).status_code == 204
    assert not NeedsInput.objects.exists() and not NeedsMethod.objects.exists()


def test_an_input_without_content_is_400(as_organiser, event):
    resp = as_organiser.post(
        _url(event, "needs/inputs"), {"kind": "business_goal", "content": ""}, content_type=J
    )
    assert resp.status_code == 400
    assert "content" in resp.json()["errors"]


def test_needs_of_an_unknown_event_or_row_is_404(as_organiser, event):
    assert as_organiser.get("/api/events/999999/needs").status_code == 404
    assert as_organiser.delete(_url(event, "needs/inputs/999999?revision=1")).status_code == 404


def test_an_outsider_gets_403_and_nothing_is_written(as_outsider, event):
    assert as_outsider.get(_url(event, "needs")).status_code == 200
    assert (
        as_outsider.put(_url(event, "needs"), {"revision": 1, "background": "x"}, content_type=J).status_code
        == 403
    )
    assert (
        as_outsider.post(
            _url(event, "needs/inputs"), {"kind": "business_goal", "content": "x"}, content_type=J
        ).status_code
        == 403
    )
    assert not NeedsReport.objects.exists()


def test_the_api_needs_authentication(client, event):
    assert client.get(_url(event, "needs")).status_code == 401


def test_the_history_candidates_are_listed(as_organiser, event, organiser):
    archived = move(make_event(organiser, name="2025 新品发布会"), Step.CLOSED)
    body = as_organiser.get(_url(event, "needs/history")).json()
    assert [(c["event_id"], c["selected"]) for c in body] == [(archived.pk, False)]


# ---------------------------------------------------------------- goals
GOAL = {
    "metric": "valid_leads",
    "target_value": "150",
    "unit": "条",
    "due_date": "2027-04-01",
    "owner": "reviewer_sales",
    "objective": "新品上市需提升30%线索量",
}


def test_a_smart_goal_is_created_with_its_status(as_organiser, event, reviewer_sales):
    # REQ: GO-1
    resp = as_organiser.post(_url(event, "goals"), GOAL, content_type=J)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["metric_label"] == "有效线索" and body["owner"] == "reviewer_sales"
    assert body["smart_ok"] is True and body["missing"] == ""
    assert body["achievability"]["status"] == "no_history"
    assert set(body["smart"]) >= {"S", "M", "A", "R", "T"}
    listed = as_organiser.get(_url(event, "goals")).json()
    assert [g["id"] for g in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_date": None}, "due_date"),
        ({"target_value": "很多"}, "target_value"),
        ({"target_value": 0}, "target_value"),
        ({"owner": None}, "owner"),
        ({"owner": "ghost"}, "owner"),
        ({"objective": ""}, "objective"),
        ({"metric": "vibes"}, "metric"),
        ({"metric": "custom"}, "custom_metric"),
    ],
)
def test_a_goal_that_is_not_smart_is_400_naming_the_field(as_organiser, event, reviewer_sales, change, field):
    # REQ: GO-1
    resp = as_organiser.post(_url(event, "goals"), {**GOAL, **change}, content_type=J)
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    assert not Goal.objects.exists()


def test_a_goal_is_patched_and_deleted(as_organiser, event, organiser):
    # REQ: GO-1
    goal = smart_goal(event, organiser)
    resp = as_organiser.patch(
        _url(event, f"goals/{goal.pk}"), {"revision": 1, "target_value": 180}, content_type=J
    )
    assert resp.status_code == 200 and resp.json()["target_value"] in ("180.00", 180, "180")
    resp = as_organiser.patch(
        _url(event, f"goals/{goal.pk}"), {"revision": 2, "due_date": None}, content_type=J
    )
    assert resp.status_code == 400 and "due_date" in resp.json()["errors"]
    assert as_organiser.delete(_url(event, f"goals/{goal.pk}"), HTTP_IF_MATCH='"r2"').status_code == 204
    assert not Goal.objects.exists()


def test_goals_of_an_unknown_event_or_goal_are_404(as_organiser, event):
    assert as_organiser.get("/api/events/999999/goals").status_code == 404
    assert (
        as_organiser.patch(
            _url(event, "goals/999999"), {"revision": 1, "unit": "个"}, content_type=J
        ).status_code
        == 404
    )


def test_an_outsider_may_read_goals_but_not_change_them(as_outsider, event, organiser):
    goal = smart_goal(event, organiser)
    assert as_outsider.get(_url(event, "goals")).status_code == 200
    assert (
        as_outsider.post(
            _url(event, "goals"), {**GOAL, "metric": "attendees", "owner": "outsider"}, content_type=J
        ).status_code
        == 403
    )
    assert (
        as_outsider.patch(
            _url(event, f"goals/{goal.pk}"), {"revision": 1, "unit": "个"}, content_type=J
        ).status_code
        == 403
    )
    assert as_outsider.delete(_url(event, f"goals/{goal.pk}?revision=1")).status_code == 403
    assert Goal.objects.count() == 1


def test_goals_cannot_change_after_the_planning_phase(as_organiser, event, reviewer_sales):
    # REQ: LC-2
    move(event, Step.RESOURCES)
    resp = as_organiser.post(_url(event, "goals"), GOAL, content_type=J)
    assert resp.status_code == 400 and resp.json()["code"] == "wrong_step"
