"""Word (.docx) rendering of a layout with python-docx.

Speed: python-docx's table API looks cells up by walking the whole table on every ``cell()`` call and
resolves styles by name, which is quadratic for a budget of 60 lines. Here the body is written as
WordprocessingML text (escaped) and parsed once; python-docx supplies the package, the styles and the
header/footer parts. Fonts: the document defaults and every style used name a CJK font in
``w:eastAsia`` (宋体 for text, 黑体 for headings; Word and LibreOffice substitute an installed CJK face
such as Noto when those are missing) so Chinese never falls back to a Latin font.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

from .layouts import Block, KeyValues, Layout, Subheading, Table, Text, page_label_parts

# Fonts (the East Asian face is what matters for Chinese; fallbacks come from the viewer's font
# substitution, which maps 宋体/SimSun and 黑体/SimHei to Noto CJK on Linux).
FONT_LATIN = "Times New Roman"
FONT_CJK_TEXT = "宋体"
FONT_CJK_HEADING = "黑体"
FONT_LATIN_HEADING = "Arial"

PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.0
CONTENT_TWIPS = int((PAGE_WIDTH_CM - 2 * MARGIN_CM) * 567)
TEXT_SIZE = 21  # half-points: 10.5 pt (五号)
TABLE_SIZE = 18  # 9 pt (小五)
BORDER = "A6A6A6"
HEADER_FILL = "DCE6F1"
SUBTOTAL_FILL = "F2F2F2"
TOTAL_FILL = "E2EFDA"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
W = nsdecls("w")


def _esc(text: str) -> str:
    return escape(_INVALID_XML.sub("", str(text)))


def _fonts_xml(latin: str, cjk: str) -> str:
    return f'<w:rFonts {W} w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{cjk}" w:cs="{latin}"/>'


def _run(text: str, *, bold: bool = False, size: int | None = None, color: str = "") -> str:
    props = []
    if bold:
        props.append("<w:b/><w:bCs/>")
    if color:
        props.append(f'<w:color w:val="{color}"/>')
    if size:
        props.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'


def _para(
    text: str,
    *,
    style: str = "",
    bold: bool = False,
    size: int | None = None,
    align: str = "",
    after: int | None = None,
    color: str = "",
    keep_next: bool = False,
) -> str:
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    if after is not None:
        ppr.append(f'<w:spacing w:before="0" w:after="{after}"/>')
    if align:
        ppr.append(f'<w:jc w:val="{ {"right": "right", "center": "center"}.get(align, "left") }"/>')
    p = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
    return f"<w:p>{p}{_run(text, bold=bold, size=size, color=color) if text else ''}</w:p>"


def _widths(weights: list[int]) -> list[int]:
    total = sum(weights) or 1
    widths = [CONTENT_TWIPS * w // total for w in weights]
    widths[-1] += CONTENT_TWIPS - sum(widths)
    return widths


_TBL_PR = (
    "<w:tblPr>"
    f'<w:tblW w:w="{CONTENT_TWIPS}" w:type="dxa"/>'
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
    '<w:tblLayout w:type="fixed"/>'
    '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
    '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
    '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
    "</w:tblPr>"
)


def _cell(
    text: str, width: int, *, span: int = 1, bold: bool = False, align: str = "", fill: str = ""
) -> str:
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if fill:
        tcpr.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
    lines = str(text).split("\n") or [""]
    jc = f'<w:jc w:val="{align}"/>' if align in ("right", "center") else ""
    paras = "".join(
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{jc}</w:pPr>'
        f"{_run(line, bold=bold, size=TABLE_SIZE) if line else ''}</w:p>"
        for line in lines
    )
    return f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>{paras}</w:tc>"


def _table_xml(t: Table) -> str:
    widths = _widths(t.widths)
    out = [f"<w:tbl>{_TBL_PR}<w:tblGrid>", "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    # Header row, repeated on every page.
    out.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
    out.extend(
        _cell(h, widths[i], bold=True, align="center", fill=HEADER_FILL) for i, h in enumerate(t.headers)
    )
    out.append("</w:tr>")
    for row in t.rows:
        fill = {"subtotal": SUBTOTAL_FILL, "total": TOTAL_FILL}.get(row.kind, "")
        height = '<w:trHeight w:val="680" w:hRule="atLeast"/>' if row.kind == "sign" else ""
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{height}</w:trPr>")
        col = 0
        for cell in row.cells:
            span = max(1, min(cell.span, len(widths) - col))
            width = sum(widths[col : col + span])
            out.append(_cell(cell.text, width, span=span, bold=cell.bold, align=cell.align, fill=fill))
            col += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _kv_xml(kv: KeyValues) -> str:
    widths = _widths([1, 3])
    out = [f"<w:tbl>{_TBL_PR}<w:tblGrid>", "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    for label, value in kv.pairs:
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        out.append(_cell(label, widths[0], bold=True, fill=HEADER_FILL))
        out.append(_cell(value, widths[1]))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _block_xml(block: Block) -> str:
    if isinstance(block, Table):
        return _table_xml(block) + _para("", after=120)
    if isinstance(block, KeyValues):
        return _kv_xml(block) + _para("", after=120)
    if isinstance(block, Subheading):
        return _para(block.text, style="Heading2", keep_next=True)
    if isinstance(block, Text):
        color = "808080" if block.muted else ""
        return "".join(_para(p, after=80, color=color) for p in block.paragraphs)
    raise TypeError(block)


def _body_xml(layout: Layout) -> str:
    parts = [
        _para(layout.organisation, align="center", size=24, after=60, color="595959"),
        _para(layout.title, style="Title", align="center"),
        _para(layout.generated_label, align="center", size=TABLE_SIZE, after=200, color="595959"),
        _kv_xml(layout.intro),
        _para("", after=120),
    ]
    for section in layout.sections:
        parts.append(_para(section.heading, style="Heading1", keep_next=True))
        parts.extend(_block_xml(b) for b in section.blocks)
    for note in layout.notes:
        parts.append(_para(note, size=TABLE_SIZE, color="595959", after=60))
    return "".join(parts)


def _rpr_xml(latin: str, cjk: str, size: int, *, bold: bool = False, color: str = "") -> str:
    """A style's run properties, children in schema order (Word rejects out-of-order elements)."""
    return (
        f"<w:rPr {W}>{_fonts_xml(latin, cjk)}"
        + ("<w:b/><w:bCs/>" if bold else "")
        + (f'<w:color w:val="{color}"/>' if color else "")
        + f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        + '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
    )


# styleId -> (Latin font, CJK font, size in half-points, bold, colour)
_STYLE_FONTS = {
    "Normal": (FONT_LATIN, FONT_CJK_TEXT, TEXT_SIZE, False, ""),
    "Title": (FONT_LATIN_HEADING, FONT_CJK_HEADING, 36, True, "000000"),
    "Heading1": (FONT_LATIN_HEADING, FONT_CJK_HEADING, 28, True, "1F3864"),
    "Heading2": (FONT_LATIN_HEADING, FONT_CJK_HEADING, 24, True, "1F3864"),
}


def _replace_rpr(parent, new_rpr) -> None:  # noqa: ANN001  (lxml elements)
    old = parent.find(qn("w:rPr"))
    if old is not None:
        old.addprevious(new_rpr)
        parent.remove(old)
    else:
        parent.append(new_rpr)


def _style_fonts(doc: DocxDocument) -> None:
    """Point the defaults and the styles used at explicit Latin + CJK fonts (no theme fonts)."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is not None:
        _replace_rpr(rpr_default, parse_xml(_rpr_xml(FONT_LATIN, FONT_CJK_TEXT, TEXT_SIZE)))
    for style in styles.findall(qn("w:style")):
        sid = style.get(qn("w:styleId"))
        if sid not in _STYLE_FONTS:
            continue
        latin, cjk, size, bold, color = _STYLE_FONTS[sid]
        _replace_rpr(style, parse_xml(_rpr_xml(latin, cjk, size, bold=bold, color=color)))
        if sid == "Title":
            # The template's title has a coloured bottom border; a plain centred title reads as a form.
            ppr = style.find(qn("w:pPr"))
            if ppr is not None:
                for border in ppr.findall(qn("w:pBdr")):
                    ppr.remove(border)


def _header_footer(doc: DocxDocument, layout: Layout) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = ""
    hp = parse_xml(
        f'<w:p {W}><w:pPr><w:jc w:val="right"/></w:pPr>'
        f"{_run(layout.organisation + ' · ' + layout.title, size=16, color='808080')}</w:p>"
    )
    header._p.addprevious(hp)
    header._p.getparent().remove(header._p)
    # Footer: 第 N 页 / 共 M 页 with PAGE and NUMPAGES fields.
    before, middle, after = page_label_parts()

    def field(instr: str) -> str:
        return f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT ">{_run("1", size=16, color="808080")}</w:fldSimple>'

    fp = parse_xml(
        f'<w:p {W}><w:pPr><w:jc w:val="center"/></w:pPr>'
        f"{_run(before, size=16, color='808080') if before else ''}{field('PAGE')}"
        f"{_run(middle, size=16, color='808080') if middle else ''}{field('NUMPAGES')}"
        f"{_run(after, size=16, color='808080') if after else ''}</w:p>"
    )
    footer = section.footer.paragraphs[0]
    footer._p.addprevious(fp)
    footer._p.getparent().remove(footer._p)


def render_docx(layout: Layout) -> bytes:
    doc = Document()
    _style_fonts(doc)
    _header_footer(doc, layout)
    props = doc.core_properties
    # The core properties are XML too: stored text with a control character (entered before input was
    # cleaned) must not break the export (lxml: "All strings must be XML compatible").
    props.title = _INVALID_XML.sub("", str(layout.title))
    props.subject = _INVALID_XML.sub("", str(layout.event_name))
    props.author = _INVALID_XML.sub("", str(layout.organisation))
    props.language = "en-US" if (get_language() or "").startswith("en") else "zh-CN"
    body = doc.element.body
    fragment = parse_xml(f"<w:body {W}>{_body_xml(layout)}</w:body>")
    sect_pr = body.find(qn("w:sectPr"))
    for child in list(fragment):
        sect_pr.addprevious(child)
    # Document() starts with no paragraphs except sectPr; nothing else to clean up.
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
