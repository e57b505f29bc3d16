"""Fixtures shared by the team, tasks and RACI tests (imported by ``test_team*``, ``test_tasks*``,
``test_raci*``): an event at 资源协调 owned by the organiser, a staff member on its team, a colleague of
another department."""

from __future__ import annotations

import pytest

from huodong.core.models import Role, User
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import Raci, Task, TaskAssignment
from tests.factories import demo_person, person


@pytest.fixture
def prep_event(organiser) -> Event:
    """A product launch (2027-03-18 13:30 Shanghai) whose plan is approved: at 资源协调."""
    return make_event(organiser, step=Step.RESOURCES)


@pytest.fixture
def staff(db) -> User:
    """钱同学: marketing staff (not an organiser), a team member who works on tasks."""
    return demo_person("staff")


@pytest.fixture
def engineer(db) -> User:
    """Someone from another department (技术部): may be a member, not the leader."""
    return person("engineer", Role.STAFF, "tech", "网络工程师", "孙工")


def task_with_raci(event: Event, title: str, letters: dict[User, str], **fields) -> Task:
    """A task written directly with its RACI letters (the tests of pages and the API start from it)."""
    from huodong.preparation.services.tasks import relative_due

    offset = fields.pop("offset_minutes", -3 * 24 * 60)
    task = Task.objects.create(
        event=event, title=title, offset_minutes=offset, due_at=relative_due(event, offset), **fields
    )
    for person_, letter in letters.items():
        TaskAssignment.objects.create(task=task, person=person_, role=letter)
    return task


__all__ = ["Raci", "engineer", "prep_event", "staff", "task_with_raci"]
