from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest


def pending_for(user: Any) -> int:
    """How many reviews and approvals wait for ``user`` (0 when signed out or the database is not ready).

    The navigation badge, the ☰ button on a phone and where a person lands after signing in
    (``core.views.LoginView``: 我的待办 when this is not 0).
    """
    if user is None or not user.is_authenticated:
        return 0
    from .selectors_approval import pending_count

    try:
        return pending_count(user)
    except DatabaseError:  # the database may not be migrated yet (health page, first start)
        return 0


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``pending_count`` for the navigation badge: the signed-in person's pending reviews and approvals."""
    return {"pending_count": pending_for(getattr(request, "user", None))}
