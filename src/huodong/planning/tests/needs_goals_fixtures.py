"""Fixtures of the needs and goals tests: personas, an event of the demo's type, helpers to move it.

Self-contained (the project-level ``tests/conftest.py`` is not visible from ``src/``); import the
fixtures you use by name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from huodong.core.models import Department, Role, User
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PASSWORD = "test-pass-2026!"
_HASH: dict[str, str] = {}


def person(username: str, role: str, dept: str, title: str = "", name: str = "") -> User:
    if "h" not in _HASH:  # one hash for every persona: PBKDF2 is slow by design
        _HASH["h"] = make_password(PASSWORD)
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "department": Department.objects.get(code=dept),
            "title": title,
            "display_name": name or username,
            "email": f"{username}@example.com",
            "password": _HASH["h"],
        },
    )
    return user


def login(client: Client, user: User) -> Client:
    client.force_login(user)  # the password check is not under test here and PBKDF2 is slow
    return client


def make_event(
    owner: User,
    *,
    step: str = Step.NEEDS,
    name: str = "智启未来·2027新品发布会",
    type_code: str = "product-launch",
    starts: dt.datetime | None = None,
) -> Event:
    starts = starts or dt.datetime(2027, 3, 18, 13, 30, tzinfo=SHANGHAI)
    return Event.objects.create(
        name=name,
        event_type=EventType.objects.get(code=type_code),
        theme="智启未来",
        tone="高端专业",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=4),
        time_zone="Asia/Shanghai",
        venue="上海国际会议中心",
        expected_attendance=220,
        requesting_department=Department.objects.get(code="sales"),
        owner=owner,
        step=step,
    )


def move(event: Event, step: str) -> Event:
    Event.objects.filter(pk=event.pk).update(step=step)
    event.refresh_from_db()
    return event


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


def smart_goal(event: Event, by: User, /, **overrides: Any) -> Goal:
    data: dict[str, Any] = {
        "metric": Goal.Metric.VALID_LEADS,
        "target_value": Decimal("150"),
        "unit": "条",
        "due_date": dt.date(2027, 4, 1),
        "owner": by,
        "objective": "新品上市需提升30%线索量",
    }
    data.update(overrides)
    return Goal.objects.create(event=event, **data)


@pytest.fixture
def organiser(db) -> User:
    return person("organiser", Role.ORGANISER, "marketing", "市场部主管", "王策划")


@pytest.fixture
def marketing_mgr(db) -> User:
    return person("marketing_mgr", Role.ORGANISER, "marketing", "市场部经理", "陈经理")


@pytest.fixture
def reviewer_sales(db) -> User:
    return person("reviewer_sales", Role.REVIEWER, "sales", "销售部总监", "李总监")


@pytest.fixture
def admin_user(db) -> User:
    return person("admin", Role.ADMIN, "tech", "IT 管理员", "系统管理员")


@pytest.fixture
def outsider(db) -> User:
    return person("outsider", Role.STAFF, "tech", "工程师", "路人")


@pytest.fixture
def event(organiser) -> Event:
    return make_event(organiser)


@pytest.fixture
def as_organiser(client, organiser) -> Client:
    return login(client, organiser)


@pytest.fixture
def as_outsider(client, outsider) -> Client:
    return login(client, outsider)
