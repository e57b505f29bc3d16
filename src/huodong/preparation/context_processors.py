from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest


def my_tasks(request: HttpRequest) -> dict[str, Any]:
    """For the navigation: ``my_task_count``, the signed-in person's open tasks (R or A) across events, and
    ``my_request_count`` / ``has_requests``, the requests to their department waiting for an answer (IR-1)
    and whether it has any at all (the 协作请求 link shows only then)."""
    empty = {"my_task_count": 0, "my_request_count": 0, "has_requests": False}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return empty
    from django.db.models import Count, Q

    from .models import ResourceRequest
    from .selectors import my_open_task_count

    try:
        counts = {"pending": 0, "total": 0}
        if user.department_id is not None:  # one query for both figures, on every page
            counts = (
                ResourceRequest.objects.filter(department_id=user.department_id)
                .exclude(status=ResourceRequest.Status.CANCELLED)
                .aggregate(
                    pending=Count("pk", filter=Q(status=ResourceRequest.Status.PENDING)), total=Count("pk")
                )
            )
        return {
            "my_task_count": my_open_task_count(user),
            "my_request_count": counts["pending"],
            "has_requests": bool(counts["total"]),
        }
    except DatabaseError:  # the database may not be migrated yet (health page, first start)
        return empty
