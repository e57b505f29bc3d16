"""The check-in API under /api/events/{id}/checkin/: the scanner's operations (one scan, an offline batch,
the offline pack, devices), the setup (gates, staff, settings), walk-ins, staff arrivals, the counts and
conflicts."""

from __future__ import annotations

from importlib import import_module

from ninja import Router

AREAS = ("scan", "setup", "live", "walkins")

router = Router()
for _area in AREAS:
    try:
        _module = import_module(f"huodong.checkin.api.{_area}")
    except ModuleNotFoundError as _missing:  # an area not built yet
        if _missing.name != f"huodong.checkin.api.{_area}":
            raise
        continue
    router.add_router("", _module.router)
