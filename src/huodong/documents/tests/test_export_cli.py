"""``huodong export <document> --event ID --format docx|pdf --out PATH [--lang en]`` (DOC-1, DOC-2, DOC-3)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from huodong import cli

from .readers import docx_kv, docx_read, pdf_text

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("doc", "title"),
    [("needs-report", "活动需求调研报告"), ("plan", "活动策划方案"), ("approval-form", "活动策划方案审批表")],
)
def test_export_writes_each_document_as_word_and_pdf(records, tmp_path, doc, title):
    # REQ: DOC-1
    # REQ: DOC-2
    # REQ: DOC-3
    event = records.event
    docx_path, pdf_path = tmp_path / f"{doc}.docx", tmp_path / f"{doc}.pdf"
    assert str(docx_path) in export(
        doc, "--event", str(event.pk), "--format", "docx", "--out", str(docx_path)
    )
    export(doc, "--event", str(event.pk), "--format", "pdf", "--out", str(pdf_path))
    document = docx_read(docx_path.read_bytes())
    assert [p.text for p in document.paragraphs if p.text][1] == title
    assert docx_kv(document)["活动名称"] == event.name
    text = pdf_text(pdf_path.read_bytes())
    assert title in text and event.name in text


def test_export_into_a_directory_uses_the_chinese_file_name(records, tmp_path):
    # REQ: DOC-2
    export("plan", "--event", str(records.event.pk), "--format", "docx", "--out", str(tmp_path))
    assert (tmp_path / f"活动策划方案-{records.event.name}.docx").exists()


def test_export_in_english_renders(records, tmp_path):
    # REQ: DOC-3
    path = tmp_path / "form.docx"
    export("approval-form", "--event", str(records.event.pk), "--out", str(path), "--lang", "en")
    document = docx_read(path.read_bytes())
    assert document.core_properties.language == "en-US"
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert records.version.content_hash in cells
    assert any("孙总" in text for text in cells)
    assert "Sales" in cells  # the department's English name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--event", "999999", "--out", "{tmp}/x.docx"], "999999"),
        (["plan", "--event", "{event}", "--out", "{tmp}/missing/dir/x.docx"], "目录不存在"),
    ],
)
def test_export_errors_say_what_is_wrong(event, tmp_path, args, message):
    # REQ: DOC-2
    args = [a.format(tmp=tmp_path, event=event.pk) for a in args]
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_export_refuses_an_unknown_document(event, tmp_path):
    # REQ: DOC-2
    with pytest.raises(CommandError, match="invalid choice"):
        export("budget", "--event", str(event.pk), "--out", str(tmp_path / "x.docx"))


def test_the_huodong_command_forwards_export_to_the_management_command(records, tmp_path, capsys):
    # REQ: DOC-2
    path = tmp_path / "plan.pdf"
    code = cli.main(
        ["export", "plan", "--event", str(records.event.pk), "--format", "pdf", "--out", str(path)]
    )
    assert code == 0
    assert path.read_bytes().startswith(b"%PDF-")
    assert str(path) in capsys.readouterr().out


def test_the_huodong_command_exports_an_excel_document_in_its_own_format(records, tmp_path):
    # REQ: MT-1 — 《活动物料明细表》 from the command line, xlsx being its only format (no --format given).
    from openpyxl import load_workbook

    path = tmp_path / "materials.xlsx"
    code = cli.main(["export", "materials-list", "--event", str(records.event.pk), "--out", str(path)])
    assert code == 0
    sheet = load_workbook(path).active
    assert sheet is not None and sheet.title == "物料明细"
    assert [c.value for c in sheet[1]][:3] == ["类别", "物料名称", "数量"]
