from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of interaction; each ``views.<area>`` declares its ``TAB`` (or none) and its ``urlpatterns``.
AREAS = ("manage", "questions", "lottery", "guest", "screen")


class InteractionConfig(AppConfig):
    name = "huodong.onsite.interaction"
    label = "onsite_interaction"
    verbose_name = _("现场互动")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        for area in AREAS:
            tab = getattr(import_module(f"{self.name}.views.{area}"), "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
