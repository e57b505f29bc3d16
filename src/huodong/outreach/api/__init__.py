"""The outreach API under /api/events/{id}/ (guests, registration, messages, notices, templates) and
/api/outreach/ (robots)."""

from __future__ import annotations

from importlib import import_module

from ninja import Router

AREAS = ("guests", "registration", "messages", "notices", "templates", "robots")

router = Router()
for _area in AREAS:
    router.add_router("", import_module(f"huodong.outreach.api.{_area}").router)
