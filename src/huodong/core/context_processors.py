from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def huodong(request: HttpRequest) -> dict[str, Any]:
    from .services import organisation_get

    try:
        org = organisation_get()
    except Exception:  # the database may not be migrated yet (health page, first start)
        org = None
    return {"organisation": org}
