"""The internal resources API (IR-1): every operation with valid and invalid input, revisions (428/409),
who may answer (the department's people only: others 403), the caller's department's list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huodong.core.models import Department, Notification, Role
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import ResourceRequest
from tests.factories import login, person

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def prep_event(organiser):
    return make_event(organiser, step=Step.RESOURCES)


@pytest.fixture
def tech_li(db):
    return person("tech_li", Role.STAFF, "tech", "网络工程师", "李工")


def _base(event):
    return f"/api/events/{event.pk}/resource-requests"


BODY = {"department": "tech", "what": "现场网络保障", "needed_at": "2027-03-18T09:00:00"}


def _add(client, event, **overrides):
    return client.post(_base(event), {**BODY, **overrides}, content_type=J)


def test_add_read_list(client, prep_event, organiser, marketing_mgr, tech_li):
    # REQ: IR-1
    login(client, organiser)
    resp = _add(client, prep_event)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["department"] == "tech" and body["department_name"] == "技术部"
    assert body["needed_at"].startswith("2027-03-18T09:00:00+08:00")  # read in the event's zone
    assert body["contact"] == "organiser" and body["status"] == "pending" and resp["ETag"] == '"r1"'
    assert Notification.objects.filter(recipient=tech_li, kind="resource_request").exists()
    one = client.get(f"{_base(prep_event)}/{body['id']}")
    assert one.status_code == 200 and one["ETag"] == '"r1"'
    assert [r["id"] for r in client.get(_base(prep_event)).json()] == [body["id"]]
    by_id = _add(
        client, prep_event, department=Department.objects.get(code="product").pk, contact="marketing_mgr"
    )
    assert by_id.status_code == 201 and by_id.json()["department"] == "product"
    assert by_id.json()["contact"] == "marketing_mgr"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"department": "no-such"}, "department"),
        ({"department": 999999}, "department"),
        ({"needed_at": "2027-03-19T09:00:00+08:00"}, "needed_at"),  # after the event
        ({"needed_at": "2020-01-01T09:00:00+08:00"}, "needed_at"),  # in the past
        ({"needed_at": "明天"}, "needed_at"),
        ({"what": ""}, "what"),
        ({"what": "a\x00b"}, "what"),
        ({"contact": "nobody"}, "contact"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, prep_event, organiser, overrides, field):
    # REQ: IR-1
    login(client, organiser)
    resp = _add(client, prep_event, **overrides)
    assert resp.status_code == 400, resp.content
    assert field in str(resp.json()["errors"]), resp.json()
    assert not ResourceRequest.objects.exists()


def test_a_department_that_does_not_exist_is_named(client, prep_event, organiser):
    # REQ: IR-1
    login(client, organiser)
    body = _add(client, prep_event, department="no-such").json()
    assert body["errors"]["department"] == ["协作部门「no-such」不存在;请从部门列表中选择。"]


def test_patch_needs_the_revision_and_refuses_a_stale_one(client, prep_event, organiser):
    login(client, organiser)
    rid = _add(client, prep_event).json()["id"]
    url = f"{_base(prep_event)}/{rid}"
    assert client.patch(url, {"what": "改"}, content_type=J).status_code == 428
    resp = client.patch(url, {"what": "网络+4G 备份"}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert resp.status_code == 200 and resp.json()["what"] == "网络+4G 备份" and resp["ETag"] == '"r2"'
    stale = client.patch(url, {"what": "旧的", "revision": 1}, content_type=J)
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert stale.json()["current"]["what"] == "网络+4G 备份"
    bad = client.patch(url, {"needed_at": "2027-04-01T09:00:00+08:00", "revision": 2}, content_type=J)
    assert bad.status_code == 400 and "needed_at" in bad.json()["errors"]
    bad = client.patch(url, {"department": "nope", "revision": 2}, content_type=J)
    assert bad.status_code == 400 and "department" in bad.json()["errors"]
    assert ResourceRequest.objects.get(pk=rid).revision == 2


def test_delete_cancels(client, prep_event, organiser):
    login(client, organiser)
    rid = _add(client, prep_event).json()["id"]
    url = f"{_base(prep_event)}/{rid}"
    assert client.delete(url).status_code == 428
    assert client.delete(url + "?revision=5").status_code == 409
    assert client.delete(url, HTTP_IF_MATCH='"r1"').status_code == 204
    assert ResourceRequest.objects.get(pk=rid).status == "cancelled"
    assert client.get(url).json()["status"] == "cancelled"


def test_outsiders_may_not_write(client, prep_event, organiser, reviewer_sales):
    login(client, organiser)
    rid = _add(client, prep_event).json()["id"]
    login(client, reviewer_sales)
    assert _add(client, prep_event).status_code == 403
    assert (
        client.patch(f"{_base(prep_event)}/{rid}", {"what": "x", "revision": 1}, content_type=J).status_code
        == 403
    )
    assert client.get(_base(prep_event)).status_code == 200


def test_the_department_answers(client, prep_event, organiser, tech_li):
    # REQ: IR-1
    login(client, organiser)
    rid = _add(client, prep_event).json()["id"]
    login(client, tech_li)
    mine = client.get("/api/my/resource-requests").json()
    assert [r["id"] for r in mine] == [rid] and mine[0]["event_name"] == prep_event.name
    assert client.get("/api/my/resource-requests?status=pending").json()[0]["id"] == rid
    assert client.get("/api/my/resource-requests?status=confirmed").json() == []
    assert client.get("/api/my/resource-requests?status=bogus").status_code == 400
    url = f"/api/resource-requests/{rid}/answer"
    assert client.post(url, {"decision": "confirm"}, content_type=J).status_code == 428
    no_comment = client.post(url, {"decision": "decline", "revision": 1}, content_type=J)
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    bad = client.post(url, {"decision": "ok", "revision": 1}, content_type=J)
    assert bad.status_code == 400 and "decision" in bad.json()["errors"]
    resp = client.post(
        url, {"decision": "confirm", "comment": "已安排"}, content_type=J, HTTP_IF_MATCH='"r1"'
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "confirmed" and resp.json()["responder"] == "tech_li"
    stale = client.post(url, {"decision": "decline", "comment": "不行", "revision": 1}, content_type=J)
    assert stale.status_code == 409


@pytest.mark.parametrize("who", ["reviewer_sales", "organiser", "admin_user"])
def test_only_the_department_may_answer(client, prep_event, organiser, who, request):
    # REQ: IR-1
    login(client, organiser)
    rid = _add(client, prep_event, department="product").json()["id"]
    client.logout()
    login(client, request.getfixturevalue(who))
    resp = client.post(
        f"/api/resource-requests/{rid}/answer", {"decision": "confirm", "revision": 1}, content_type=J
    )
    assert resp.status_code == 403
    assert ResourceRequest.objects.get(pk=rid).status == "pending"


def test_an_unknown_request_is_404(client, tech_li):
    login(client, tech_li)
    resp = client.post(
        "/api/resource-requests/999999/answer", {"decision": "confirm", "revision": 1}, content_type=J
    )
    assert resp.status_code == 404


def test_flagged_in_the_api(client, organiser):
    # REQ: IR-1
    soon = timezone.now() + dt.timedelta(days=1)
    event = make_event(organiser, step=Step.RESOURCES, starts=soon)
    login(client, organiser)
    resp = _add(client, event, needed_at=(soon - dt.timedelta(hours=2)).isoformat())
    assert resp.status_code == 201 and resp.json()["flagged"] is True
