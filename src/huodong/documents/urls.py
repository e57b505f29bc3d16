"""Document pages under /events/<event_id>/documents/ (DOC-1, DOC-2, DOC-3)."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("events/<int:event_id>/documents/", views.document_index, name="index"),
    path("events/<int:event_id>/documents/<slug:doc>/print/", views.document_print_view, name="print"),
    path("events/<int:event_id>/documents/<slug:doc>.<slug:fmt>", views.document_download, name="download"),
]
