"""Printed check-in documents (EX-2, issue 10 points 3 and 5), for the event's check-in staff
(``Need.CHECKIN``):

- ``checkin:badges`` — ``/events/<id>/checkin/badges.pdf``: name badges as PDF. Query parameters:
  ``layout`` = ``a4`` (sheets of 8, the default in bulk) or ``label`` (one 90 × 54 mm badge a page, the
  default for one guest); ``category`` = a guest category code (``vip``, ``speaker``, ``media``,
  ``partner``, ``customer``, ``employee``; repeated or comma-separated); ``ids`` = guest ids,
  comma-separated; ``guest`` = one guest's id (at the desk after check-in).
- ``checkin:sheet`` — ``/events/<id>/checkin/sheet.pdf``: the paper sign-in sheet.

A bad parameter is the 400 page naming it; an unknown guest the 404 page. Each export is audit-logged
(``checkin.documents``).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page, event_page
from huodong.events.access import Need
from huodong.events.models import Event

from .. import documents


def _pdf(rendered: documents.Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=rendered.filename) or "inline"
    )
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@event_page(Need.CHECKIN)
def badges(request: AuthedRequest, event: Event) -> HttpResponse:
    try:
        req = documents.badge_request(request.GET)
        rendered = documents.badges_pdf(actor=actor(request), event=event, req=req)
    except DomainError as exc:
        return error_page(request, exc)
    return _pdf(rendered)


@require_GET
@event_page(Need.CHECKIN)
def sheet(request: AuthedRequest, event: Event) -> HttpResponse:
    return _pdf(documents.sheet_pdf(actor=actor(request), event=event))


_P = "events/<int:event_id>/checkin/"
urlpatterns = [
    path(_P + "badges.pdf", badges, name="badges"),
    path(_P + "sheet.pdf", sheet, name="sheet"),
]
