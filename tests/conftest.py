"""Personas as fixtures (healthchecks style): organiser, reviewers per department, approvers, staff, outsider."""

from __future__ import annotations

import pytest
from django.test import Client

from huodong.core.models import Role, User

from .factories import PASSWORD, EventFactory, UserFactory, department


def _person(username: str, role: str, dept: str, title: str = "", name: str = "") -> User:
    return UserFactory(username=username, role=role, department=department(dept), title=title, display_name=name or username)


@pytest.fixture
def admin_user(db) -> User:
    return _person("admin", Role.ADMIN, "tech", "IT 管理员", "系统管理员")


@pytest.fixture
def organiser(db) -> User:
    return _person("organiser", Role.ORGANISER, "marketing", "市场部主管", "王策划")


@pytest.fixture
def reviewer_sales(db) -> User:
    return _person("reviewer_sales", Role.REVIEWER, "sales", "销售部总监", "李总监")


@pytest.fixture
def reviewer_product(db) -> User:
    return _person("reviewer_product", Role.REVIEWER, "product", "产品部经理", "周经理")


@pytest.fixture
def reviewer_legal(db) -> User:
    return _person("reviewer_legal", Role.REVIEWER, "legal", "法务主管", "吴律师")


@pytest.fixture
def reviewer_finance(db) -> User:
    return _person("reviewer_finance", Role.REVIEWER, "finance", "财务经理", "郑会计")


@pytest.fixture
def reviewers(reviewer_sales, reviewer_product, reviewer_legal, reviewer_finance) -> dict[str, User]:
    return {"sales": reviewer_sales, "product": reviewer_product, "legal": reviewer_legal, "finance": reviewer_finance}


@pytest.fixture
def approver_exec(db) -> User:
    return _person("approver_exec", Role.APPROVER_EXEC, "marketing", "分管市场副总裁", "赵总")


@pytest.fixture
def approver_gm(db) -> User:
    return _person("approver_gm", Role.APPROVER_GM, "admin", "总经理", "孙总")


@pytest.fixture
def checkin_staff(db) -> User:
    return _person("checkin_staff", Role.STAFF, "admin", "行政专员", "冯同学")


@pytest.fixture
def outsider(db) -> User:
    return _person("outsider", Role.STAFF, "tech", "工程师", "路人")


@pytest.fixture
def event(organiser):
    return EventFactory(owner=organiser)


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def as_organiser(client, organiser) -> Client:
    return login(client, organiser)


@pytest.fixture
def as_admin(client, admin_user) -> Client:
    return login(client, admin_user)
