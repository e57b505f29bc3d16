from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "huodong.documents"
    label = "documents"
    verbose_name = _("文档")

    def ready(self) -> None:
        from huodong.events.tabs import register_event_tab

        register_event_tab(key="documents", label=_("文档"), url_name="documents:index", order=90)
