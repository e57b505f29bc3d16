"""The live dashboard of 现场监控 (EX-6), for a big screen and for phones:

- ``onsite_live:dashboard`` — ``/events/<id>/live/``: registrations against check-ins over time (a chart
  drawn by Chart.js, served from ``node_modules`` under ``/static/vendor/chartjs/``), the attendance rate,
  by category and by gate, media sign-ins, interactions, leads, open incidents with their SLA clocks
  (counting down on the page every second), and the punctuality of the run of show. The page is
  rendered with the current figures (it reads without JavaScript); ``static/onsite_live/dashboard.js``
  then polls the one JSON snapshot (``GET /api/events/<id>/live``) every 2 s while the event runs, with
  ``If-None-Match``: an unchanged snapshot is a 304 without a body. ``?screen=1`` is the big-screen
  layout (no menu, large figures).
- ``onsite_live:final`` — POST: the organiser confirms the final figures (定格, ``services.final``); the
  gate of 现场监控 asks for it.

``Need.ONSITE`` to watch, ``Need.EDIT`` to confirm. Through the one page flow (``core.pageflow``).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import event_page, form_post
from huodong.events.access import Need, can
from huodong.events.models import Event

from .. import selectors
from ..models import FINAL_NOTE_MAX
from ..rules import FINAL_STEPS
from ..services import final as final_services

POLL_MS = 2000  # while the event runs
IDLE_POLL_MS = 30000  # before and after the day


class FinalForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明(可选)"),
        max_length=FINAL_NOTE_MAX,
        required=False,
        error_messages={"max_length": gettext_lazy("说明最多 %(limit_value)d 个字。")},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _strings() -> dict[str, str]:
    """What dashboard.js writes, translated here."""
    return {
        "registered": _("累计报名"),
        "checked_in": _("累计签到"),
        "arrivals": _("每 5 分钟签到"),
        "no_data": _("暂无数据"),
        "none_open": _("没有未关闭的突发事件。"),
        "sla_left": _("剩余 %(time)s"),
        "sla_over": _("已超时 %(time)s"),
        "sla_met": _("已响应"),
        "escalated": _("已升级"),
        "updated": _("更新于 %(time)s"),
        "offline": _("连接中断,%(time)s 后重试……"),
        "people": _("记录人 %(n)s 人"),
        "started": _("已开始"),
        "on_time": _("准点"),
        "late_max": _("最大延误(分钟)"),
        "current": _("当前环节"),
        "rating_avg": _("满意度均分"),
        **{f"k_{k}": str(v) for k, v in INTERACTION_LABELS.items()},
    }


INTERACTION_LABELS = {
    "questions": gettext_lazy("提问"),
    "questions_approved": gettext_lazy("已通过的提问"),
    "survey_answers": gettext_lazy("问卷回答"),
    "lottery_draws": gettext_lazy("抽奖轮次"),
    "winners": gettext_lazy("中奖人数"),
}


def interaction_rows(
    counts: dict[str, Any] | None, survey: dict[str, Any] | None = None
) -> list[tuple[str, Any]]:
    """The interaction counts as (label, value), known keys first in their order; then the survey's mean
    rating and NPS once it has answers."""
    if not counts:
        return []
    known = [k for k in INTERACTION_LABELS if k in counts]
    keys = known + [k for k in counts if k not in known]
    rows: list[tuple[str, Any]] = [(str(INTERACTION_LABELS.get(k, k)), counts[k]) for k in keys]
    if survey and survey.get("count"):
        rows += [(_("满意度均分"), survey.get("rating_avg")), ("NPS", survey.get("nps"))]
    return rows


def _link(name: str, event: Event) -> str:
    try:
        return reverse(name, args=[event.pk])
    except NoReverseMatch:
        return ""


def _context(request: AuthedRequest, event: Event, form: FinalForm | None = None) -> dict[str, Any]:
    data = selectors.snapshot(event)
    may_confirm = can(request.user, event, Need.EDIT) and event.step in FINAL_STEPS
    final = data["final"]
    if form is None:
        form = FinalForm(initial={"revision": final["revision"] if final else None})
    config = {
        "url": f"/api/events/{event.pk}/live",
        "poll_ms": POLL_MS,
        "idle_poll_ms": IDLE_POLL_MS,
        "chart": static("vendor/chartjs/chart.umd.min.js"),
    }
    return {
        "event": event,
        "nav": event.phase.value,
        "data": data,
        "screen": request.GET.get("screen") == "1",
        "series_json": json.dumps(data["series"]),
        "interaction": interaction_rows(data["interaction"], data["survey"]),
        "config_json": json.dumps(config),
        "strings_json": json.dumps(_strings(), ensure_ascii=False),
        "may_confirm": may_confirm,
        "final_form": form,
        "leads_url": reverse("onsite_live:leads", args=[event.pk]),
        "checkin_live_url": _link("checkin:live", event)
        if can(request.user, event, Need.SUPERVISE_CHECKIN)
        else "",
        "screen_url": reverse("onsite_live:dashboard", args=[event.pk]) + "?screen=1",
    }


@require_GET
@event_page(Need.ONSITE)
def dashboard(request: AuthedRequest, event: Event) -> HttpResponse:
    return render(request, "onsite_live/dashboard.html", _context(request, event))


@require_POST
@event_page(Need.ONSITE)
def final(request: AuthedRequest, event: Event) -> HttpResponse:
    form = FinalForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: final_services.final_confirm(
            actor=actor(request), event=event, note=d["note"], seen=d.get("revision")
        ),
        page=lambda status: render(
            request, "onsite_live/dashboard.html", _context(request, event, form), status=status
        ),
        success_url=reverse("onsite_live:dashboard", args=[event.pk]) + "#final",
        done=_("已定格现场数据。"),
    )


_P = "events/<int:event_id>/live/"
urlpatterns = [
    path(_P, dashboard, name="dashboard"),
    path(_P + "final/", final, name="final"),
]
