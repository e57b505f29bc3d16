"""Planning's API routers, mounted under /api/events/{event_id}/…: needs, goals, plan, department review and approval."""

from ninja import Router

from . import approval, goals, needs, plan

router = Router()
for _sub in (needs.router, goals.router, plan.router, approval.router):
    router.add_router("", _sub)
