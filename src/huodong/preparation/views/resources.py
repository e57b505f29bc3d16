"""Pages: Requests for internal resources and the departments' answers (IR-1)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
