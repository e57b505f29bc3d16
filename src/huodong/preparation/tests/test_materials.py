"""《活动物料明细表》 (MT-1): the services' rules and the Excel export and import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event, media_root  # noqa: F401
from huodong.preparation import excel_materials as xl
from huodong.preparation.models import MaterialFile, MaterialItem, TeamMember, Vendor
from huodong.preparation.services import materials as svc
from tests.factories import person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def prep(organiser) -> Event:
    """A launch (2027-03-18, Shanghai) at 物料筹备, owned by the organiser."""
    return make_event(organiser, step=Step.MATERIALS)


@pytest.fixture
def vendor() -> Vendor:
    return Vendor.objects.create(name="星辰印务", categories=["printing"])


def add(event: Event, by: Any, **kw: Any) -> MaterialItem:
    data: dict[str, Any] = {"kind": "publicity", "name": "海报", "quantity": 10}
    data.update(kw)
    return svc.material_add(actor=by, event=event, **data)


def xlsx(
    rows: list[list[Any]], *, headers: tuple[str, ...] | list[str] = xl.HEADERS, sheet: str = xl.SHEET
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(exc: pytest.ExceptionInfo[DomainError]) -> dict[str, list[str]]:
    return exc.value.as_dict()


# ---------------------------------------------------------------- add, update, remove
def test_add_valid_item(prep, organiser, vendor):
    # REQ: MT-1
    item = add(
        prep, organiser, spec="A1", owner=organiser, due_on=dt.date(2027, 3, 10), vendor=vendor, note="哑光"
    )
    item.refresh_from_db()
    assert (item.kind, item.name, item.quantity, item.spec) == ("publicity", "海报", 10, "A1")
    assert item.owner == organiser and item.vendor == vendor and item.status == "to_order"
    assert AuditEntry.objects.filter(action="preparation.material.add", target_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": -3}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "三"}, "quantity"),
        ({"quantity": svc.MAX_QUANTITY + 1}, "quantity"),
        ({"kind": "poster"}, "kind"),
        ({"name": "  "}, "name"),
        ({"name": "海\x00报"}, "name"),
        ({"name": "长" * 201}, "name"),
        ({"spec": "x" * 301}, "spec"),
        ({"due_on": dt.date(2027, 3, 19)}, "due_on"),
        ({"status": "lost"}, "status"),
        ({"status": "waived"}, "waive_reason"),
    ],
)
def test_add_invalid_item_writes_nothing(prep, organiser, changes, field):
    # REQ: MT-1
    with pytest.raises(DomainError) as exc:
        add(prep, organiser, **changes)
    assert field in errors_of(exc)
    assert not MaterialItem.objects.exists()


def test_deadline_on_the_event_day_is_allowed_the_day_after_is_not(prep, organiser):
    # REQ: MT-1
    assert add(prep, organiser, due_on=dt.date(2027, 3, 18)).due_on == dt.date(2027, 3, 18)
    with pytest.raises(DomainError) as exc:
        add(prep, organiser, name="易拉宝", due_on=dt.date(2027, 3, 19))
    assert "2027-03-18" in errors_of(exc)["due_on"][0]


def test_inactive_vendor_and_inactive_owner_are_refused(prep, organiser, vendor):
    vendor.is_active = False
    vendor.save()
    gone = person("gone", Role.STAFF, "marketing")
    gone.is_active = False
    gone.save()
    with pytest.raises(DomainError) as exc:
        add(prep, organiser, vendor=vendor, owner=gone)
    assert {"vendor", "owner"} <= set(errors_of(exc))


def test_name_is_unique_within_its_category(prep, organiser):
    add(prep, organiser)
    with pytest.raises(DomainError) as exc:
        add(prep, organiser)
    assert "name" in errors_of(exc)
    assert add(prep, organiser, kind="gift").kind == "gift"  # another category may use the name


def test_only_editors_write_and_only_in_the_preparation_steps(prep, organiser, outsider):
    with pytest.raises(NotAllowed):
        add(prep, outsider)
    Event.objects.filter(pk=prep.pk).update(step=Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        add(prep, organiser)
    assert exc.value.code == "wrong_step"
    assert not MaterialItem.objects.exists()


def test_update_says_the_revision_it_saw(prep, organiser):
    item = add(prep, organiser)
    svc.material_update(actor=organiser, event=prep, material_id=item.pk, seen=item.revision, quantity=12)
    item.refresh_from_db()
    assert item.quantity == 12 and item.revision == 2
    with pytest.raises(Stale):  # 409: someone saved first
        svc.material_update(actor=organiser, event=prep, material_id=item.pk, seen=1, quantity=13)
    with pytest.raises(PreconditionRequired):  # 428
        svc.material_update(actor=organiser, event=prep, material_id=item.pk, seen=None, quantity=13)
    with pytest.raises(DomainError) as exc:
        svc.material_update(actor=organiser, event=prep, material_id=item.pk, seen=2, quantity=-1)
    assert "quantity" in errors_of(exc)
    with pytest.raises(DomainError) as exc:
        svc.material_update(actor=organiser, event=prep, material_id=item.pk, seen=2, colour="red")
    assert "colour" in errors_of(exc)
    item.refresh_from_db()
    assert item.quantity == 12


def test_remove_deletes_the_item_and_refuses_a_stale_revision(prep, organiser):
    item = add(prep, organiser)
    with pytest.raises(Stale):
        svc.material_remove(actor=organiser, event=prep, material_id=item.pk, seen=item.revision + 1)
    svc.material_remove(actor=organiser, event=prep, material_id=item.pk, seen=item.revision)
    assert not MaterialItem.objects.exists()


# ---------------------------------------------------------------- status
def test_status_runs_forward_and_waived_requires_a_reason(prep, organiser):
    # REQ: MT-1
    item = add(prep, organiser)
    for status in ("ordered", "arrived", "accepted"):
        item = svc.material_status_set(
            actor=organiser, event=prep, material_id=item.pk, seen=item.revision, status=status
        )
        assert item.status == status
    with pytest.raises(DomainError) as exc:
        svc.material_status_set(
            actor=organiser, event=prep, material_id=item.pk, seen=item.revision, status="waived"
        )
    assert "reason" in errors_of(exc)
    item.refresh_from_db()
    assert item.status == "accepted"
    item = svc.material_status_set(
        actor=organiser,
        event=prep,
        material_id=item.pk,
        seen=item.revision,
        status="waived",
        reason="客户自带",
    )
    assert (item.status, item.waive_reason) == ("waived", "客户自带")
    item = svc.material_status_set(
        actor=organiser, event=prep, material_id=item.pk, seen=item.revision, status="to_order"
    )
    assert (item.status, item.waive_reason) == ("to_order", "")
    with pytest.raises(DomainError) as exc:
        svc.material_status_set(
            actor=organiser, event=prep, material_id=item.pk, seen=item.revision, status="gone"
        )
    assert "status" in errors_of(exc)
    with pytest.raises(Stale):
        svc.material_status_set(actor=organiser, event=prep, material_id=item.pk, seen=1, status="ordered")


def test_the_items_owner_may_move_its_status_others_may_not(prep, organiser, outsider):
    staff = person("mt_staff", Role.STAFF, "marketing")
    TeamMember.objects.create(event=prep, person=staff)
    item = add(prep, organiser, owner=staff)
    other = add(prep, organiser, name="易拉宝")
    item = svc.material_status_set(
        actor=staff, event=prep, material_id=item.pk, seen=item.revision, status="ordered"
    )
    assert item.status == "ordered"
    with pytest.raises(NotAllowed):
        svc.material_status_set(
            actor=staff, event=prep, material_id=other.pk, seen=other.revision, status="ordered"
        )
    with pytest.raises(NotAllowed):
        svc.material_status_set(
            actor=outsider, event=prep, material_id=item.pk, seen=item.revision, status="arrived"
        )
    with pytest.raises(NotAllowed):  # but not edit the item
        svc.material_update(actor=staff, event=prep, material_id=item.pk, seen=item.revision, quantity=1)


def test_overdue_is_a_passed_deadline_not_accepted_nor_waived(prep, organiser):
    # REQ: MT-1
    past = timezone.localdate() - dt.timedelta(days=3)
    late = add(prep, organiser, due_on=past)
    accepted = add(prep, organiser, name="易拉宝", due_on=past, status="accepted")
    waived = add(prep, organiser, name="手册", due_on=past, status="waived", waive_reason="改电子版")
    undated = add(prep, organiser, name="指示牌")
    today = svc.event_today(prep)
    assert late.is_overdue(today)
    assert not accepted.is_overdue(today) and not waived.is_overdue(today) and not undated.is_overdue(today)
    assert not late.is_overdue(past)  # on its deadline it is not late yet


# ---------------------------------------------------------------- the event type's template
def test_template_creates_the_types_items_once(prep, organiser):
    # REQ: MT-1
    add(prep, organiser, quantity=99)  # 海报 already listed by hand
    first = svc.materials_from_template(actor=organiser, event=prep)
    expected = len(prep.event_type.materials)
    assert first == {"created": expected - 1, "existing": 1}
    assert svc.materials_from_template(actor=organiser, event=prep) == {"created": 0, "existing": expected}
    assert MaterialItem.objects.filter(event=prep).count() == expected
    assert MaterialItem.objects.get(event=prep, name="海报").quantity == 99
    kinds = set(MaterialItem.objects.filter(event=prep).values_list("kind", flat=True))
    assert kinds == {"publicity", "event", "gift"}


def test_template_skips_broken_rows(prep, organiser):
    et = prep.event_type
    et.materials = [{"kind": "gift", "name": "U 盘", "quantity": 5}, {"kind": "nope", "name": "x"}, "junk",
                    {"kind": "gift", "name": "", "quantity": 1}, {"kind": "gift", "name": "杯", "quantity": -2}]  # fmt: skip
    et.save()
    assert svc.materials_from_template(actor=organiser, event=prep) == {"created": 1, "existing": 0}


# ---------------------------------------------------------------- photos and files
@pytest.mark.usefixtures("media_root")
def test_file_upload_checks_size_and_type(prep, organiser, settings):
    # REQ: MT-1
    item = add(prep, organiser)
    stored = svc.material_file_add(
        actor=organiser,
        event=prep,
        material_id=item.pk,
        file=SimpleUploadedFile("到货.png", PNG, "image/png"),
    )
    assert stored.content_type == "image/png" and stored.size == len(PNG) and stored.item == item
    bad = [
        SimpleUploadedFile("x.exe", b"MZ" + b"\x00" * 10),
        SimpleUploadedFile("x.png", b"not a png at all"),
        SimpleUploadedFile("x.pdf", b""),
    ]
    for upload in bad:
        with pytest.raises(DomainError) as exc:
            svc.material_file_add(actor=organiser, event=prep, material_id=item.pk, file=upload)
        assert "file" in errors_of(exc)
    settings.HUODONG_MAX_UPLOAD_BYTES = 10
    with pytest.raises(DomainError) as exc:
        svc.material_file_add(
            actor=organiser, event=prep, material_id=item.pk, file=SimpleUploadedFile("b.png", PNG)
        )
    assert "超过上限" in errors_of(exc)["file"][0]
    assert MaterialFile.objects.count() == 1
    with pytest.raises(Stale):
        svc.material_file_remove(
            actor=organiser,
            event=prep,
            material_id=item.pk,
            material_file_id=stored.pk,
            seen=stored.revision + 1,
        )
    svc.material_file_remove(
        actor=organiser, event=prep, material_id=item.pk, material_file_id=stored.pk, seen=stored.revision
    )
    assert not MaterialFile.objects.exists()


# ---------------------------------------------------------------- Excel export
def test_export_has_one_sheet_with_a_bold_frozen_header_and_real_dates(prep, organiser, vendor):
    # REQ: MT-1
    add(prep, organiser, spec="A1", owner=organiser, due_on=dt.date(2027, 3, 10), vendor=vendor)
    add(prep, organiser, kind="gift", name="伴手礼", quantity=220, status="waived", waive_reason="预算调整")
    add(prep, organiser, kind="event", name="签到台", quantity=2)
    wb = load_workbook(io.BytesIO(xl.materials_workbook(prep)))
    assert wb.sheetnames == [xl.SHEET]
    ws = wb[xl.SHEET]
    assert [c.value for c in ws[1]] == list(xl.HEADERS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == xl.WIDTHS[1]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["宣传物料", "活动物料", "礼品"]  # by category, in the sheet's order
    assert rows[0][4] == organiser.display_name and rows[0][6] == "星辰印务" and rows[0][7] == "待下单"
    assert isinstance(rows[0][5], dt.datetime) and rows[0][5].date() == dt.date(2027, 3, 10)
    assert ws["F2"].number_format == "yyyy-mm-dd"
    assert rows[2][7] == "不再需要"


def test_export_writes_a_shared_name_as_the_username(prep, organiser):
    twin = person("organiser_twin", Role.STAFF, "marketing", name=organiser.display_name)
    add(prep, organiser, owner=twin)
    ws = load_workbook(io.BytesIO(xl.materials_workbook(prep)))[xl.SHEET]
    assert ws["E2"].value == "organiser_twin"


# ---------------------------------------------------------------- Excel import
def test_round_trip_export_edit_with_openpyxl_import(prep, organiser, vendor, marketing_mgr):
    # REQ: MT-1 — export, edit with openpyxl, import, check the changes
    svc.materials_from_template(actor=organiser, event=prep)
    poster = MaterialItem.objects.get(event=prep, name="海报")
    svc.material_update(
        actor=organiser, event=prep, material_id=poster.pk, seen=poster.revision, owner=organiser,
        due_on=dt.date(2027, 3, 1), vendor=vendor,
    )  # fmt: skip
    before = MaterialItem.objects.filter(event=prep).count()
    wb = load_workbook(io.BytesIO(xl.materials_workbook(prep)))
    ws = wb[xl.SHEET]
    by_name = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(by_name["海报"], 3).value = 15  # quantity
    ws.cell(by_name["海报"], 8).value = "已验收"  # status by label
    ws.cell(by_name["易拉宝"], 5).value = marketing_mgr.username  # owner by username
    ws.cell(by_name["易拉宝"], 6).value = dt.date(2027, 3, 12)
    ws.cell(by_name["签到台"], 8).value = "ordered"  # status by code
    ws.append(
        [
            "礼品",
            "定制 U 盘",
            200,
            "32 GB",
            marketing_mgr.display_name,
            "2027-03-05",
            "星辰印务",
            "",
            "刻 logo",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    result = xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert (result.created, result.updated, result.unchanged) == (1, 3, before - 3)
    poster.refresh_from_db()
    assert (poster.quantity, poster.status, poster.owner, poster.vendor) == (
        15,
        "accepted",
        organiser,
        vendor,
    )
    assert poster.due_on == dt.date(2027, 3, 1) and poster.revision == 3
    banner = MaterialItem.objects.get(event=prep, name="易拉宝")
    assert banner.owner == marketing_mgr and banner.due_on == dt.date(2027, 3, 12)
    assert MaterialItem.objects.get(event=prep, name="签到台").status == "ordered"
    usb = MaterialItem.objects.get(event=prep, name="定制 U 盘")
    assert (usb.kind, usb.quantity, usb.spec, usb.owner, usb.vendor, usb.status, usb.note) == (
        "gift", 200, "32 GB", marketing_mgr, vendor, "to_order", "刻 logo",
    )  # fmt: skip
    # exported again, the file says the same thing
    again = load_workbook(io.BytesIO(xl.materials_workbook(prep)))[xl.SHEET]
    assert again.max_row == before + 2
    assert AuditEntry.objects.filter(action="preparation.material.import").count() == 1


def test_a_bad_row_refuses_everything_listing_every_bad_row(prep, organiser):
    # REQ: MT-1 — negative quantity, unknown status, unknown owner, date after the event
    add(prep, organiser, quantity=10)
    data = xlsx(
        [
            ["宣传物料", "海报", 20, "A1", "", "", "", "", ""],  # row 2: fine (would update)
            ["宣传物料", "易拉宝", -6, "", "", "", "", "", ""],  # row 3
            ["活动物料", "签到台", 2, "", "", "", "", "丢失", ""],  # row 4
            ["礼品", "伴手礼", 220, "", "nobody_here", "", "", "", ""],  # row 5
            ["活动物料", "背景板", 1, "", "", dt.date(2027, 3, 20), "", "", ""],  # row 6
            [None, None, None, None, None, None, None, None, None],  # row 7: empty, skipped
            ["礼品", "定制礼品", 220, "", "", "", "", "", ""],  # row 8: fine
        ]
    )
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=data)
    problems = {(p.row, p.column) for p in exc.value.problems}
    assert problems == {(3, "数量"), (4, "状态"), (5, "负责人"), (6, "截止日期")}
    assert exc.value.bad_rows == 4
    text = " ".join(exc.value.as_dict()["file"])
    assert "第 3 行" in text and "第 6 行" in text and "2027-03-18" in text
    assert list(MaterialItem.objects.values_list("name", "quantity")) == [("海报", 10)]  # nothing written


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["海报类", "海报", 1, "", "", "", "", "", ""], "类别"),
        (["宣传物料", "", 1, "", "", "", "", "", ""], "物料名称"),
        (["宣传物料", "海报", "", "", "", "", "", "", ""], "数量"),
        (["宣传物料", "海报", 2.5, "", "", "", "", "", ""], "数量"),
        (["宣传物料", "海报", "十", "", "", "", "", "", ""], "数量"),
        (["宣传物料", "海报", 1, "", "", "下周", "", "", ""], "截止日期"),
        (["宣传物料", "海报", 1, "", "", "", "不存在的供应商", "", ""], "供应商"),
        (["宣传物料", "海报", 1, "", "", "", "", "不再需要", ""], "备注"),
        (["宣传物料", "海报", 1, "x" * 301, "", "", "", "", ""], "规格"),
    ],
)
def test_each_kind_of_bad_cell_is_named(prep, organiser, row, column):
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=xlsx([row]))
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, column)]
    assert not MaterialItem.objects.exists()


def test_a_repeated_row_is_refused_naming_the_first(prep, organiser):
    rows = [["礼品", "伴手礼", 1, "", "", "", "", "", ""], ["礼品", "伴手礼", 2, "", "", "", "", "", ""]]
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=xlsx(rows))
    assert exc.value.problems[0].row == 3 and "第 2 行" in exc.value.problems[0].message


def test_labels_and_codes_are_accepted_and_an_empty_status_keeps_the_item(prep, organiser, vendor):
    item = add(prep, organiser, status="arrived")
    rows = [
        ["publicity", "海报", 10, "", organiser.username, "2027/03/08", "星辰印务", "", ""],
        ["GIFT", "伴手礼", 5, "", organiser.display_name, "", "", "accepted", ""],
        ["活动物料", "背景板", 1, "", "", "", "", "不再需要", "场地自带"],
    ]
    result = xl.materials_import(actor=organiser, event=prep, data=xlsx(rows))
    assert (result.created, result.updated) == (2, 1)
    item.refresh_from_db()
    assert item.status == "arrived" and item.vendor == vendor and item.due_on == dt.date(2027, 3, 8)
    gift = MaterialItem.objects.get(name="伴手礼")
    assert gift.kind == "gift" and gift.status == "accepted" and gift.owner == organiser
    backdrop = MaterialItem.objects.get(name="背景板")
    assert backdrop.status == "waived" and backdrop.waive_reason == "场地自带"


def test_a_waived_item_keeps_its_reason_on_reimport(prep, organiser):
    add(prep, organiser, status="waived", waive_reason="客户自带", note="")
    xl.materials_import(actor=organiser, event=prep, data=xl.materials_workbook(prep))
    assert MaterialItem.objects.get().waive_reason == "客户自带"


def test_a_wrong_sheet_is_refused(prep, organiser):
    # REQ: MT-1
    data = xlsx([["a", "b"]], headers=["姓名", "手机"], sheet="Sheet1")
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=data)
    assert "找不到物料明细表" in exc.value.message and "Sheet1" in exc.value.message


def test_the_materials_sheet_is_found_among_others(prep, organiser):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件用于导入物料"])
    ws = wb.create_sheet("我的物料")
    ws.append(list(xl.HEADERS))
    ws.append(["礼品", "伴手礼", 1, "", "", "", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    result = xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert result.sheet == "我的物料" and result.created == 1


def test_a_missing_column_is_named(prep, organiser):
    # REQ: MT-1
    headers = [h for h in xl.HEADERS if h != "数量"]
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=xlsx([["礼品", "伴手礼"]], headers=headers))
    assert "缺少列:数量" in exc.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"name,quantity\nposter,3\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04 this is not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
    ],
    ids=["csv", "pdf", "broken-zip", "broken-xls"],
)
def test_a_file_that_is_not_excel_is_refused(prep, organiser, data):
    # REQ: MT-1
    upload = SimpleUploadedFile("物料.xlsx", data)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, file=upload)
    assert "不是 Excel 文件" in exc.value.message


def test_a_word_file_is_not_excel(prep, organiser):
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert "不是 Excel 文件" in exc.value.message


def test_size_and_row_limits(prep, organiser, monkeypatch):
    # REQ: MT-1
    rows = [["礼品", f"礼品{i}", 1, "", "", "", "", "", ""] for i in range(4)]
    monkeypatch.setattr(xl, "MAX_IMPORT_ROWS", 3)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=xlsx(rows))
    assert "超过 3 行" in exc.value.message
    monkeypatch.setattr(xl, "MAX_IMPORT_ROWS", 10_000)
    monkeypatch.setattr(xl, "MAX_IMPORT_BYTES", 1000)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, file=SimpleUploadedFile("big.xlsx", xlsx(rows)))
    assert "超过导入上限" in exc.value.message
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=b"")
    assert "空的" in exc.value.message
    assert not MaterialItem.objects.exists()


def test_an_empty_sheet_is_refused(prep, organiser):
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=xlsx([]))
    assert "没有数据" in exc.value.message


def test_import_needs_the_right_to_edit_and_the_step(prep, organiser, outsider):
    data = xlsx([["礼品", "伴手礼", 1, "", "", "", "", "", ""]])
    with pytest.raises(NotAllowed):
        xl.materials_import(actor=outsider, event=prep, data=b"not even excel")
    Event.objects.filter(pk=prep.pk).update(step=Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        xl.materials_import(actor=organiser, event=prep, data=data)
    assert exc.value.code == "wrong_step"
    assert not MaterialItem.objects.exists()


def test_extra_columns_are_ignored_but_a_far_away_cell_is_refused(prep, organiser):
    headers = [*xl.HEADERS, "单价"]
    rows = [["礼品", "伴手礼", 1, "", "", "", "", "", "", 35], [None] * 9 + ["合计 35"]]
    result = xl.materials_import(actor=organiser, event=prep, data=xlsx(rows, headers=headers))
    assert (result.created, result.rows) == (1, 1)  # the row with only 单价 is not a material
    wb = load_workbook(io.BytesIO(xlsx([["礼品", "杯", 1, "", "", "", "", "", ""]])))
    wb[xl.SHEET].cell(2, 500).value = "x"
    wb[xl.SHEET].cell(20_000, 1).value = "礼品"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert "20,000" in exc.value.message
    wb[xl.SHEET].cell(20_000, 1).value = None
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(xl.ImportRefused) as exc:
        xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert "第 500 列" in exc.value.message
    assert MaterialItem.objects.count() == 1


def test_an_english_reader_exports_english_columns_and_imports_them_back(prep, organiser, vendor):
    # REQ: MT-1 — the same columns in the reader's language; either set of headers is read back
    from django.utils import translation

    add(prep, organiser, name="海报", quantity=10)
    with translation.override("en"):
        wb = load_workbook(io.BytesIO(xl.materials_workbook(prep)))
        assert wb.sheetnames == [xl.SHEET_EN]
        ws = wb[xl.SHEET_EN]
        assert [c.value for c in ws[1]] == list(xl.HEADERS_EN)
        assert ws.cell(2, 1).value == "Publicity materials"
        ws.cell(2, 3).value = 25
        ws.cell(2, 8).value = "Ordered"
        out = io.BytesIO()
        wb.save(out)
        result = xl.materials_import(actor=organiser, event=prep, data=out.getvalue())
    assert (result.created, result.updated) == (0, 1)
    poster = MaterialItem.objects.get(event=prep, name="海报")
    assert (poster.quantity, poster.status) == (25, "ordered")
