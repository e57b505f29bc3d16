"""Conditional polling of the stage's state (EX-3): a region of a page asks every 2 seconds with
``If-None-Match`` (``static/onsite_show/poll.js``) and gets 304 with no body while nothing it shows has
changed. The ETag is a digest of what the region displays (labels to the minute, statuses, the reader's
language), computed before anything is rendered, so an unchanged answer costs the state's few queries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import get_language

# What a region shows of each segment; times only as the labels (to the minute) it displays.
SHOWN = ("id", "title", "owner", "status", "planned_label", "projected_label", "started_label",
         "ended_label", "late_minutes", "skip_reason", "shifted")  # fmt: skip


def view_key(state: dict[str, Any], *extra: Any) -> str:
    """The ETag of a region showing ``state`` (plus ``extra``: the region's name, the reader's rights)."""

    def seg(row: dict[str, Any] | None) -> Any:
        return [row.get(k) for k in SHOWN] if row else None

    shown = {
        "now": state.get("now_label"),
        "late": state.get("late_minutes"),
        "end": state.get("projected_end_label"),
        "current": seg(state.get("current")),
        "next": seg(state.get("next")),
        "segments": [seg(s) for s in state.get("segments", [])],
        "lang": get_language(),
        "extra": [str(e) for e in extra],
    }
    digest = hashlib.sha256(json.dumps(shown, default=str, sort_keys=True).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def conditional(request: HttpRequest, tag: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """304 when the client already holds ``tag``; else ``render()`` with the ETag. Never cached blindly."""
    seen = [t.strip() for t in request.headers.get("If-None-Match", "").split(",") if t.strip()]
    if tag in seen or "*" in seen:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = render()
    response["ETag"] = tag
    response["Cache-Control"] = "no-cache, private"
    response["Vary"] = "Cookie, Accept-Language"
    return response
