"""Permission rows of the readiness area (issue 8, point 8): the page and its API are read by anyone who may
view the event (``Need.VIEW``): the team, the executive in charge and every colleague. Nothing is written."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE, Row


def ids(world: Any) -> dict[str, Any]:
    return {}


PAGES: dict[str, Row] = {
    "preparation:readiness": Row(EVERYONE),
}

API: dict[str, Row] = {
    "GET /api/events/{event_id}/readiness": Row(EVERYONE),
}

REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = [["event_id"]]
