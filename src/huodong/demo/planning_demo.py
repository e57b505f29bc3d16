"""The planning part of the demo: needs report and goals, then the plan draft (spec figures as data)."""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.models import Event

from .needs_goals_demo import demo_needs_goals
from .plan_demo import demo_plan


def demo_planning_load(*, event: Event, people: dict[str, User]) -> None:
    demo_needs_goals(event=event, people=people)
    demo_plan(event=event, people=people)
