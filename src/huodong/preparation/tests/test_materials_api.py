"""《活动物料明细表》 (MT-1) through the API: every operation with valid and invalid data, 409 and 428."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from huodong.core.services import token_create
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event, media_root  # noqa: F401
from huodong.preparation import excel_materials as xl
from huodong.preparation.models import MaterialFile, MaterialItem, Vendor
from huodong.preparation.services import materials as svc

from .test_materials import PNG, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep(organiser) -> Event:
    return make_event(organiser, step=Step.MATERIALS)


@pytest.fixture
def api(client, organiser):
    secret = token_create(user=organiser)[1]

    def call(method: str, path: str, data=None, headers=None, multipart=False):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {secret}", **(headers or {})}
        if method == "GET":
            return client.get(path, data or {}, **extra)
        if multipart:
            return client.post(path, data, **extra)
        return client.generic(method, path, json.dumps(data or {}), "application/json", **extra)

    return call


def base(event: Event) -> str:
    return f"/api/events/{event.pk}/materials"


def test_create_list_get(api, prep, organiser):
    # REQ: MT-1
    vendor = Vendor.objects.create(name="星辰印务")
    r = api(
        "POST",
        base(prep),
        {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1", "owner": organiser.username,
         "due_on": "2027-03-10", "vendor_id": vendor.pk},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["owner"] == organiser.username and body["vendor_name"] == "星辰印务" and body["overdue"] is False
    )
    assert r["ETag"] == '"r1"'
    listed = api("GET", base(prep)).json()
    assert listed["total"] == 1 and listed["items"][0]["kind_label"] == "宣传物料"
    assert listed["last_day"] == "2027-03-18"
    assert api("GET", f"{base(prep)}/{body['id']}").json()["name"] == "海报"
    assert api("GET", f"{base(prep)}/999999").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": -5}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"kind": "poster"}, "kind"),
        ({"name": ""}, "name"),
        ({"due_on": "2027-03-19"}, "due_on"),
        ({"due_on": "tomorrow"}, "due_on"),
        ({"owner": "nobody_here"}, "owner"),
        ({"vendor_id": 999999}, "vendor_id"),
        ({"status": "waived"}, "waive_reason"),
        ({"status": "lost"}, "status"),
    ],
)
def test_create_invalid_is_400_naming_the_field(api, prep, payload, field):
    r = api("POST", base(prep), {"kind": "gift", "name": "伴手礼", "quantity": 1, **payload})
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert not MaterialItem.objects.exists()


def test_patch_valid_stale_and_missing_revision(api, prep, organiser):
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    path = f"{base(prep)}/{item.pk}"
    r = api("PATCH", path, {"revision": 1, "quantity": 5, "owner": organiser.username})
    assert r.status_code == 200 and r.json()["quantity"] == 5 and r["ETag"] == '"r2"'
    r = api("PATCH", path, {"owner": None}, headers={"HTTP_IF_MATCH": '"r2"'})
    assert r.status_code == 200 and r.json()["owner"] is None
    r = api("PATCH", path, {"revision": 1, "quantity": 6})
    assert r.status_code == 409 and r.json()["code"] == "stale"
    assert r.json()["current"]["quantity"] == 5
    assert api("PATCH", path, {"quantity": 6}).status_code == 428
    r = api("PATCH", path, {"revision": 3, "quantity": 0})
    assert r.status_code == 400 and "quantity" in r.json()["errors"]
    item.refresh_from_db()
    assert item.quantity == 5


def test_status_change(api, prep, organiser):
    # REQ: MT-1
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    path = f"{base(prep)}/{item.pk}/status"
    r = api("POST", path, {"revision": 1, "status": "accepted"})
    assert r.status_code == 200 and r.json()["status_label"] == "已验收"
    r = api("POST", path, {"revision": 2, "status": "waived"})
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api("POST", path, {"revision": 2, "status": "bogus"})
    assert r.status_code == 400 and "status" in r.json()["errors"]
    assert api("POST", path, {"revision": 1, "status": "ordered"}).status_code == 409
    assert api("POST", path, {"status": "ordered"}).status_code == 428
    r = api("POST", path, {"revision": 2, "status": "waived", "reason": "客户自带"})
    assert r.status_code == 200 and r.json()["waive_reason"] == "客户自带"


def test_delete(api, prep, organiser):
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    path = f"{base(prep)}/{item.pk}"
    assert api("DELETE", path).status_code == 428
    assert api("DELETE", path + "?revision=9").status_code == 409
    assert api("DELETE", path + "?revision=1").status_code == 204
    assert not MaterialItem.objects.exists()


def test_template(api, prep):
    # REQ: MT-1
    first = api("POST", f"{base(prep)}/from-template").json()
    assert first["created"] == len(prep.event_type.materials) and first["existing"] == 0
    again = api("POST", f"{base(prep)}/from-template").json()
    assert again == {"created": 0, "existing": first["created"]}


def test_template_refused_in_the_wrong_step(api, prep):
    Event.objects.filter(pk=prep.pk).update(step=Step.APPROVAL)
    r = api("POST", f"{base(prep)}/from-template")
    assert r.status_code == 400 and r.json()["code"] == "wrong_step"


def test_export_and_import_round_trip(api, prep, organiser):
    # REQ: MT-1
    svc.materials_from_template(actor=organiser, event=prep)
    r = api("GET", f"/api/events/{prep.pk}/materials.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == xl.EXCEL_CONTENT_TYPE
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb[xl.SHEET]
    ws["C2"] = 42
    out = io.BytesIO()
    wb.save(out)
    r = api(
        "POST",
        f"{base(prep)}/import",
        {"file": SimpleUploadedFile("物料.xlsx", out.getvalue())},
        multipart=True,
    )
    assert r.status_code == 200, r.content
    assert r.json()["updated"] == 1 and r.json()["created"] == 0
    assert MaterialItem.objects.get(event=prep, name=ws["B2"].value).quantity == 42


def test_import_refused_lists_every_bad_row(api, prep):
    # REQ: MT-1
    data = xlsx(
        [["礼品", "伴手礼", -1, "", "", "", "", "", ""], ["礼品", "杯子", 1, "", "ghost", "", "", "", ""]]
    )
    r = api("POST", f"{base(prep)}/import", {"file": SimpleUploadedFile("m.xlsx", data)}, multipart=True)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "import_refused"
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "数量"), (3, "负责人")]
    assert "file" in body["errors"]
    assert not MaterialItem.objects.exists()


@pytest.mark.parametrize("content", [b"hello", b"PK\x03\x04 broken"])
def test_import_not_excel(api, prep, content):
    r = api("POST", f"{base(prep)}/import", {"file": SimpleUploadedFile("m.xlsx", content)}, multipart=True)
    assert r.status_code == 400
    assert r.json()["problems"][0]["row"] == 0 and "不是 Excel 文件" in r.json()["message"]


def test_import_without_a_file(api, prep):
    r = api("POST", f"{base(prep)}/import", {}, multipart=True)
    assert r.status_code == 400 and "file" in r.json()["errors"]


@pytest.mark.usefixtures("media_root")
def test_files(api, prep, organiser):
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    path = f"{base(prep)}/{item.pk}/files"
    r = api("POST", path, {"file": SimpleUploadedFile("到货.png", PNG)}, multipart=True)
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    file_id = r.json()["id"]
    r = api("POST", path, {"file": SimpleUploadedFile("x.png", b"GIF89a")}, multipart=True)
    assert r.status_code == 400 and "file" in r.json()["errors"]
    download = api("GET", f"{path}/{file_id}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert api("GET", base(prep)).json()["items"][0]["files"][0]["id"] == file_id
    assert api("DELETE", f"{path}/{file_id}?revision=5").status_code == 409
    assert api("DELETE", f"{path}/{file_id}?revision=1").status_code == 204
    assert not MaterialFile.objects.exists()


def test_a_colleague_may_read_but_not_write(client, prep, outsider, organiser):
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    secret = token_create(user=outsider)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(base(prep), **auth).status_code == 200
    r = client.post(
        base(prep), json.dumps({"kind": "gift", "name": "杯", "quantity": 1}), "application/json", **auth
    )
    assert r.status_code == 403
    r = client.post(
        f"{base(prep)}/{item.pk}/status",
        json.dumps({"revision": 1, "status": "ordered"}),
        "application/json",
        **auth,
    )
    assert r.status_code == 403
    r = client.post(f"{base(prep)}/import", {"file": SimpleUploadedFile("m.xlsx", b"x")}, **auth)
    assert r.status_code == 403


def test_upload_without_a_file_names_the_field(api, prep, organiser):
    item = svc.material_add(actor=organiser, event=prep, kind="gift", name="伴手礼", quantity=1)
    r = api("POST", f"{base(prep)}/{item.pk}/files", {}, multipart=True)
    assert r.status_code == 400 and "file" in r.json()["errors"]


def test_the_list_reads_a_fixed_number_of_queries(api, prep, organiser, django_assert_max_num_queries):
    vendor = Vendor.objects.create(name="礼品坊")
    for i in range(30):
        item = MaterialItem.objects.create(
            event=prep, kind="gift", name=f"礼品{i}", quantity=1, owner=organiser, vendor=vendor, position=i
        )
        MaterialFile.objects.create(item=item, event=prep, original_name="a.png", uploaded_by=organiser)
    with django_assert_max_num_queries(20):
        body = api("GET", base(prep)).json()
    assert body["total"] == 30 and all(len(i["files"]) == 1 for i in body["items"])
