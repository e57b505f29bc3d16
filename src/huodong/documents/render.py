"""The named documents of an event and how to render them: the planning phase's three (DOC-1, DOC-2,
DOC-3) and the preparation phase's (issue 8, point 9: 《供应商比选表》 VD-1/VD-2, 《执行会议纪要》 TR-1,
and the Excel lists 《活动物料明细表》 MT-1 and the RACI matrix TM-1).

``document_render`` is the one entry point the pages, the API and ``huodong export`` call: it gathers the
data, lays it out in the requested language and writes Word (python-docx) or PDF (WeasyPrint, from the
same HTML the browser's print view shows). A spreadsheet document has no layout: its kind names the
writer that makes the .xlsx (preparation's, with the same columns as its import), and it has no print
view.
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
from huodong.preparation import documents as preparation_documents

from . import layouts, selectors
from .layouts import Layout, page_label_parts
from .numbers import document_number, version_key

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, str] = {"docx": DOCX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
WORD_PDF: tuple[str, ...] = ("docx", "pdf")
DEFAULT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: Any  # lazy translation
    rule: str
    template: str  # the print HTML ("" for a spreadsheet)
    build: Callable[[Event], Layout] | None  # the layout of a Word/PDF document
    formats: tuple[str, ...] = WORD_PDF
    write: Callable[[Event], bytes] | None = None  # the .xlsx writer of a spreadsheet document
    phase: str = "planning"  # the phase whose documents list shows it

    @property
    def printable(self) -> bool:
        return self.build is not None


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


def _vendor_comparison(event: Event) -> Layout:
    data = preparation_documents.vendor_comparison_data(event)
    return _numbered(preparation_documents.vendor_comparison_layout(data), event, data.content_key())


def _meeting_minutes(event: Event) -> Layout:
    data = preparation_documents.meeting_minutes_data(event)
    return _numbered(preparation_documents.meeting_minutes_layout(data), event, data.content_key())


def _materials_workbook(event: Event) -> bytes:
    from huodong.preparation.excel_materials import materials_workbook

    return materials_workbook(event)


def _raci_workbook(event: Event) -> bytes:
    from huodong.preparation.excel_raci import raci_workbook

    return raci_workbook(event)


def _collaboration_letter(event: Event) -> Layout:
    from huodong.outreach import documents as outreach_documents

    data = outreach_documents.letters_document_data(event)
    return _numbered(outreach_documents.letters_layout(data), event, data.content_key())


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
        DocumentKind(
            "vendor-comparison",
            gettext_lazy("供应商比选表"),
            "VD-1",
            "documents/vendor_comparison.html",
            _vendor_comparison,
            phase="preparation",
        ),
        DocumentKind(
            "meeting-minutes",
            gettext_lazy("执行会议纪要"),
            "TR-1",
            "documents/meeting_minutes.html",
            _meeting_minutes,
            phase="preparation",
        ),
        DocumentKind(
            "materials-list",
            gettext_lazy("活动物料明细表"),
            "MT-1",
            "",
            None,
            ("xlsx",),
            _materials_workbook,
            "preparation",
        ),
        DocumentKind(
            "collaboration-letter",
            gettext_lazy("活动协作函"),
            "NT-1",
            "outreach/letter_document.html",
            _collaboration_letter,
            phase="preparation",
        ),
        DocumentKind(
            "raci-matrix",
            gettext_lazy("RACI 矩阵"),
            "TM-1",
            "",
            None,
            ("xlsx",),
            _raci_workbook,
            "preparation",
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


def _check_format(kind: DocumentKind, fmt: str) -> None:
    if fmt not in kind.formats:
        raise DomainError(
            {
                "format": [
                    _("不支持的格式「%(fmt)s」,只能是 %(allowed)s。")
                    % {"fmt": fmt, "allowed": _(" 或 ").join(kind.formats)}
                ]
            }
        )


def _printable(kind: DocumentKind) -> Callable[[Event], Layout]:
    """The layout builder of a Word/PDF document; a spreadsheet has none (no print view)."""
    if kind.build is None:
        raise NotFound(
            {
                "doc": [
                    _("《%(title)s》是 Excel 表格,没有打印预览,请下载 Excel 文件。") % {"title": kind.title}
                ]
            }
        )
    return kind.build


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
    build = _printable(document_kind_get(doc))
    with override(_check_language(lang)):
        return build(event)


def document_html(
    *, event: Event, doc: str, lang: str | None = None, request: Any = None, print_view: bool = False
) -> str:
    """The print HTML of a document: the PDF source, and the browser's print view when ``print_view``."""
    kind = document_kind_get(doc)
    build = _printable(kind)
    lang = _check_language(lang)
    with override(lang):
        layout = build(event)
        before, middle, after = page_label_parts()
        context = {
            "layout": layout,
            "kind": kind,
            "event": event,
            "print_view": print_view,
            "lang": lang,
            "page_counter_css": _page_counter_css(before, middle, after),
            "formats": list(kind.formats),
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
    """Render one document of an event as Word, PDF or Excel (the formats its kind has), in ``lang``
    (default Chinese)."""
    kind = document_kind_get(doc)
    _check_format(kind, fmt)
    lang = _check_language(lang)
    with override(lang):
        filename = document_filename(kind, event, fmt)
        if fmt == "xlsx" and kind.write is not None:
            content = kind.write(event)
        elif fmt == "docx":
            from .docx_render import render_docx

            content = render_docx(_printable(kind)(event))
        else:
            from .pdf_render import render_pdf

            content = render_pdf(document_html(event=event, doc=doc, lang=lang))
    return RenderedDocument(
        content=content,
        filename=filename,
        ascii_filename=f"{kind.slug}-{event.pk}.{fmt}",
        content_type=FORMATS[fmt],
    )
