from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehearsalConfig(AppConfig):
    """Setup and rehearsal (EX-1): the day-before checklist, the tab 彩排 and the gate of 场地布置
    (``gates.py``, found by ``events``)."""

    name = "huodong.onsite.rehearsal"
    label = "onsite_rehearsal"
    verbose_name = _("场地布置与彩排")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from . import gates  # noqa: F401  the gate of 场地布置
        from .views.checklist import TAB

        register_event_tab(**TAB)
