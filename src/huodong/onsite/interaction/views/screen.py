"""The big screen (EX-4), public by the event's interaction key like the guests' pages (it shows what
the room sees anyway): the approved questions, the survey's live results, the lottery's commitment and
result, each with the QR guests scan to join.

- ``screen`` — ``/x/<key>/screen/?view=questions|survey``: the page; a static script
  (``onsite_interaction/screen.js``) polls ``screen_data`` every 2 seconds with ``If-None-Match`` and
  redraws only when the answer changed (304 otherwise: a screen and hundreds of phones cost one small
  query each, no worker held).
- ``screen_data`` — ``/x/<key>/screen/data.json?view=…``: the data, with a strong ``ETag``.
- ``lottery_result`` — ``/x/<key>/lottery/<draw_id>/``: the public record of one draw — before the draw
  the seed commitment and the eligible list's hash; after it the seed, the list, the winners (names
  masked) and how to check it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huodong.core.errors import NotFound
from huodong.outreach.views.public import _switch, public_page

from .. import selectors
from ..models import Draw, DrawStatus
from ..rules import join_qr, row_id, settings_for_key
from ..services.survey import RATING_LABELS
from .guest import _error

VIEWS = ("questions", "survey", "lottery")


def _view(request: HttpRequest) -> str:
    view = request.GET.get("view", "questions")
    return view if view in VIEWS else "questions"


def screen_payload(event_id: int, view: str) -> dict[str, Any]:
    if view == "survey":
        summary = selectors.survey_summary(event_id)
        return {"view": view, "survey": summary}
    if view == "lottery":
        draw = Draw.objects.filter(event_id=event_id).order_by("-prepared_at", "-id").first()
        return {"view": view, "draw": selectors.draw_public(draw) if draw else None}
    return {"view": view, "questions": selectors.screen_questions(event_id)}


@require_GET
@public_page
def screen(request: HttpRequest, key: str, *, language: str) -> HttpResponse:
    conf = settings_for_key(key)
    if conf is None:
        return _error(request, NotFound(_("链接无效:找不到这场活动的现场互动。")), language)
    view = _view(request)
    join = request.build_absolute_uri(reverse("onsite_interaction:guest_home", args=[conf.key]))
    ctx = {
        "event": conf.event,
        "key": conf.key,
        "view": view,
        "language": language,
        "switch": _switch(request, language),
        "data_url": reverse("onsite_interaction:screen_data", args=[conf.key]) + f"?view={view}",
        "join_url": join,
        "join_qr": join_qr(join),
        "payload": screen_payload(conf.event_id, view),
        "labels": {k: str(v) for k, v in RATING_LABELS.items()},
        "views": [
            {"key": "questions", "label": _("现场提问"), "current": view == "questions"},
            {"key": "survey", "label": _("满意度"), "current": view == "survey"},
            {"key": "lottery", "label": _("抽奖"), "current": view == "lottery"},
        ],
    }
    return render(request, "onsite_interaction/screen.html", ctx)


@require_GET
def screen_data(request: HttpRequest, key: str) -> HttpResponse:
    conf = settings_for_key(key)
    if conf is None:
        return JsonResponse(
            {"code": "not_found", "message": str(_("链接无效:找不到这场活动的现场互动。"))}, status=404
        )
    body = json.dumps(
        screen_payload(conf.event_id, _view(request)), cls=DjangoJSONEncoder, ensure_ascii=False
    )
    tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = tag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@public_page
def lottery_result(request: HttpRequest, key: str, draw_id: int, *, language: str) -> HttpResponse:
    conf = settings_for_key(key)
    draw = Draw.objects.filter(event_id=conf.event_id, pk=row_id(draw_id)).first() if conf else None
    if conf is None or draw is None:
        return _error(request, NotFound(_("找不到这次抽奖。")), language)
    return render(
        request,
        "onsite_interaction/lottery_result.html",
        {
            "event": conf.event,
            "key": conf.key,
            "language": language,
            "switch": _switch(request, language),
            "draw": selectors.draw_public(draw),
            "drawn": draw.status == DrawStatus.DRAWN,
        },
    )


urlpatterns = [
    path("x/<str:key>/screen/", screen, name="screen"),
    path("x/<str:key>/screen/data.json", screen_data, name="screen_data"),
    path("x/<str:key>/lottery/<int:draw_id>/", lottery_result, name="lottery_result"),
]
