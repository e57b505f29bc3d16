"""The needs and goals pages: status codes, form errors naming the field, read-only for outsiders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from huodong.events.steps import Step
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport
from tests.factories import login

from .conftest import make_event, move, smart_goal

pytestmark = pytest.mark.django_db


def _needs(event) -> str:
    return f"/events/{event.pk}/planning/needs/"


def _goals(event) -> str:
    return f"/events/{event.pk}/planning/goals/"


# ---------------------------------------------------------------- needs page
def test_the_needs_page_shows_every_part_with_edit_forms_for_the_organiser(as_organiser, event):
    resp = as_organiser.get(_needs(event))
    assert resp.status_code == 200
    html = resp.content.decode()
    for text in [
        "需求背景",
        "目标受众画像",
        "核心需求描述",
        "需求提出部门",
        "需求输入",
        "调研方法与发现",
        "历史活动数据复盘",
    ]:
        assert text in html
    for testid in ["report-form", "request-form", "input-form", "method-form", "needs-gate", "history-empty"]:
        assert f'data-testid="{testid}"' in html
    assert 'aria-current="page"' in html  # the needs tab of the event header


def test_the_needs_page_of_an_unknown_event_is_404(as_organiser):
    assert as_organiser.get("/events/999999/planning/needs/").status_code == 404


def test_an_outsider_sees_the_needs_page_read_only_and_cannot_post(as_outsider, event):
    resp = as_outsider.get(_needs(event))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="readonly-note"' in html
    assert 'data-testid="report-form"' not in html and 'data-testid="input-form"' not in html
    resp = as_outsider.post(f"{_needs(event)}inputs/", {"kind": "business_goal", "content": "x"})
    assert resp.status_code == 403
    assert not NeedsInput.objects.exists()


def test_the_page_is_read_only_after_the_planning_phase(as_organiser, event):
    move(event, Step.RESOURCES)
    html = as_organiser.get(_needs(event)).content.decode()
    assert 'data-testid="readonly-note"' in html and "只读" in html
    assert 'data-testid="input-form"' not in html


def test_the_report_form_saves(as_organiser, event):
    # REQ: DOC-1
    resp = as_organiser.post(
        f"{_needs(event)}report/",
        {
            "revision": 1,
            "background": "新品上市",
            "audience_persona": "IT 负责人",
            "core_needs": "体验",
            "initial_goals": "",
        },
    )
    assert resp.status_code == 302
    assert NeedsReport.objects.get(event=event).audience_persona == "IT 负责人"


def test_the_requested_by_form_saves_department_people_and_date(
    as_organiser, event, organiser, reviewer_sales
):
    # REQ: DOC-1
    from huodong.core.models import Department

    sales = Department.objects.get(code="sales")
    resp = as_organiser.post(
        f"{_needs(event)}requested-by/",
        {
            "revision": 1,
            "requesting_department": sales.pk,
            "requesters": [organiser.pk, reviewer_sales.pk],
            "requested_on": "2026-12-12",
        },
    )
    assert resp.status_code == 302
    report = NeedsReport.objects.get(event=event)
    assert report.requesting_department == sales and report.requesters.count() == 2
    assert "李总监" in as_organiser.get(_needs(event)).content.decode()


def test_a_request_date_after_the_event_is_shown_on_the_form(as_organiser, event):
    resp = as_organiser.post(f"{_needs(event)}requested-by/", {"revision": 1, "requested_on": "2027-12-01"})
    assert resp.status_code == 400
    assert "提出日期不能晚于活动日期" in resp.content.decode()
    assert not NeedsReport.objects.exists()


def test_an_input_without_content_shows_the_error_naming_the_field(as_organiser, event):
    # REQ: NI-1
    resp = as_organiser.post(f"{_needs(event)}inputs/", {"kind": "business_goal", "content": ""})
    assert resp.status_code == 400
    assert "内容:" in resp.content.decode()
    assert not NeedsInput.objects.exists()


def test_inputs_and_methods_are_added_edited_and_removed_through_the_page(as_organiser, event):
    # REQ: NI-1
    # REQ: NI-2
    assert (
        as_organiser.post(
            f"{_needs(event)}inputs/",
            {"kind": "business_goal", "content": "新品上市需提升30%线索量", "source": "销售部"},
        ).status_code
        == 302
    )
    row = NeedsInput.objects.get()
    assert as_organiser.get(f"{_needs(event)}inputs/{row.pk}/").status_code == 200
    assert (
        as_organiser.post(
            f"{_needs(event)}inputs/{row.pk}/",
            {"revision": row.revision, "kind": "market_trend", "content": "趋势"},
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.kind == "market_trend"
    assert (
        as_organiser.post(
            f"{_needs(event)}methods/",
            {"method": "questionnaire", "findings": "72% 希望现场体验", "conducted_on": "2026-12-05"},
        ).status_code
        == 302
    )
    method = NeedsMethod.objects.get()
    resp = as_organiser.post(
        f"{_needs(event)}methods/{method.pk}/", {"revision": 1, "method": "questionnaire", "findings": ""}
    )
    assert resp.status_code == 400 and "发现:" in resp.content.decode()
    html = as_organiser.get(_needs(event)).content.decode()
    assert "72% 希望现场体验" in html and "问卷调研" in html
    assert as_organiser.post(f"{_needs(event)}inputs/{row.pk}/remove/", {"revision": 2}).status_code == 302
    assert (
        as_organiser.post(f"{_needs(event)}methods/{method.pk}/remove/", {"revision": 1}).status_code == 302
    )
    assert not NeedsInput.objects.exists() and not NeedsMethod.objects.exists()


def test_the_history_selector_lists_archived_events_and_saves_the_choice(as_organiser, event, organiser):
    archived = move(make_event(organiser, name="2025 新品发布会"), Step.CLOSED)
    html = as_organiser.get(_needs(event)).content.decode()
    assert "2025 新品发布会" in html and 'data-testid="history-form"' in html
    resp = as_organiser.post(f"{_needs(event)}history/", {"revision": 1, "history_events": [archived.pk]})
    assert resp.status_code == 302
    assert NeedsReport.objects.get(event=event).history_event_ids == [archived.pk]
    resp = as_organiser.post(f"{_needs(event)}history/", {"revision": 2, "history_events": [event.pk]})
    assert resp.status_code == 400
    assert "参考的历史活动:" in resp.content.decode()


# ---------------------------------------------------------------- goals page
GOOD = {
    "metric": "valid_leads",
    "target_value": "150",
    "unit": "条",
    "due_date": "2027-04-01",
    "objective": "新品上市需提升30%线索量",
    "description": "收集有效线索150条",
}


def test_the_goals_page_shows_the_table_and_the_add_form(as_organiser, event, organiser):
    smart_goal(event, organiser)
    resp = as_organiser.get(_goals(event))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="goal-form"' in html and "有效线索" in html
    for letter in "SMART":
        assert f'data-letter="{letter}"' in html
    assert "暂无同类历史活动可比较" in html


def test_a_goal_is_added_through_the_page(as_organiser, event, organiser):
    # REQ: GO-1
    resp = as_organiser.post(f"{_goals(event)}add/", {**GOOD, "owner": organiser.pk})
    assert resp.status_code == 302
    assert Goal.objects.get().target_value == 150


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("due_date", "", "截止日期:缺少时限(T)"),
        ("target_value", "很多", "目标值:请输入数字"),
        ("target_value", "0", "目标值:不可衡量(M)"),
        ("objective", "", "服务的业务目标:缺少相关性(R)"),
        ("owner", "", "负责人:请指定目标负责人"),
    ],
)
def test_a_goal_that_is_not_smart_shows_the_reason_on_the_field(
    as_organiser, event, organiser, field, value, shown
):
    # REQ: GO-1
    data = {**GOOD, "owner": organiser.pk, field: value}
    resp = as_organiser.post(f"{_goals(event)}add/", data)
    assert resp.status_code == 400
    assert shown in resp.content.decode()
    assert not Goal.objects.exists()


def test_a_goal_is_edited_and_removed_through_the_page(as_organiser, event, organiser):
    goal = smart_goal(event, organiser)
    assert as_organiser.get(f"{_goals(event)}{goal.pk}/").status_code == 200
    resp = as_organiser.post(
        f"{_goals(event)}{goal.pk}/", {**GOOD, "revision": 1, "owner": organiser.pk, "due_date": ""}
    )
    assert resp.status_code == 400 and "截止日期" in resp.content.decode()
    resp = as_organiser.post(
        f"{_goals(event)}{goal.pk}/", {**GOOD, "revision": 1, "owner": organiser.pk, "target_value": "160"}
    )
    assert resp.status_code == 302
    goal.refresh_from_db()
    assert goal.target_value == 160
    assert as_organiser.post(f"{_goals(event)}{goal.pk}/remove/", {"revision": 2}).status_code == 302
    assert not Goal.objects.exists()


def test_a_flagged_target_is_saved_with_a_warning(as_organiser, event, organiser):
    # REQ: GO-1
    past = move(make_event(organiser, name="2025 新品发布会"), Step.CLOSED)
    smart_goal(past, organiser, target_value=50, due_date=dt.date(2027, 3, 1))
    resp = as_organiser.post(f"{_goals(event)}add/", {**GOOD, "owner": organiser.pk}, follow=True)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "可实现性提示" in html and 'data-testid="achievability-flag"' in html
    assert Goal.objects.filter(event=event).count() == 1


def test_an_outsider_sees_goals_read_only_and_cannot_change_them(client: Client, event, organiser, outsider):
    goal = smart_goal(event, organiser)
    login(client, outsider)
    html = client.get(_goals(event)).content.decode()
    assert 'data-testid="readonly-note"' in html and 'data-testid="goal-form"' not in html
    assert (
        client.post(f"{_goals(event)}add/", {**GOOD, "metric": "attendees", "owner": outsider.pk}).status_code
        == 403
    )
    assert client.get(f"{_goals(event)}{goal.pk}/").status_code == 403
    assert client.post(f"{_goals(event)}{goal.pk}/remove/").status_code == 403
    assert Goal.objects.count() == 1


def test_the_goals_page_lists_the_gate_with_what_each_goal_misses(as_organiser, event, organiser):
    # REQ: GO-1
    move(event, Step.GOALS)
    smart_goal(event, organiser, due_date=None)
    html = as_organiser.get(_goals(event)).content.decode()
    assert 'data-testid="goals-gate"' in html
    assert "目标「有效线索」缺少截止日期" in html


def test_pages_need_a_login(client, event):
    assert client.get(_needs(event)).status_code == 302
    assert client.get(_goals(event)).status_code == 302


def test_a_change_after_the_event_moved_on_says_why_it_was_refused(as_organiser, event, organiser):
    # REQ: LC-2
    stale_form = {**GOOD, "owner": organiser.pk}
    move(event, Step.RESOURCES)
    resp = as_organiser.post(f"{_goals(event)}add/", stale_form)
    assert resp.status_code == 400
    assert "不能修改" in resp.content.decode()
    resp = as_organiser.post(f"{_needs(event)}inputs/", {"kind": "business_goal", "content": "x"})
    assert resp.status_code == 400
    assert "不能修改" in resp.content.decode()
    assert not Goal.objects.exists() and not NeedsInput.objects.exists()
