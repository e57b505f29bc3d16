from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [path("scan/<int:event_id>", views.scan), path("ping", views.ping)]
