"""The documents of preparation (issue 8, point 9): 《供应商比选表》 and 《执行会议纪要》 in Word and PDF,
read back with python-docx and pypdf; 《活动物料明细表》 and the RACI matrix in Excel, read back with
openpyxl; all listed on the event's documents page, served by the API and written by ``huodong export``."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from huodong.documents.models import DocumentNumber
from huodong.documents.render import (
    DOCUMENTS,
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    document_render,
)
from huodong.documents.tests.readers import docx_kv, docx_read, docx_table, docx_text, pdf_text
from huodong.preparation.models import Quote, Training, TrainingAttendance, VendorNeed
from tests.factories import login

from .test_readiness import prepared_event

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"HD-(BX|JY)-\d{4}-\d{4}")


@pytest.fixture
def prepared(organiser, marketing_mgr):
    return prepared_event(organiser, marketing_mgr)


def word(event, doc: str, lang: str = "zh-hans"):  # noqa: ANN201
    return docx_read(document_render(event=event, doc=doc, fmt="docx", lang=lang).content)


def number_of(document) -> str:  # noqa: ANN001
    found = NUMBER.search(docx_text(document))
    assert found, "no document number"
    return found.group(0)


# ---------------------------------------------------------------- 《供应商比选表》
def test_vendor_comparison_in_word_puts_the_quotes_side_by_side(prepared):
    # REQ: VD-1
    document = word(prepared.event, "vendor-comparison")
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[1] == "供应商比选表"
    assert "一、主会场租赁(场地)" in paragraphs
    rows = docx_table(document, "比较项")
    # Best weighted total first, as on the vendors page.
    assert rows[0] == ["比较项", "上海国际会议中心", "浦东嘉里酒店", "世博中心"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table["报价金额"] == ["¥180,000.00", "¥210,000.00", "¥165,000.00"]
    assert table["报价包含"] == ["主会场、音响、LED 屏", "主会场、茶歇", "主会场"]
    assert table["交付日期"] == ["2027年3月16日", "2027年3月16日", "2027年3月17日"]
    assert table["资质得分"] == ["90", "80", "60"]
    # Price: the lowest quote scores 100, the others lowest ÷ amount × 100.
    assert table["价格得分"] == ["91.67", "78.57", "100"]
    # Weighted 25/40/20/15: 90×.25 + 91.67×.4 + 85×.2 + 90×.15 = 89.67.
    assert table["加权总分"] == ["89.67(第 1 名)", "80.18(第 2 名)", "75.50(第 3 名)"]
    assert table["选定"] == ["选定", "—", "—"]
    assert table["资质"][0] == "营业执照(有效期至 2030年12月31日)"
    assert table["资质"][2] == "【已过期】消防安全检查合格证(有效期至 2025年6月30日)"
    kv = docx_kv(document)
    assert kv["比价权重"] == "资质 25% · 价格 40% · 案例 20% · 交付 15%"
    assert kv["报价数量"] == "3 家"
    assert kv["预算科目"].endswith("(预算 ¥200,000.00)")
    assert kv["选定供应商"] == "上海国际会议中心"
    assert kv["选定金额"] == "¥180,000.00"
    assert kv["选择理由"] == "设备齐全,案例匹配,综合得分最高"
    assert kv["合同编号"] == "HT-2027-015"
    assert kv["服务内容"] == "主会场租赁一天,含音响与 LED 屏"
    assert kv["交付时间"] == "2027年3月17日 13:30"
    assert kv["违约责任"] == "逾期交付按合同金额每日 1% 支付违约金"
    assert kv["合同金额"] == "¥180,000.00"
    assert kv["签订日期"] == "2027年2月20日"
    assert NUMBER.fullmatch(number_of(document)).group(1) == "BX"


def test_vendor_comparison_in_pdf(prepared):
    # REQ: VD-1
    # REQ: VD-2
    content = document_render(event=prepared.event, doc="vendor-comparison", fmt="pdf").content
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for needle in (
        "供应商比选表",
        prepared.event.name,
        "上海国际会议中心",
        "浦东嘉里酒店",
        "¥165,000.00",
        "89.67",
        "【已过期】",
        "设备齐全,案例匹配,综合得分最高",
        "逾期交付按合同金额每日 1% 支付违约金",
    ):
        assert needle in text, needle
    assert NUMBER.search(text).group(1) == "BX"


def test_vendor_comparison_flags_the_chosen_vendors_expired_qualification_and_the_exception(
    prepared, approver_exec
):
    # REQ: VD-1
    need = prepared.need
    cheapest = prepared.quotes[2]  # 世博中心, whose fire-safety certificate expired in 2025
    Quote.objects.filter(pk=prepared.quotes[1].pk).delete()
    VendorNeed.objects.filter(pk=need.pk).update(
        chosen_quote=cheapest,
        exception_reason="仅两家场地档期可用",
        exception_by=approver_exec,
        exception_at=timezone.now(),
    )
    kv = docx_kv(word(prepared.event, "vendor-comparison"))
    assert kv["报价数量"] == "2 家(少于规定的 3 家)"
    assert kv["选定供应商"] == "世博中心"
    assert kv["资质提示"] == "选定供应商的资质已过期:消防安全检查合格证"
    assert kv["少于规定报价数的例外原因"] == "仅两家场地档期可用"
    assert kv["例外批准人"].startswith(approver_exec.name)


def test_vendor_comparison_keeps_its_number_until_the_content_changes(prepared):
    # REQ: VD-1
    event = prepared.event
    first = number_of(word(event, "vendor-comparison"))
    assert number_of(word(event, "vendor-comparison", lang="en")) == first  # either language
    Quote.objects.filter(pk=prepared.quotes[1].pk).update(amount=Decimal("200000.00"))
    second = number_of(word(event, "vendor-comparison"))
    assert second != first
    assert int(second[-4:]) == int(first[-4:]) + 1
    assert DocumentNumber.objects.filter(kind="vendor-comparison", event=event).count() == 2


def test_vendor_comparison_without_needs_still_prints(event):
    # REQ: VD-1
    document = word(event, "vendor-comparison")
    assert "本活动尚无采购需求。" in docx_text(document)
    assert docx_kv(document)["采购需求数"] == "0"


# ---------------------------------------------------------------- 《执行会议纪要》
def test_meeting_minutes_in_word(prepared):
    # REQ: TR-1
    event = prepared.event
    Training.objects.create(
        event=event,
        kind=Training.Kind.ETIQUETTE,
        title="礼仪培训",
        starts_at=event.starts_at - dt.timedelta(days=2),
    )
    etiquette = Training.objects.get(title="礼仪培训")
    TrainingAttendance.objects.create(training=etiquette, person=prepared.people["member"], attended=True)
    TrainingAttendance.objects.create(training=etiquette, person=prepared.people["host"], attended=False)
    document = word(event, "meeting-minutes")
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[1] == "执行会议纪要"
    kv = docx_kv(document)
    assert kv["活动名称"] == event.name
    assert kv["会议时间"] == "2027年3月15日 13:30"  # T-3 days, in the event's time zone
    assert kv["会议地点"] == "公司 3 楼大会议室"
    assert kv["时长"] == "90 分钟"
    assert kv["会议状态"] == "已召开"
    assert kv["出席情况"] == "应到 3 人,实到 2 人,缺席 1 人。缺席:周主持"
    text = docx_text(document)
    for heading in (
        "一、会议议程",
        "二、岗位职责说明",
        "三、应急话术",
        "四、出席情况",
        "五、会议纪要",
        "六、专项培训",
    ):
        assert heading in paragraphs, heading
    assert "1. 流程串讲" in paragraphs and "3. 应急预案" in paragraphs
    assert "签到组:核验与引导;舞台组:流程与设备" in text
    assert "嘉宾迟到:主持人插入暖场视频" in text
    assert "流程确认无误;LED 屏 T-1 日 18:00 前完成调试。" in text
    attendance = docx_table(document, "序号", "姓名")
    assert [row[1:5] for row in attendance[1:]] == [
        ["陈经理(市场部经理)", "市场部", "执行组", "已出席"],
        ["陈执行(执行专员)", "市场部", "执行组", "已出席"],
        ["周主持(销售经理)", "销售部", "—", "缺席"],
    ]
    assert attendance[3][5] == "出差"
    trainings = docx_table(document, "培训", "类别")
    assert trainings[1][:2] == ["礼仪培训", "礼仪培训"]
    assert trainings[1][4:] == ["陈执行", "周主持"]
    assert NUMBER.fullmatch(number_of(document)).group(1) == "JY"


def test_meeting_minutes_in_pdf(prepared):
    # REQ: TR-1
    content = document_render(event=prepared.event, doc="meeting-minutes", fmt="pdf").content
    text = pdf_text(content)
    for needle in (
        "执行会议纪要",
        "公司 3 楼大会议室",
        "流程串讲",
        "嘉宾迟到:主持人插入暖场视频",
        "应到 3 人,实到 2 人,缺席 1 人",
        "周主持",
        "缺席",
        "LED 屏 T-1 日 18:00 前完成调试",
    ):
        assert needle in text, needle
    assert NUMBER.search(text).group(1) == "JY"


def test_meeting_minutes_before_the_meeting_is_an_agenda_draft(prepared):
    # REQ: TR-1
    Training.objects.filter(pk=prepared.meeting.pk).update(held_at=None, attendance_recorded_at=None)
    TrainingAttendance.objects.filter(training=prepared.meeting).update(attended=None)
    document = word(prepared.event, "meeting-minutes")
    kv = docx_kv(document)
    assert kv["会议状态"] == "尚未召开"
    assert kv["出席情况"] == "应到 3 人,实到 0 人,缺席 0 人,未登记 3 人"
    assert "会议尚未召开:本纪要为会前议程稿" in docx_text(document)


def test_meeting_minutes_without_a_meeting_still_prints(event):
    # REQ: TR-1
    document = word(event, "meeting-minutes")
    assert docx_kv(document)["会议名称"] == "尚未安排执行会议"
    assert "未填写" in docx_text(document)


def test_both_documents_render_in_english(prepared):
    # REQ: VD-1
    # REQ: TR-1
    for doc in ("vendor-comparison", "meeting-minutes"):
        document = word(prepared.event, doc, lang="en")
        assert document.core_properties.language == "en-US"
        assert prepared.event.name in docx_kv(document).values()
        assert "Execution" in docx_text(
            word(prepared.event, "meeting-minutes", lang="en")
        )  # the group's name


# ---------------------------------------------------------------- Excel: 《活动物料明细表》, RACI 矩阵
def test_the_excel_documents_are_written_by_preparations_writers(prepared):
    # REQ: MT-1
    # REQ: TM-1
    from openpyxl import load_workbook

    materials = document_render(event=prepared.event, doc="materials-list", fmt="xlsx")
    assert materials.content_type == XLSX_CONTENT_TYPE
    assert materials.filename == f"活动物料明细表-{prepared.event.name}.xlsx"
    cells = {c.value for row in load_workbook(io.BytesIO(materials.content)).active.iter_rows() for c in row}
    assert "易拉宝" in cells and "物料名称" in cells
    raci = document_render(event=prepared.event, doc="raci-matrix", fmt="xlsx")
    cells = {c.value for row in load_workbook(io.BytesIO(raci.content)).active.iter_rows() for c in row}
    assert "场地对接" in cells and {"A", "R"} <= cells


@pytest.mark.parametrize(("doc", "fmt"), [("materials-list", "docx"), ("vendor-comparison", "xlsx")])
def test_a_format_the_document_does_not_have_is_refused(prepared, doc, fmt):
    # REQ: MT-1
    from huodong.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        document_render(event=prepared.event, doc=doc, fmt=fmt)
    assert "format" in refused.value.errors
    allowed = "xlsx" if doc == "materials-list" else "docx 或 pdf"
    assert f"只能是 {allowed}" in str(refused.value.errors["format"][0])


# ---------------------------------------------------------------- the documents page, downloads, the API
def test_the_documents_page_lists_the_preparation_documents(as_organiser, prepared):
    # REQ: VD-1
    # REQ: TR-1
    # REQ: MT-1
    event = prepared.event
    html = as_organiser.get(reverse("documents:index", kwargs={"event_id": event.pk})).content.decode()
    assert "准备阶段文档" in html
    for slug, title, formats in (
        ("vendor-comparison", "供应商比选表", ("docx", "pdf")),
        ("meeting-minutes", "执行会议纪要", ("docx", "pdf")),
        ("materials-list", "活动物料明细表", ("xlsx",)),
        ("raci-matrix", "RACI 矩阵", ("xlsx",)),
    ):
        assert f"《{title}》" in html
        for fmt in formats:
            url = reverse("documents:download", kwargs={"event_id": event.pk, "doc": slug, "fmt": fmt})
            assert url in html
        print_url = reverse("documents:print", kwargs={"event_id": event.pk, "doc": slug})
        assert (print_url in html) == ("docx" in formats)  # a spreadsheet has no print view


@pytest.mark.parametrize(
    ("doc", "fmt", "content_type"),
    [
        ("vendor-comparison", "docx", DOCX_CONTENT_TYPE),
        ("vendor-comparison", "pdf", PDF_CONTENT_TYPE),
        ("meeting-minutes", "docx", DOCX_CONTENT_TYPE),
        ("meeting-minutes", "pdf", PDF_CONTENT_TYPE),
        ("materials-list", "xlsx", XLSX_CONTENT_TYPE),
        ("raci-matrix", "xlsx", XLSX_CONTENT_TYPE),
    ],
)
def test_download_from_the_page_and_the_api(client, prepared, approver_exec, doc, fmt, content_type):
    # REQ: VD-1
    # REQ: TR-1
    login(client, approver_exec)  # the executive in charge reads them too
    event = prepared.event
    for url in (
        reverse("documents:download", kwargs={"event_id": event.pk, "doc": doc, "fmt": fmt}),
        f"/api/events/{event.pk}/documents/{doc}.{fmt}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert f'filename="{doc}-{event.pk}.{fmt}"' in response["Content-Disposition"]
        assert int(response["Content-Length"]) == len(response.content)


def test_the_print_view_of_the_vendor_comparison(as_organiser, prepared):
    # REQ: VD-1
    response = as_organiser.get(
        reverse("documents:print", kwargs={"event_id": prepared.event.pk, "doc": "vendor-comparison"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-document="vendor-comparison"' in html and "【已过期】" in html


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/events/{id}/documents/materials-list.pdf", 400, "format"),
        ("/api/events/{id}/documents/meeting-minutes.xlsx", 400, "format"),
        ("/api/events/{id}/documents/vendor-comparison.docx?lang=fr", 400, "lang"),
        ("/api/events/999999/documents/meeting-minutes.docx", 404, "event_id"),
    ],
)
def test_api_refusals_name_the_field(as_organiser, prepared, path, status, field):
    # REQ: VD-1
    response = as_organiser.get(path.format(id=prepared.event.pk))
    assert response.status_code == status
    assert field in response.json()["errors"]


def test_a_spreadsheet_has_no_print_view(as_organiser, prepared):
    # REQ: MT-1
    response = as_organiser.get(
        reverse("documents:print", kwargs={"event_id": prepared.event.pk, "doc": "materials-list"})
    )
    assert response.status_code == 404
    assert "没有打印预览" in response.content.decode()


# ---------------------------------------------------------------- huodong export
def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("doc", "title"), [("vendor-comparison", "供应商比选表"), ("meeting-minutes", "执行会议纪要")]
)
def test_export_writes_the_preparation_documents(prepared, tmp_path, doc, title):
    # REQ: VD-1
    # REQ: TR-1
    event = prepared.event
    docx_path, pdf_path = tmp_path / f"{doc}.docx", tmp_path / f"{doc}.pdf"
    as_organiser = ["--as", prepared.people["organiser"].username]
    assert str(docx_path) in export(doc, "--event", str(event.pk), "--out", str(docx_path), *as_organiser)
    export(doc, "--event", str(event.pk), "--format", "pdf", "--out", str(pdf_path), *as_organiser)
    document = docx_read(docx_path.read_bytes())
    assert [p.text for p in document.paragraphs if p.text][1] == title
    assert docx_kv(document)["活动名称"] == event.name
    text = pdf_text(pdf_path.read_bytes())
    assert title in text and event.name in text
    export(doc, "--event", str(event.pk), "--out", str(tmp_path), *as_organiser)
    assert (tmp_path / f"{title}-{event.name}.docx").exists()


def test_export_writes_a_spreadsheet_as_xlsx_by_default(prepared, tmp_path):
    # REQ: MT-1
    from openpyxl import load_workbook

    event = prepared.event
    export("materials-list", "--event", str(event.pk), "--out", str(tmp_path), "--as", "organiser")
    path = tmp_path / f"活动物料明细表-{event.name}.xlsx"
    cells = {c.value for row in load_workbook(path).active.iter_rows() for c in row}
    assert "易拉宝" in cells
    with pytest.raises(CommandError, match="只能是 xlsx"):
        export(
            "raci-matrix",
            "--event",
            str(event.pk),
            "--format",
            "pdf",
            "--out",
            str(tmp_path),
            "--as",
            "organiser",
        )


def test_every_new_kind_is_registered_once_with_its_formats():
    # REQ: VD-1
    # REQ: TR-1
    assert {
        slug: DOCUMENTS[slug].formats for slug in DOCUMENTS if DOCUMENTS[slug].phase == "preparation"
    } == {
        "vendor-comparison": ("docx", "pdf"),
        "meeting-minutes": ("docx", "pdf"),
        "materials-list": ("xlsx",),
        "raci-matrix": ("xlsx",),
        "collaboration-letter": ("docx", "pdf"),  # NT-1, outreach's, in the step 通知发布 of preparation
    }
