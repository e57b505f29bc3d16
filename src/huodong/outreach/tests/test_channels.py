"""The channels against local servers (DESIGN.md, "Robot webhooks"; NT-1, NT-2): each robot's request and
signature checked against the test vectors, an error code and a 429 handled; the SMS and WeChat HTTP
adapters with their idempotency key, error codes and throttling; the file backends."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import datetime as dt
import json
import urllib.parse

import pytest
from django.utils import timezone

from huodong.outreach import delivery
from huodong.outreach.channels.robots import dingtalk_sign, feishu_sign, robot_request
from huodong.outreach.models import DeliveryAttempt, Message, Robot
from huodong.outreach.tests.test_delivery_fixtures import (  # noqa: F401  (fixtures)
    add_guest,
    deliverer,
    http_stub,
    outbox_event,
    queue,
)

pytestmark = pytest.mark.django_db
S = Message.Status


def test_dingtalk_signature_matches_the_design_test_vector():  # REQ: NT-1
    assert dingtalk_sign("SECtest", 1700000000000) == "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="


def test_feishu_signature_matches_the_design_test_vector():  # REQ: NT-1
    assert feishu_sign("testsecret", 1700000000) == "AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8="


def test_the_signed_requests_carry_the_vectors(settings):
    settings.HUODONG_DINGTALK_BASE_URL = "http://d.local"
    settings.HUODONG_FEISHU_BASE_URL = "http://f.local"
    ding = Robot(kind="dingtalk", name="d", token="T", secret="SECtest")
    url, body = robot_request(ding, title="t", text="x", now=1700000000.0)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith("http://d.local/robot/send?access_token=T&timestamp=1700000000000&sign=")
    assert query["sign"] == ["aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="]
    assert "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D" in url  # url-encoded
    feishu = Robot(kind="feishu", name="f", token="TOK", secret="testsecret")
    url, body = robot_request(feishu, title="t", text="x", now=1700000000.0)
    assert url == "http://f.local/open-apis/bot/v2/hook/TOK"
    assert body["timestamp"] == "1700000000"
    assert body["sign"] == "AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8="


@pytest.fixture
def robots(settings, http_stub):
    settings.HUODONG_WECOM_BASE_URL = http_stub.base
    settings.HUODONG_DINGTALK_BASE_URL = http_stub.base
    settings.HUODONG_FEISHU_BASE_URL = http_stub.base
    return {
        "wecom": Robot.objects.create(kind="wecom", name="市场部企业微信群", token="KEY-1"),
        "dingtalk": Robot.objects.create(
            kind="dingtalk", name="销售部钉钉群", token="TOK-2", secret="SECtest"
        ),
        "feishu": Robot.objects.create(
            kind="feishu", name="产品部飞书群", token="TOK-3", secret="testsecret"
        ),
    }


def robot_message(robot: Robot, n: int = 0, event=None) -> Message:
    from huodong.outreach.services.outbox import enqueue

    now = timezone.now()
    row, _ = enqueue(
        Message(
            event=event,
            robot=robot,
            channel="robot",
            kind="collaboration_letter",
            purpose="internal",
            recipient=robot.name,
            subject="活动协作函",
            body=f"### 活动协作函\n**{robot.name}** 第{n}条",
            due_at=now,
            idempotency_key=f"letter:{robot.pk}:{n}",
        )
    )
    return row


def test_each_robot_gets_its_providers_request(robots, http_stub):  # REQ: NT-1
    for robot in robots.values():
        robot_message(robot)
    assert deliverer().run_once() == {"sent": 3}
    wecom, ding, feishu = http_stub.requests
    assert wecom.path == "/cgi-bin/webhook/send?key=KEY-1"
    assert wecom.body == {
        "msgtype": "markdown",
        "markdown": {"content": "### 活动协作函\n**市场部企业微信群** 第0条"},
    }
    assert ding.path.startswith("/robot/send?access_token=TOK-2&timestamp=")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding.path).query)
    assert query["sign"] == [dingtalk_sign("SECtest", query["timestamp"][0])]
    assert ding.body["msgtype"] == "markdown" and ding.body["markdown"]["title"] == "活动协作函"
    assert feishu.path == "/open-apis/bot/v2/hook/TOK-3"
    assert feishu.body["sign"] == feishu_sign("testsecret", feishu.body["timestamp"])
    assert feishu.body["card"]["elements"][0] == {
        "tag": "markdown",
        "content": "### 活动协作函\n**产品部飞书群** 第0条",
    }
    assert all(r.headers["Content-Type"].startswith("application/json") for r in http_stub.requests)


def test_a_robot_error_code_is_a_failure_with_its_message(robots, http_stub, settings):
    settings.HUODONG_OUTBOX_MAX_ATTEMPTS = 1
    http_stub.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
    row = robot_message(robots["dingtalk"])
    assert deliverer().run_once() == {"dead": 1}
    row.refresh_from_db()
    assert row.status == S.DEAD and row.last_error == "errcode 310000: sign not match"


def test_a_robots_too_many_requests_waits_without_spending_an_attempt(robots, http_stub):
    http_stub.answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    http_stub.answer(429, {"code": 9499, "msg": "too many request"}, {"Retry-After": "120"})
    wecom = robot_message(robots["wecom"])
    feishu = robot_message(robots["feishu"])
    assert deliverer().run_once() == {"throttled": 2}
    for row, wait in ((wecom, 60), (feishu, 120)):
        row.refresh_from_db()
        assert row.status == S.RETRY and row.attempts == 0
        assert row.not_before - timezone.now() >= dt.timedelta(seconds=wait - 2)
        assert row.attempt_log.get().outcome == DeliveryAttempt.Outcome.THROTTLED


def test_a_robots_per_minute_limit_is_counted_in_the_database(robots, http_stub):  # REQ: NT-1
    robot = robots["wecom"]
    rows = [robot_message(robot, n) for n in range(22)]
    outcomes = deliverer().run_once()
    assert outcomes == {"sent": 20, "postponed": 2}
    assert len(http_stub.requests) == 20
    waiting = Message.objects.filter(pk__in=[r.pk for r in rows], status=S.PENDING)
    assert waiting.count() == 2
    assert all(m.not_before > timezone.now() + dt.timedelta(seconds=30) for m in waiting)


def test_a_disabled_robot_is_a_dead_letter_not_a_request(robots, http_stub):
    robot = robots["feishu"]
    robot.is_active = False
    robot.save()
    row = robot_message(robot)
    assert deliverer().run_once() == {"dead": 1}
    row.refresh_from_db()
    assert "disabled" in row.last_error and http_stub.requests == []


# ---------------------------------------------------------------- SMS and WeChat
def test_the_sms_http_adapter_sends_the_key_and_reads_the_answer(
    outbox_event, http_stub, settings
):  # REQ: NT-2
    settings.HUODONG_SMS_BACKEND = "http"
    settings.HUODONG_SMS_BASE_URL = http_stub.base + "/sms/send"
    settings.HUODONG_SMS_KEY = "sms-key"
    http_stub.answer(200, {"code": 0, "message_id": "SMS-42"})
    (row,) = queue(add_guest(outbox_event), "reminder", channels=("sms",))
    assert deliverer().run_once() == {"sent": 1}
    (seen,) = http_stub.requests
    assert seen.path == "/sms/send"
    assert seen.headers["Authorization"] == "Bearer sms-key"
    assert seen.headers["Idempotency-Key"] == row.idempotency_key
    assert seen.body["to"] == "+8613800000001" and seen.body["idempotency_key"] == row.idempotency_key
    row.refresh_from_db()
    assert row.provider_id == "SMS-42"


@pytest.mark.parametrize(
    ("status", "answer", "outcome", "error"),
    [
        (200, {"code": 1001, "message": "号码格式错误"}, "retry", "1001 号码格式错误"),
        (429, {"code": 429, "message": "slow down"}, "throttled", "HTTP 429"),
        (503, {"message": "maintenance"}, "retry", "HTTP 503"),
        (400, {"message": "bad request"}, "dead", "HTTP 400"),
    ],
)
def test_the_sms_http_adapter_handles_errors(
    outbox_event, http_stub, settings, status, answer, outcome, error
):
    settings.HUODONG_SMS_BACKEND = "http"
    settings.HUODONG_SMS_BASE_URL = http_stub.base + "/sms/send"
    http_stub.answer(status, answer)
    (row,) = queue(add_guest(outbox_event), "reminder", channels=("sms",))
    assert deliverer().run_once() == {outcome: 1}
    row.refresh_from_db()
    assert row.last_error.startswith(error)


def test_the_wechat_adapter_sends_a_subscribe_message(outbox_event, http_stub, settings):  # REQ: NT-2
    settings.HUODONG_WECHAT_BACKEND = "http"
    settings.HUODONG_WECHAT_BASE_URL = http_stub.base
    settings.HUODONG_WECHAT_KEY = "ACCESS"
    settings.HUODONG_WECHAT_TEMPLATE_ID = "TPL-1"
    http_stub.answer(200, {"errcode": 0, "errmsg": "ok", "msgid": 7788})
    guest = add_guest(outbox_event, wechat_openid="oOPENID123")
    (row,) = queue(guest, "invitation", channels=("wechat",))
    assert deliverer().run_once() == {"sent": 1}
    (seen,) = http_stub.requests
    assert seen.path == "/cgi-bin/message/subscribe/send?access_token=ACCESS"
    assert seen.body["touser"] == "oOPENID123" and seen.body["template_id"] == "TPL-1"
    assert seen.body["data"]["thing1"]["value"] == "活动邀请"
    assert seen.headers["Idempotency-Key"] == row.idempotency_key
    row.refresh_from_db()
    assert row.provider_id == "7788"


def test_a_wechat_refusal_by_the_guest_is_not_retried(outbox_event, http_stub, settings):
    settings.HUODONG_WECHAT_BACKEND = "http"
    settings.HUODONG_WECHAT_BASE_URL = http_stub.base
    http_stub.answer(200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"})
    guest = add_guest(outbox_event, wechat_openid="oX")
    (row,) = queue(guest, "invitation", channels=("wechat",))
    assert deliverer().run_once() == {"dead": 1}


def test_the_file_backends_write_json_lines(outbox_event, settings, tmp_path):
    settings.HUODONG_SMS_BACKEND = "file"
    settings.HUODONG_WECHAT_BACKEND = "file"
    settings.HUODONG_OUTBOX_DIR = tmp_path
    guest = add_guest(outbox_event, wechat_openid="oY")
    queue(guest, "reminder", channels=("sms", "wechat"))
    assert deliverer().run_once() == {"sent": 2}
    sms = json.loads((tmp_path / "sms.jsonl").read_text().splitlines()[0])
    assert sms["to"] == "+8613800000001" and "嘉宾1" in sms["text"]
    assert json.loads((tmp_path / "wechat.jsonl").read_text())["touser"] == "oY"


def test_a_provider_that_answers_nothing_after_the_request_leaves_the_message_in_doubt_or_resent(
    outbox_event, settings
):
    """A server that accepts the connection and closes it without answering: the request went out."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        for _ in range(2):
            conn, _addr = listener.accept()
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.HUODONG_SMS_BACKEND = "http"
    settings.HUODONG_SMS_BASE_URL = base
    settings.HUODONG_FEISHU_BASE_URL = base
    guest = add_guest(outbox_event)
    (sms,) = queue(guest, "reminder", channels=("sms",))
    robot = Robot.objects.create(kind="feishu", name="群", token="T")
    letter = robot_message(robot)
    outcomes = deliverer().run_once()
    thread.join(5)
    listener.close()
    assert outcomes == {"retry": 1, "in_doubt": 1}
    sms.refresh_from_db()
    letter.refresh_from_db()
    assert sms.status == S.RETRY  # the SMS provider de-duplicates: safe to send again
    assert letter.status == S.IN_DOUBT  # a robot does not: a person decides
    assert delivery.dedupes("sms") and not delivery.dedupes("robot")
