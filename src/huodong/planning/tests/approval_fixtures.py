"""Fixtures of the review and approval tests: the personas, and an event whose plan passed the earlier gates.

The plan is built directly from model objects (not through the plan services) and the event is put at
审批定稿 directly, so these tests depend only on the models. Import the fixtures you use by name.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client

from huodong.core.models import Department, Role, User
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.models import (
    CONTINGENCY,
    BudgetLine,
    Goal,
    Plan,
    PlanVersion,
    Review,
    Risk,
    RunOfShowSegment,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PASSWORD = "test-pass-2026!"


def person(username: str, role: str, dept: str, title: str = "", name: str = "") -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "department": Department.objects.get(code=dept),
            "title": title,
            "display_name": name or username,
            "email": f"{username}@example.com",
        },
    )
    user.password = _password_hash()
    user.save(update_fields=["password"])
    return user


@functools.cache
def _password_hash() -> str:
    # Hashing once per run keeps the many personas cheap (the hasher is deliberately slow).
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def organiser(db) -> User:
    return person("organiser", Role.ORGANISER, "marketing", "市场部主管", "王策划")


@pytest.fixture
def reviewers(db) -> dict[str, User]:
    return {
        "sales": person("reviewer_sales", Role.REVIEWER, "sales", "销售部总监", "李总监"),
        "product": person("reviewer_product", Role.REVIEWER, "product", "产品部经理", "周经理"),
        "legal": person("reviewer_legal", Role.REVIEWER, "legal", "法务主管", "吴律师"),
        "finance": person("reviewer_finance", Role.REVIEWER, "finance", "财务经理", "郑会计"),
    }


@pytest.fixture
def approver_exec(db) -> User:
    return person("approver_exec", Role.APPROVER_EXEC, "marketing", "分管市场副总裁", "赵总")


@pytest.fixture
def approver_gm(db) -> User:
    return person("approver_gm", Role.APPROVER_GM, "admin", "总经理", "孙总")


@pytest.fixture
def admin_user(db) -> User:
    return person("admin", Role.ADMIN, "tech", "IT 管理员", "系统管理员")


@pytest.fixture
def outsider(db) -> User:
    return person("outsider", Role.STAFF, "tech", "工程师", "路人")


def build_plan_event(owner: User, *, name: str = "2027 新品发布会") -> Event:
    """An event at 审批定稿 with a complete plan: goals, run of show, a budget with a 7.7% reserve, risks."""
    start = dt.datetime(2027, 3, 18, 13, 30, tzinfo=SHANGHAI)
    event = Event.objects.create(
        name=name,
        event_type=EventType.objects.get(code="product-launch"),
        theme="智启未来",
        tone="高端专业",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        time_zone="Asia/Shanghai",
        venue="上海国际会议中心",
        expected_attendance=220,
        requesting_department=Department.objects.get(code="sales"),
        owner=owner,
    )
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
    Event.objects.filter(pk=event.pk).update(step=Step.APPROVAL)
    event.refresh_from_db()
    return event


@pytest.fixture
def plan_event(organiser, reviewers, approver_exec, approver_gm) -> Event:
    return build_plan_event(organiser)


def submit(event: Event, actor: User, departments: list[str] | None = None) -> PlanVersion:
    from huodong.planning.services.review import plan_submit_for_review

    depts = None if departments is None else [Department.objects.get(code=c) for c in departments]
    return plan_submit_for_review(event=event, actor=actor, departments=depts)


def pass_all_reviews(version: PlanVersion, reviewers: dict[str, User]) -> PlanVersion:
    from huodong.planning.services.review import review_decide

    for review in Review.objects.filter(version=version, decision=Review.Decision.PENDING).select_related(
        "department"
    ):
        review_decide(
            review=review,
            actor=reviewers[review.department.code],
            decision=Review.Decision.APPROVE,
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
