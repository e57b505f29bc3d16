"""The WeChat official-account subscribe message (NT-2), through the same kind of provider interface as
SMS. ``HUODONG_WECHAT_BACKEND``: ``console``, ``file`` (``HUODONG_OUTBOX_DIR/wechat.jsonl``) or ``http``:
``POST {HUODONG_WECHAT_BASE_URL}/cgi-bin/message/subscribe/send?access_token=HUODONG_WECHAT_KEY`` with
``{"touser": openid, "template_id": HUODONG_WECHAT_TEMPLATE_ID, "page": ticket link, "data": {…}}`` as
WeChat's API takes it, plus the idempotency key (body and ``Idempotency-Key`` header; the adapter in front
of WeChat de-duplicates by it). The answer is ``{"errcode": 0, "msgid": …}``; errcode 45009 (the call
limit) is throttling, any other non-zero errcode a failure with its ``errmsg``.

The template's data fields: ``thing1`` the subject, ``thing2`` the body's first line (WeChat's ``thing``
fields take 20 characters), unless the message carries its own in ``extras["wechat_data"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from ..models import Message
from .base import Channel, DeliveryError, _noop, post_json
from .sms import answer_check, append_line

logger = logging.getLogger("huodong.outreach.wechat")

THING_MAX = 20
THROTTLE_CODES = {45009, 45047, "45009"}
# The guest refused the subscription, or the OpenID is not this account's: trying again cannot help.
PERMANENT_CODES = {43101, 40003, 40037}


def template_data(message: Message) -> dict[str, dict[str, str]]:
    own = (message.extras or {}).get("wechat_data")
    if isinstance(own, dict) and own:
        return {str(k): {"value": str(v)[:THING_MAX]} for k, v in own.items()}
    first = next((line.strip() for line in message.body.splitlines() if line.strip()), "")
    return {
        "thing1": {"value": (message.subject or first)[:THING_MAX]},
        "thing2": {"value": first[:THING_MAX]},
    }


class WechatChannel(Channel):
    name = "wechat"

    def __init__(self, backend: str | None = None) -> None:
        self.backend = (backend or settings.HUODONG_WECHAT_BACKEND or "file").lower()
        self.dedupes = self.backend == "http"

    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        if not message.recipient:
            raise DeliveryError("no WeChat OpenID", retryable=False)
        payload: dict[str, Any] = {
            "touser": message.recipient,
            "template_id": settings.HUODONG_WECHAT_TEMPLATE_ID,
            "data": template_data(message),
            "idempotency_key": message.idempotency_key,
        }
        link = (message.extras or {}).get("ticket_link")
        if link:
            payload["page"] = link
        if self.backend == "console":
            commit()
            logger.warning("WeChat to %s: %s", message.recipient, payload["data"])
            return f"console:{message.idempotency_key}"[:200]
        if self.backend == "file":
            commit()
            append_line("wechat.jsonl", payload)
            return f"file:{message.idempotency_key}"[:200]
        if self.backend != "http":
            raise DeliveryError(f"unknown WeChat backend {self.backend!r}", retryable=False)
        base = settings.HUODONG_WECHAT_BASE_URL.rstrip("/")
        if not base:
            raise DeliveryError("HUODONG_WECHAT_BASE_URL is not set", retryable=False)
        answer = post_json(
            f"{base}/cgi-bin/message/subscribe/send?access_token={settings.HUODONG_WECHAT_KEY}",
            payload,
            headers={"Idempotency-Key": message.idempotency_key},
            commit=commit,
        )
        answer_check(
            answer, code_key="errcode", text_key="errmsg", throttle=THROTTLE_CODES, permanent=PERMANENT_CODES
        )
        return str(answer.get("msgid") or "")[:200]
