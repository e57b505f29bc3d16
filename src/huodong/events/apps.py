from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "huodong.events"
    label = "events"
    verbose_name = _("活动")

    def ready(self) -> None:
        from . import gates  # noqa: F401  registers the foundation's gates
