"""Check-in pages under /events/<event_id>/checkin/: the setup (tab 签到), the scanner, the supervisor's live
counts, badges and the paper sheet. Each view module owns its URL list."""

from importlib import import_module

from .apps import AREAS

app_name = "checkin"


def _patterns(area: str) -> list:
    try:
        return list(import_module(f"huodong.checkin.views.{area}").urlpatterns)
    except ModuleNotFoundError as missing:  # an area not built yet
        if missing.name != f"huodong.checkin.views.{area}":
            raise
        return []


urlpatterns = [p for area in AREAS for p in _patterns(area)]
