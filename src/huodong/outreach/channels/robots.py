"""Internal group robots (DESIGN.md, "Robot webhooks"; NT-1, EX-3, EX-5): 企业微信, 钉钉 and 飞书, each
exactly as its provider documents it. The base URLs are settings (tests point them at a local server).

- 企业微信: ``POST {HUODONG_WECOM_BASE_URL}/cgi-bin/webhook/send?key=KEY`` with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; 20 messages a minute per robot.
- 钉钉: ``POST {HUODONG_DINGTALK_BASE_URL}/robot/send?access_token=T&timestamp=MS&sign=S`` where
  ``S = urlencode(base64(HMAC_SHA256(key=secret, msg=f"{MS}\\n{secret}")))``; markdown with a title;
  20 a minute.
- 飞书: ``POST {HUODONG_FEISHU_BASE_URL}/open-apis/bot/v2/hook/TOKEN`` with ``"timestamp"`` (seconds) and
  ``"sign" = base64(HMAC_SHA256(key=f"{ts}\\n{secret}", msg=b""))`` in the body, an interactive card
  whose element is the markdown; 100 a minute.

An answer with ``errcode`` (飞书: ``code`` or ``StatusCode``) other than 0 is a failure with the
provider's message; the providers' too-many-requests codes (and HTTP 429) are throttling. Robots do not
de-duplicate. A robot message has ``channel="robot"``, ``robot`` set and ``recipient`` = the robot's name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from django.conf import settings

from ..models import Message, Robot
from .base import Channel, DeliveryError, _noop, post_json

# Messages a minute a provider accepts per robot (DESIGN.md); the delivery module counts them in the DB.
PER_MINUTE: dict[str, int] = {Robot.Kind.WECOM: 20, Robot.Kind.DINGTALK: 20, Robot.Kind.FEISHU: 100}
THROTTLE_CODES: dict[str, set[int]] = {
    Robot.Kind.WECOM: {45009, 45033},  # api freq out of limit
    Robot.Kind.DINGTALK: {130101, 410100},  # send too fast
    Robot.Kind.FEISHU: {9499, 11232, 11233},  # too many requests / frequency limited
}


def dingtalk_sign(secret: str, timestamp_ms: int | str) -> str:
    """钉钉's signature, base64 (url-encode it for the query string)."""
    text = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text, hashlib.sha256).digest()).decode()


def feishu_sign(secret: str, timestamp_s: int | str) -> str:
    """飞书's signature: the key is ``f"{ts}\\n{secret}"``, the message empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def robot_request(
    robot: Robot, *, title: str, text: str, now: float | None = None
) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of one markdown message to ``robot``."""
    now = time.time() if now is None else now
    token = urllib.parse.quote(robot.token, safe="")
    if robot.kind == Robot.Kind.WECOM:
        url = f"{settings.HUODONG_WECOM_BASE_URL.rstrip('/')}/cgi-bin/webhook/send?key={token}"
        return url, {"msgtype": "markdown", "markdown": {"content": text}}
    if robot.kind == Robot.Kind.DINGTALK:
        url = f"{settings.HUODONG_DINGTALK_BASE_URL.rstrip('/')}/robot/send?access_token={token}"
        if robot.secret:
            ms = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, ms))
            url += f"&timestamp={ms}&sign={sign}"
        return url, {"msgtype": "markdown", "markdown": {"title": title or text[:30], "text": text}}
    if robot.kind == Robot.Kind.FEISHU:
        url = f"{settings.HUODONG_FEISHU_BASE_URL.rstrip('/')}/open-apis/bot/v2/hook/{token}"
        body: dict[str, Any] = {
            "msg_type": "interactive",
            "card": {
                "header": {"title": {"tag": "plain_text", "content": title or text[:30]}},
                "elements": [{"tag": "markdown", "content": text}],
            },
        }
        if robot.secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(robot.secret, ts), **body}
        return url, body
    raise DeliveryError(f"unknown robot kind {robot.kind!r}", retryable=False)


def answer_check(kind: str, answer: dict[str, Any]) -> None:
    code: Any = answer.get("errcode")
    text: Any = answer.get("errmsg")
    if code is None:  # 飞书
        code = answer.get("code", answer.get("StatusCode", 0))
        text = answer.get("msg") or answer.get("StatusMessage")
    try:
        number = int(code or 0)
    except (TypeError, ValueError):
        number = -1
    if number == 0:
        return
    words = f"errcode {code}: {text or ''}".strip()
    if number in THROTTLE_CODES.get(kind, set()):
        raise DeliveryError(words, throttled=True, retry_after=60.0)
    raise DeliveryError(words)


def robot_send(robot: Robot, *, title: str, text: str, commit: Callable[[], None] = _noop) -> str:
    url, body = robot_request(robot, title=title, text=text)
    answer = post_json(url, body, commit=commit)
    answer_check(robot.kind, answer)
    return str(answer.get("msgid") or answer.get("message_id") or "ok")[:200]


class RobotChannel(Channel):
    name = "robot"
    dedupes = False

    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        robot = message.robot
        if robot is None:
            raise DeliveryError("the robot was removed", retryable=False)
        if not robot.is_active:
            raise DeliveryError(f"robot {robot.name} is disabled", retryable=False)
        return robot_send(robot, title=message.subject, text=message.body, commit=commit)
