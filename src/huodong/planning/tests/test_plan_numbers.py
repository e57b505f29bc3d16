"""Numbers on the plan (issue 7, points 5 and 8): amounts with thousands separators and an accounting
minus, budget shares with one precision adding up to 100%, the plan's state once approved, the gate
naming the rows of a repeated criterion once, and budget categories in one order everywhere."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders

from huodong.core import money
from huodong.documents.selectors import plan_data as document_plan_data
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.planning.models import CONTINGENCY, BudgetLine, PlanVersion, Risk
from huodong.planning.selectors_plan import budget_categories, budget_summary, plan_of
from huodong.planning.services.budget import budget_line_add
from huodong.planning.services.plan import plan_get_or_create, plan_update

from .conftest import complete_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def page(client, event) -> str:
    resp = client.get(f"/events/{event.pk}/planning/plan/")
    assert resp.status_code == 200
    return resp.content.decode()


def only_budget_lines(event, organiser, lines: list[tuple[str, str, str]]) -> None:
    plan = plan_get_or_create(event=event, actor=organiser)
    BudgetLine.objects.filter(plan=plan).delete()
    for category, item, price in lines:
        name = "" if category in {"venue", "equipment", "promotion", CONTINGENCY} else category
        budget_line_add(
            actor=organiser,
            event=event,
            category="custom" if name else category,
            category_name=name,
            item=item,
            quantity="1",
            unit_price=price,
        )


# ---------------------------------------------------------------- amounts
def test_a_negative_amount_is_written_with_a_minus_before_the_currency():
    assert money.format_money(Decimal("-1200")) == "-¥1,200.00"
    assert money.format_money(Decimal("165000")) == "¥165,000.00"
    assert money.format_amount(Decimal("-1200.5")) == "-1,200.50"  # the page's table cells
    assert money.format_amount(Decimal("0")) == "0.00"


def test_the_plan_page_writes_subtotals_with_thousands_separators(as_organiser, event, organiser):
    only_budget_lines(event, organiser, [("venue", "主会场", "165000"), (CONTINGENCY, "备用金", "12000")])
    html = page(as_organiser, event)
    subtotals = re.findall(r'data-testid="budget-subtotal".*?</tr>', html, re.S)
    assert any("165,000.00" in row for row in subtotals)
    assert "165000.00" not in html


def test_an_overspent_budget_shows_the_remainder_as_a_negative_amount(as_organiser, event, organiser):
    only_budget_lines(event, organiser, [("venue", "主会场", "1200"), (CONTINGENCY, "备用金", "10")])
    plan = plan_of(event)
    plan_update(actor=organiser, event=event, seen=plan.revision, approved_budget="1000")
    html = page(as_organiser, event)
    assert "-¥210.00" in html
    assert "¥-210.00" not in html


# ---------------------------------------------------------------- shares
def test_shares_of_three_equal_amounts_add_up_to_exactly_100_percent():
    from huodong.planning.selectors_plan import shares_of

    shares = shares_of([Decimal("100"), Decimal("100"), Decimal("100")])
    assert sum(shares) == Decimal("1")
    assert shares == [Decimal("0.334"), Decimal("0.333"), Decimal("0.333")]


def test_the_budget_shares_on_the_page_have_one_precision_and_add_up_to_100(as_organiser, event, organiser):
    only_budget_lines(
        event,
        organiser,
        [("venue", "主会场", "100"), ("equipment", "LED", "100"), (CONTINGENCY, "备用金", "100")],
    )
    summary = budget_summary(plan_of(event), event=event)
    assert sum(c.share for c in summary.categories) == Decimal("1")
    labels = [c.share_label for c in summary.categories]
    assert all(re.fullmatch(r"\d+\.\d%", label) for label in labels), labels
    assert sum(Decimal(label[:-1]) for label in labels) == Decimal("100")
    html = page(as_organiser, event)
    subtotals = "".join(re.findall(r'data-testid="budget-subtotal".*?</tr>', html, re.S))
    shown = re.findall(r"占总额 (\d+(?:\.\d+)?)%", subtotals)
    assert sorted(shown) == sorted(label[:-1] for label in labels)


def test_the_api_gives_shares_that_add_up_to_one(as_organiser, event, organiser):
    only_budget_lines(
        event,
        organiser,
        [("venue", "主会场", "100"), ("equipment", "LED", "100"), (CONTINGENCY, "备用金", "100")],
    )
    body = as_organiser.get(f"/api/events/{event.pk}/plan").json()
    shares = [Decimal(c["share"]) for c in body["budget_summary"]["categories"]]
    assert sum(shares) == Decimal("1")


# ---------------------------------------------------------------- the plan's state
def test_an_approved_plan_does_not_say_it_can_be_submitted(as_organiser, event, organiser):
    complete_plan(event, organiser)
    assert all(c.met for c in gate_evaluate(event, Step.PLAN))
    assert "可提交评审" in page(as_organiser, event)
    PlanVersion.objects.create(
        plan=plan_of(event), number=1, content={}, content_hash="0" * 64, status=PlanVersion.Status.APPROVED
    )
    html = page(as_organiser, event)
    assert "可提交评审" not in html
    assert "第 1 版已审批定稿" in html


# ---------------------------------------------------------------- the gate groups repeated criteria
def test_the_gate_names_every_risk_without_an_owner_in_one_criterion(event, organiser):
    complete_plan(event, organiser)
    plan = plan_of(event)
    risks = list(plan.risks.all())
    assert len(risks) >= 3
    Risk.objects.filter(pk__in=[risks[0].pk, risks[2].pk]).update(owner=None)
    owner_criteria = [c for c in gate_evaluate(event, Step.PLAN) if c.code == "plan.risks.owner"]
    assert len(owner_criteria) == 1
    (criterion,) = owner_criteria
    assert not criterion.met
    assert str(criterion.detail) == f"风险 1「{risks[0].risk}」、3「{risks[2].risk}」未指定负责人。"


def test_the_gate_names_every_segment_without_an_owner_in_one_criterion(event, organiser):
    plan_get_or_create(event=event, actor=organiser)
    segments = [c for c in gate_evaluate(event, Step.PLAN) if c.code == "plan.segments.owner"]
    assert len(segments) == 1
    assert str(segments[0].detail).startswith("环节 1「")


# ---------------------------------------------------------------- one order of budget categories
def test_budget_categories_keep_the_types_order_with_custom_ones_before_the_reserve_last(
    as_organiser, event, organiser
):
    only_budget_lines(
        event,
        organiser,
        [
            (CONTINGENCY, "备用金", "30"),
            ("茶歇", "茶歇", "50"),
            ("venue", "主会场", "500"),
            ("equipment", "LED", "200"),
        ],
    )
    plan = plan_of(event)
    codes = [c["code"] for c in budget_categories(event, plan)]
    assert codes[-1] == CONTINGENCY
    custom = next(c for c in codes if c.startswith("custom-"))
    assert codes.index(custom) == len(codes) - 2
    expected = ["venue", "equipment", custom, CONTINGENCY]
    assert [c.code for c in budget_summary(plan, event=event).categories] == expected
    body = as_organiser.get(f"/api/events/{event.pk}/plan").json()
    assert [c["code"] for c in body["budget_summary"]["categories"]] == expected
    assert [c["code"] for c in body["budget_categories"]] == codes
    assert [g.code for g in document_plan_data(event).budget.groups] == expected


def test_the_reserve_is_last_even_where_the_types_template_lists_it_earlier(event, organiser):
    event_type = event.event_type
    event_type.budget_categories = [
        {"code": "venue", "name": "场地"},
        {"code": CONTINGENCY, "name": "应急备用金"},
        {"code": "promotion", "name": "推广"},
    ]
    event_type.save(update_fields=["budget_categories"])
    codes = [c["code"] for c in budget_categories(event, None)]
    assert codes == ["venue", "promotion", CONTINGENCY]


# ---------------------------------------------------------------- favicon
def test_the_favicon_is_a_local_svg():
    path = finders.find("huodong/favicon.svg")
    assert path
    with open(path, encoding="utf-8") as handle:
        assert "<svg" in handle.read()
