from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of the live run of show; each ``views.<area>`` declares its ``TAB`` (or none) and ``urlpatterns``.
AREAS = ("run", "screen", "mine")


class ShowConfig(AppConfig):
    name = "huodong.onsite.show"
    label = "onsite_show"
    verbose_name = _("流程执行")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from . import gates  # noqa: F401  the gate of 流程执行

        for area in AREAS:
            tab = getattr(import_module(f"{self.name}.views.{area}"), "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
