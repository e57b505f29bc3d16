"""Placeholder page until the approval view module is written (replace this whole file)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def page(request: HttpRequest, event_id: int) -> HttpResponse:
    return HttpResponse("approval")


urlpatterns = [path("events/<int:event_id>/planning/approval/", page, name="approval")]
