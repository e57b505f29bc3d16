"""The three documents as Word files, read back with python-docx (DOC-1, DOC-2, DOC-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from docx.oxml.ns import qn

from huodong.core.money import format_money
from huodong.core.services import organisation_get
from huodong.documents.render import DOCX_CONTENT_TYPE, document_render
from huodong.documents.tests.factories import planning_records
from huodong.events.models import Event
from huodong.planning.models import ApprovalLevel, DepartmentReview, NeedsReport, PlanVersion, Signature

from .readers import docx_kv, docx_read, docx_table, docx_text

pytestmark = pytest.mark.django_db

BLANK = "＿＿＿＿＿＿＿＿"
HANDWRITE = "签名:＿＿＿＿＿＿\n日期:＿＿年＿＿月＿＿日"


def render(event: Event, doc: str, lang: str | None = None):  # noqa: ANN201
    rendered = document_render(event=event, doc=doc, fmt="docx", lang=lang)
    assert rendered.content_type == DOCX_CONTENT_TYPE
    return docx_read(rendered.content)


# ---------------------------------------------------------------- every document
@pytest.mark.parametrize(
    ("doc", "title"),
    [("needs-report", "活动需求调研报告"), ("plan", "活动策划方案"), ("approval-form", "活动策划方案审批表")],
)
def test_every_document_carries_the_organisation_title_event_and_generation_date(records, doc, title):
    # REQ: DOC-1
    # REQ: DOC-2
    # REQ: DOC-3
    organisation = organisation_get()
    with time_machine.travel(dt.datetime(2027, 1, 10, 20, 0, tzinfo=dt.UTC), tick=False):
        document = render(records.event, doc)
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == organisation.name
    assert paragraphs[1] == title
    # 20:00 UTC is already the 11th in Shanghai: the date is the event's local date.
    assert "2027年1月11日" in paragraphs[2]
    assert docx_kv(document)["活动名称"] == records.event.name
    assert document.core_properties.title == title
    assert document.core_properties.author == organisation.name
    header = document.sections[0].header.paragraphs[0].text
    assert organisation.name in header and title in header


def test_the_word_file_names_a_chinese_east_asian_font_for_text_and_headings(records):
    # REQ: DOC-2
    document = render(records.event, "plan")
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    heading = document.styles["Heading 1"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "Noto Sans CJK SC"
    assert heading.get(qn("w:asciiTheme")) is None  # a theme font would override the CJK face
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_tables_have_a_repeating_header_row(records):
    # REQ: DOC-2
    document = render(records.event, "plan")
    for table in document.tables:
        rows = table._tbl.tr_lst
        if len(rows[0].tc_lst) > 2:  # data tables, not the label/value ones
            assert rows[0].trPr.find(qn("w:tblHeader")) is not None


# ---------------------------------------------------------------- DOC-1
def test_needs_report_reads_back_background_inputs_methods_persona_needs_goals_and_requesters(event, people):
    # REQ: DOC-1
    past = Event.objects.create(
        name="2026 春季发布会",
        event_type=event.event_type,
        starts_at=dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC),
        venue="上海世博中心",
        owner=people["organiser"],
        step="closed",
    )
    records = planning_records(event, people=people, history=[past])
    document = render(event, "needs-report")
    text = docx_text(document)
    report = records.report
    for expected in (report.background, report.audience_persona, report.core_needs, report.initial_goals):
        assert expected in text
    kv = docx_kv(document)
    assert kv["需求提出部门"] == "销售部"
    assert kv["提出日期"] == "2026年11月2日"
    assert "李总监(销售部总监)" in kv["需求提出人"] and "王策划(市场部主管)" in kv["需求提出人"]
    # NI-1: inputs grouped by kind in the order of the kinds, whatever order they were entered in.
    inputs = docx_table(document, "类别", "内容")
    assert [row[0] for row in inputs[1:]] == ["业务部门目标", "市场趋势分析", "客户反馈"]
    assert inputs[1][1:] == ["下季度新增 30 家行业客户。", "销售部"]
    methods = docx_table(document, "方法", "日期")
    assert methods[1] == ["部门访谈", "2026年10月20日", "销售部、产品部", "销售部希望以体验区带动签约。"]
    assert methods[2][0] == "问卷调研"
    people_rows = docx_table(document, "姓名", "职务")
    assert ["李总监", "销售部总监", "销售部"] in people_rows
    assert ["王策划", "市场部主管", "市场部"] in people_rows
    history = docx_table(document, "历史活动", "活动类型")
    assert history[1] == ["2026 春季发布会", "产品发布会", "2026年4月1日", "上海世博中心"]


def test_needs_report_of_an_event_without_research_says_not_filled_in(event):
    # REQ: DOC-1
    assert not NeedsReport.objects.filter(event=event).exists()
    document = render(event, "needs-report")
    text = docx_text(document)
    assert text.count("未填写") >= 6
    assert docx_table(document, "类别", "内容")[1] == ["未填写"]


# ---------------------------------------------------------------- DOC-2
def test_plan_reads_back_the_run_of_show_in_the_event_time_zone(records):
    # REQ: DOC-2
    document = render(records.event, "plan")
    rows = docx_table(document, "序号", "时间")
    assert rows[0] == ["序号", "时间", "环节", "时长(分钟)", "负责人", "关键动作"]
    assert len(rows) == 1 + len(records.segments)
    # The event starts 13:30 Shanghai; seven segments of 34 minutes back to back.
    assert rows[1] == ["1", "13:30–14:04", "环节01", "34", "王策划", "关键动作1:主持串场、灯光音响就位"]
    assert rows[2][:5] == ["2", "14:04–14:38", "环节02", "34", "周经理"]


def test_plan_reads_back_the_budget_by_category_with_subtotals_total_and_contingency_share(records):
    # REQ: DOC-2
    document = render(records.event, "plan")
    rows = docx_table(document, "科目", "项目")
    body = rows[1:]
    line_rows = [r for r in body if len(r) == 7]
    summary_rows = [r for r in body if len(r) == 3]
    assert len(line_rows) == len(records.lines)
    first = records.lines[0]
    assert line_rows[0] == [
        "场地租赁",
        first.item,
        "1",
        "项",
        format_money(first.unit_price),
        format_money(first.amount),
        "",
    ]
    subtotals = {r[0]: r[1] for r in summary_rows}
    for code, name in (("venue", "场地租赁"), ("materials", "物料制作"), ("contingency", "应急备用金")):
        assert subtotals[f"{name} 小计"] == format_money(records.subtotal(code))
    assert subtotals["合计"] == format_money(records.total)
    # Categories follow the template's order, the contingency reserve last.
    categories = [r[0] for r in line_rows]
    assert categories.index("场地租赁") < categories.index("物料制作") < categories.index("应急备用金")
    assert categories[-1] == "应急备用金"
    kv = docx_kv(document)
    assert kv["预算总额"] == format_money(records.total)
    assert kv["需求部门审批额度"] == "¥2,000,000.00"
    share = (records.subtotal("contingency") / records.total * 100).quantize(Decimal("0.1"))
    assert kv["应急备用金占比"].startswith(f"{share}%")
    assert "在规定区间 5.0%–10.0% 内" in kv["应急备用金占比"]
    assert kv["额度余量"] == format_money(Decimal("2000000.00") - records.total)


def test_plan_reads_back_goals_theme_time_place_risks_and_attachments(records):
    # REQ: DOC-2
    document = render(records.event, "plan")
    text = docx_text(document)
    assert records.plan.background in text and records.plan.positioning in text
    goals = docx_table(document, "指标", "具体描述")
    assert goals[1] == [
        "参会人数",
        "行业客户到场",
        "200 人",
        "150 人",
        "2027年3月18日",
        "王策划",
        "扩大行业客户覆盖",
    ]
    assert goals[3][2] == "500,000 次"
    kv = docx_kv(document)
    assert kv["主题"] == "智启未来" and kv["调性"] == "高端专业"
    assert kv["活动时间"] == "2027年3月18日 13:30–17:30 (Asia/Shanghai)"
    assert kv["活动地点"] == "上海国际会议中心"
    assert kv["方案版本"] == "第 1 版(已审批定稿)"
    risks = docx_table(document, "风险", "可能性")
    assert len(risks) == 1 + len(records.risks)
    assert risks[1] == ["风险1:设备故障", "中", "高", "王策划", "立即启用备用设备", "备用投影仪、备用麦克风"]
    attachments = docx_table(document, "序号", "类别")
    assert attachments[1] == ["1", "场地平面图", "场地平面图.pdf", "200 KB"]
    assert attachments[2][2] == "物料清单.xlsx"


def test_plan_over_the_approved_amount_says_by_how_much(records):
    # REQ: DOC-2
    records.plan.approved_budget = Decimal("1000.00")
    records.plan.save()
    kv = docx_kv(render(records.event, "plan"))
    assert kv["超出审批额度"] == format_money(records.total - Decimal("1000.00"))


def test_plan_of_an_event_without_a_plan_renders_with_placeholders(event):
    # REQ: DOC-2
    document = render(event, "plan")
    assert docx_table(document, "序号", "时间")[1] == ["未填写"]
    assert docx_table(document, "科目", "项目")[1] == ["未填写"]
    kv = docx_kv(document)
    assert kv["预算总额"] == "¥0.00"
    assert kv["应急备用金占比"] == "未填写"
    assert kv["方案版本"] == "未提交评审"


# ---------------------------------------------------------------- DOC-3
def test_approval_form_reads_back_every_review_opinion(records):
    # REQ: DOC-3
    document = render(records.event, "approval-form")
    rows = docx_table(document, "评审部门", "评审人")
    assert [r[0] for r in rows[1:]] == ["销售部", "产品部", "法务部", "财务部"]
    legal = rows[3]
    assert legal[1] == "吴律师(法务主管)"
    assert legal[2] == "有条件通过"
    assert "可行性意见:legal 可行性:流程安排合理。" in legal[3]
    assert "预算合理性意见:legal 预算:费用构成清晰。" in legal[3]
    assert "风险控制意见:legal 风险:预案充分。" in legal[3]
    assert "附加条件:合同须经法务审核后签署。" in legal[3]
    assert legal[4] == "2027年2月2日"  # decided 2027-02-02 04:00 Shanghai
    assert rows[1][2] == "通过"


def test_approval_form_reads_back_signature_rows_version_hash_and_approval_dates(records):
    # REQ: DOC-3
    document = render(records.event, "approval-form")
    rows = docx_table(document, "审批层级", "审批人")
    assert rows[1] == [
        "分管领导",
        "赵总(分管市场副总裁)",
        "批准",
        "同意,注意控制成本。",
        "2027年2月3日 11:00",
        HANDWRITE,
        "盖章处",
    ]
    assert rows[2] == ["总经理", "孙总(总经理)", "批准", "同意。", "2027年2月4日 12:00", HANDWRITE, "盖章处"]
    kv = docx_kv(document)
    assert kv["方案版本号"] == "第 1 版"
    assert kv["内容哈希(SHA-256)"] == records.version.content_hash
    assert kv["评审完成日期"] == "2027年2月2日"
    assert kv["分管领导审批日期"] == "2027年2月3日"
    assert kv["总经理审批日期"] == "2027年2月4日"
    assert kv["定稿日期"] == "2027年2月5日"
    assert records.version.content_hash[:12] in docx_text(document)


def test_approval_form_leaves_blank_lines_where_a_leader_has_not_signed(records):
    # REQ: DOC-3
    gm = records.signatures[1]
    Signature.objects.filter(pk=gm.pk).update(
        voided_at=dt.datetime(2027, 2, 5, tzinfo=dt.UTC), void_reason="方案已修改"
    )
    PlanVersion.objects.filter(pk=records.version.pk).update(
        status=PlanVersion.Status.REVIEWED, closed_at=None
    )
    document = render(records.event, "approval-form")
    rows = docx_table(document, "审批层级", "审批人")
    assert rows[1][1] == "赵总(分管市场副总裁)"
    assert rows[2] == ["总经理", BLANK, BLANK, BLANK, BLANK, HANDWRITE, "盖章处"]
    kv = docx_kv(document)
    assert kv["总经理审批日期"] == BLANK
    assert kv["定稿日期"] == BLANK
    assert "1 条签字已作废" in docx_text(document)


def test_approval_form_uses_the_latest_version(records, people):
    # REQ: DOC-3
    v2 = PlanVersion.objects.create(
        plan=records.plan,
        number=2,
        content={},
        content_hash="b" * 64,
        status=PlanVersion.Status.IN_REVIEW,
        submitted_by=people["organiser"],
    )
    DepartmentReview.objects.create(
        version=v2, department=records.reviews[0].department, reviewer=people["sales"]
    )
    document = render(records.event, "approval-form")
    kv = docx_kv(document)
    assert kv["方案版本号"] == "第 2 版"
    assert kv["内容哈希(SHA-256)"] == "b" * 64
    rows = docx_table(document, "评审部门", "评审人")
    assert rows[1][:3] == ["销售部", "李总监(销售部总监)", "待评审"]
    assert rows[1][4] == BLANK
    signatures = docx_table(document, "审批层级", "审批人")
    assert [r[1] for r in signatures[1:]] == [BLANK, BLANK]


def test_approval_form_before_any_submission_lists_the_default_departments_with_blank_lines(event):
    # REQ: DOC-3
    document = render(event, "approval-form")
    rows = docx_table(document, "评审部门", "评审人")
    assert [r[0] for r in rows[1:]] == ["销售部", "产品部", "法务部", "财务部"]
    assert rows[1][1] == BLANK and rows[1][2] == BLANK
    assert docx_kv(document)["方案版本号"] == "尚未提交评审"
    assert [r[0] for r in docx_table(document, "审批层级", "审批人")[1:]] == [
        str(ApprovalLevel.EXECUTIVE.label),
        str(ApprovalLevel.GENERAL_MANAGER.label),
    ]


def test_text_with_control_characters_still_renders(records):
    # REQ: DOC-2
    records.plan.background = "背景\x01含控制字符\x1f"
    records.plan.save()
    text = docx_text(render(records.event, "plan"))
    assert "背景含控制字符" in text


def test_large_plan_renders_every_segment_and_budget_line(event, people):
    # REQ: DOC-2
    event.ends_at = event.starts_at + dt.timedelta(hours=9)
    event.save()
    records = planning_records(event, people=people, segments=40, budget_lines=60, risks=20)
    document = render(event, "plan")
    assert len(docx_table(document, "序号", "时间")) == 41
    budget = docx_table(document, "科目", "项目")
    assert len([r for r in budget[1:] if len(r) == 7]) == 60
    assert docx_kv(document)["预算总额"] == format_money(records.total)
    assert len(docx_table(document, "风险", "可能性")) == 21
