"""Planning pages (under /events/<event_id>/planning/ and /inbox/); each view module owns its own URL list."""

from .views import approval, goals, inbox, needs, plan

app_name = "planning"

urlpatterns = (
    needs.urlpatterns + goals.urlpatterns + plan.urlpatterns + approval.urlpatterns + inbox.urlpatterns
)
