"""The plan page: sections render, forms post (plain and htmx), field errors show, read-only for others."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, Plan, PlanAttachment, RunOfShowSegment
from tests.factories import login

from .conftest import at, move
from .test_plan_gate import complete_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def url(event, tail: str = "") -> str:
    return f"/events/{event.pk}/planning/plan/{tail}"


def test_the_organiser_sees_every_section_prefilled_from_the_template(as_organiser, event):
    # REQ: PL-1, PL-2, PL-3, DOC-2
    resp = as_organiser.get(url(event))
    assert resp.status_code == 200
    html = resp.content.decode()
    for marker in [
        'id="basics"',
        'id="segments"',
        'id="budget"',
        'id="risks"',
        'id="attachments"',
        'id="plan-gate"',
    ]:
        assert marker in html
    assert "签到" in html and "合影" in html and "13:30–14:00" in html
    assert 'class="stack"' in html and 'data-label="负责人"' in html
    assert "设备故障" in html
    assert Plan.objects.filter(event=event).exists()


def test_a_reviewer_sees_the_plan_read_only(client, event, organiser, reviewer_finance):
    # REQ: DOC-2
    complete_plan(event, organiser)
    login(client, reviewer_finance)
    html = client.get(url(event)).content.decode()
    assert 'data-testid="plan-readonly"' in html
    assert "segments/add/" not in html and "budget/add/" not in html
    assert "场地" in html and "¥500,000.00" in html


def test_a_reviewer_opening_an_unstarted_plan_creates_nothing(client, event, reviewer_finance):
    login(client, reviewer_finance)
    assert client.get(url(event)).status_code == 200
    assert not Plan.objects.filter(event=event).exists()


def test_a_segment_outside_the_event_shows_the_field_error_and_writes_nothing(as_organiser, plan, event):
    # REQ: PL-2
    count = RunOfShowSegment.objects.count()
    resp = as_organiser.post(
        url(event, "segments/add/"),
        {
            "seg-title": "晚宴",
            "seg-starts_at": "2027-03-18T17:20",
            "seg-duration_minutes": "30",
            "seg-key_actions": "晚宴",
        },
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "结束于 17:50,晚于活动结束 17:30" in html and 'class="field-error"' in html
    assert RunOfShowSegment.objects.count() == count


def test_a_segment_posts_and_redirects_back_to_its_section(as_organiser, plan, event, organiser):
    # REQ: PL-2
    resp = as_organiser.post(
        url(event, "segments/add/"),
        {
            "seg-title": "媒体专访",
            "seg-starts_at": "2027-03-18T16:30",
            "seg-duration_minutes": "30",
            "seg-owner": organiser.pk,
            "seg-key_actions": "专访",
        },
    )
    assert resp.status_code == 302 and resp["Location"].endswith("#segments")
    seg = RunOfShowSegment.objects.get(title="媒体专访")
    assert seg.starts_at == at(16, 30) and seg.owner == organiser


def test_a_non_numeric_price_shows_the_field_error_in_the_budget_form(as_organiser, plan, event):
    # REQ: PL-3
    resp = as_organiser.post(
        url(event, "budget/add/"),
        {"bl-category": "venue", "bl-item": "场地", "bl-quantity": "1", "bl-unit_price": "一万"},
    )
    assert resp.status_code == 400
    assert "单价须为数字" in resp.content.decode()
    assert not BudgetLine.objects.exists()


def test_an_htmx_post_goes_back_to_the_budget_section_with_the_warnings_and_the_checklist(
    as_organiser, plan, event
):
    # REQ: PL-3 — one page flow (issue 6): a saved form sends the browser back to its section.
    resp = as_organiser.post(
        url(event, "basics/"),
        {
            "theme": "智启未来",
            "tone": "高端专业",
            "background": "背景",
            "approved_budget": "1000",
            "revision": plan.revision,
        },
    )
    assert resp.status_code == 302 and resp["Location"].endswith("#basics")
    resp = as_organiser.post(
        url(event, "budget/add/"),
        {
            "bl-category": "venue",
            "bl-item": "场地",
            "bl-quantity": "2",
            "bl-unit": "天",
            "bl-unit_price": "600",
        },
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 204 and resp["HX-Redirect"] == url(event) + "#budget"
    assert BudgetLine.objects.get().amount == Decimal("1200.00")
    html = as_organiser.get(url(event) + "?partial=budget", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<section class="card" id="budget"')
    assert "1,200.00" in html and "超出审批额度" in html and "预算明细已添加。" not in html


def test_an_htmx_post_refused_gets_its_section_with_the_errors_and_the_checklist(as_organiser, plan, event):
    # REQ: PL-3
    resp = as_organiser.post(
        url(event, "budget/add/"),
        {"bl-category": "venue", "bl-item": "场地", "bl-quantity": "2", "bl-unit_price": "-1"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert html.lstrip().startswith('<section class="card" id="budget"')
    assert "单价不能为负数" in html and 'hx-swap-oob="true"' in html
    assert not BudgetLine.objects.exists()


def test_a_custom_budget_category_can_be_chosen_in_the_form(as_organiser, plan, event):
    # REQ: PL-3
    resp = as_organiser.post(
        url(event, "budget/add/"),
        {
            "bl-category": "custom",
            "bl-category_name": "餐饮茶歇",
            "bl-item": "茶歇",
            "bl-quantity": "220",
            "bl-unit_price": "45",
        },
    )
    assert resp.status_code == 302
    assert BudgetLine.objects.get().category_name == "餐饮茶歇"


def test_rows_are_edited_in_place(as_organiser, plan, event, organiser):
    # REQ: PL-2
    seg = plan.segments.get(title="合影")
    resp = as_organiser.get(url(event) + f"?edit=segment-{seg.pk}&partial=segments", HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200 and 'name="title"' in html
    assert f'name="revision" value="{seg.revision}"' in html
    resp = as_organiser.post(
        url(event, f"segments/{seg.pk}/"),
        {
            "title": "全体合影",
            "starts_at": "2027-03-18T16:10",
            "duration_minutes": "15",
            "key_actions": "合影",
            "revision": seg.revision,
        },
    )
    assert resp.status_code == 302
    seg.refresh_from_db()
    assert (seg.title, seg.duration_minutes) == ("全体合影", 15)


def test_a_risk_and_an_attachment_post_from_the_page(as_organiser, plan, event, organiser, media_root):
    as_organiser.post(
        url(event, "risks/add/"),
        {
            "risk-risk": "停电",
            "risk-likelihood": "low",
            "risk-impact": "high",
            "risk-owner": organiser.pk,
            "risk-response": "启用发电机",
        },
    )
    assert plan.risks.filter(risk="停电", owner=organiser).exists()
    resp = as_organiser.post(
        url(event, "attachments/add/"),
        {"att-kind": "floor_plan", "att-file": SimpleUploadedFile("x.pdf", b"MZ-not-a-pdf")},
    )
    assert resp.status_code == 400 and "不是真正的 PDF 文件" in resp.content.decode()
    resp = as_organiser.post(
        url(event, "attachments/add/"),
        {"att-kind": "floor_plan", "att-file": SimpleUploadedFile("平面图.pdf", b"%PDF-1.4 x")},
    )
    assert resp.status_code == 302 and PlanAttachment.objects.get().original_name == "平面图.pdf"


def test_an_outsider_posting_gets_403_and_nothing_changes(client, plan, event, outsider):
    login(client, outsider)
    resp = client.post(
        url(event, "risks/add/"), {"risk-risk": "x", "risk-likelihood": "low", "risk-impact": "low"}
    )
    assert resp.status_code == 403
    assert not plan.risks.filter(risk="x").exists()


def test_after_approval_the_page_is_read_only_and_says_why(as_organiser, plan, event):
    # REQ: LC-2
    move(event, Step.RESOURCES)
    html = as_organiser.get(url(event)).content.decode()
    assert "策划方案只读" in html and "segments/add/" not in html


def test_an_unknown_event_is_404(as_organiser):
    assert as_organiser.get("/events/999999/planning/plan/").status_code == 404


def test_budget_amounts_are_grouped_by_thousands_in_chinese(as_organiser, plan, event, organiser):
    # REQ: PL-3
    from huodong.planning.services.budget import budget_line_add

    budget_line_add(
        actor=organiser, event=event, category="venue", item="主会场", quantity="1", unit_price="120000"
    )
    page = as_organiser.get(url(event, "")).content.decode()
    assert "120,000.00" in page
