"""Fixtures of the document tests: the shared personas (tests/conftest.py) and a fully planned event."""
# ruff: noqa: F811  (fixtures imported from tests/conftest.py are requested by name as parameters)

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[4]
if (_ROOT / "tests" / "conftest.py").exists() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from tests.conftest import (  # noqa: E402,F401  (the shared personas)
    admin_user,
    approver_exec,
    approver_gm,
    as_admin,
    as_organiser,
    checkin_staff,
    event,
    login,
    organiser,
    outsider,
    reviewer_finance,
    reviewer_legal,
    reviewer_product,
    reviewer_sales,
    reviewers,
)

from .factories import planning_records  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Eight personas per test: PBKDF2 would spend seconds hashing their passwords; MD5 is fine in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(organiser, reviewers, approver_exec, approver_gm) -> dict:
    return {"organiser": organiser, **reviewers, "exec": approver_exec, "gm": approver_gm}


@pytest.fixture
def records(event, people):
    """The event with a needs report, goals, a 7-segment plan, 12 budget lines, 4 risks, approved and signed."""
    return planning_records(event, people=people)
