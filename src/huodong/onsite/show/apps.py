from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowConfig(AppConfig):
    name = "huodong.onsite.show"
    label = "onsite_show"
    verbose_name = _("流程执行")
