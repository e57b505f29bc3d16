"""The stage view (EX-3): now / next / projected end / how late, in large type on a dark page for the big
screen beside the stage, and readable on a phone (``/events/<id>/show/screen/``).

The board polls itself every 2 s (``static/onsite_show/poll.js``: ``?part=board`` with ``If-None-Match``;
304 while nothing shown has changed). ``Need.ONSITE``: the team on the day.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from huodong.core.http import AuthedRequest
from huodong.core.pageflow import event_page
from huodong.events.access import Need
from huodong.events.models import Event

from .. import selectors
from .poll import conditional, view_key


@require_GET
@event_page(Need.ONSITE)
def screen(request: AuthedRequest, event: Event) -> HttpResponse:
    state = selectors.stage_state(event)
    url = reverse("onsite_show:screen", kwargs={"event_id": event.pk})
    ctx = {"event": event, "state": state, "screen_url": url}
    if request.GET.get("part") == "board":
        return conditional(
            request, view_key(state, "board"), lambda: render(request, "onsite_show/screen.html#board", ctx)
        )
    return render(request, "onsite_show/screen.html", ctx)


urlpatterns = [path("events/<int:event_id>/show/screen/", screen, name="screen")]
