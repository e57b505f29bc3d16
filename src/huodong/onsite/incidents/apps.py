from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "huodong.onsite.incidents"
    label = "onsite_incidents"
    verbose_name = _("突发应对")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from .views.incidents import TAB

        register_event_tab(**TAB)
