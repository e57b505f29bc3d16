from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehearsalConfig(AppConfig):
    name = "huodong.onsite.rehearsal"
    label = "onsite_rehearsal"
    verbose_name = _("场地布置与彩排")
