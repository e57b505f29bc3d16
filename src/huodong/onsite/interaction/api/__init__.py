"""The interaction API (EX-4) under /api/events/{event_id}/interaction: settings, questions and their
moderation, the survey's results, the lottery (draws and exclusions). Staff only: the guests' own
writes are the public pages under /x/<key>/ (``views.guest``)."""

from ninja import Router

from .interaction import router as _interaction

router = Router()
router.add_router("", _interaction)
