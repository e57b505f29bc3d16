# ruff: noqa: F811  (pytest fixtures imported from test_plan_support are redefined as parameters)
"""The demo's launch plan meets every plan criterion, loads twice without change, and keeps the event's step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.core.models import Role
from huodong.demo.plan_demo import demo_plan
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.planning.models import Plan
from huodong.planning.selectors_plan import budget_summary

from .test_plan_support import at, make_event, person

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_complete_idempotent_and_leaves_the_step(db):
    # REQ: PL-1, PL-2, PL-3
    people = {
        u: person(u, role, dept)
        for u, role, dept in [
            ("organiser", Role.ORGANISER, "marketing"),
            ("marketing_mgr", Role.ORGANISER, "marketing"),
            ("staff", Role.STAFF, "marketing"),
            ("checkin_staff", Role.STAFF, "admin"),
            ("reviewer_sales", Role.REVIEWER, "sales"),
            ("reviewer_product", Role.REVIEWER, "product"),
            ("approver_gm", Role.APPROVER_GM, "admin"),
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
