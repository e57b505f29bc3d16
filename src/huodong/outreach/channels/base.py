"""The one interface every channel of the outbox speaks (DESIGN.md, "The outbox"; NT-1, NT-2).

A channel turns one ``Message`` row into one delivery: ``send(message, commit=...) -> provider_id``. It
calls ``commit()`` immediately before the last byte that makes the provider accept the message (SMTP: the
terminating ``.`` of DATA; HTTP: the request), so the caller can record ``sending`` first; it raises
``DeliveryError`` when the provider said no or could not be reached:

- ``retryable``: try again later (down, 4xx, a refused recipient — the issue wants those retried, then
  dead-lettered); ``False`` for what can never work (no recipient, a disabled robot, a 4xx HTTP answer);
- ``throttled``: the provider asked us to slow down (HTTP 429, a robot's too-many-requests code): retried
  later without spending the attempt budget;
- ``unknown``: the request went out and no answer came back (the connection broke after the last byte):
  the message may have been delivered.

``dedupes`` says the provider drops a second request with the same idempotency key (the HTTP SMS and
WeChat adapters send it as ``Idempotency-Key``), so a message left ``sending`` by a dead worker may be
sent again safely.

``post_json`` is the small HTTP client the HTTP adapters share (urllib, no extra dependency).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from ..models import Message

TIMEOUT_SECONDS = 10.0
ERROR_MAX = 2000  # characters of a provider's words kept in ``last_error``


def _noop() -> None:
    return None


class DeliveryError(Exception):
    """The provider did not take the message; ``text`` is its own words (shown to the organiser)."""

    def __init__(
        self,
        text: str,
        *,
        retryable: bool = True,
        throttled: bool = False,
        unknown: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.text = (text or "").strip()[:ERROR_MAX] or "error"
        self.retryable = retryable
        self.throttled = throttled
        self.unknown = unknown
        self.retry_after = retry_after
        super().__init__(self.text)


class Channel:
    """A way out. Subclasses set ``name`` and implement ``send``; ``open``/``close`` bracket a batch (the
    e-mail channel keeps one SMTP connection for the batch)."""

    name = ""
    dedupes = False

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        raise NotImplementedError


# ---------------------------------------------------------------- HTTP
def _retry_after(headers: Any) -> float | None:
    value = (headers or {}).get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value else None
    except (TypeError, ValueError):
        return None


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    commit: Callable[[], None] = _noop,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """POST ``payload`` as JSON and return the JSON answer. ``commit`` runs just before the request goes
    out. 429 → throttled; 5xx → retryable; other 4xx → not retryable; no answer after sending → unknown."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    commit()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (a configured URL)
            raw = response.read()
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:500] if exc.fp else ""
        words = f"HTTP {exc.code} {exc.reason}: {text}".strip(": ")
        if exc.code == 429:
            raise DeliveryError(words, throttled=True, retry_after=_retry_after(exc.headers)) from None
        raise DeliveryError(words, retryable=exc.code >= 500 or exc.code == 408) from None
    except urllib.error.URLError as exc:
        # urllib wraps only what fails while connecting and writing the request: the provider has not
        # answered, and a request it did not read in full is not processed.
        raise DeliveryError(f"{url.split('?')[0]}: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        # The request went out and the answer did not come back (reset, timeout): maybe delivered.
        raise DeliveryError(f"{url.split('?')[0]}: {exc!r}", unknown=True) from None
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except ValueError:
        raise DeliveryError(f"not JSON: {raw[:200]!r}", unknown=True) from None
    return answer if isinstance(answer, dict) else {"answer": answer}
