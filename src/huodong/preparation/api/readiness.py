"""API: 准备就绪 (issue 8, point 8): the three gates and every open point."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["preparation"])
