"""Placeholder page until the goals view module is written (replace this whole file)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def page(request: HttpRequest, event_id: int) -> HttpResponse:
    return HttpResponse("goals")


urlpatterns = [path("events/<int:event_id>/planning/goals/", page, name="goals")]
