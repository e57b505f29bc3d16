"""Personas as fixtures (healthchecks style): organiser, reviewers per department, approvers, staff, outsider."""

from __future__ import annotations

import pytest
from django.test import Client

from huodong.core.models import Role, User

from .factories import PASSWORD, EventFactory, UserFactory, department


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hasher for the tests: the default PBKDF2 costs ~0.3 s per persona."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the default language: a request that switched to English leaves the thread's
    active translation behind (LocaleMiddleware activates, never deactivates)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _seeded_after_flush(request):
    """A transactional test (live server, threads) runs after another one's flush emptied the tables:
    put back what the data migrations seed — the departments and the five event types (SC-2)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from huodong.core.models import Department
        from huodong.events.models import EventType
        from huodong.events.seed import seed_departments, seed_event_types

        seed_departments(Department)
        seed_event_types(EventType)


def _person(username: str, role: str, dept: str, title: str = "", name: str = "") -> User:
    return UserFactory(  # type: ignore[return-value]
        username=username, role=role, department=department(dept), title=title, display_name=name or username
    )


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
    return {
        "sales": reviewer_sales,
        "product": reviewer_product,
        "legal": reviewer_legal,
        "finance": reviewer_finance,
    }


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
def no_gates(monkeypatch):
    """An empty gate registry for one test: the lifecycle moves freely unless the test registers a gate."""
    from huodong.events import lifecycle

    monkeypatch.setattr(lifecycle, "_GATES", {})


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
