"""Fixtures of the document tests: a fully planned event. The personas come from the root conftest.py."""

from __future__ import annotations

import pytest

from .factories import planning_records


@pytest.fixture
def people(organiser, reviewers, approver_exec, approver_gm) -> dict:
    return {"organiser": organiser, **reviewers, "exec": approver_exec, "gm": approver_gm}


@pytest.fixture
def records(event, people):
    """The event with a needs report, goals, a 7-segment plan, 12 budget lines, 4 risks, approved and signed."""
    return planning_records(event, people=people)
