"""Pages: The execution meeting and special trainings with attendance (TR-1)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
