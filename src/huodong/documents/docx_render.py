"""Word (.docx) rendering of a layout with python-docx.

Speed: python-docx's table API looks cells up by walking the whole table on every ``cell()`` call and
resolves styles by name, which is quadratic for a budget of 60 lines. Here the body is written as
WordprocessingML text (escaped) and parsed once; python-docx supplies the package, the styles and the
header/footer parts. Fonts: the same two faces as the PDF (print.css), chosen on purpose — Noto Serif
CJK SC (a 宋体-style serif) for running text, Noto Sans CJK SC (a 黑体-style sans) for the title, headings,
tables, header and footer. Every run names its face in ``w:rFonts`` (ascii, hAnsi, eastAsia, cs), as do
the defaults and the styles, so Word and LibreOffice show the same typeface (both are free fonts,
fonts-noto-cjk on Linux; Word on a machine without them substitutes its own 宋体/黑体).
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

# Fonts: the faces print.css gives WeasyPrint (the Noto CJK faces carry Latin glyphs too).
FONT_SERIF = "Noto Serif CJK SC"
FONT_SANS = "Noto Sans CJK SC"
FONT_LATIN = FONT_CJK_TEXT = FONT_SERIF
FONT_LATIN_HEADING = FONT_CJK_HEADING = FONT_SANS

PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.0
CONTENT_MM = (PAGE_WIDTH_CM - 2 * MARGIN_CM) * 10
CONTENT_TWIPS = int((PAGE_WIDTH_CM - 2 * MARGIN_CM) * 567)
TEXT_SIZE = 21  # half-points: 10.5 pt (五号)
TABLE_SIZE = 18  # 9 pt (小五)
BORDER = "A6A6A6"
HEADER_FILL = "DCE6F1"
SUBTOTAL_FILL = "F2F2F2"
TOTAL_FILL = "E2EFDA"

# Every paragraph says so too: LibreOffice reads the gap between Chinese and digits per paragraph.
NO_AUTOSPACE = '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
W = nsdecls("w")


def _esc(text: str) -> str:
    return escape(_INVALID_XML.sub("", str(text)))


def _fonts_xml(latin: str, cjk: str) -> str:
    return f'<w:rFonts {W} w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{cjk}" w:cs="{latin}"/>'


def _run(
    text: str, *, bold: bool = False, size: int | None = None, color: str = "", font: str = FONT_SERIF
) -> str:
    props = [_fonts_xml(font, font).replace(f" {W}", "")]
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
    font: str = FONT_SERIF,
) -> str:
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    ppr.append(NO_AUTOSPACE)
    if after is not None:
        ppr.append(f'<w:spacing w:before="0" w:after="{after}"/>')
    if align:
        ppr.append(f'<w:jc w:val="{ {"right": "right", "center": "center"}.get(align, "left") }"/>')
    p = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
    return f"<w:p>{p}{_run(text, bold=bold, size=size, color=color, font=font) if text else ''}</w:p>"


def _widths(shares: list[float]) -> list[int]:
    total = sum(shares) or 1
    widths = [int(CONTENT_TWIPS * w / total) for w in shares]
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


SEAL_BORDER = "".join(
    f'<w:{side} w:val="dashed" w:sz="6" w:space="0" w:color="808080"/>'
    for side in ("top", "left", "bottom", "right")
)


def _cell(
    text: str,
    width: int,
    *,
    span: int = 1,
    bold: bool = False,
    align: str = "",
    fill: str = "",
    role: str = "",
    no_wrap: bool = False,
) -> str:
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if role == "seal":
        tcpr.append(f"<w:tcBorders>{SEAL_BORDER}</w:tcBorders>")
    if fill:
        tcpr.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
    if no_wrap:
        tcpr.append("<w:noWrap/>")
    if role == "seal":
        tcpr.append('<w:vAlign w:val="center"/>')
    lines = str(text).split("\n") or [""]
    jc = f'<w:jc w:val="{align}"/>' if align in ("right", "center") else ""
    color = "A6A6A6" if role == "seal" else ""
    space = 'w:before="0" w:after="160"' if role == "handwrite" else 'w:before="0" w:after="0"'
    paras = "".join(
        f"<w:p><w:pPr>{NO_AUTOSPACE}<w:spacing {space}/>{jc}</w:pPr>"
        f"{_run(line, bold=bold, size=TABLE_SIZE, color=color, font=FONT_SANS) if line else ''}</w:p>"
        for line in lines
    )
    return f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>{paras}</w:tc>"


def _table_xml(t: Table) -> str:
    # Column widths come from the layout, which keeps short headers ("可能性") on one line.
    widths = _widths(t.fitted(CONTENT_MM))
    out = [f"<w:tbl>{_TBL_PR}<w:tblGrid>", "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    # Header row, repeated on every page.
    out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
    out.extend(
        _cell(h, widths[i], bold=True, align="center", fill=HEADER_FILL, no_wrap=len(str(h)) <= 6)
        for i, h in enumerate(t.headers)
    )
    out.append("</w:tr>")
    for row in t.rows:
        fill = {"subtotal": SUBTOTAL_FILL, "total": TOTAL_FILL}.get(row.kind, "")
        height = {"sign": 680, "signature": 1760}.get(row.kind, 0)  # 12 mm; 31 mm for a seal
        height_xml = f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>' if height else ""
        # A row with a long text (a 5,000-character opinion) must split across pages: Word clips a
        # cantSplit row taller than the page.
        keep = "" if row.long else "<w:cantSplit/>"
        out.append(f"<w:tr><w:trPr>{keep}{height_xml}</w:trPr>")
        col = 0
        for cell in row.cells:
            span = max(1, min(cell.span, len(widths) - col))
            width = sum(widths[col : col + span])
            out.append(
                _cell(
                    cell.text, width, span=span, bold=cell.bold, align=cell.align, fill=fill, role=cell.role
                )
            )
            col += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _kv_xml(kv: KeyValues) -> str:
    widths = _widths([1.0, 3.0])
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
        return _para(block.text, style="Heading2", keep_next=True, font=FONT_SANS)
    if isinstance(block, Text):
        color = "808080" if block.muted else ""
        return "".join(_para(p, after=80, color=color) for p in block.paragraphs)
    raise TypeError(block)


def _body_xml(layout: Layout) -> str:
    parts = [
        _para(layout.organisation, align="center", size=24, after=60, color="595959", font=FONT_SANS),
        _para(layout.title, style="Title", align="center", font=FONT_SANS),
        _para(
            layout.generated_label, align="center", size=TABLE_SIZE, after=0, color="595959", font=FONT_SANS
        ),
        _para(
            layout.number_label, align="center", size=TABLE_SIZE, after=200, color="595959", font=FONT_SANS
        ),
        _kv_xml(layout.intro),
        _para("", after=120),
    ]
    for section in layout.sections:
        parts.append(_para(section.heading, style="Heading1", keep_next=True, font=FONT_SANS))
        parts.extend(_block_xml(b) for b in section.blocks)
    for note in layout.notes:
        parts.append(_para(note, size=TABLE_SIZE, color="595959", after=60, font=FONT_SANS))
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


# pPr children that come after autoSpaceDE/autoSpaceDN in the schema.
_AFTER_AUTOSPACE = {
    qn(f"w:{tag}")
    for tag in (
        "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
        "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
        "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    )
}  # fmt: skip


def _no_autospace(ppr_default) -> None:  # noqa: ANN001  (lxml element)
    """No automatic gap between Chinese and digits: 2027年2月2日 prints as in the PDF, not 2027 年 2 月 2 日
    (Word and LibreOffice add that gap by default, which widens dates until they wrap)."""
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = parse_xml(f"<w:pPr {W}/>")
        ppr_default.append(ppr)
    for tag in ("autoSpaceDE", "autoSpaceDN"):
        for old in ppr.findall(qn(f"w:{tag}")):
            ppr.remove(old)
    new = [parse_xml(f'<w:{tag} {W} w:val="0"/>') for tag in ("autoSpaceDE", "autoSpaceDN")]
    after = next((child for child in ppr if child.tag in _AFTER_AUTOSPACE), None)
    for element in new:
        if after is not None:
            after.addprevious(element)
        else:
            ppr.append(element)


def _style_fonts(doc: DocxDocument) -> None:
    """Point the defaults and the styles used at explicit Latin + CJK fonts (no theme fonts)."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is not None:
        _replace_rpr(rpr_default, parse_xml(_rpr_xml(FONT_LATIN, FONT_CJK_TEXT, TEXT_SIZE)))
    ppr_default = styles.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault"))
    if ppr_default is not None:
        _no_autospace(ppr_default)
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
        f'<w:p {W}><w:pPr>{NO_AUTOSPACE}<w:jc w:val="right"/></w:pPr>'
        f"{_run(' · '.join(p for p in (layout.organisation, layout.title, layout.number) if p), size=16, color='808080', font=FONT_SANS)}</w:p>"
    )
    header._p.addprevious(hp)
    header._p.getparent().remove(header._p)
    # Footer: 第 N 页 / 共 M 页 with PAGE and NUMPAGES fields.
    before, middle, after = page_label_parts()

    def field(instr: str) -> str:
        return f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT ">{small("1")}</w:fldSimple>'

    def small(text: str) -> str:
        return _run(text, size=16, color="808080", font=FONT_SANS)

    fp = parse_xml(
        f'<w:p {W}><w:pPr>{NO_AUTOSPACE}<w:jc w:val="center"/></w:pPr>'
        f"{small(before) if before else ''}{field('PAGE')}"
        f"{small(middle) if middle else ''}{field('NUMPAGES')}"
        f"{small(after) if after else ''}</w:p>"
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
