from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "huodong.events"
    label = "events"
    verbose_name = _("活动")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's gates.py registers the criteria of its steps (LC-2) and its access.py who it adds
        # to an event's people (events.access), as Django's admin finds admin.py.
        autodiscover_modules("gates", "access")
