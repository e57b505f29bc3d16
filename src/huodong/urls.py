from django.urls import include, path

from huodong.api.urls import api
from huodong.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("huodong.core.urls")),
    path("events/", include("huodong.events.urls")),
    path("", include("huodong.planning.urls")),
    path("", include("huodong.preparation.urls")),
    path("", include("huodong.outreach.urls")),
    path("", include("huodong.checkin.urls")),
    path("", include("huodong.onsite.rehearsal.urls")),
    path("", include("huodong.onsite.show.urls")),
    path("", include("huodong.onsite.interaction.urls")),
    path("", include("huodong.onsite.incidents.urls")),
    path("", include("huodong.onsite.live.urls")),
    path("", include("huodong.documents.urls")),
]
