"""The run of show on the day (EX-3; tab 流程执行), phone first:

- ``onsite_show:run`` — ``/events/<id>/show/``: now / next / how late and one big button for the stage
  manager (开始 the next segment, or 结束 the one running), then every segment with its planned, actual and
  projected times, its own start/end buttons and a skip form with a reason. The status region polls itself
  every 2 s (``?part=status``, ETag → 304). Anyone who may view the event sees it; the buttons are for
  ``Need.STAGE``.
- ``onsite_show:start`` / ``onsite_show:end`` — POST, no fields; ``onsite_show:skip`` — POST, a reason.

A refusal (started twice, ended before starting, another segment running, not the execution phase) is the
page again with the message at the top and its 4xx status; nothing was written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import error_page, event_page, form_post, redirect_to
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import selectors
from ..services import run as services
from ..services.in_place import may_confirm
from .poll import conditional, view_key

TAB = {"key": "show", "label": gettext_lazy("流程执行"), "url_name": "onsite_show:run", "order": 88}


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("跳过原因"),
        max_length=services.REASON_MAX,
        error_messages={
            "required": gettext_lazy("请填写跳过原因(例如:嘉宾航班延误,取消对话环节)。"),
            "max_length": gettext_lazy("跳过原因最多 %(limit_value)d 个字。"),
        },
    )


def _url(event: Event) -> str:
    return reverse("onsite_show:run", kwargs={"event_id": event.pk})


def _context(
    request: AuthedRequest,
    event: Event,
    *,
    refused: list[str] | None = None,
    skip_forms: dict[int, SkipForm] | None = None,
) -> dict[str, Any]:
    state = selectors.stage_state(event)
    access = event_access(request.user, event)
    in_phase = event.step in services.SHOW_STEPS
    can_stage = access.can(Need.STAGE) and in_phase
    forms_ = skip_forms or {}
    for row in state["segments"]:
        if row["status"] == selectors.PENDING and can_stage:
            row["skip_form"] = forms_.get(row["id"]) or SkipForm(auto_id=f"skip{row['id']}_%s")
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "show"),
        "nav": event.phase.value,
        "state": state,
        "can_stage": can_stage,
        "is_stage": access.can(Need.STAGE),
        "in_phase": in_phase,
        "show_steps": "、".join(str(Step(s).label) for s in services.SHOW_STEPS),
        "refused": refused or [],
        "can_screen": access.can(Need.ONSITE),
        "can_confirm": may_confirm(request.user, event),
        "run_url": _url(event),
    }


@require_GET
@event_page(Need.VIEW)
def run(request: AuthedRequest, event: Event) -> HttpResponse:
    if request.GET.get("part") == "status":
        state = selectors.stage_state(event)
        can_stage = event_access(request.user, event).can(Need.STAGE) and event.step in services.SHOW_STEPS
        return conditional(
            request,
            view_key(state, "status", can_stage),
            lambda: render(
                request,
                "onsite_show/run.html#status",
                {"event": event, "state": state, "can_stage": can_stage, "run_url": _url(event)},
            ),
        )
    return render(request, "onsite_show/run.html", _context(request, event))


def _act(request: AuthedRequest, event: Event, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        event.refresh_from_db()
        ctx = _context(request, event, refused=[exc.message])
        return render(
            request, "onsite_show/run.html", ctx, status=exc.status if 400 <= exc.status < 500 else 400
        )
    messages.success(request, done)
    return redirect_to(request, _url(event))


@require_POST
@event_page(Need.STAGE)
def start(request: AuthedRequest, event: Event, segment_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: services.segment_start(actor=actor(request), event=event.pk, segment_id=segment_id),
        _("环节已开始。"),
    )


@require_POST
@event_page(Need.STAGE)
def end(request: AuthedRequest, event: Event, segment_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: services.segment_end(actor=actor(request), event=event.pk, segment_id=segment_id),
        _("环节已结束。"),
    )


@require_POST
@event_page(Need.STAGE)
def skip(request: AuthedRequest, event: Event, segment_id: int) -> HttpResponse:
    form = SkipForm(request.POST, auto_id=f"skip{segment_id}_%s")

    def page(status: int) -> HttpResponse:
        event.refresh_from_db()
        ctx = _context(request, event, skip_forms={segment_id: form})
        shown = {s["id"] for s in ctx["state"]["segments"] if "skip_form" in s}
        if segment_id not in shown:  # the segment is no longer waiting: say why at the top
            ctx["refused"] = [str(m) for ms in form.errors.values() for m in ms]
        return render(request, "onsite_show/run.html", ctx, status=status)

    return form_post(
        request,
        form,
        save=lambda d: services.segment_skip(
            actor=actor(request), event=event.pk, segment_id=segment_id, reason=d["reason"]
        ),
        page=page,
        success_url=_url(event),
        done=_("环节已跳过。"),
    )


_P = "events/<int:event_id>/show/"
urlpatterns = [
    path(_P, run, name="run"),
    path(_P + "segments/<int:segment_id>/start/", start, name="start"),
    path(_P + "segments/<int:segment_id>/end/", end, name="end"),
    path(_P + "segments/<int:segment_id>/skip/", skip, name="skip"),
]
