from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/advance/", views.event_advance_view, name="advance"),
    path("<int:pk>/back/", views.event_move_back_view, name="back"),
    path("types/", views.event_type_list, name="types"),
    path("types/new/", views.event_type_edit, name="type_new"),
    path("types/<int:pk>/", views.event_type_edit, name="type_edit"),
]
