from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of the live part; each ``views.<area>`` declares its ``TAB`` (or none) and its ``urlpatterns``.
AREAS = ("dashboard", "leads")


class LiveConfig(AppConfig):
    name = "huodong.onsite.live"
    label = "onsite_live"
    verbose_name = _("现场监控")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from . import gates  # noqa: F401  registers the gate of 现场监控

        for area in AREAS:
            module = import_module(f"{self.name}.views.{area}")
            tab = getattr(module, "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
