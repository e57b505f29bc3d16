from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionConfig(AppConfig):
    name = "huodong.onsite.interaction"
    label = "onsite_interaction"
    verbose_name = _("现场互动")
