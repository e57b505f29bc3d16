"""Fixtures and helpers of the planning tests; the personas and ``event`` come from the root conftest.py.

- needs and goals: ``make_event``, ``move``, ``complete_needs``, ``smart_goal``, ``smart_goal_data``;
- the plan: ``event_at_plan_step`` (the plan modules use it for every test), ``plan``, ``complete_plan``,
  ``at``, ``media_root``;
- review and approval: ``plan_event`` (at 审批定稿 with a complete plan), ``submit``, ``pass_all_reviews``,
  ``reviewed_version``, ``sign``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from huodong.core.models import Department, User
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.models import (
    CONTINGENCY,
    BudgetLine,
    DepartmentReview,
    Goal,
    NeedsInput,
    NeedsMethod,
    NeedsReport,
    Plan,
    PlanVersion,
    Risk,
    RunOfShowSegment,
)
from huodong.planning.services.budget import budget_line_add
from huodong.planning.services.plan import plan_get_or_create, plan_update
from huodong.planning.services.risks import risk_update
from huodong.planning.services.run_of_show import segment_update
from tests.factories import SHANGHAI, EventFactory


def at(hour: int, minute: int = 0, day: int = 18) -> dt.datetime:
    """A wall-clock time on the launch day in Shanghai (the factories' launch runs 13:30–17:30)."""
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=SHANGHAI)


def make_event(
    owner: User,
    *,
    step: str = Step.NEEDS,
    name: str = "智启未来·2027新品发布会",
    type_code: str = "product-launch",
    starts: dt.datetime | None = None,
) -> Event:
    """A launch (or another type) like the demo's, four hours long, at the given step."""
    starts = starts or at(13, 30)
    return EventFactory(  # type: ignore[return-value]
        owner=owner,
        step=step,
        name=name,
        event_type=EventType.objects.get(code=type_code),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=4),
    )


def move(event: Event, step: str) -> Event:
    """Put the event at a step directly, past the gates."""
    Event.objects.filter(pk=event.pk).update(step=step)
    event.refresh_from_db()
    return event


# ---------------------------------------------------------------- needs and goals
def complete_needs(event: Event, requesters: list[User]) -> NeedsReport:
    """A needs report that meets the gate, written directly (the gate tests test the gate, not the services)."""
    report, _ = NeedsReport.objects.get_or_create(event=event)
    report.background = "新品上市"
    report.audience_persona = "行业客户 IT 负责人"
    report.core_needs = "现场体验与交流"
    report.requesting_department = Department.objects.get(code="sales")
    report.requested_on = dt.date(2026, 12, 12)
    report.save()
    report.requesters.set(requesters)
    NeedsInput.objects.create(
        report=report, kind=NeedsInput.Kind.BUSINESS_GOAL, content="新品上市需提升30%线索量", source="销售部"
    )
    NeedsMethod.objects.create(
        report=report, method=NeedsMethod.Method.INTERVIEW, findings="销售部希望收集有效线索"
    )
    return report


def smart_goal_data(by: User, /, **overrides: Any) -> dict[str, Any]:
    """The fields of a goal that is specific, measurable, tied to a need and due on a date, owned by ``by``."""
    data: dict[str, Any] = {
        "metric": Goal.Metric.VALID_LEADS,
        "target_value": Decimal("150"),
        "unit": "条",
        "due_date": dt.date(2027, 4, 1),
        "owner": by,
        "objective": "新品上市需提升30%线索量",
    }
    data.update(overrides)
    return data


def smart_goal(event: Event, by: User, /, **overrides: Any) -> Goal:
    """A SMART goal of the event, written directly."""
    return Goal.objects.create(event=event, **smart_goal_data(by, **overrides))


# ---------------------------------------------------------------- the plan
@pytest.fixture
def event_at_plan_step(event) -> Event:
    """Moves the test's ``event`` to 方案设计; the plan modules name it in ``pytestmark`` (usefixtures)."""
    return move(event, Step.PLAN)


@pytest.fixture
def plan(event, organiser) -> Plan:
    return plan_get_or_create(event=event, actor=organiser)


def complete_plan(event: Event, owner: User) -> None:
    """Make the plan meet every criterion of the gate (through the services)."""
    plan = plan_get_or_create(event=event, actor=owner)
    plan_update(
        actor=owner,
        event=event,
        seen=plan.revision,
        background="新品上市,提升线索 30%",
        approved_budget="600000",
    )
    for seg in plan.segments.all():
        segment_update(actor=owner, event=event, segment_id=seg.pk, seen=seg.revision, owner=owner)
    for risk in plan.risks.all():
        risk_update(actor=owner, event=event, risk_id=risk.pk, seen=risk.revision, owner=owner)
    budget_line_add(
        actor=owner, event=event, category="venue", item="场地", quantity="1", unit_price="460000"
    )
    budget_line_add(
        actor=owner, event=event, category="contingency", item="应急备用金", quantity="1", unit_price="40000"
    )


@pytest.fixture
def media_root(tmp_path, settings):
    """Uploads go to a temporary folder on the file system."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


# ---------------------------------------------------------------- review and approval
def build_plan_event(owner: User, *, name: str = "2027 新品发布会") -> Event:
    """An event at 审批定稿 with a complete plan: goals, run of show, a budget with a 7.7% reserve, risks.

    Built directly from model objects (not through the plan services), so the review and approval tests
    depend only on the models.
    """
    event = make_event(owner, name=name)
    start = event.starts_at
    Goal.objects.create(
        event=event,
        metric=Goal.Metric.VALID_LEADS,
        description="发布会带来的有效销售线索",
        target_value=Decimal("300"),
        unit="条",
        baseline=Decimal("200"),
        due_date=dt.date(2027, 4, 30),
        owner=owner,
        objective="新品上市线索提升 30%",
    )
    plan = Plan.objects.create(
        event=event, background="新品上市", positioning="面向渠道与媒体", approved_budget=Decimal("500000.00")
    )
    RunOfShowSegment.objects.create(
        plan=plan, position=1, title="签到入场", starts_at=start, duration_minutes=30, owner=owner
    )
    RunOfShowSegment.objects.create(
        plan=plan,
        position=2,
        title="CEO 主题演讲",
        starts_at=start + dt.timedelta(minutes=30),
        duration_minutes=45,
        owner=owner,
    )
    for position, (category, category_name, item, qty, price) in enumerate(
        [
            ("venue", "场地租赁", "主会场", "1", "200000.00"),
            ("equipment", "设备租赁", "LED 屏", "1", "160000.00"),
            (CONTINGENCY, "备用金", "不可预见费用", "1", "30000.00"),
        ]
    ):
        BudgetLine.objects.create(
            plan=plan,
            position=position,
            category=category,
            category_name=category_name,
            item=item,
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            amount=Decimal(qty) * Decimal(price),
        )
    Risk.objects.create(
        plan=plan,
        risk="投影设备故障",
        likelihood=Risk.Level.LOW,
        impact=Risk.Level.HIGH,
        owner=owner,
        response="切换备用投影",
        backup_resource="备用投影仪",
    )
    return move(event, Step.APPROVAL)


@pytest.fixture
def plan_event(organiser, reviewers, approver_exec, approver_gm) -> Event:
    return build_plan_event(organiser)


def submit(event: Event, actor: User, departments: list[str] | None = None) -> PlanVersion:
    from huodong.planning.services.department_review import plan_submit_for_approval

    depts = None if departments is None else [Department.objects.get(code=c) for c in departments]
    return plan_submit_for_approval(event=event, actor=actor, departments=depts)


def pass_all_reviews(version: PlanVersion, reviewers: dict[str, User]) -> PlanVersion:
    from huodong.planning.services.department_review import department_review_decide

    for review in DepartmentReview.objects.filter(
        version=version, decision=DepartmentReview.Decision.PENDING
    ).select_related("department"):
        department_review_decide(
            review=review,
            actor=reviewers[review.department.code],
            decision=DepartmentReview.Decision.APPROVE,
            feasibility_opinion="可行",
        )
    version.refresh_from_db()
    return version


def reviewed_version(event: Event, organiser: User, reviewers: dict[str, User]) -> PlanVersion:
    return pass_all_reviews(submit(event, organiser), reviewers)


def sign(version: PlanVersion, actor: User, decision: str = "approve", comment: str = "同意") -> None:
    from huodong.planning.services.approval import approval_sign

    approval_sign(
        version=version, actor=actor, decision=decision, comment=comment, content_hash=version.content_hash
    )
