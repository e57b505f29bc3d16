"""Placeholder page until the needs view module is written (replace this whole file)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def page(request: HttpRequest, event_id: int) -> HttpResponse:
    return HttpResponse("needs")


urlpatterns = [path("events/<int:event_id>/planning/needs/", page, name="needs")]
