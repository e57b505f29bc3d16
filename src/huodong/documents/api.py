"""Documents API: ``GET /api/events/{event_id}/documents/{doc}.{fmt}`` returns the file (DOC-1, DOC-2, DOC-3,
issue 8 point 9).

``doc`` is needs-report, plan, approval-form, vendor-comparison, meeting-minutes and the spreadsheets
materials-list, raci-matrix; ``fmt`` is docx or pdf (xlsx, and only xlsx, for a spreadsheet); ``?lang=en``
renders in English (default: the request's language, Chinese unless the client asks otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router

from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id, Line

from .access import document_event
from .render import DOCUMENTS, FORMATS, document_kind_get, document_render

router = Router(tags=["documents"])

if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Slug = str
    Format = str
    Language = str
else:
    Slug, Format, Language = Line(40), Line(10), Line(10)

_DOC_HELP = "、".join(f"{slug}({'/'.join(kind.formats)})" for slug, kind in DOCUMENTS.items())
_CONTENT_TYPES = sorted({FORMATS[fmt] for kind in DOCUMENTS.values() for fmt in kind.formats})


@router.get(
    "/{event_id}/documents/{doc}.{fmt}",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="下载文档(Word/PDF/Excel)",
    description=f"doc(可用格式):{_DOC_HELP};lang:zh-hans 或 en。",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件",
                "content": {ct: {"schema": {"type": "string", "format": "binary"}} for ct in _CONTENT_TYPES},
            }
        }
    },
)
def document_download(
    request: HttpRequest,
    event_id: Id,
    doc: Slug,
    fmt: Format,
    lang: Language | None = None,
) -> HttpResponse:
    document_kind_get(doc)
    event = document_event(actor(request), event_id, doc)
    if lang is None:
        lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
    rendered = document_render(event=event, doc=doc, fmt=fmt, lang=lang)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = rendered.content_disposition
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "private, no-store"
    return response
