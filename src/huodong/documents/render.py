"""The three named documents of the planning phase and how to render them (DOC-1, DOC-2, DOC-3).

``document_render`` is the one entry point the pages, the API and ``huodong export`` call: it gathers the
data, lays it out in the requested language and writes Word (python-docx) or PDF (WeasyPrint, from the
same HTML the browser's print view shows).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from huodong.core.errors import DomainError, NotFound
from huodong.events.models import Event

from . import layouts, selectors
from .layouts import Layout, page_label_parts
from .numbers import document_number, version_key

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
FORMATS: dict[str, str] = {"docx": DOCX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}
DEFAULT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: Any  # lazy translation
    rule: str
    template: str
    build: Callable[[Event], Layout]


def _numbered(layout: Layout, event: Event, key: str) -> Layout:
    layout.number = document_number(
        event=event, kind=layout.slug, key=key, on=selectors.generation_date(event)
    )
    return layout


def _needs(event: Event) -> Layout:
    data = selectors.needs_report_data(event)
    report = data.report
    key = version_key(
        "r", report.revision if report else 0,
        *(f"i{i.pk}.{i.revision}" for i in data.inputs),
        *(f"m{m.pk}.{m.revision}" for m in data.methods),
        *(f"u{u.pk}" for u in data.requesters),
    )  # fmt: skip
    return _numbered(layouts.needs_report_layout(data), event, key)


def _plan(event: Event) -> Layout:
    from huodong.planning.versioning import plan_content_hash

    return _numbered(layouts.plan_layout(selectors.plan_data(event)), event, plan_content_hash(event))


def _approval(event: Event) -> Layout:
    data = selectors.approval_form_data(event)
    version = data.version
    key = version_key("v", version.number, version.content_hash) if version else "none"
    return _numbered(layouts.approval_form_layout(data), event, key)


DOCUMENTS: dict[str, DocumentKind] = {
    kind.slug: kind
    for kind in (
        DocumentKind(
            "needs-report", gettext_lazy("活动需求调研报告"), "DOC-1", "documents/needs_report.html", _needs
        ),
        DocumentKind("plan", gettext_lazy("活动策划方案"), "DOC-2", "documents/plan.html", _plan),
        DocumentKind(
            "approval-form",
            gettext_lazy("活动策划方案审批表"),
            "DOC-3",
            "documents/approval_form.html",
            _approval,
        ),
    )
}


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    filename: str  # 活动策划方案-<event>.docx
    ascii_filename: str  # plan-<event id>.docx, for clients that ignore filename*
    content_type: str

    @property
    def content_disposition(self) -> str:
        return content_disposition(self.filename, self.ascii_filename)


def document_kind_get(doc: str) -> DocumentKind:
    kind = DOCUMENTS.get(doc)
    if kind is None:
        raise NotFound(
            {
                "doc": [
                    _("未知文档「%(doc)s」,可选:%(allowed)s。")
                    % {"doc": doc, "allowed": "、".join(DOCUMENTS)}
                ]
            }
        )
    return kind


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise DomainError({"format": [_("不支持的格式「%(fmt)s」,只能是 docx 或 pdf。") % {"fmt": fmt}]})


def _check_language(lang: str | None) -> str:
    lang = lang or DEFAULT_LANGUAGE
    allowed = [code for code, _name in settings.LANGUAGES]
    if lang not in allowed:
        raise DomainError(
            {
                "lang": [
                    _("不支持的语言「%(lang)s」,可选:%(allowed)s。")
                    % {"lang": lang, "allowed": "、".join(allowed)}
                ]
            }
        )
    return lang


_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def document_filename(kind: DocumentKind, event: Event, fmt: str) -> str:
    """活动策划方案-<event name>.docx: the title in the current language, unsafe characters replaced."""
    name = _UNSAFE_FILENAME.sub("_", event.name).strip(" ._") or str(event.pk)
    return f"{kind.title}-{name[:80]}.{fmt}"


def content_disposition(filename: str, fallback: str, *, attachment: bool = True) -> str:
    """RFC 6266/5987: an ASCII ``filename`` for old clients plus ``filename*`` in UTF-8 with the Chinese title."""
    ascii_name = _UNSAFE_FILENAME.sub("_", fallback.encode("ascii", "ignore").decode()) or "document"
    disposition = "attachment" if attachment else "inline"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def document_layout(*, event: Event, doc: str, lang: str | None = None) -> Layout:
    kind = document_kind_get(doc)
    with override(_check_language(lang)):
        return kind.build(event)


def document_html(
    *, event: Event, doc: str, lang: str | None = None, request: Any = None, print_view: bool = False
) -> str:
    """The print HTML of a document: the PDF source, and the browser's print view when ``print_view``."""
    kind = document_kind_get(doc)
    lang = _check_language(lang)
    with override(lang):
        layout = kind.build(event)
        before, middle, after = page_label_parts()
        context = {
            "layout": layout,
            "kind": kind,
            "event": event,
            "print_view": print_view,
            "lang": lang,
            "page_counter_css": _page_counter_css(before, middle, after),
            "formats": list(FORMATS),
        }
        return render_to_string(kind.template, context, request=request if print_view else None)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_counter_css(before: str, middle: str, after: str) -> str:
    parts = []
    if before:
        parts.append(_css_string(before))
    parts.append("counter(page)")
    if middle:
        parts.append(_css_string(middle))
    parts.append("counter(pages)")
    if after:
        parts.append(_css_string(after))
    return " ".join(parts)


def document_render(*, event: Event, doc: str, fmt: str, lang: str | None = None) -> RenderedDocument:
    """Render one document of an event as Word or PDF, in ``lang`` (default Chinese)."""
    kind = document_kind_get(doc)
    _check_format(fmt)
    lang = _check_language(lang)
    with override(lang):
        filename = document_filename(kind, event, fmt)
        if fmt == "docx":
            from .docx_render import render_docx

            content = render_docx(kind.build(event))
        else:
            from .pdf_render import render_pdf

            content = render_pdf(document_html(event=event, doc=doc, lang=lang))
    return RenderedDocument(
        content=content,
        filename=filename,
        ascii_filename=f"{kind.slug}-{event.pk}.{fmt}",
        content_type=FORMATS[fmt],
    )
