"""Document pages of an event: the list of documents by phase, downloads (Word/PDF, Excel for the
spreadsheets) and the print view (DOC-1..3, issue 8 point 9)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page
from huodong.events.tabs import event_tabs

from .access import document_event, document_readable
from .render import DOCUMENTS, document_html, document_kind_get, document_render


def _language(request: HttpRequest) -> str:
    """The page's language unless ``?lang=`` asks for another one (validated by the renderer)."""
    return request.GET.get("lang") or ("en" if (get_language() or "").startswith("en") else "zh-hans")


@login_required
@require_GET
def document_index(request: AuthedRequest, event_id: int) -> HttpResponse:
    user = actor(request)
    try:
        event = document_event(user, event_id)
    except DomainError as exc:
        return error_page(request, exc)
    kinds = [kind for slug, kind in DOCUMENTS.items() if document_readable(user, event, slug)]
    phases = [
        {
            "phase": phase,
            "label": label,
            "documents": [{"kind": k, "formats": list(k.formats)} for k in kinds if k.phase == phase],
        }
        for phase, label in (("planning", _("策划阶段文档")), ("preparation", _("准备阶段文档")))
    ]
    return render(
        request,
        "documents/index.html",
        {
            "event": event,
            "phases": [p for p in phases if p["documents"]],
            "slugs": "|".join(DOCUMENTS),
            "tabs": event_tabs(event.pk, "documents"),
            "nav": event.phase.value,
        },
    )


@login_required
@require_GET
def document_download(request: AuthedRequest, event_id: int, doc: str, fmt: str) -> HttpResponse:
    try:
        document_kind_get(doc)
        event = document_event(actor(request), event_id, doc)
        rendered = document_render(event=event, doc=doc, fmt=fmt, lang=_language(request))
    except DomainError as exc:
        return error_page(request, exc)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = rendered.content_disposition
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_print_view(request: AuthedRequest, event_id: int, doc: str) -> HttpResponse:
    try:
        document_kind_get(doc)
        event = document_event(actor(request), event_id, doc)
        html = document_html(event=event, doc=doc, lang=_language(request), request=request, print_view=True)
    except DomainError as exc:
        return error_page(request, exc)
    return HttpResponse(html)
