"""SMS through a provider interface (NT-2). ``HUODONG_SMS_BACKEND`` chooses:

- ``console``: the text goes to the log (development);
- ``file``: one JSON line per message in ``HUODONG_OUTBOX_DIR/sms.jsonl`` (development, tests);
- ``http``: ``POST HUODONG_SMS_BASE_URL`` with ``Authorization: Bearer HUODONG_SMS_KEY`` and the message's
  idempotency key both in the body and as the ``Idempotency-Key`` header. The answer is JSON
  ``{"code": 0, "message_id": "…"}``; a non-zero ``code`` is a failure with its ``message``; HTTP 429 (or
  ``code`` 429) asks us to slow down. The provider drops a repeated key, so this backend ``dedupes``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from ..models import Message
from .base import Channel, DeliveryError, _noop, post_json

logger = logging.getLogger("huodong.outreach.sms")
_file_lock = threading.Lock()

THROTTLE_CODES = {429, "429", "THROTTLED", "isv.BUSINESS_LIMIT_CONTROL"}


def append_line(name: str, record: dict[str, Any]) -> Path:
    """Append ``record`` as one JSON line to ``HUODONG_OUTBOX_DIR/<name>`` (the file backends)."""
    folder = Path(settings.HUODONG_OUTBOX_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _file_lock, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return path


def answer_check(
    answer: dict[str, Any],
    *,
    code_key: str,
    text_key: str,
    throttle: set[Any],
    permanent: set[Any] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Raise DeliveryError when a provider's JSON answer carries a non-zero code (its words kept)."""
    code = answer.get(code_key, 0)
    if code in (0, "0", "OK", None):
        return
    words = f"{code} {answer.get(text_key) or ''}".strip()
    if code in throttle:
        raise DeliveryError(words, throttled=True)
    raise DeliveryError(words, retryable=code not in permanent)


class SmsChannel(Channel):
    name = "sms"

    def __init__(self, backend: str | None = None) -> None:
        self.backend = (backend or settings.HUODONG_SMS_BACKEND or "file").lower()
        self.dedupes = self.backend == "http"

    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        if not message.recipient:
            raise DeliveryError("no phone number", retryable=False)
        record = {
            "to": message.recipient,
            "text": message.body,
            "sign": settings.HUODONG_SMS_SIGN,
            "idempotency_key": message.idempotency_key,
        }
        if self.backend == "console":
            commit()
            logger.warning("SMS to %s: %s", message.recipient, message.body)
            return f"console:{message.idempotency_key}"[:200]
        if self.backend == "file":
            commit()
            append_line("sms.jsonl", record)
            return f"file:{message.idempotency_key}"[:200]
        if self.backend != "http":
            raise DeliveryError(f"unknown SMS backend {self.backend!r}", retryable=False)
        url = settings.HUODONG_SMS_BASE_URL
        if not url:
            raise DeliveryError("HUODONG_SMS_BASE_URL is not set", retryable=False)
        answer = post_json(
            url,
            record,
            headers={
                "Authorization": f"Bearer {settings.HUODONG_SMS_KEY}",
                "Idempotency-Key": message.idempotency_key,
            },
            commit=commit,
        )
        answer_check(answer, code_key="code", text_key="message", throttle=THROTTLE_CODES)
        return str(answer.get("message_id") or answer.get("id") or "")[:200]
