"""Documents API: ``GET /api/events/{event_id}/documents/{doc}.{fmt}`` returns the file (DOC-1, DOC-2, DOC-3).

``doc`` is needs-report, plan or approval-form; ``fmt`` is docx or pdf; ``?lang=en`` renders in English
(default: the request's language, Chinese unless the client asks otherwise).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router

from huodong.core.errors import NotFound
from huodong.core.schemas import ErrorOut

from . import selectors
from .access import document_require_access
from .render import DOCUMENTS, FORMATS, document_render

router = Router(tags=["documents"])

_DOC_HELP = "、".join(DOCUMENTS)


@router.get(
    "/{event_id}/documents/{doc}.{fmt}",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="下载文档(Word/PDF)",
    description=f"doc:{_DOC_HELP};fmt:{'、'.join(FORMATS)};lang:zh-hans 或 en。",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件",
                "content": {
                    ct: {"schema": {"type": "string", "format": "binary"}} for ct in FORMATS.values()
                },
            }
        }
    },
)
def document_download(
    request: HttpRequest, event_id: int, doc: str, fmt: str, lang: str | None = None
) -> HttpResponse:
    event = selectors.document_event_get(event_id)
    if event is None:
        raise NotFound({"event_id": [_("活动不存在。")]})
    document_require_access(user=request.user, event=event, doc=doc)  # type: ignore[arg-type]
    if lang is None:
        lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
    rendered = document_render(event=event, doc=doc, fmt=fmt, lang=lang)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = rendered.content_disposition
    response["Content-Length"] = str(len(rendered.content))
    response["Cache-Control"] = "private, no-store"
    return response
