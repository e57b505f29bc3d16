"""An owner's own segments on their phone (EX-3): ``/events/<id>/show/mine/`` — each segment they own
with its planned and projected times (what the stage manager's presses have shifted), how late, and the
button "我已到位" (``onsite_show:in_place``, POST: check-in's staff arrival, late owners told to the stage
manager). The list polls itself every 2 s (``?part=list``, ETag → 304). Anyone who may view the event
opens it; the button is for segment owners and the team on the day."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huodong.checkin.rules import local_time
from huodong.checkin.services.arrivals import owner_dues
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page, event_page, redirect_to
from huodong.events.access import Need
from huodong.events.models import Event

from .. import selectors
from ..services.in_place import in_place_confirm, in_place_of, may_confirm
from ..services.run import SHOW_STEPS
from .poll import conditional, view_key


def _context(request: AuthedRequest, event: Event) -> dict:
    me = request.user.pk
    state = selectors.stage_state(event)
    rows = [s for s in state["segments"] if s["owner_id"] == me]
    arrival = in_place_of(event, me)
    due = owner_dues(event).get(me)
    return {
        "event": event,
        "nav": event.phase.value,
        "state": {**state, "segments": rows},
        "rows": rows,
        "arrival": arrival,
        "arrived_label": local_time(arrival.arrived_at, event) if arrival else "",
        "due_label": local_time(due.at, event) if due else "",
        "can_confirm": may_confirm(request.user, event) and event.step in SHOW_STEPS,
        "mine_url": reverse("onsite_show:mine", kwargs={"event_id": event.pk}),
    }


@require_GET
@event_page(Need.VIEW)
def mine(request: AuthedRequest, event: Event) -> HttpResponse:
    ctx = _context(request, event)
    if request.GET.get("part") == "list":
        return conditional(
            request,
            view_key(ctx["state"], "mine", bool(ctx["arrival"])),
            lambda: render(request, "onsite_show/mine.html#list", ctx),
        )
    return render(request, "onsite_show/mine.html", ctx)


@require_POST
@event_page(Need.VIEW)
def in_place(request: AuthedRequest, event: Event) -> HttpResponse:
    url = reverse("onsite_show:mine", kwargs={"event_id": event.pk})
    try:
        _row, new = in_place_confirm(actor=actor(request), event=event.pk)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        ctx = _context(request, event)
        ctx["refused"] = [exc.message]
        return render(
            request, "onsite_show/mine.html", ctx, status=exc.status if 400 <= exc.status < 500 else 400
        )
    messages.success(request, _("已确认到位。") if new else _("您此前已确认到位。"))
    return redirect_to(request, url)


_P = "events/<int:event_id>/show/mine/"
urlpatterns = [
    path(_P, mine, name="mine"),
    path(_P + "in-place/", in_place, name="in_place"),
]
