"""The three documents as PDF (WeasyPrint), read back with pypdf: Chinese text, tables, page numbers (DOC-1..3)."""

from __future__ import annotations

import re

import pytest

from huodong.core.money import format_money
from huodong.core.services import organisation_get
from huodong.documents.render import PDF_CONTENT_TYPE, document_html, document_render

from .readers import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def render(event, doc: str, lang: str | None = None) -> str:  # noqa: ANN001
    rendered = document_render(event=event, doc=doc, fmt="pdf", lang=lang)
    assert rendered.content_type == PDF_CONTENT_TYPE
    assert rendered.content.startswith(b"%PDF-")
    # Table cells wrap: search the text with the line breaks taken out.
    return pdf_text(rendered.content).replace("\n", "")


def test_needs_report_pdf_has_the_chinese_content(records):
    # REQ: DOC-1
    text = render(records.event, "needs-report")
    for expected in (
        organisation_get().name,
        "活动需求调研报告",
        records.event.name,
        records.report.audience_persona,
        "业务部门目标",
        "李总监",
        "2026年11月2日",
    ):
        assert expected in text, expected
    assert re.search(r"第 1 页 / 共 \d+ 页", text)


def test_plan_pdf_has_the_run_of_show_budget_and_risks(records):
    # REQ: DOC-2
    text = render(records.event, "plan")
    for expected in (
        "活动策划方案",
        "13:30–14:04",
        "环节07",
        "应急备用金 小计",
        format_money(records.total),
        "¥2,000,000.00",
        "备用投影仪、备用麦克风",
        "场地平面图.pdf",
    ):
        assert expected in text, expected


def test_approval_form_pdf_has_the_opinions_signatures_and_dates(records):
    # REQ: DOC-3
    text = render(records.event, "approval-form")
    for expected in (
        "活动策划方案审批表",
        "有条件通过",
        "合同须经法务审核后签署。",
        "赵总(分管市场副总裁)",
        "孙总(总经理)",
        records.version.content_hash,
    ):
        assert expected in text, expected
    assert re.search(r"2027年2月4日 ?12:00", text)  # the time may wrap onto the date's next line


@pytest.mark.parametrize("doc", ["needs-report", "plan", "approval-form"])
def test_a_pdf_of_an_event_without_planning_data_renders_with_placeholders(event, doc):
    # REQ: DOC-1
    # REQ: DOC-2
    # REQ: DOC-3
    text = render(event, doc)
    assert "未填写" in text or "＿＿" in text
    assert event.name in text


def test_a_long_plan_pdf_spans_pages_and_numbers_them(event, people):
    # REQ: DOC-2
    import datetime as dt

    from .factories import planning_records

    event.ends_at = event.starts_at + dt.timedelta(hours=9)
    event.save()
    planning_records(event, people=people, segments=40, budget_lines=60, risks=20)
    rendered = document_render(event=event, doc="plan", fmt="pdf")
    pages = pdf_pages(rendered.content)
    assert pages >= 3
    text = pdf_text(rendered.content)
    assert f"第 {pages} 页 / 共 {pages} 页" in text
    assert "环节40" in text


def test_the_print_html_names_the_cjk_fonts(records):
    # REQ: DOC-2
    html = document_html(event=records.event, doc="plan")
    assert 'html { font-family: "Noto Serif CJK SC"' in html
    assert 'table, .notes, .doc-number { font-family: "Noto Sans CJK SC"' in html
    assert 'lang="zh-CN"' in html
