"""Pages of the live run of show under /events/<event_id>/show/: the run (tab 流程执行; the stage manager's
buttons), the stage view for a big screen and phones, and an owner's own segments."""

from importlib import import_module

from .apps import AREAS

app_name = "onsite_show"

urlpatterns = [p for area in AREAS for p in import_module(f"huodong.onsite.show.views.{area}").urlpatterns]
