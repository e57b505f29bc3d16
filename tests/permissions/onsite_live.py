"""Permission rows of onsite_live (to be filled by the part's builder)."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import Row


def ids(world: Any) -> dict[str, Any]:
    return {}


PAGES: dict[str, Row] = {}
API: dict[str, Row] = {}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = []
