"""The demo's launch plan meets every plan criterion, loads twice without change, and keeps the event's step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.demo.plan_demo import demo_plan
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.planning.models import Plan
from huodong.planning.selectors_plan import budget_summary
from tests.factories import demo_person

from .conftest import at, make_event

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_complete_idempotent_and_leaves_the_step(db):
    # REQ: PL-1, PL-2, PL-3
    people = {
        u: demo_person(u)
        for u in [
            "organiser",
            "marketing_mgr",
            "staff",
            "checkin_staff",
            "reviewer_sales",
            "reviewer_product",
            "approver_gm",
        ]
    }
    event = make_event(people["organiser"], step=Step.NEEDS)
    demo_plan(event=event, people=people)
    demo_plan(event=event, people=people)
    event.refresh_from_db()
    assert event.step == Step.NEEDS
    plan = Plan.objects.get(event=event)
    assert plan.segments.count() == 7 and plan.segments.order_by("-starts_at").first().ends_at <= at(17, 30)
    summary = budget_summary(plan)
    assert summary.total <= Decimal("600000") and summary.reserve_in_band
    assert Decimal("0.07") < summary.contingency_share < Decimal("0.09")
    assert {c.code for c in summary.categories} == {
        "venue",
        "materials",
        "equipment",
        "labour",
        "promotion",
        "contingency",
    }
    unmet = [c for c in gate_evaluate(event, Step.PLAN) if not c.met]
    assert unmet == []
