"""Demo data for the planning step(s): needs_goals (replace this whole file)."""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.models import Event


def demo_needs_goals(*, event: Event, people: dict[str, User]) -> None:
    return None
