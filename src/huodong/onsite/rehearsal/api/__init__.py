"""The rehearsal API under /api/events/{id}/rehearsal/ (EX-1): the checklist, its items, checks with
photos, and the follow-ups (``api.checklist``)."""

from ninja import Router

from .checklist import router as checklist_router

router = Router()
router.add_router("", checklist_router)
