"""The incident log's pages under /events/<event_id>/incidents/ (tab 突发, EX-5)."""

from .views.incidents import urlpatterns as incident_patterns

app_name = "onsite_incidents"

urlpatterns = list(incident_patterns)
