"""The planning part of the demo (needs report, goals, plan draft), filled by the planning issue."""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.models import Event


def demo_planning_load(*, event: Event, people: dict[str, User]) -> None:
    return None
