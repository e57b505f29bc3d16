# ruff: noqa: F811  (pytest fixtures imported from test_plan_support are redefined as parameters)
"""Fixtures of the plan tests (no tests here): personas, a launch at 方案设计, a complete plan.

Self-contained because the project-level ``tests/conftest.py`` is not visible from ``src/``; the plan
test modules import the fixtures they use by name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from huodong.core.models import Department, Role, User
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.services.budget import budget_line_add
from huodong.planning.services.plan import plan_get_or_create, plan_update
from huodong.planning.services.risks import risk_update
from huodong.planning.services.run_of_show import segment_update

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_HASH: dict[str, str] = {}


def person(username: str, role: str, dept: str, name: str = "") -> User:
    if "h" not in _HASH:  # no password: the tests sign in with force_login (PBKDF2 is slow by design)
        _HASH["h"] = make_password(None)
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "department": Department.objects.get(code=dept),
            "display_name": name or username,
            "email": f"{username}@example.com",
            "password": _HASH["h"],
        },
    )
    return user


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def at(hour: int, minute: int = 0, day: int = 18) -> dt.datetime:
    """A wall-clock time on the launch day in Shanghai."""
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=SHANGHAI)


def make_event(owner: User, *, step: str = Step.PLAN) -> Event:
    return Event.objects.create(
        name="智启未来·2027新品发布会",
        event_type=EventType.objects.get(code="product-launch"),
        theme="智启未来",
        tone="高端专业",
        starts_at=at(13, 30),
        ends_at=at(17, 30),
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


def complete_plan(event: Event, owner: User) -> None:
    """Make the plan meet every criterion of the gate (through the services)."""
    plan = plan_get_or_create(event=event, actor=owner)
    plan_update(actor=owner, event=event, background="新品上市,提升线索 30%", approved_budget="600000")
    for seg in plan.segments.all():
        segment_update(actor=owner, segment=seg, owner=owner)
    for risk in plan.risks.all():
        risk_update(actor=owner, risk=risk, owner=owner)
    budget_line_add(
        actor=owner, event=event, category="venue", item="场地", quantity="1", unit_price="460000"
    )
    budget_line_add(
        actor=owner, event=event, category="contingency", item="应急备用金", quantity="1", unit_price="40000"
    )


@pytest.fixture
def organiser(db) -> User:
    return person("organiser", Role.ORGANISER, "marketing", "王策划")


@pytest.fixture
def admin_user(db) -> User:
    return person("admin", Role.ADMIN, "tech", "系统管理员")


@pytest.fixture
def reviewer_finance(db) -> User:
    return person("reviewer_finance", Role.REVIEWER, "finance", "郑会计")


@pytest.fixture
def outsider(db) -> User:
    return person("outsider", Role.STAFF, "tech", "路人")


@pytest.fixture
def event(organiser) -> Event:
    return make_event(organiser)


@pytest.fixture
def plan(event, organiser):
    return plan_get_or_create(event=event, actor=organiser)


@pytest.fixture
def as_organiser(client, organiser) -> Client:
    return login(client, organiser)


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


ZERO = Decimal("0.00")
