"""The administrators' robot register (DESIGN.md, "Robot webhooks"; NT-1): add, edit, disable, the
secret never shown back, a test message through the outbox to a local server; pages and API with valid
and invalid input; administrators only."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.outreach.models import Message, Robot
from huodong.outreach.tests.test_delivery_fixtures import http_stub  # noqa: F401
from tests.factories import login

pytestmark = pytest.mark.django_db
J = "application/json"
R = "/api/outreach/robots"


def test_an_admin_adds_edits_and_disables_a_robot_through_the_api(client, admin_user):  # REQ: NT-1
    login(client, admin_user)
    made = client.post(
        R, {"kind": "dingtalk", "name": "销售部钉钉群", "token": "TOK", "secret": "SECtest", "department": "sales"},
        content_type=J,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["has_secret"] is True and "secret" not in body and body["department"] == "sales"
    url = f"{R}/{body['id']}"
    assert client.patch(url, {"name": "改"}, content_type=J).status_code == 428
    assert client.patch(url, {"name": "改", "revision": 99}, content_type=J).status_code == 409
    changed = client.patch(
        url, {"is_active": False, "name": "改名"}, content_type=J, HTTP_IF_MATCH=made["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert Robot.objects.get(pk=body["id"]).secret == "SECtest"  # an edit without a secret keeps it
    assert "SECtest" not in client.get(R).content.decode()
    cleared = client.patch(
        url, {"clear_secret": True, "revision": changed.json()["revision"]}, content_type=J
    )
    assert cleared.json()["has_secret"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "slack", "name": "群", "token": "T"}, "kind"),
        ({"kind": "wecom", "name": "", "token": "T"}, "name"),
        ({"kind": "wecom", "name": "群", "token": ""}, "token"),
        ({"kind": "wecom", "name": "群", "token": "has space"}, "token"),
        ({"kind": "wecom", "name": "群", "token": "T", "department": "nowhere"}, "department"),
        ({"kind": "wecom", "name": "a\nb", "token": "T"}, "name"),
        ({"kind": "wecom", "name": "群", "token": "T", "secret": "x" * 201}, "secret"),
    ],
)
def test_bad_robots_are_400_naming_the_field_and_write_nothing(client, admin_user, body, field):
    login(client, admin_user)
    response = client.post(R, body, content_type=J)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Robot.objects.exists()


def test_a_robot_error_is_in_english_when_asked(client, admin_user):
    login(client, admin_user)
    response = client.post(
        R, {"kind": "wecom", "name": "", "token": "T"}, content_type=J, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "name" in response.json()["errors"]


def test_the_test_message_goes_through_the_outbox_to_the_robot(
    client, admin_user, http_stub, settings
):  # REQ: NT-1
    settings.HUODONG_WECOM_BASE_URL = http_stub.base
    robot = Robot.objects.create(kind="wecom", name="市场部群", token="KEY-9")
    login(client, admin_user)
    response = client.post(f"{R}/{robot.pk}/test", {}, content_type=J)
    assert response.status_code == 200 and response.json()["status"] == "sent"
    (seen,) = http_stub.requests
    assert seen.path == "/cgi-bin/webhook/send?key=KEY-9" and "测试消息" in seen.body["markdown"]["content"]
    message = Message.objects.get(robot=robot)
    assert message.channel == "robot" and message.recipient == "市场部群" and message.attempt_log.count() == 1
    http_stub.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    failed = client.post(f"{R}/{robot.pk}/test", {}, content_type=J).json()
    assert failed["status"] == "retry" and "93000" in failed["last_error"]


def test_the_register_pages(client, admin_user, http_stub, settings):  # REQ: NT-1
    settings.HUODONG_FEISHU_BASE_URL = http_stub.base
    login(client, admin_user)
    assert client.get(reverse("outreach:robots")).status_code == 200
    bad = client.post(reverse("outreach:robot_add"), {"kind": "feishu", "name": "", "token": "T"})
    assert bad.status_code == 400 and not Robot.objects.exists()
    ok = client.post(
        reverse("outreach:robot_add"), {"kind": "feishu", "name": "产品部飞书群", "token": "TOK", "secret": "testsecret", "is_active": "on"}
    )  # fmt: skip
    assert ok.status_code == 302
    robot = Robot.objects.get()
    page = client.get(reverse("outreach:robot_edit", args=[robot.pk])).content.decode()
    assert "testsecret" not in page and "已设置签名密钥" in page
    saved = client.post(
        reverse("outreach:robot_edit", args=[robot.pk]),
        {
            "kind": "feishu",
            "name": "产品部飞书群2",
            "token": "TOK",
            "revision": robot.revision,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "产品部飞书群2" and robot.secret == "testsecret"
    stale = client.post(
        reverse("outreach:robot_edit", args=[robot.pk]),
        {"kind": "feishu", "name": "又改", "token": "TOK", "revision": 1, "is_active": "on"},
    )
    assert stale.status_code == 409
    tested = client.post(reverse("outreach:robot_test", args=[robot.pk]), follow=True)
    assert "测试消息已发送" in tested.content.decode()
    assert http_stub.requests[0].body["sign"]


def test_only_administrators_see_the_register(client, organiser):
    login(client, organiser)
    assert client.get(reverse("outreach:robots")).status_code == 403
    assert client.get(R).status_code == 403
    assert client.post(R, {"kind": "wecom", "name": "群", "token": "T"}, content_type=J).status_code == 403
