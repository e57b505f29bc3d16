"""Pages of the live part: the dashboard of 现场监控 (``/events/<id>/live/``) and the phone page for
recording leads (``/events/<id>/live/leads/``). Each view module owns its URL list."""

from importlib import import_module

from .apps import AREAS

app_name = "onsite_live"

urlpatterns = [p for area in AREAS for p in import_module(f"huodong.onsite.live.views.{area}").urlpatterns]
