"""《活动物料明细表》 (MT-1) pages: every form with valid and invalid data, stale saves, import and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huodong.core.models import Role
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event, media_root  # noqa: F401
from huodong.preparation import excel_materials as xl
from huodong.preparation.models import MaterialFile, MaterialItem, TeamMember, Vendor
from huodong.preparation.services import materials as svc
from tests.factories import login, person

from .test_materials import PNG, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep(organiser) -> Event:
    return make_event(organiser, step=Step.MATERIALS)


@pytest.fixture
def item(prep, organiser) -> MaterialItem:
    return svc.material_add(
        actor=organiser, event=prep, kind="publicity", name="海报", quantity=10, spec="A1"
    )


def url(name: str, event: Event, *args: int) -> str:
    return reverse(f"preparation:{name}", args=[event.pk, *args])


ADD = {"add-kind": "gift", "add-name": "伴手礼", "add-quantity": "220", "add-status": "to_order"}


def test_page_lists_items_by_category_and_flags_overdue(client, organiser, prep, item):
    # REQ: MT-1
    svc.material_add(
        actor=organiser, event=prep, kind="event", name="签到台", quantity=2,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )  # fmt: skip
    response = login(client, organiser).get(url("materials", prep))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.index('data-kind="publicity"') < html.index('data-kind="event"') < html.index('data-kind="gift"')
    )
    assert 'data-overdue="1"' in html and "已逾期" in html
    assert html.count('data-testid="material-overdue"') == 1
    assert "标记已下单" in html and "导入" in html


def test_the_tab_is_on_the_event(client, organiser, prep):
    html = login(client, organiser).get(url("materials", prep)).content.decode()
    assert url("materials", prep) in html and "物料" in html


def test_a_colleague_sees_the_list_read_only(client, outsider, prep, item):
    html = login(client, outsider).get(url("materials", prep)).content.decode()
    assert 'data-testid="materials-readonly"' in html
    assert "标记已下单" not in html and 'data-testid="material-add-form"' not in html


def test_add_valid_and_invalid(client, organiser, prep):
    # REQ: MT-1
    c = login(client, organiser)
    response = c.post(url("material_add", prep), ADD)
    assert response.status_code == 302
    assert MaterialItem.objects.get().name == "伴手礼"
    for bad, field in (
        ({"add-quantity": "-3"}, "数量"),
        ({"add-quantity": "abc"}, "数量"),
        ({"add-kind": "poster"}, "类别"),
        ({"add-due_on": "2027-03-19"}, "截止日期"),
        ({"add-status": "waived"}, "不再需要的原因"),
        ({"add-name": "伴手礼"}, "物料名称"),  # the same name again in 礼品
    ):
        response = c.post(url("material_add", prep), {**ADD, "add-name": "新物料", **bad})
        assert response.status_code == 400, bad
        assert f"{field}:" in response.content.decode(), bad
    assert MaterialItem.objects.count() == 1


def test_edit_valid_invalid_and_stale(client, organiser, prep, item):
    c = login(client, organiser)
    data = {
        "revision": item.revision,
        "kind": "publicity",
        "name": "海报",
        "quantity": "12",
        "status": "to_order",
    }
    html = c.get(url("materials", prep) + f"?edit={item.pk}").content.decode()
    assert 'data-testid="material-edit-form"' in html
    assert c.post(url("material_edit", prep, item.pk), data).status_code == 302
    item.refresh_from_db()
    assert item.quantity == 12 and item.revision == 2
    response = c.post(url("material_edit", prep, item.pk), {**data, "revision": 2, "quantity": "0"})
    assert response.status_code == 400
    response = c.post(url("material_edit", prep, item.pk), {**data, "quantity": "15"})  # revision 1: stale
    assert response.status_code == 409
    assert "已被" in response.content.decode()
    item.refresh_from_db()
    assert item.quantity == 12


def test_delete(client, organiser, prep, item):
    c = login(client, organiser)
    c.post(url("material_delete", prep, item.pk), {"revision": item.revision + 5})
    assert MaterialItem.objects.exists()  # stale: refused, said on the page
    assert c.post(url("material_delete", prep, item.pk), {"revision": item.revision}).status_code == 302
    assert not MaterialItem.objects.exists()


def test_quick_status_buttons_and_waived_requires_a_reason(client, organiser, prep, item):
    # REQ: MT-1
    c = login(client, organiser)
    response = c.post(url("material_status", prep, item.pk), {"revision": 1, "status": "ordered"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "ordered"
    response = c.post(
        url("material_status", prep, item.pk), {"revision": 2, "status": "waived", "reason": ""}
    )
    assert response.status_code == 400
    assert "须写明原因" in response.content.decode()
    response = c.post(url("material_status", prep, item.pk), {"revision": 1, "status": "arrived"})
    assert response.status_code == 409
    response = c.post(url("material_status", prep, item.pk), {"revision": 2, "status": "nope"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "ordered"
    response = c.post(
        url("material_status", prep, item.pk), {"revision": 2, "status": "waived", "reason": "取消"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.waive_reason) == ("waived", "取消")


def test_the_items_owner_on_the_team_moves_its_status(client, organiser, outsider, prep):
    staff = person("mt_page_staff", Role.STAFF, "marketing")
    TeamMember.objects.create(event=prep, person=staff)
    mine = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1, owner=staff)
    c = login(client, staff)
    html = c.get(url("materials", prep)).content.decode()
    assert "标记已下单" in html
    assert (
        c.post(url("material_status", prep, mine.pk), {"revision": 1, "status": "ordered"}).status_code == 302
    )
    assert c.post(url("material_edit", prep, mine.pk), {"revision": 2}).status_code == 403
    other = login(client, outsider).post(
        url("material_status", prep, mine.pk), {"revision": 2, "status": "arrived"}
    )
    assert other.status_code == 403
    mine.refresh_from_db()
    assert mine.status == "ordered"


def test_template_button_is_idempotent(client, organiser, prep):
    # REQ: MT-1
    c = login(client, organiser)
    assert c.post(url("materials_from_template", prep)).status_code == 302
    n = MaterialItem.objects.filter(event=prep).count()
    assert n == len(prep.event_type.materials)
    c.post(url("materials_from_template", prep))
    assert MaterialItem.objects.filter(event=prep).count() == n


def test_export(client, outsider, prep, item):
    response = login(client, outsider).get(url("materials_xlsx", prep))
    assert response.status_code == 200
    assert response["Content-Type"] == xl.EXCEL_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))[xl.SHEET]
    assert ws["B2"].value == "海报"


def test_import_valid(client, organiser, prep, item):
    # REQ: MT-1
    data = xlsx(
        [
            ["宣传物料", "海报", 30, "A1", "", "", "", "已下单", ""],
            ["礼品", "伴手礼", 220, "", "", "", "", "", ""],
        ]
    )
    response = login(client, organiser).post(
        url("materials_import", prep), {"imp-file": SimpleUploadedFile("物料.xlsx", data)}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.quantity, item.status) == (30, "ordered")
    assert MaterialItem.objects.count() == 2
    page = client.get(url("materials", prep)).content.decode()
    assert "新增 1 项,更新 1 项" in page


def test_import_bad_rows_lists_every_one_and_writes_nothing(client, organiser, prep, item):
    # REQ: MT-1
    data = xlsx(
        [
            ["宣传物料", "海报", -1, "", "", "", "", "", ""],
            ["礼品", "伴手礼", 1, "", "", "", "", "收到了", ""],
            ["礼品", "定制礼品", 1, "", "", "2030-01-01", "", "", ""],
        ]
    )
    response = login(client, organiser).post(
        url("materials_import", prep), {"imp-file": SimpleUploadedFile("物料.xlsx", data)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('data-testid="import-problem"') == 3
    assert "3 行有错误" in html
    item.refresh_from_db()
    assert item.quantity == 10 and MaterialItem.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "text"),
    [
        (SimpleUploadedFile("物料.csv", b"a,b\n1,2\n"), "不是 Excel 文件"),
        (
            SimpleUploadedFile("物料.xlsx", xlsx([["x"]], headers=["别的"], sheet="Sheet1")),
            "找不到物料明细表",
        ),
    ],
    ids=["not-excel", "wrong-sheet"],
)
def test_import_refuses_a_bad_file_with_a_clear_message(client, organiser, prep, upload, text):
    response = login(client, organiser).post(url("materials_import", prep), {"imp-file": upload})
    assert response.status_code == 400
    assert text in response.content.decode()


def test_import_without_a_file(client, organiser, prep):
    response = login(client, organiser).post(url("materials_import", prep), {})
    assert response.status_code == 400
    assert "Excel 文件:" in response.content.decode()


@pytest.mark.usefixtures("media_root")
def test_file_upload_valid_and_invalid(client, organiser, prep, item):
    c = login(client, organiser)
    field = f"file{item.pk}-file"
    response = c.post(url("material_file_add", prep, item.pk), {field: SimpleUploadedFile("到货.png", PNG)})
    assert response.status_code == 302
    stored = MaterialFile.objects.get()
    assert c.get(url("material_file_download", prep, item.pk, stored.pk)).status_code == 200
    response = c.post(url("material_file_add", prep, item.pk), {field: SimpleUploadedFile("x.exe", b"MZ..")})
    assert response.status_code == 400
    assert "不允许上传" in response.content.decode()
    assert MaterialFile.objects.count() == 1
    response = c.post(url("material_file_delete", prep, item.pk, stored.pk), {"revision": stored.revision})
    assert response.status_code == 302
    assert not MaterialFile.objects.exists()


def test_vendor_from_the_register(client, organiser, prep):
    vendor = Vendor.objects.create(name="礼品坊")
    c = login(client, organiser)
    assert c.post(url("material_add", prep), {**ADD, "add-vendor": vendor.pk}).status_code == 302
    assert MaterialItem.objects.get().vendor == vendor
    response = c.post(url("material_add", prep), {**ADD, "add-name": "杯", "add-vendor": "99999"})
    assert response.status_code == 400


def test_the_page_in_english(client, organiser, prep, item):
    c = login(client, organiser)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = c.get(url("materials", prep))
    assert response.status_code == 200
    assert 'data-testid="material-row"' in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(client, organiser, prep, django_assert_max_num_queries):
    vendor = Vendor.objects.create(name="礼品坊")
    for i in range(30):
        m = MaterialItem.objects.create(
            event=prep, kind="gift", name=f"礼品{i}", quantity=1, owner=organiser, vendor=vendor, position=i
        )
        MaterialFile.objects.create(item=m, event=prep, original_name="a.png", uploaded_by=organiser)
    c = login(client, organiser)
    with django_assert_max_num_queries(40):
        response = c.get(url("materials", prep))
    assert response.content.decode().count('data-testid="material-row"') == 30
