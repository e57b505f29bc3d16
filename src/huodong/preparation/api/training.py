"""API: The execution meeting and special trainings with attendance (TR-1)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["preparation"])
