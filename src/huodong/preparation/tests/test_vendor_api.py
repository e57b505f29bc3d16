"""The vendor API (VD-1, VD-2): a round trip through every operation, and for each an invalid request
answered 400 naming the field (nothing written), a stale revision 409, a missing one 428."""

# ruff: noqa: F811  (the fixtures of test_vendor_setup are imported by name, and named by the tests)

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.preparation.models import (
    Contract,
    Quote,
    QuoteAttachment,
    Vendor,
    VendorNeed,
    VendorQualification,
)
from huodong.preparation.selectors import scoring_weights
from tests.factories import login

from .test_vendor_setup import line, media_root, pdf, prep_event, vendors  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api(client, organiser):
    return login(client, organiser)


def _bad(resp, field: str) -> None:
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"], resp.json()


def test_the_register_through_the_api(api, organiser):
    # REQ: VD-1
    _bad(
        api.post("/api/vendors", {"name": "星光舞美", "categories": ["rockets"]}, content_type=JSON),
        "categories",
    )
    _bad(api.post("/api/vendors", {"name": "", "categories": ["stage"]}, content_type=JSON), "name")
    assert not Vendor.objects.exists()
    resp = api.post(
        "/api/vendors",
        {
            "name": "星光舞美",
            "categories": ["stage", "av"],
            "contact_name": "张三",
            "contact_email": "a@b.cn",
        },
        content_type=JSON,
    )
    assert resp.status_code == 201, resp.content
    vendor = resp.json()
    assert vendor["categories"] == ["stage", "av"] and resp["ETag"] == '"r1"'
    vid = vendor["id"]
    resp = api.post(
        f"/api/vendors/{vid}/qualifications",
        {"name": "舞台搭建资质", "number": "A-1", "expires_on": "2021-01-01"},
        content_type=JSON,
    )
    assert resp.status_code == 201 and resp.json()["expired"] is True
    qid, qrev = resp.json()["id"], resp.json()["revision"]
    _bad(
        api.post(
            f"/api/vendors/{vid}/qualifications", {"name": "x", "expires_on": "soon"}, content_type=JSON
        ),
        "expires_on",
    )
    data = api.get(f"/api/vendors/{vid}").json()
    assert data["expired_qualifications"] == ["舞台搭建资质"]
    assert [v["name"] for v in api.get("/api/vendors", {"category": "av"}).json()] == ["星光舞美"]
    assert api.get("/api/vendors", {"category": "gifts"}).json() == []
    assert api.get("/api/vendors", {"q": "星光"}).json()[0]["id"] == vid
    _bad(api.get("/api/vendors", {"category": "rockets"}), "category")

    assert api.patch(f"/api/vendors/{vid}", {"note": "x"}, content_type=JSON).status_code == 428
    _bad(
        api.patch(f"/api/vendors/{vid}", {"contact_email": "bad", "revision": 1}, content_type=JSON),
        "contact_email",
    )
    resp = api.patch(f"/api/vendors/{vid}", {"note": "常用", "revision": 1}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["revision"] == 2
    stale = api.patch(f"/api/vendors/{vid}", {"note": "旧", "revision": 1}, content_type=JSON)
    assert stale.status_code == 409 and stale.json()["code"] == "stale"

    q = f"/api/vendors/{vid}/qualifications/{qid}"
    _bad(api.patch(q, {"name": "", "revision": qrev}, content_type=JSON), "name")
    resp = api.patch(q, {"expires_on": "2030-01-01", "revision": qrev}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["expired"] is False
    assert api.delete(q, {}, HTTP_IF_MATCH='"r1"').status_code == 409
    assert api.delete(q + "?revision=2").status_code == 204
    assert not VendorQualification.objects.exists()


def test_the_weights_through_the_api(client, organiser, admin_user):
    # REQ: VD-1
    login(client, organiser)
    assert client.get("/api/vendor-weights").json()["min_quotes"] == 3
    body = {"qualification": 25, "price": 25, "cases": 25, "delivery": 25, "min_quotes": 3, "revision": 1}
    assert client.put("/api/vendor-weights", body, content_type=JSON).status_code == 403
    login(client, admin_user)
    _bad(client.put("/api/vendor-weights", {**body, "price": 30}, content_type=JSON), "__all__")
    _bad(client.put("/api/vendor-weights", {**body, "min_quotes": 0}, content_type=JSON), "min_quotes")
    resp = client.put("/api/vendor-weights", body, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["price"] == 25
    assert client.put("/api/vendor-weights", body, content_type=JSON).status_code == 409
    assert scoring_weights().price == 25


def test_a_need_from_quotes_to_contract_through_the_api(
    api, client, prep_event, organiser, approver_gm, vendors
):
    # REQ: VD-1, VD-2
    base = f"/api/events/{prep_event.pk}/vendor-needs"
    led = line(prep_event, "LED 屏")
    _bad(
        api.post(base, {"title": "舞台", "category": "stage", "needed_by": "2027-03-19"}, content_type=JSON),
        "needed_by",
    )
    _bad(
        api.post(base, {"title": "舞台", "category": "stage", "owner": "nobody"}, content_type=JSON), "owner"
    )
    resp = api.post(
        base,
        {
            "title": "主舞台",
            "category": "stage",
            "budget_line": led.pk,
            "needed_by": "2027-03-17",
            "owner": "organiser",
        },
        content_type=JSON,
    )
    assert resp.status_code == 201, resp.content
    need = resp.json()
    n = f"{base}/{need['id']}"
    assert need["status"] == "quoting" and need["budget_line"] == led.pk and need["owner"] == "organiser"

    resp = api.patch(n, {"description": "12m×8m", "revision": 1}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["revision"] == 2
    _bad(api.patch(n, {"category": "x", "revision": 2}, content_type=JSON), "category")
    assert api.patch(n, {"title": "旧", "revision": 1}, content_type=JSON).status_code == 409

    # quotes: negative or non-numeric amount refused, one per vendor
    _bad(api.post(f"{n}/quotes", {"vendor": vendors[0].pk, "amount": "-1"}, content_type=JSON), "amount")
    _bad(api.post(f"{n}/quotes", {"vendor": vendors[0].pk, "amount": "十万"}, content_type=JSON), "amount")
    _bad(api.post(f"{n}/quotes", {"vendor": 999999, "amount": "1"}, content_type=JSON), "vendor")
    ids = []
    for v, amount, scores in [(vendors[0], "150000", (90, 80, 70)), (vendors[1], "120000", (60, 90, 80))]:
        resp = api.post(
            f"{n}/quotes",
            {
                "vendor": v.pk,
                "amount": amount,
                "qualification_score": scores[0],
                "cases_score": scores[1],
                "delivery_score": scores[2],
            },
            content_type=JSON,
        )
        assert resp.status_code == 201, resp.content
        ids.append(resp.json()["id"])
    _bad(api.post(f"{n}/quotes", {"vendor": vendors[0].pk, "amount": "1"}, content_type=JSON), "vendor")
    assert Quote.objects.count() == 2

    qurl = f"/api/events/{prep_event.pk}/quotes/{ids[0]}"
    _bad(
        api.patch(qurl, {"qualification_score": 101, "revision": 1}, content_type=JSON), "qualification_score"
    )
    assert api.patch(qurl, {"includes": "搭建", "revision": 1}, content_type=JSON).status_code == 200
    assert api.patch(qurl, {"includes": "旧", "revision": 1}, content_type=JSON).status_code == 409

    att = f"/api/events/{prep_event.pk}/quotes/{ids[0]}/attachments"
    _bad(api.post(att, {"file": SimpleUploadedFile("a.exe", b"MZ")}), "file")
    resp = api.post(att, {"file": pdf()})
    assert resp.status_code == 201, resp.content
    aid = resp.json()["id"]
    download = api.get(f"/api/events/{prep_event.pk}/quote-attachments/{aid}/download")
    assert download.status_code == 200
    assert api.delete(f"/api/events/{prep_event.pk}/quote-attachments/{aid}?revision=3").status_code == 409
    assert api.delete(f"/api/events/{prep_event.pk}/quote-attachments/{aid}?revision=1").status_code == 204
    assert not QuoteAttachment.objects.exists()

    # comparison JSON: expired qualification flagged, price scores and weighted scores
    comp = api.get(f"{n}/comparison").json()
    assert comp["enough_quotes"] is False and comp["weights"]["price"] == 40
    rows = {r["vendor_name"]: r for r in comp["rows"]}
    assert rows["华彩搭建"]["expired_qualifications"] == ["舞台搭建资质证书"]
    assert rows["华彩搭建"]["price_score"] == "100.00" and rows["星光舞美"]["price_score"] == "80.00"

    # two quotes: the choice is refused until an approver records an exception
    need = api.get(n).json()
    few = api.post(
        f"{n}/choose", {"quote": ids[1], "reason": "便宜", "revision": need["revision"]}, content_type=JSON
    )
    assert few.status_code == 400 and "少于规定的 3 家" in few.json()["message"]
    denied = api.post(f"{n}/exception", {"reason": "急", "revision": need["revision"]}, content_type=JSON)
    assert denied.status_code == 403
    login(client, approver_gm)
    _bad(
        client.post(f"{n}/exception", {"reason": "", "revision": need["revision"]}, content_type=JSON),
        "reason",
    )
    resp = client.post(
        f"{n}/exception", {"reason": "仅两家有资质", "revision": need["revision"]}, content_type=JSON
    )
    assert resp.status_code == 200 and resp.json()["exception_by"] == "approver_gm"
    login(client, organiser)
    rev = resp.json()["revision"]
    _bad(
        api.post(f"{n}/choose", {"quote": ids[1], "reason": "", "revision": rev}, content_type=JSON), "reason"
    )
    assert (
        api.post(
            f"{n}/choose", {"quote": ids[1], "reason": "x", "revision": 1}, content_type=JSON
        ).status_code
        == 409
    )
    resp = api.post(
        f"{n}/choose", {"quote": ids[1], "reason": "资质齐全", "revision": rev}, content_type=JSON
    )
    assert (
        resp.status_code == 200
        and resp.json()["status"] == "chosen"
        and resp.json()["chosen_quote"] == ids[1]
    )
    rev = resp.json()["revision"]
    closed = api.post(f"{n}/quotes", {"vendor": vendors[2].pk, "amount": "1"}, content_type=JSON)
    assert closed.status_code == 400 and closed.json()["code"] == "need_closed"
    listing = api.get(base).json()
    assert listing["budget_lines"] == [
        {"line_id": led.pk, "item": "LED 屏", "planned": "160000.00", "committed": "120000.00", "over": False}
    ]

    # the contract: delivery time and liability required
    contract = {
        "service_content": "搭建",
        "delivery_at": "2027-03-17T18:00:00",
        "liability": "逾期违约金",
        "amount": "120000",
        "revision": rev,
    }
    no_delivery = {k: v for k, v in contract.items() if k != "delivery_at"}
    _bad(api.post(f"{n}/contract", no_delivery, content_type=JSON), "delivery_at")
    _bad(api.post(f"{n}/contract", {**contract, "liability": ""}, content_type=JSON), "liability")
    _bad(
        api.post(f"{n}/contract", {**contract, "delivery_at": "2027-03-20T09:00:00"}, content_type=JSON),
        "delivery_at",
    )
    assert not Contract.objects.exists()
    resp = api.post(f"{n}/contract", contract, content_type=JSON)
    assert resp.status_code == 201, resp.content
    assert resp.json()["delivery_at"] == "2027-03-17T18:00:00+08:00"
    assert api.get(n).json()["status"] == "contracted"
    assert VendorNeed.objects.get().status == VendorNeed.Status.CONTRACTED
    assert api.get(f"{n}/contract").status_code == 200
    _bad(api.patch(f"{n}/contract", {"liability": "", "revision": 1}, content_type=JSON), "liability")
    resp = api.patch(f"{n}/contract", {"amount": "119000", "revision": 1}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["amount"] == "119000.00"
    assert api.patch(f"{n}/contract", {"amount": "1", "revision": 1}, content_type=JSON).status_code == 409
    _bad(
        api.post(f"{n}/contract/file", {"signed_file": SimpleUploadedFile("c.docx", b"PK"), "revision": 2}),
        "signed_file",
    )
    resp = api.post(f"{n}/contract/file", {"signed_file": pdf("signed.pdf"), "revision": 2})
    assert resp.status_code == 200 and resp.json()["has_signed_file"] is True

    # rating: not before the event has started
    early = api.post(f"{n}/rating", {"score": 5}, content_type=JSON)
    assert early.status_code == 400
    _bad(api.post(f"{n}/rating", {"score": 7}, content_type=JSON), "score")
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=prep_event.tz)
    Event.objects.filter(pk=prep_event.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=4), step=Step.RUN
    )
    resp = api.post(f"{n}/rating", {"score": 4, "comment": "准时"}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["score"] == 4
    assert api.get(f"/api/vendors/{vendors[1].pk}").json()["rating"] == "4.00"


def test_cancelling_a_need_through_the_api(api, prep_event, organiser):
    # REQ: VD-1
    base = f"/api/events/{prep_event.pk}/vendor-needs"
    nid = api.post(base, {"title": "礼品", "category": "gifts"}, content_type=JSON).json()["id"]
    assert api.post(f"{base}/{nid}/cancel", {}, content_type=JSON).status_code == 428
    assert api.post(f"{base}/{nid}/cancel", {"revision": 5}, content_type=JSON).status_code == 409
    resp = api.post(f"{base}/{nid}/cancel", {"revision": 1}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert api.post(f"{base}/{nid}/cancel", {"revision": 2}, content_type=JSON).status_code == 400
    assert api.get(f"{base}/999999").status_code == 404


def test_a_quote_delete_through_the_api(api, prep_event, organiser, vendors):
    # REQ: VD-1
    base = f"/api/events/{prep_event.pk}/vendor-needs"
    nid = api.post(base, {"title": "礼品", "category": "gifts"}, content_type=JSON).json()["id"]
    qid = api.post(
        f"{base}/{nid}/quotes", {"vendor": vendors[0].pk, "amount": "10"}, content_type=JSON
    ).json()["id"]
    assert api.delete(f"/api/events/{prep_event.pk}/quotes/{qid}").status_code == 428
    assert api.delete(f"/api/events/{prep_event.pk}/quotes/{qid}?revision=2").status_code == 409
    assert api.delete(f"/api/events/{prep_event.pk}/quotes/{qid}?revision=1").status_code == 204
    assert not Quote.objects.exists()
