from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest


def my_tasks(request: HttpRequest) -> dict[str, Any]:
    """``my_task_count`` for the navigation: the signed-in person's open tasks (R or A) across events."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_task_count": 0}
    from .selectors import my_open_task_count

    try:
        return {"my_task_count": my_open_task_count(user)}
    except DatabaseError:  # the database may not be migrated yet (health page, first start)
        return {"my_task_count": 0}
