"""Pages: 准备就绪 (issue 8, point 8): the three gates and every open point.

One read-only page for the team and the executive in charge (anyone who may view the event,
``Need.VIEW``): the gates of 资源协调, 物料筹备 and 人员培训 with every criterion met or unmet, and every
open point across them — the unmet criteria, then the warnings (overdue tasks, requests near their date,
overdue materials, over-committed budget lines) — each linking to the page where it is fixed. The gates
themselves (``preparation.gates``) read the same ``selectors.readiness``, so the page and the gate agree.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import event_page
from huodong.events.access import Need, can
from huodong.events.models import Event
from huodong.events.tabs import event_tabs

from ..selectors import GATE_STEPS, readiness_report

TAB = {"key": "readiness", "label": _("准备就绪"), "url_name": "preparation:readiness", "order": 50}


@event_page(Need.VIEW)
def readiness_page(request: AuthedRequest, event: Event) -> HttpResponse:
    report = readiness_report(event)
    context = {
        "event": event,
        "report": report,
        "blocking": [p for p in report.open_points if p["severity"] == "bad"],
        "warnings": [p for p in report.open_points if p["severity"] == "warn"],
        # The button to move the event lives on the overview; offered when this page's gates are at stake.
        "can_move": event.step in GATE_STEPS and can(actor(request), event, Need.EDIT),
        "tabs": event_tabs(event.pk, "readiness"),
        "nav": event.phase.value,
    }
    return render(request, "preparation/readiness.html", context)


urlpatterns = [
    path("events/<int:event_id>/preparation/", readiness_page, name="readiness"),
]
