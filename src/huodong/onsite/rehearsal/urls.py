"""Pages of setup and rehearsal under /events/<event_id>/rehearsal/ (EX-1): the tab 彩排 and its writes."""

from .views.checklist import urlpatterns as checklist_urls

app_name = "onsite_rehearsal"

urlpatterns: list = [*checklist_urls]
