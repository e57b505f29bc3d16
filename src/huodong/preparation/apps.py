from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of preparation, in the order of the event's tabs; each ``views.<area>`` declares its ``TAB``.
AREAS = ("readiness", "team", "vendors", "resources", "materials", "training")


class PreparationConfig(AppConfig):
    name = "huodong.preparation"
    label = "preparation"
    verbose_name = _("准备")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from . import receivers  # noqa: F401  moving the event moves the relative deadlines

        for area in AREAS:
            tab = getattr(import_module(f"{self.name}.views.{area}"), "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
