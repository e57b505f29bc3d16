"""The gate of 方案设计 (PL-1, PL-2, PL-3, DOC-2, LC-2): every unmet criterion listed, then it passes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.core.models import Organisation
from huodong.core.services import organisation_get
from huodong.events.lifecycle import GateBlocked, event_advance, gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, Plan, RunOfShowSegment
from huodong.planning.services.plan import plan_get_or_create, plan_update

from .conftest import at, complete_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def unmet(event) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in gate_evaluate(event, Step.PLAN):
        if not c.met:
            out.setdefault(c.code, []).append(str(c.detail))
    return out


def test_without_a_plan_the_gate_lists_what_is_missing(event):
    # REQ: PL-1, PL-2, PL-3, LC-2
    Event.objects.filter(pk=event.pk).update(theme="", tone="")
    event.refresh_from_db()
    codes = set(unmet(event))
    assert {
        "plan.theme",
        "plan.tone",
        "plan.background",
        "plan.segments.present",
        "plan.budget.present",
        "plan.budget.approved",
        "plan.risks.present",
    } <= codes


def test_the_gate_lists_every_unmet_criterion_with_what_exactly_is_wrong(event, organiser):
    # REQ: PL-2, PL-3, DOC-2
    plan = plan_get_or_create(event=event, actor=organiser)
    # The event was shortened after the run of show was laid out: 合影 now ends after it.
    Event.objects.filter(pk=event.pk).update(ends_at=at(16, 15))
    event.refresh_from_db()
    RunOfShowSegment.objects.filter(plan=plan, title="开场").update(parallel=False, starts_at=at(13, 50))
    plan_update(actor=organiser, event=event, seen=plan.revision, approved_budget="1000")
    BudgetLine.objects.create(
        plan=plan,
        category="venue",
        category_name="场地租赁",
        item="场地",
        quantity=1,
        unit_price=1200,
        amount=1200,
    )
    BudgetLine.objects.create(
        plan=plan,
        category="contingency",
        category_name="应急备用金",
        item="备用金",
        quantity=1,
        unit_price=10,
        amount=10,
    )
    problems = unmet(event)
    assert any("环节「合影」结束于 16:20,晚于活动结束 16:15" in d for d in problems["plan.segments.window"])
    assert any("「开场」" in d and "「签到」" in d for d in problems["plan.segments.overlap"])
    # Issue 7, point 5: one criterion per rule, naming the rows.
    assert (
        len(problems["plan.segments.owner"]) == 1 and "环节 1「签到」" in problems["plan.segments.owner"][0]
    )
    assert problems["plan.budget.within_approved"] == [
        "预算总额 ¥1,210.00 超出审批额度 ¥1,000.00,超出 ¥210.00"
    ]
    assert (
        "0.8%" in problems["plan.budget.contingency_band"][0]
        and "5%–10%" in problems["plan.budget.contingency_band"][0]
    )
    assert len(problems["plan.risks.owner"]) == 1 and "风险 1「" in problems["plan.risks.owner"][0]
    assert "plan.background" in problems
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step=event.step)
    assert {c.code for c in exc.value.unmet} == set(problems)
    assert Event.objects.get(pk=event.pk).step == Step.PLAN


def test_a_budget_without_contingency_is_named(event, organiser):
    # REQ: PL-3
    plan = plan_get_or_create(event=event, actor=organiser)
    BudgetLine.objects.create(
        plan=plan,
        category="venue",
        category_name="场地租赁",
        item="场地",
        quantity=1,
        unit_price=1200,
        amount=1200,
    )
    assert "plan.budget.contingency_present" in unmet(event)


def test_a_complete_plan_passes_the_gate_and_the_event_moves_to_approval(event, organiser):
    # REQ: PL-1, PL-2, PL-3, LC-2
    complete_plan(event, organiser)
    assert unmet(event) == {}
    labels = [str(c.label) for c in gate_evaluate(event, Step.PLAN)]
    assert any("当前 8%" in label for label in labels)  # 40 000 of 500 000
    result = event_advance(event=event, actor=organiser, from_step=Step.PLAN)
    assert result.event.step == Step.APPROVAL


def test_a_custom_organisation_band_changes_the_gate(event, organiser):
    # REQ: PL-3
    complete_plan(event, organiser)
    Organisation.objects.filter(pk=organisation_get().pk).update(
        reserve_min=Decimal("0.10"), reserve_max=Decimal("0.15")
    )
    problems = unmet(event)
    assert list(problems) == ["plan.budget.contingency_band"]
    assert (
        "8%" in problems["plan.budget.contingency_band"][0]
        and "10%–15%" in problems["plan.budget.contingency_band"][0]
    )
    assert Plan.objects.get(event=event).budget_lines.count() == 2
