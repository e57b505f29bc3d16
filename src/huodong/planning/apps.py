from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "huodong.planning"
    label = "planning"
    verbose_name = _("策划")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        from . import receivers  # noqa: F401  receivers: event facts are part of the signed plan

        register_event_tab(key="needs", label=_("需求调研"), url_name="planning:needs", order=10)
        register_event_tab(key="goals", label=_("目标"), url_name="planning:goals", order=20)
        register_event_tab(key="plan", label=_("策划方案"), url_name="planning:plan", order=30)
        register_event_tab(key="approval", label=_("评审与审批"), url_name="planning:approval", order=40)
