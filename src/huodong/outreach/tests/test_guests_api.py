"""The guest list API: every operation with valid and invalid input (400 naming the field, never 500),
revisions (428/409), masking for readers who are not editors, import, export, quotas and jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.outreach.models import Guest
from huodong.planning.tests.conftest import make_event
from tests.factories import login

from .test_import import ROWS, xlsx

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def api_event(organiser):
    return make_event(organiser, step=Step.NOTIFICATION)


def _b(event):
    return f"/api/events/{event.pk}"


def test_guest_crud(client, api_event, organiser):
    # REQ: NT-2
    login(client, organiser)
    r = client.post(
        f"{_b(api_event)}/guests",
        {"name": "王小明", "phone": "13812345678", "department": "sales"},
        content_type=J,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "+8613812345678" and body["department"] == "sales" and r["ETag"] == '"r1"'
    url = f"{_b(api_event)}/guests/{body['id']}"
    assert client.get(url).json()["name"] == "王小明"
    listed = client.get(f"{_b(api_event)}/guests", {"q": "wxm"}).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert client.get(f"{_b(api_event)}/guests", {"q": "5678"}).json()["count"] == 1
    assert client.patch(url, {"title": "CTO"}, content_type=J).status_code == 428
    ok = client.patch(url, {"title": "CTO"}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert ok.status_code == 200 and ok.json()["title"] == "CTO"
    assert client.patch(url, {"title": "x", "revision": 1}, content_type=J).status_code == 409
    st = client.post(f"{url}/status", {"status": "no_show", "revision": 2}, content_type=J)
    assert st.status_code == 200 and st.json()["status"] == "no_show"
    assert client.delete(f"{url}?revision=3").status_code == 204
    assert not Guest.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "甲", "phone": "123"}, "phone"),
        ({"name": "甲", "email": "@@"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "甲", "category": "boss"}, "category"),
        ({"name": "甲", "department": "nope"}, "department"),
        ({"name": "甲", "invited_by": "nobody"}, "invited_by"),
        ({"name": "甲" * 101}, "name"),
        ({"name": "甲\x00"}, "name"),
        ({"name": "甲", "status": "checked_in"}, "status"),
        ({"name": "甲", "language": "fr"}, "language"),
    ],
)
def test_bad_guest_input_is_a_400_naming_the_field(client, api_event, organiser, payload, field):
    login(client, organiser)
    r = client.post(f"{_b(api_event)}/guests", payload, content_type=J)
    assert r.status_code == 400 and field in r.json()["errors"], r.content
    assert not Guest.objects.exists()


def test_the_field_is_named_in_english(client, api_event, organiser):
    login(client, organiser)
    r = client.post(
        f"{_b(api_event)}/guests", {"name": "甲", "phone": "123"}, content_type=J, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 400 and "phone" in r.json()["errors"]


def test_readers_see_masked_contacts(client, api_event, organiser, checkin_staff):
    # PIPL
    Guest.objects.create(event=api_event, name="甲", phone="+8613812345678", email="jia@example.com")
    login(client, checkin_staff)
    row = client.get(f"{_b(api_event)}/guests").json()["results"][0]
    assert row["phone"] == "138****5678" and row["email"] == "j***@example.com" and row["masked"]
    assert client.get(f"{_b(api_event)}/guests.xlsx").status_code == 403


def test_filters_are_checked(client, api_event, organiser):
    login(client, organiser)
    assert client.get(f"{_b(api_event)}/guests", {"status": "bogus"}).status_code == 400
    assert client.get(f"{_b(api_event)}/guests", {"page_size": 0}).status_code == 400


def test_bulk(client, api_event, organiser):
    login(client, organiser)
    ids = [
        Guest.objects.create(event=api_event, name=f"甲{i}", phone=f"+86139000000{i:02d}").pk
        for i in range(3)
    ]
    r = client.post(
        f"{_b(api_event)}/guests/bulk",
        {"action": "category", "guest_ids": ids[:2], "value": "vip"},
        content_type=J,
    )
    assert r.status_code == 200 and r.json()["count"] == 2
    r = client.post(
        f"{_b(api_event)}/guests/bulk",
        {"action": "department", "filters": {"q": "甲"}, "value": "sales"},
        content_type=J,
    )
    assert r.json()["count"] == 3
    r = client.post(
        f"{_b(api_event)}/guests/bulk",
        {"action": "send", "guest_ids": ids, "kind": "invitation", "channels": ["sms"]},
        content_type=J,
    )
    assert r.status_code == 200 and r.json()["count"] == 3
    for payload, field in [
        ({"action": "explode", "guest_ids": ids}, "action"),
        ({"action": "category", "guest_ids": ids, "value": "boss"}, "value"),
        ({"action": "category", "value": "vip"}, "guest_ids"),
        ({"action": "send", "guest_ids": ids}, "kind"),
        ({"action": "department", "guest_ids": ids, "value": "nope"}, "value"),
    ]:
        r = client.post(f"{_b(api_event)}/guests/bulk", payload, content_type=J)
        assert r.status_code == 400 and field in r.json()["errors"], (payload, r.content)


def test_import_and_export(client, api_event, organiser):
    # REQ: NT-2
    login(client, organiser)
    r = client.post(
        f"{_b(api_event)}/guests/import",
        {"file": SimpleUploadedFile("g.xlsx", xlsx(ROWS)), "on_duplicate": "merge"},
    )
    assert r.status_code == 200, r.content
    assert (r.json()["report"]["imported"], r.json()["report"]["refused"]) == (3, 2)
    job = client.get(f"{_b(api_event)}/jobs/{r.json()['id']}")
    assert job.status_code == 200 and job.json()["status"] == "done"
    assert client.get(f"{_b(api_event)}/jobs/999999").status_code == 404
    bad = client.post(f"{_b(api_event)}/guests/import", {"file": SimpleUploadedFile("g.xlsx", b"junk\x00")})
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    missing = client.post(f"{_b(api_event)}/guests/import", {})
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    choice = client.post(
        f"{_b(api_event)}/guests/import",
        {"file": SimpleUploadedFile("g.xlsx", xlsx(ROWS)), "on_duplicate": "x"},
    )
    assert choice.status_code == 400 and "on_duplicate" in choice.json()["errors"]
    x = client.get(f"{_b(api_event)}/guests.xlsx", {"category": "vip"})
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.get(action="outreach.guest.export").after["count"] == 1


def test_quotas(client, api_event, organiser):
    # REQ: NT-1
    login(client, organiser)
    r = client.post(
        f"{_b(api_event)}/quotas",
        {"department": "sales", "quota": 20, "contact": "organiser"},
        content_type=J,
    )
    assert r.status_code == 201, r.content
    q = r.json()
    assert (q["quota"], q["added"], q["shortfall"], q["contact"]) == (20, 0, 20, "organiser")
    assert client.get(f"{_b(api_event)}/quotas").json()[0]["id"] == q["id"]
    url = f"{_b(api_event)}/quotas/{q['id']}"
    for payload, field in [
        ({"department": "nope", "quota": 1}, "department"),
        ({"department": "product", "quota": -1}, "quota"),
        ({"department": "sales", "quota": 3}, "department"),
        ({"department": "legal", "quota": 3, "contact": "x"}, "contact"),
    ]:
        bad = client.post(f"{_b(api_event)}/quotas", payload, content_type=J)
        assert bad.status_code == 400 and field in bad.json()["errors"], payload
    assert client.patch(url, {"quota": 10}, content_type=J).status_code == 428
    ok = client.patch(url, {"quota": 10}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert ok.status_code == 200 and ok.json()["quota"] == 10
    bad = client.post(f"{url}/accept-shortfall", {"reason": "", "revision": 2}, content_type=J)
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    acc = client.post(f"{url}/accept-shortfall", {"reason": "客户出差", "revision": 2}, content_type=J)
    assert acc.status_code == 200 and acc.json()["accepted"]
    assert client.delete(f"{url}?revision=3").status_code == 204
