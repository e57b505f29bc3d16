"""API: The vendor register, vendor needs, quotes, comparison, choice, exception and contract (VD-1, VD-2)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["preparation"])
