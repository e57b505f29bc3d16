"""Plan versions: snapshot, content hash, and what an edit does to an open version (AP-1).

(Placeholder signatures — the review/approval work replaces this file.)
"""

from __future__ import annotations

from typing import Any

from huodong.core.models import User
from huodong.events.models import Event


def plan_snapshot(event: Event) -> dict[str, Any]:
    return {}


def plan_touch(*, event: Event, actor: User | None, what: str) -> None:
    return None
