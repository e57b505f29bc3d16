from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``pending_count`` for the navigation badge: the signed-in person's pending reviews and approvals."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"pending_count": 0}
    from .selectors_approval import pending_count

    try:
        return {"pending_count": pending_count(user)}
    except DatabaseError:  # the database may not be migrated yet (health page, first start)
        return {"pending_count": 0}
