"""Document pages of an event: the list of documents, downloads (Word/PDF) and the print view (DOC-1..3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huodong.core.errors import DomainError, NotFound
from huodong.events.tabs import event_tabs

from . import selectors
from .access import RESTRICTED_DOCUMENTS, document_require_access
from .render import DOCUMENTS, FORMATS, document_html, document_kind_get, document_render


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": exc}, status=exc.status)


def _event_or_404(event_id: int):  # noqa: ANN202
    event = selectors.document_event_get(event_id)
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def _language(request: HttpRequest) -> str:
    """The page's language unless ``?lang=`` asks for another one (validated by the renderer)."""
    return request.GET.get("lang") or ("en" if (get_language() or "").startswith("en") else "zh-hans")


@login_required
@require_GET
def document_index(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event_or_404(event_id)
    except DomainError as exc:
        return _error(request, exc)
    documents = [
        {"kind": kind, "formats": list(FORMATS)}
        for slug, kind in DOCUMENTS.items()
        if slug not in RESTRICTED_DOCUMENTS or RESTRICTED_DOCUMENTS[slug](request.user, event)  # type: ignore[arg-type]
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
def document_download(request: HttpRequest, event_id: int, doc: str, fmt: str) -> HttpResponse:
    try:
        event = _event_or_404(event_id)
        document_require_access(user=request.user, event=event, doc=doc)  # type: ignore[arg-type]
        rendered = document_render(event=event, doc=doc, fmt=fmt, lang=_language(request))
    except DomainError as exc:
        return _error(request, exc)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = rendered.content_disposition
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_print_view(request: HttpRequest, event_id: int, doc: str) -> HttpResponse:
    try:
        event = _event_or_404(event_id)
        document_kind_get(doc)
        document_require_access(user=request.user, event=event, doc=doc)  # type: ignore[arg-type]
        html = document_html(event=event, doc=doc, lang=_language(request), request=request, print_view=True)
    except DomainError as exc:
        return _error(request, exc)
    return HttpResponse(html)
