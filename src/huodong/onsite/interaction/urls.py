"""Interaction pages: the staff's under /events/<event_id>/interaction/, the guests' and the screen's under
/x/<key>/ (public). Each view module owns its URL list."""

from importlib import import_module

from .apps import AREAS

app_name = "onsite_interaction"

urlpatterns = [
    p for area in AREAS for p in import_module(f"huodong.onsite.interaction.views.{area}").urlpatterns
]
