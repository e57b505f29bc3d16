"""The preparation API under /api/events/ (and /api/vendors/, /api/my/ for what is not one event's)."""

from __future__ import annotations

from ninja import Router

from . import materials, readiness, resources, team, training, vendors

router = Router()
for _area in (readiness, team, vendors, resources, materials, training):
    router.add_router("", _area.router)
