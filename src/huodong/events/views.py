"""Event pages: the list, create/edit, the event home with its 16-step map and gate, event types admin."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.forms import apply_domain_errors
from huodong.core.views import forbidden

from . import selectors, services
from .forms import EventFilterForm, EventForm, EventTypeForm, MoveBackForm
from .lifecycle import GateBlocked, can_move, event_advance, event_move_back, gate_evaluate
from .models import Event, EventType
from .steps import LIFECYCLE, PHASE_STEPS, Phase, allowed_back_steps, next_step, step_index
from .tabs import event_tabs


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    events = selectors.event_list(
        phase=f.get("phase") or None,
        step=f.get("step") or None,
        event_type=f["event_type"].pk if f.get("event_type") else None,
        owner=f["owner"].pk if f.get("owner") else None,
        q=f.get("q") or None,
    )
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "nav": f.get("phase") or "events",
            "can_create": services.can_create_events(request.user),  # type: ignore[arg-type]
        },
    )


def _event_kwargs(data: dict) -> dict:
    data = dict(data)
    data.pop("team_members", None)
    return data


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create_events(request.user):  # type: ignore[arg-type]
        return forbidden(request, NotAllowed(_("只有策划人员或管理员可以创建活动。")))
    form = EventForm(request.POST or None, initial={"owner": request.user.pk, "time_zone": "Asia/Shanghai"})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user,  # type: ignore[arg-type]
                team_members=list(form.cleaned_data["team_members"]),
                **_event_kwargs(form.cleaned_data),
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "nav": "events"})


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    if not can_move(request.user, event):  # type: ignore[arg-type]
        return forbidden(request, NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以修改活动。")))
    initial = {
        "name": event.name,
        "event_type": event.event_type_id,
        "theme": event.theme,
        "tone": event.tone,
        "time_zone": event.time_zone,
        "starts_at": event.local_start().strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.local_end().strftime("%Y-%m-%dT%H:%M"),
        "venue": event.venue,
        "expected_attendance": event.expected_attendance,
        "requesting_department": event.requesting_department_id,
        "owner": event.owner_id,
        "team_members": list(event.team_members.values_list("pk", flat=True)),
    }
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.user,  # type: ignore[arg-type]
                event=event,
                team_members=list(form.cleaned_data["team_members"]),
                **_event_kwargs(form.cleaned_data),
            )
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request, exc)
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event, "nav": "events"})


def lifecycle_map(event: Event) -> list[dict]:
    current = step_index(event.step)
    phases = []
    for phase in Phase:
        steps = []
        for s in PHASE_STEPS[phase]:
            i = step_index(s.value)
            state = "done" if i < current else ("current" if i == current else "todo")
            steps.append({"value": s.value, "label": s.label, "number": i + 1, "state": state})
        phases.append({"value": phase.value, "label": phase.label, "steps": steps})
    return phases


@login_required
def event_detail(
    request: HttpRequest, pk: int, blocked: GateBlocked | None = None, status: int = 200
) -> HttpResponse:
    event = selectors.event_get(pk)
    if event is None:
        return render(request, "core/error.html", {"error": DomainError(_("活动不存在。"))}, status=404)
    criteria = gate_evaluate(event) if event.step != "closed" else []
    back_form = MoveBackForm(initial={"from_step": event.step})
    back_form.fields["to_step"].choices = [  # type: ignore[attr-defined]
        (s.value, f"{step_index(s.value) + 1}. {s.label}") for s in allowed_back_steps(event.step)
    ]
    context = {
        "event": event,
        "phases": lifecycle_map(event),
        "criteria": criteria,
        "unmet_count": sum(1 for c in criteria if not c.met),
        "next_step": next_step(event.step),
        "history": selectors.event_history(event),
        "can_move": can_move(request.user, event),  # type: ignore[arg-type]
        "back_form": back_form,
        "blocked": blocked,
        "tabs": event_tabs(event.pk, "overview"),
        "team": event.team_members.all(),
        "total_steps": len(LIFECYCLE),
        "nav": event.phase.value,
    }
    if request.htmx and request.GET.get("partial") == "gate":  # type: ignore[attr-defined]
        return render(request, "events/event_detail.html#gate", context, status=status)
    return render(request, "events/event_detail.html", context, status=status)


@login_required
@require_POST
def event_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    try:
        result = event_advance(
            event=event,
            actor=request.user,  # type: ignore[arg-type]
            from_step=request.POST.get("from_step") or None,
        )
    except GateBlocked as exc:
        return event_detail(request, pk, blocked=exc, status=409)
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request, exc)
        messages.error(request, exc.message)
        return redirect("events:detail", pk)
    messages.success(
        request, _("活动已推进到「%(step)s」。") % {"step": result.transition.get_to_step_display()}
    )
    return redirect("events:detail", pk)


@login_required
@require_POST
def event_move_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    form = MoveBackForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}:{e}" if label else str(e))
        return redirect("events:detail", pk)
    try:
        event_move_back(
            event=event,
            actor=request.user,  # type: ignore[arg-type]
            to_step=form.cleaned_data["to_step"],
            reason=form.cleaned_data["reason"],
            from_step=form.cleaned_data["from_step"],
        )
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("活动已退回。"))
    return redirect("events:detail", pk)


@login_required
def event_type_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin:  # type: ignore[union-attr]
        return forbidden(request, NotAllowed(_("只有管理员可以管理活动类型。")))
    return render(
        request,
        "events/event_type_list.html",
        {"types": EventType.objects.all(), "nav": "admin", "sub": "types"},
    )


@login_required
def event_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not request.user.is_admin:  # type: ignore[union-attr]
        return forbidden(request, NotAllowed(_("只有管理员可以管理活动类型。")))
    et = get_object_or_404(EventType, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_active": True}
    if et:
        initial = {
            "name": et.name,
            "name_en": et.name_en,
            "code": et.code,
            "description": et.description,
            "is_active": et.is_active,
            "template_json": json.dumps(
                {
                    k: getattr(et, k)
                    for k in ("run_of_show", "budget_categories", "risks", "materials", "schedule")
                },
                ensure_ascii=False,
                indent=2,
            ),
        }
    form = EventTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        template = data.pop("template_json") or {}
        if not isinstance(template, dict):
            form.add_error("template_json", _("模板须为 JSON 对象。"))
        else:
            try:
                services.event_type_save(actor=request.user, event_type=et, template=template, **data)  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("活动类型已保存。"))
                return redirect("events:types")
    return render(
        request,
        "events/event_type_form.html",
        {"form": form, "event_type": et, "nav": "admin", "sub": "types"},
    )
