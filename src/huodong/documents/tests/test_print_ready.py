"""Issue 7, point 7: the documents are ready to print and sign.

Chinese dates in Chinese documents, a document number on each, the approval form's handwritten
signature lines and seal boxes, blank (not 未填写) empty opinions, a long opinion kept within its row,
short headers on one line, and the same typefaces in Word and PDF. Read back with python-docx and
pypdf, and printed to PNG with pdftoppm (poppler-utils).

Set HUODONG_DOC_PNG_DIR to keep the PNGs of the three documents for a look.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from docx.oxml.ns import qn

from huodong.documents.docx_render import FONT_SANS, FONT_SERIF
from huodong.documents.models import DocumentNumber
from huodong.documents.numbers import document_number
from huodong.documents.render import document_render
from huodong.planning.models import DepartmentReview, PlanVersion, Risk, Signature

from .readers import docx_kv, docx_table, docx_text, pdf_text

pytestmark = pytest.mark.django_db

BLANK = "＿＿＿＿＿＿＿＿"
NOW = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)  # 14:30 in Shanghai
LONG_OPINION = "意见" * 2500  # 5,000 characters, no space to break at


def word(event, doc: str, lang: str | None = None):  # noqa: ANN001, ANN201
    from docx import Document

    with time_machine.travel(NOW, tick=False):
        content = document_render(event=event, doc=doc, fmt="docx", lang=lang).content
    return Document(io.BytesIO(content))


def pdf(event, doc: str, lang: str | None = None) -> bytes:  # noqa: ANN001
    with time_machine.travel(NOW, tick=False):
        return document_render(event=event, doc=doc, fmt="pdf", lang=lang).content


def flat(content: bytes) -> str:
    return pdf_text(content).replace("\n", "")


# ---------------------------------------------------------------- dates
def test_chinese_documents_write_dates_the_chinese_way_in_word_and_pdf(records):
    document = word(records.event, "approval-form")
    text = docx_text(document)
    assert "生成日期:2026年12月1日" in text
    kv = docx_kv(document)
    assert kv["活动时间"] == "2027年3月18日 13:30–17:30 (Asia/Shanghai)"
    assert kv["定稿日期"] == "2027年2月5日"
    signatures = docx_table(document, "审批层级", "审批人")
    assert signatures[1][4] == "2027年2月3日 11:00"
    assert "2027-02" not in text and "2026-12-01" not in text
    text = flat(pdf(records.event, "plan"))
    assert "生成日期:2026年12月1日" in text and "2027年3月18日 13:30–17:30" in text


def test_english_documents_keep_an_english_date_format(records):
    document = word(records.event, "approval-form", lang="en")
    text = docx_text(document)
    assert "1 December 2026" in text
    assert docx_kv(document)["Event time"] == "18 March 2027 13:30–17:30 (Asia/Shanghai)"
    assert "2027年" not in text
    assert "5 February 2027" in text and "3 February 2027 11:00" in text
    assert "1 December 2026" in flat(pdf(records.event, "needs-report", lang="en"))


# ---------------------------------------------------------------- document numbers
def test_each_document_carries_a_number_with_prefix_kind_year_and_sequence_in_its_header(records):
    for doc, code in (("needs-report", "XQ"), ("plan", "FA"), ("approval-form", "SP")):
        document = word(records.event, doc)
        number = f"HD-{code}-2026-0001"
        assert f"文档编号:{number}" in docx_text(document), doc
        assert number in document.sections[0].header.paragraphs[0].text, doc
        text = flat(pdf(records.event, doc))
        # Once under the title and once in the running header of each page.
        assert text.count(number) >= 2, doc


def test_the_same_version_keeps_its_number_and_a_new_version_gets_the_next(records, people):
    # REQ: DOC-3
    assert "HD-SP-2026-0001" in docx_text(word(records.event, "approval-form"))
    # Exported again, as PDF and in English: the same number.
    assert "HD-SP-2026-0001" in flat(pdf(records.event, "approval-form", lang="en"))
    assert "HD-SP-2026-0001" in docx_text(word(records.event, "approval-form"))
    assert DocumentNumber.objects.filter(kind="approval-form").count() == 1
    PlanVersion.objects.create(
        plan=records.plan,
        number=2,
        content={},
        content_hash="c" * 64,
        status=PlanVersion.Status.IN_REVIEW,
        submitted_by=people["organiser"],
    )
    assert "HD-SP-2026-0002" in docx_text(word(records.event, "approval-form"))


def test_an_edited_plan_gets_a_new_number_and_the_prefix_comes_from_the_setting(records, settings):
    settings.HUODONG_DOCUMENT_PREFIX = "zk"
    assert "ZK-FA-2026-0001" in docx_text(word(records.event, "plan"))
    Risk.objects.filter(pk=records.risks[0].pk).update(risk="风险1:场地临时变更")
    assert "ZK-FA-2026-0002" in docx_text(word(records.event, "plan"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads against an in-memory SQLite database do not run concurrently; "
    "the unique constraint and retry are proven threaded on PostgreSQL",
)
def test_numbers_issued_at_the_same_time_are_distinct_and_one_version_gets_one_number(event):
    from django.db import connections

    barrier = threading.Barrier(6, timeout=10)
    numbers: list[str] = []

    def issue(key: str) -> None:
        try:
            barrier.wait()  # all threads read the highest sequence before any inserts
            numbers.append(document_number(event=event, kind="plan", key=key, on=dt.date(2026, 12, 1)))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            numbers.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    keys = ["a", "b", "c", "d", "same", "same"]
    threads = [threading.Thread(target=issue, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not [n for n in numbers if n.startswith("error")], numbers
    assert len(numbers) == 6 and len(set(numbers)) == 5
    assert sorted(set(numbers)) == [f"HD-FA-2026-{i:04d}" for i in range(1, 6)]
    assert DocumentNumber.objects.filter(event=event).count() == 5


# ---------------------------------------------------------------- the approval form
def test_the_approval_form_has_handwriting_lines_and_a_seal_box_beside_each_signature(records):
    # REQ: DOC-3
    document = word(records.event, "approval-form")
    rows = docx_table(document, "审批层级", "审批人")
    assert rows[0][5:] == ["手写签名及日期", "盖章处"]
    for row in rows[1:]:
        assert row[5] == "签名:＿＿＿＿＿＿\n日期:＿＿年＿＿月＿＿日"
        assert row[6] == "盖章处"
    # The seal box is a dashed cell at least 30 mm high.
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "审批层级")
    tr = table._tbl.tr_lst[1]
    assert int(tr.find(qn("w:trPr")).find(qn("w:trHeight")).get(qn("w:val"))) >= 1700
    seal = tr.tc_lst[6].find(qn("w:tcPr")).find(qn("w:tcBorders"))
    assert seal.find(qn("w:top")).get(qn("w:val")) == "dashed"
    text = flat(pdf(records.event, "approval-form"))
    assert text.count("盖章处") >= 3  # the header and one box per signature
    assert text.count("签名:＿＿＿＿＿＿") >= 2 and text.count("日期:＿＿年＿＿月＿＿日") >= 2


def test_empty_opinions_are_left_blank_not_written_as_unfilled(records):
    # REQ: DOC-3
    DepartmentReview.objects.filter(version=records.version, department__code="sales").update(
        feasibility_opinion="", budget_opinion="", risk_opinion="", conditions=""
    )
    DepartmentReview.objects.filter(version=records.version, department__code="product").update(
        budget_opinion="", risk_opinion=""
    )
    Signature.objects.filter(pk=records.signatures[1].pk).update(comment="")
    document = word(records.event, "approval-form")
    rows = docx_table(document, "评审部门", "评审人")
    assert rows[1][0] == "销售部" and rows[1][3] == ""
    assert rows[2][3] == "可行性意见:product 可行性:流程安排合理。"
    assert docx_table(document, "审批层级", "审批人")[2][3] == ""
    assert "未填写" not in docx_text(document)
    assert "未填写" not in flat(pdf(records.event, "approval-form"))


def _long_opinion(records) -> None:  # noqa: ANN001
    DepartmentReview.objects.filter(version=records.version, department__code="legal").update(
        feasibility_opinion=LONG_OPINION
    )


def test_a_5000_character_opinion_wraps_within_its_row_in_word(records):
    # REQ: DOC-3
    _long_opinion(records)
    document = word(records.event, "approval-form")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "评审部门")
    row = next(tr for tr in table._tbl.tr_lst if LONG_OPINION in "".join(tr.itertext()))
    # Word clips a row that may not split and is taller than the page: this row may split.
    assert row.find(qn("w:trPr")).find(qn("w:cantSplit")) is None
    assert table._tbl.find(qn("w:tblPr")).find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert sum(int(c.get(qn("w:w"))) for c in table._tbl.find(qn("w:tblGrid"))) <= 17 * 567


def _text_runs(content: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x start, x end, text) of every run of the long opinion, from pypdf's text positions."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    runs: list[tuple[int, float, float, str]] = []
    for index, page in enumerate(reader.pages):

        def visit(text, cm, tm, font, size, index=index) -> None:  # noqa: ANN001
            if "意见意见" in text:
                scale = tm[0] * cm[0]
                x = tm[4] * cm[0] + cm[4]
                runs.append((index, x, x + len(text.strip()) * size * scale, text.strip()))

        page.extract_text(visitor_text=visit)
    return runs


def test_a_5000_character_opinion_wraps_within_its_row_and_the_page_in_pdf(records):
    # REQ: DOC-3
    _long_opinion(records)
    content = pdf(records.event, "approval-form")
    from pypdf import PdfReader

    width = float(PdfReader(io.BytesIO(content)).pages[0].mediabox.width)
    runs = _text_runs(content)
    assert sum(t.count("意") + t.count("见") for _p, _a, _b, t in runs) >= 5000  # nothing cut off
    assert len({p for p, *_rest in runs}) >= 2  # the row grows onto the next pages
    right_margin = width - 18 / 25.4 * 72
    assert max(end for _p, _start, end, _t in runs) <= right_margin + 1
    assert min(start for _p, start, _end, _t in runs) >= 18 / 25.4 * 72 - 1


# ---------------------------------------------------------------- columns and fonts
def test_short_headers_like_likelihood_stay_on_one_line(records):
    text = pdf_text(pdf(records.event, "plan"))
    assert "可能性" in text  # one word, not 可/能/性 on three lines
    document = word(records.event, "plan")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "风险")
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.find(qn("w:tblGrid"))]
    # 3 characters of 9 pt bold (540 twips) plus the cell margins (160 twips).
    assert grid[1] >= 700
    en = pdf_text(pdf(records.event, "plan", lang="en"))
    assert "Likelihood" in en


def _pdf_fonts(content: bytes) -> set[str]:
    """The base names of the fonts a PDF embeds, without subset tag and hyphens (NotoSansCJKjpRegular…)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1].replace("-", ""))
    return names


def test_the_word_runs_name_the_same_cjk_serif_and_sans_as_the_pdf(records):
    document = word(records.event, "plan")
    faces = set()
    for run in document.element.body.iter(qn("w:r")):
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        faces.add((fonts.get(qn("w:ascii")), fonts.get(qn("w:eastAsia"))))
    assert faces == {(FONT_SERIF, FONT_SERIF), (FONT_SANS, FONT_SANS)}
    embedded = _pdf_fonts(pdf(records.event, "plan"))
    assert any(name.startswith("NotoSerifCJK") for name in embedded), embedded
    assert any(name.startswith("NotoSansCJK") for name in embedded), embedded


# ---------------------------------------------------------------- printed to PNG
@pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="pdftoppm (poppler-utils) is missing: add poppler-utils to scripts/system-deps.sh",
)
def test_the_three_documents_print_to_png_with_nothing_in_the_side_margins(records):
    from PIL import Image

    _long_opinion(records)
    keep = os.environ.get("HUODONG_DOC_PNG_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        for doc in ("needs-report", "plan", "approval-form"):
            source = out / f"{doc}.pdf"
            source.write_bytes(pdf(records.event, doc))
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(out / doc)], check=True)
            pages = sorted(out.glob(f"{doc}-*.png"))
            assert pages, doc
            for png in pages:
                image = Image.open(png).convert("L")
                w, h = image.size
                margin = int(w * 15 / 210)  # 15 of the 18 mm side margins stay white
                for box in ((0, 0, margin, h), (w - margin, 0, w, h)):
                    darkest = image.crop(box).getextrema()[0]
                    assert darkest > 200, (png.name, box)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed on this machine")
def test_libreoffice_prints_the_word_documents_in_the_pdf_typefaces_within_the_page(records, tmp_path):
    _long_opinion(records)
    keep = os.environ.get("HUODONG_DOC_PNG_DIR")
    out = Path(keep) if keep else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    for doc in ("plan", "approval-form"):
        (tmp_path / f"{doc}.docx").write_bytes(word_bytes(records.event, doc))
    result = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(tmp_path / "plan.docx"),
            str(tmp_path / "approval-form.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    plan, form = (out / "plan.pdf").read_bytes(), (out / "approval-form.pdf").read_bytes()
    # The faces the Word runs name are the faces LibreOffice used, as in the WeasyPrint PDF.
    # (The approval form is all tables and headings: sans only; the plan has running text in serif.)
    assert any(f.startswith("NotoSerifCJK") for f in _pdf_fonts(plan)), _pdf_fonts(plan)
    for content in (plan, form):
        assert any(f.startswith("NotoSansCJK") for f in _pdf_fonts(content)), _pdf_fonts(content)
    assert "可能性" in pdf_text(plan)
    from pypdf import PdfReader

    width = float(PdfReader(io.BytesIO(form)).pages[0].mediabox.width)
    runs = _text_runs(form)
    assert sum(t.count("意") + t.count("见") for _p, _a, _b, t in runs) >= 5000
    assert max(end for _p, _start, end, _t in runs) <= width - 20 / 25.4 * 72 + 1
    text = pdf_text(form).replace("\n", "")
    assert "HD-SP-2026-0001" in text and "盖章处" in text and "日期:＿＿年＿＿月＿＿日" in text
    if keep and shutil.which("pdftoppm"):
        for name in ("plan", "approval-form"):
            subprocess.run(
                ["pdftoppm", "-r", "70", "-png", str(out / f"{name}.pdf"), str(out / f"lo-{name}")]
            )


def word_bytes(event, doc: str) -> bytes:  # noqa: ANN001
    with time_machine.travel(NOW, tick=False):
        return document_render(event=event, doc=doc, fmt="docx").content
