"""Pages: 《活动物料明细表》 (MT-1): items, status, Excel import and export."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
