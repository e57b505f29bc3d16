"""Document pages of an event: the list of documents, downloads (Word/PDF) and the print view (DOC-1..3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page
from huodong.events.tabs import event_tabs

from .access import document_event, document_readable
from .render import DOCUMENTS, FORMATS, document_html, document_kind_get, document_render


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
    documents = [
        {"kind": kind, "formats": list(FORMATS)}
        for slug, kind in DOCUMENTS.items()
        if document_readable(user, event, slug)
    ]
    return render(
        request,
        "documents/index.html",
        {
            "event": event,
            "documents": documents,
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
