"""What the permission matrix's rows are made of, shared by ``tests/test_permission_matrix.py`` and the
per-area row modules of later phases (``tests/permissions/*.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REVIEWERS = {"reviewer_sales", "reviewer_product", "reviewer_legal", "reviewer_finance"}
APPROVERS = {"approver_exec", "approver_gm"}
EVERYONE = {
    "admin",
    "owner",
    "team_organiser",
    "team_member",
    "other_organiser",
    *REVIEWERS,
    *APPROVERS,
    "checkin_staff",
    "colleague",
}
EDIT = {"admin", "owner", "team_organiser"}  # Need.EDIT
VIEW_APPROVAL = EDIT | {"team_member"} | REVIEWERS | APPROVERS  # Need.VIEW_APPROVAL
ADMIN = {"admin"}
CREATORS = {"admin", "owner", "team_organiser", "other_organiser"}  # organisers and administrators
PUBLIC = "public"  # no sign-in needed


@dataclass(frozen=True)
class Row:
    allowed: set[str] | str
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None  # a callable gets the World
    kwargs: dict[str, str] | None = None  # path parameter → world id key, when the names differ
    revision_of: str | None = None  # id key of the record whose revision the write must send
    denied: int = 403  # what a signed-in persona without the right gets (404: not even told it exists)
