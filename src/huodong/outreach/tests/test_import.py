"""Importing the guest list from Excel (python-calamine) and CSV (UTF-8 with or without BOM, GB18030), the
template and the export (issue 9, point 1; NT-2): every row checked first, all bad rows reported by row
number with the column and the reason, duplicates by phone or e-mail merged or reported, nothing written
when the file itself is unreadable, every export in the audit log (PIPL)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from huodong.core.errors import DomainError
from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.outreach import excel_guests
from huodong.outreach.models import Guest, Job
from huodong.planning.tests.conftest import make_event
from tests.factories import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def import_event(organiser):
    return make_event(organiser, step=Step.NOTIFICATION)


def xlsx(
    rows, headers=("姓名", "公司", "职务", "手机", "邮箱", "类别", "邀请部门", "备注"), sheet="嘉宾名单"
):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(event, actor, data, name="guests.xlsx", **kw):
    job = excel_guests.guests_import(actor=actor, event=event, data=data, filename=name, **kw)
    assert job.status == Job.Status.DONE, job.error
    return job.report


ROWS = [
    ("王小明", "星辰科技", "CTO", "138 1234 5678", "wang@example.com", "VIP", "销售部", ""),
    ("Anna Smith", "Acme", "CEO", "+44 20 7946 0958", "anna@acme.co.uk", "Customer", "sales", "英国"),
    ("李雷", "", "", "13900000001", "", "客户", "", ""),
    ("", "无名公司", "", "13900000002", "", "", "", ""),  # row 5: no name
    ("韩梅梅", "", "", "12345", "bad-mail", "老板", "不存在的部门", ""),  # row 6: four problems
    ("王小明二号", "", "副总", "+8613812345678", "", "", "", "同一手机"),  # row 7: duplicate of row 2
]


def test_an_excel_file_is_imported_and_every_bad_row_reported(import_event, organiser):
    # REQ: NT-2
    report = run(import_event, organiser, xlsx(ROWS))
    assert (report["rows"], report["imported"], report["merged"], report["refused"]) == (6, 3, 1, 2)
    assert report["refused_rows"] == [5, 6]
    columns = {(p["row"], p["column"]) for p in report["problems"]}
    assert {(5, "姓名"), (6, "手机"), (6, "邮箱"), (6, "类别"), (6, "邀请部门")} <= columns
    wang = Guest.objects.get(phone="+8613812345678")
    assert wang.title == "CTO" and wang.note == "同一手机" and wang.category == "vip"  # filled, kept
    assert (
        wang.department == department("sales")
        and wang.source == "import"
        and wang.sort_key == "wangxiaoming wxm"
    )
    assert Guest.objects.get(email="anna@acme.co.uk").phone == "+442079460958"
    assert AuditEntry.objects.filter(action="outreach.guest.import").count() == 1


def test_duplicates_against_the_list_are_merged_or_reported(import_event, organiser):
    # REQ: NT-2
    existing = Guest.objects.create(
        event=import_event, name="王小明", phone="+8613812345678", company="旧公司"
    )
    rows = [("王小明", "新公司", "CTO", "13812345678", "wang@example.com", "", "", "")]
    report = run(import_event, organiser, xlsx(rows), on_duplicate="report")
    assert (report["imported"], report["merged"], report["refused"]) == (0, 0, 1)
    assert "王小明" in report["problems"][0]["reason"]
    existing.refresh_from_db()
    assert existing.title == "" and existing.revision == 1
    report = run(import_event, organiser, xlsx(rows), on_duplicate="merge")
    assert (report["imported"], report["merged"], report["refused"]) == (0, 1, 0)
    existing.refresh_from_db()
    assert (existing.company, existing.title, existing.email, existing.revision) == (
        "旧公司",
        "CTO",
        "wang@example.com",
        2,
    )


def test_a_row_matching_two_guests_is_refused(import_event, organiser):
    Guest.objects.create(event=import_event, name="甲", phone="+8613812345678")
    Guest.objects.create(event=import_event, name="乙", email="b@example.com")
    report = run(import_event, organiser, xlsx([("丙", "", "", "13812345678", "b@example.com")]))
    assert report["refused"] == 1 and "甲" in report["problems"][0]["reason"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(import_event, organiser, encoding):
    # REQ: NT-2
    text = "Name,Company,Mobile,E-mail,Category,Department\n张三,华为技术,13800000000,zhang@example.com,媒体,产品部\n"
    report = run(import_event, organiser, text.encode(encoding), name="guests.csv")
    assert report["imported"] == 1, report
    g = Guest.objects.get()
    assert (g.name, g.company, g.category, g.department.code) == ("张三", "华为技术", "media", "product")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "空"),
        (b"\x00\x01\x02binary", "既不是 Excel"),
        (b"PK\x03\x04broken zip", "无法读取"),
        ("公司,手机\n星辰,13800000000\n".encode(), "姓名"),
        ("姓名,手机\n".encode(), "没有数据"),
    ],
)
def test_an_unreadable_file_writes_nothing(import_event, organiser, data, words):
    with pytest.raises(excel_guests.ImportRefused) as exc:
        excel_guests.guests_import(actor=organiser, event=import_event, data=data, filename="x")
    assert words in exc.value.message and "file" in exc.value.errors
    assert not Guest.objects.exists() and not Job.objects.exists()


def test_the_duplicate_choice_is_checked(import_event, organiser):
    with pytest.raises(DomainError) as exc:
        excel_guests.guests_import(actor=organiser, event=import_event, data=xlsx(ROWS), on_duplicate="skip")
    assert "on_duplicate" in exc.value.errors


def test_the_template_has_the_headers_in_the_readers_language():
    from django.utils import translation

    ws = load_workbook(io.BytesIO(excel_guests.template_workbook())).active
    assert [c.value for c in ws[1]] == list(excel_guests.HEADERS) and ws.max_row == 1
    with translation.override("en"):
        ws = load_workbook(io.BytesIO(excel_guests.template_workbook())).active
    assert [c.value for c in ws[1]] == list(excel_guests.HEADERS_EN)


def test_the_export_reads_back_and_is_audited(import_event, organiser):
    # PIPL: who exported whose data
    run(import_event, organiser, xlsx(ROWS[:3]))
    qs = Guest.objects.filter(event=import_event).order_by("sort_key")
    content = excel_guests.guests_workbook(actor=organiser, event=import_event, guests=qs, filters={"q": "x"})
    entry = AuditEntry.objects.get(action="outreach.guest.export")
    assert entry.after == {"count": 3, "filters": {"q": "x"}} and entry.actor == organiser
    Guest.objects.all().delete()
    report = run(import_event, organiser, content)
    assert report["imported"] == 3 and report["refused"] == 0
