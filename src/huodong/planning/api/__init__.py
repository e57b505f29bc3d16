"""Planning's API routers, mounted under /api/events/{event_id}/…: needs, goals, plan, review and approval."""

from ninja import Router

from . import goals, needs, plan, review

router = Router()
for _sub in (needs.router, goals.router, plan.router, review.router):
    router.add_router("", _sub)
