"""The supervisor's live page (EX-2, issue 10 points 4 and 6), for a phone carried around the hall:

- ``checkin:live`` — ``/events/<id>/checkin/live/``: the totals and the rate, check-ins by gate and by
  category, arrivals per 5 minutes, the open conflicts (the same guest at two gates while offline, with
  both gates, times and devices), the last scans and who has not arrived (VIPs first). Two regions poll
  themselves every 2 seconds with htmx (``?part=board``, ``?part=conflicts``); without JavaScript, a
  refresh link.
- ``checkin:conflict_resolve`` — POST, a note: marks a conflict handled (``services.conflicts``).
- ``checkin:scan_undo`` — ``…/live/scans/<scan_id>/undo/``: the check-in and a reason to undo it (a page of
  its own, linked from the recent scans, so the polling never wipes what is typed); POST undoes it
  (``services.undo``).

``Need.SUPERVISE_CHECKIN`` (supervisors, the owner, organisers, administrators). Through the one page flow
(``core.pageflow``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page, event_page, form_post
from huodong.events.access import Need
from huodong.events.models import Event

from .. import selectors_live
from ..services import conflicts as conflict_services
from ..services import undo as undo_services
from ..services.redeem import gate_label

PARTS = ("board", "conflicts")


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("处理说明"),
        max_length=conflict_services.NOTE_MAX,
        # The region polls itself every 2 s: what the supervisor is typing survives the swap.
        widget=forms.TextInput(attrs={"hx-preserve": "true", "autocomplete": "off"}),
        error_messages={
            "required": gettext_lazy("请填写处理说明(例如:已核实为同一人,放行一次)。"),
            "max_length": gettext_lazy("处理说明最多 %(limit_value)d 个字。"),
        },
    )


class UndoForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤销原因"),
        max_length=undo_services.REASON_MAX,
        error_messages={
            "required": gettext_lazy("请填写撤销原因(例如:选错了嘉宾)。"),
            "max_length": gettext_lazy("撤销原因最多 %(limit_value)d 个字。"),
        },
    )


def _conflicts(event: Event, refused: dict[int, ResolveForm]) -> list[dict[str, Any]]:
    rows = selectors_live.conflicts_of(event)
    for c in rows:
        c["form"] = refused.get(c["id"]) or ResolveForm(auto_id=f"conflict{c['id']}_%s")
    return rows


def _context(
    request: AuthedRequest, event: Event, refused: dict[int, ResolveForm] | None = None
) -> dict[str, Any]:
    refused = refused or {}
    counts = selectors_live.live_counts(event, with_conflicts=False)
    counts.conflicts = _conflicts(event, refused)
    shown = {c["id"] for c in counts.conflicts}
    # A refusal for a conflict no longer open (someone handled it first) is said at the top.
    elsewhere = [
        str(m) for pk, f in refused.items() if pk not in shown for ms in f.errors.values() for m in ms
    ]
    return {
        "refused": elsewhere,
        "event": event,
        "nav": event.phase.value,
        "counts": counts,
        "updated": timezone.localtime(counts.generated_at, event.tz).strftime("%H:%M:%S"),
        "live_url": reverse("checkin:live", args=[event.pk]),
    }


@require_GET
@event_page(Need.SUPERVISE_CHECKIN)
def live(request: AuthedRequest, event: Event) -> HttpResponse:
    part = request.GET.get("part", "") if getattr(request, "htmx", False) else ""
    if part == "conflicts":  # the conflicts alone: no need to count everything for them
        ctx = {
            "event": event,
            "counts": {"conflicts": _conflicts(event, {})},
            "live_url": reverse("checkin:live", args=[event.pk]),
        }
        return render(request, "checkin/live.html#conflicts", ctx)
    ctx = _context(request, event)
    if part in PARTS:
        return render(request, f"checkin/live.html#{part}", ctx)
    return render(request, "checkin/live.html", ctx)


@require_POST
@event_page(Need.SUPERVISE_CHECKIN)
def conflict_resolve(request: AuthedRequest, event: Event, conflict_id: int) -> HttpResponse:
    form = ResolveForm(request.POST, auto_id=f"conflict{conflict_id}_%s")
    url = reverse("checkin:live", args=[event.pk])
    return form_post(
        request,
        form,
        save=lambda d: conflict_services.conflict_resolve(
            actor=actor(request), event=event, conflict_id=conflict_id, note=d["note"]
        ),
        page=lambda status: render(
            request, "checkin/live.html", _context(request, event, {conflict_id: form}), status=status
        ),
        success_url=url + "#conflicts",
        done=_("签到冲突已标记为已处理。"),
    )


@require_http_methods(["GET", "POST"])
@event_page(Need.SUPERVISE_CHECKIN)
def scan_undo(request: AuthedRequest, event: Event, scan_id: int) -> HttpResponse:
    try:
        scan = undo_services.undoable_scan(event, scan_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = UndoForm(request.POST or None)

    def page(status: int) -> HttpResponse:
        ctx = {
            "event": event,
            "nav": event.phase.value,
            "scan": scan,
            "gate": gate_label(scan.gate),
            "at": timezone.localtime(scan.scanned_at, event.tz).strftime("%Y-%m-%d %H:%M:%S"),
            "form": form,
            "live_url": reverse("checkin:live", args=[event.pk]),
        }
        return render(request, "checkin/live_undo.html", ctx, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda d: undo_services.scan_undo(
            actor=actor(request), event=event, scan_id=scan.pk, reason=d["reason"]
        ),
        page=page,
        success_url=reverse("checkin:live", args=[event.pk]),
        done=_("签到已撤销,嘉宾恢复为未到。"),
    )


_P = "events/<int:event_id>/checkin/live/"
urlpatterns = [
    path(_P, live, name="live"),
    path(_P + "conflicts/<int:conflict_id>/resolve/", conflict_resolve, name="conflict_resolve"),
    path(_P + "scans/<int:scan_id>/undo/", scan_undo, name="scan_undo"),
]
