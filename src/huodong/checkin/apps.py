from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of check-in; each ``views.<area>`` declares its ``TAB`` (or none) and its ``urlpatterns``.
AREAS = ("setup", "scanner", "live", "documents")


class CheckinConfig(AppConfig):
    name = "huodong.checkin"
    label = "checkin"
    verbose_name = _("签到")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        for area in AREAS:
            try:
                module = import_module(f"{self.name}.views.{area}")
            except ModuleNotFoundError as missing:
                if missing.name != f"{self.name}.views.{area}":
                    raise
                continue
            tab = getattr(module, "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
