"""Outreach pages: under /events/<event_id>/outreach/ for the organisers, /outreach/robots/ for
administrators, and the public pages a guest opens without signing in (/r/<slug>/ registration,
/t/<access_key>/ ticket). Each view module owns its URL list."""

from importlib import import_module

from .apps import AREAS

app_name = "outreach"

urlpatterns = [p for area in AREAS for p in import_module(f"huodong.outreach.views.{area}").urlpatterns]
