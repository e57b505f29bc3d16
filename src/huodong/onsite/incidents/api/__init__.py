"""The incident log's API (EX-5): ``api.incidents``."""

from ninja import Router

from .incidents import router as incidents_router

router = Router()
router.add_router("", incidents_router)
