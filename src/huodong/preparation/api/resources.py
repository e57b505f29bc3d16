"""API: Requests for internal resources and the departments' answers (IR-1)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["preparation"])
