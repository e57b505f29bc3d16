"""Fixtures for every test, under tests/ and src/: the demo's personas, an event, signed-in clients.

At the repository root so pytest applies it to the whole suite; loading it also puts the repository on
``sys.path``, so test modules anywhere import the helpers as ``tests.factories``. Fixtures of one area
live beside its tests (``src/huodong/<app>/tests/conftest.py``).
"""

from __future__ import annotations

import pytest
from django.test import Client

from huodong.core.models import Role, User
from huodong.events.models import Event
from tests.factories import EventFactory, demo_person, login, person


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
        from huodong.core.seed import seed_departments
        from huodong.events.models import EventType
        from huodong.events.seed import seed_event_types

        seed_departments(Department)
        seed_event_types(EventType)


# ---------------------------------------------------------------- personas (as in the demo)
@pytest.fixture
def admin_user(db) -> User:
    return demo_person("admin")


@pytest.fixture
def organiser(db) -> User:
    return demo_person("organiser")


@pytest.fixture
def marketing_mgr(db) -> User:
    return demo_person("marketing_mgr")


@pytest.fixture
def reviewer_sales(db) -> User:
    return demo_person("reviewer_sales")


@pytest.fixture
def reviewer_product(db) -> User:
    return demo_person("reviewer_product")


@pytest.fixture
def reviewer_legal(db) -> User:
    return demo_person("reviewer_legal")


@pytest.fixture
def reviewer_finance(db) -> User:
    return demo_person("reviewer_finance")


@pytest.fixture
def reviewers(reviewer_sales, reviewer_product, reviewer_legal, reviewer_finance) -> dict[str, User]:
    """The four reviewers by department code."""
    return {
        "sales": reviewer_sales,
        "product": reviewer_product,
        "legal": reviewer_legal,
        "finance": reviewer_finance,
    }


@pytest.fixture
def approver_exec(db) -> User:
    return demo_person("approver_exec")


@pytest.fixture
def approver_gm(db) -> User:
    return demo_person("approver_gm")


@pytest.fixture
def checkin_staff(db) -> User:
    return demo_person("checkin_staff")


@pytest.fixture
def outsider(db) -> User:
    """Staff of another department with no part in any event."""
    return person("outsider", Role.STAFF, "tech", "工程师", "路人")


# ---------------------------------------------------------------- an event, signed-in clients
@pytest.fixture
def event(organiser) -> Event:
    """A product launch owned by the organiser, at 需求洞察 (the first step)."""
    return EventFactory(owner=organiser)


@pytest.fixture
def as_organiser(client, organiser) -> Client:
    return login(client, organiser)


@pytest.fixture
def as_admin(client, admin_user) -> Client:
    return login(client, admin_user)


@pytest.fixture
def as_outsider(client, outsider) -> Client:
    return login(client, outsider)


@pytest.fixture
def no_gates(monkeypatch):
    """An empty gate registry for one test: the lifecycle moves freely unless the test registers a gate."""
    from huodong.events import lifecycle

    monkeypatch.setattr(lifecycle, "_GATES", {})
