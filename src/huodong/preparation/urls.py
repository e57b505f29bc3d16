"""Preparation pages (under /events/<event_id>/preparation/, /vendors/, /my/tasks/); each view module owns its
URL list."""

from .views import materials, readiness, resources, team, training, vendors

app_name = "preparation"

urlpatterns = (
    readiness.urlpatterns
    + team.urlpatterns
    + vendors.urlpatterns
    + resources.urlpatterns
    + materials.urlpatterns
    + training.urlpatterns
)
