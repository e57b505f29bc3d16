"""Pages: Team and groups (TM-1, TM-2), tasks with RACI (TM-1), the RACI matrix, 我的任务, the timeline."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
