"""Budget (PL-3): amounts computed as Decimal, bad figures refused naming the field, the summary's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Organisation
from huodong.core.services import organisation_get
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine
from huodong.planning.selectors_plan import budget_summary
from huodong.planning.services.budget import (
    budget_line_add,
    budget_line_remove,
    budget_line_update,
    custom_category_code,
)
from huodong.planning.services.plan import plan_update

from .conftest import move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def add(event, actor, category="venue", quantity="1", unit_price="100", **kw):
    return budget_line_add(
        actor=actor,
        event=event,
        category=category,
        item=kw.pop("item", "项目"),
        quantity=quantity,
        unit_price=unit_price,
        **kw,
    )


def test_the_amount_is_quantity_times_unit_price_with_two_places(plan, event, organiser):
    # REQ: PL-3
    line = add(event, organiser, category="materials", quantity="3", unit_price="33.335")
    assert line.unit_price == Decimal("33.34")
    assert line.amount == Decimal("100.02")
    assert line.category_name == "物料制作"
    assert AuditEntry.objects.filter(action="plan.budget.add", target_id=str(line.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("quantity", "-1", "数量须大于 0"),
        ("quantity", "0", "数量须大于 0"),
        ("quantity", "三", "数量须为大于 0 的数字"),
        ("unit_price", "-0.01", "单价不能为负数"),
        ("unit_price", "abc", "单价须为数字"),
        ("unit_price", "NaN", "单价须为数字"),
        ("unit_price", "1e20", "单价过大"),
        ("category", "", "请选择预算科目"),
        ("category", "Venue Rental!", "未知的预算科目"),
        ("item", "  ", "项目不能为空"),
    ],
)
def test_bad_figures_are_refused_naming_the_field_and_nothing_is_written(
    plan, event, organiser, field, value, words
):
    # REQ: PL-3
    before = (BudgetLine.objects.count(), AuditEntry.objects.count())
    kwargs = {"category": "venue", "item": "场地", "quantity": "1", "unit_price": "100", field: value}
    with pytest.raises(DomainError) as exc:
        budget_line_add(actor=organiser, event=event, **kwargs)
    assert words in str(exc.value.errors[field][0])
    assert (BudgetLine.objects.count(), AuditEntry.objects.count()) == before


def test_a_custom_category_needs_a_name_and_keeps_one_code_per_name(plan, event, organiser):
    # REQ: PL-3
    with pytest.raises(DomainError) as exc:
        add(event, organiser, category="custom")
    assert "category_name" in exc.value.errors
    a = add(event, organiser, category="custom", category_name="餐饮茶歇")
    b = add(event, organiser, category="custom", category_name="餐饮茶歇")
    assert a.category == b.category == custom_category_code("餐饮茶歇")
    c = add(event, organiser, category="catering", category_name="餐饮")
    assert (c.category, c.category_name) == ("catering", "餐饮")
    summary = budget_summary(plan)
    assert {x.code for x in summary.categories} == {a.category, "catering"}


def test_editing_a_line_recomputes_the_amount_and_a_bad_edit_changes_nothing(plan, event, organiser):
    # REQ: PL-3
    line = add(event, organiser, quantity="2", unit_price="50")
    budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=line.revision, unit_price="75.5")
    line.refresh_from_db()
    assert line.amount == Decimal("151.00")
    with pytest.raises(DomainError):
        budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=line.revision, quantity="-3")
    line.refresh_from_db()
    assert line.quantity == Decimal("2.00") and line.amount == Decimal("151.00")
    budget_line_remove(actor=organiser, event=event, line_id=line.pk, seen=line.revision)
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    ("reserve", "band", "in_band", "share"),
    [
        ("4000", None, False, "4%"),  # 4 000 of 100 000: below the default 5%–10%
        ("5000", None, True, "5%"),
        ("10000", None, True, "10%"),
        ("12000", None, False, "12%"),
        ("4000", ("0.03", "0.06"), True, "4%"),  # an organisation that set its own band
        ("8000", ("0.03", "0.06"), False, "8%"),
    ],
)
def test_the_summary_checks_the_reserve_against_the_organisation_band(
    plan, event, organiser, reserve, band, in_band, share
):
    # REQ: PL-3
    if band:
        Organisation.objects.filter(pk=organisation_get().pk).update(
            reserve_min=Decimal(band[0]), reserve_max=Decimal(band[1])
        )
    plan_update(actor=organiser, event=event, seen=plan.revision, approved_budget="200000")
    add(event, organiser, category="venue", unit_price=str(100000 - int(reserve)))
    add(event, organiser, category="contingency", unit_price=reserve)
    summary = budget_summary(plan)
    assert summary.total == Decimal("100000.00")
    assert summary.reserve_in_band is in_band
    assert summary.share_label == share
    assert any("应急备用金" in w for w in summary.warnings) is (not in_band)


def test_a_line_that_takes_the_total_over_the_approved_amount_is_recorded_and_flagged(plan, event, organiser):
    # REQ: PL-3
    plan_update(actor=organiser, event=event, seen=plan.revision, approved_budget="1000")
    line = add(event, organiser, quantity="1", unit_price="1500")
    assert line.pk
    plan.refresh_from_db()
    summary = budget_summary(plan)
    assert summary.over_budget and summary.remaining == Decimal("-500.00")
    assert any("超出审批额度" in w and "¥500.00" in w for w in summary.warnings)


@pytest.mark.parametrize(
    ("value", "words"), [("-1", "不能为负数"), ("六十万", "须为数字"), (True, "须为数字")]
)
def test_the_approved_amount_must_be_a_non_negative_number(plan, event, organiser, value, words):
    # REQ: PL-3
    with pytest.raises(DomainError) as exc:
        plan_update(
            actor=organiser, event=event, seen=plan.revision, approved_budget=value, background="不应写入"
        )
    assert words in str(exc.value.errors["approved_budget"][0])
    plan.refresh_from_db()
    assert plan.approved_budget is None and plan.background == ""


def test_an_outsider_may_not_touch_the_budget(plan, event, outsider):
    # REQ: PL-3
    with pytest.raises(NotAllowed):
        add(event, outsider)
    assert not BudgetLine.objects.exists()


def test_the_budget_is_frozen_once_the_event_has_left_approval(plan, event, organiser):
    # REQ: LC-2
    line = add(event, organiser)
    move(event, Step.RESOURCES)
    with pytest.raises(DomainError) as exc:
        budget_line_update(actor=organiser, event=event, line_id=line.pk, seen=line.revision, unit_price="1")
    assert exc.value.code == "wrong_step" and "资源协调" in exc.value.message


def test_the_reserve_share_is_rounded_once_for_display(plan, event, organiser):
    # REQ: PL-3
    plan_update(actor=organiser, event=event, seen=plan.revision, approved_budget="30000")
    add(event, organiser, category="venue", unit_price="23957.00")
    add(event, organiser, category="contingency", unit_price="2011.48")
    summary = budget_summary(plan)
    assert summary.share_label == "7.7%"  # 2011.48 / 25968.48 = 7.746%, not 7.8% from rounding twice
