from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of outreach, in the order of the event's tabs; each ``views.<area>`` declares its ``TAB``
# (or none) and its ``urlpatterns``.
AREAS = ("notices", "guests", "registration", "messages", "templates", "robots", "public")


class OutreachConfig(AppConfig):
    name = "huodong.outreach"
    label = "outreach"
    verbose_name = _("邀约与通知")

    def ready(self) -> None:
        from huodong.core.admin_links import register_admin_link
        from huodong.events.tabs import register_event_tab

        from . import gates, receivers  # noqa: F401  the gate of 通知发布; moving the event moves messages

        for area in AREAS:
            tab = getattr(import_module(f"{self.name}.views.{area}"), "TAB", None)
            if tab is not None:
                register_event_tab(**tab)
        register_admin_link(key="robots", label=_("群机器人"), url_name="outreach:robots")
