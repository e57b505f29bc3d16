"""Readers for the generated files: python-docx for Word, pypdf for PDF."""

from __future__ import annotations

import io


def docx_read(content: bytes):  # noqa: ANN201
    import docx

    return docx.Document(io.BytesIO(content))


def docx_text(document) -> str:  # noqa: ANN001
    """Every paragraph and table cell of a .docx, in order, one per line."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in docx_table_rows(Table(child, document)):
                lines.append(" | ".join(row))
    return "\n".join(lines)


def docx_table_rows(table) -> list[list[str]]:  # noqa: ANN001
    """The rows of a table as text, a spanned cell once (python-docx repeats merged cells)."""
    from docx.table import _Cell

    return [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def docx_table(document, first_header: str, second_header: str | None = None) -> list[list[str]]:  # noqa: ANN001
    """The rows (header included) of the table whose header row starts with the given labels."""
    for table in document.tables:
        rows = docx_table_rows(table)
        if (
            rows
            and rows[0][0] == first_header
            and (second_header is None or (len(rows[0]) > 1 and rows[0][1] == second_header))
        ):
            return rows
    raise AssertionError(f"no table with header {first_header!r}")


def docx_kv(document) -> dict[str, str]:  # noqa: ANN001
    """Every two-column label/value table of a document, merged into one dict."""
    pairs: dict[str, str] = {}
    for table in document.tables:
        for row in docx_table_rows(table):
            if len(row) == 2:
                pairs.setdefault(row[0], row[1])
    return pairs


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)
