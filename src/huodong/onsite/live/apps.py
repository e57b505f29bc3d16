from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "huodong.onsite.live"
    label = "onsite_live"
    verbose_name = _("现场监控")
