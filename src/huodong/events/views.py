"""Event pages: the list, create/edit, the event home with its 16-step map and gate, event types admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.http import AuthedRequest, actor
from huodong.core.models import DEFAULT_RESERVE_BAND
from huodong.core.pageflow import action_post, error_page, form_post

from . import selectors, services
from .access import Need, event_access, event_for
from .forms import (
    SECTION_LABELS,
    AdvanceForm,
    EventFilterForm,
    EventForm,
    EventTypeForm,
    MoveBackForm,
)
from .lifecycle import GateBlocked, event_advance, event_move_back, gate_evaluate
from .models import Event, EventType
from .seed import OWNER_ROLES
from .steps import LIFECYCLE, PHASE_STEPS, Phase, Step, allowed_back_steps, next_step, step_index
from .tabs import event_tabs


@login_required
def event_list(request: AuthedRequest) -> HttpResponse:
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
            "can_create": services.can_create_events(actor(request)),
        },
    )


def _event_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data.pop("team_members", None)
    data.pop("revision", None)
    return data


@login_required
def event_create(request: AuthedRequest) -> HttpResponse:
    user = actor(request)
    if not services.can_create_events(user):
        return error_page(request, NotAllowed(_("只有策划人员或管理员可以创建活动。")))
    form = EventForm(request.POST or None, initial={"owner": user.pk, "time_zone": "Asia/Shanghai"})
    if request.method != "POST":
        return _form_page(request, form, None, 200)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.event_create)(
            actor=user, team_members=list(data["team_members"]), **_event_kwargs(data)
        ),
        page=lambda status: _form_page(request, form, None, status),
        success_url=lambda event: reverse("events:detail", args=[event.pk]),
        done=_("活动已创建。"),
    )


def _form_page(request: HttpRequest, form: EventForm, event: Event | None, status: int) -> HttpResponse:
    return render(
        request, "events/event_form.html", {"form": form, "event": event, "nav": "events"}, status=status
    )


@login_required
def event_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = actor(request)
    try:
        event = event_for(user, pk, Need.EDIT)
    except DomainError as exc:
        return error_page(request, exc)
    initial = {
        "revision": event.revision,
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
    form = EventForm(
        request.POST or None,
        initial=initial,
        editing=True,
        may_manage=event_access(user, event).can(Need.MANAGE),
    )
    if request.method != "POST":
        return _form_page(request, form, event, 200)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.event_update)(
            actor=user,
            event=event,
            revision=data["revision"],
            team_members=list(data["team_members"]),
            **_event_kwargs(data),
        ),
        page=lambda status: _form_page(request, form, event, status),
        success_url=reverse("events:detail", args=[event.pk]),
        done=_("活动已保存。"),
    )


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
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        event = event_for(actor(request), pk, Need.VIEW)
    except DomainError as exc:
        return error_page(request, exc)
    return _detail_page(request, event)


def _detail_page(
    request: AuthedRequest, event: Event, blocked: GateBlocked | None = None, status: int = 200
) -> HttpResponse:
    user = actor(request)
    criteria = gate_evaluate(event) if event.step != Step.CLOSED else []
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
        "history": selectors.event_history(event, viewer=user),
        "can_move": event_access(user, event).can(Need.EDIT),
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
def event_advance_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = actor(request)
    try:
        event = event_for(user, pk, Need.EDIT)
    except DomainError as exc:
        return error_page(request, exc)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("events:detail", pk)
    try:
        result = retry_on_conflict(event_advance)(
            event=event, actor=user, from_step=form.cleaned_data["from_step"]
        )
    except GateBlocked as exc:
        return _detail_page(request, event_for(user, pk, Need.VIEW), blocked=exc, status=409)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        messages.error(request, exc.message)
        return redirect("events:detail", pk)
    messages.success(
        request, _("活动已推进到「%(step)s」。") % {"step": result.transition.get_to_step_display()}
    )
    return redirect("events:detail", pk)


def _form_messages(request: HttpRequest, form: forms.Form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}:{e}" if label else str(e))


@login_required
@require_POST
def event_move_back_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = actor(request)
    try:
        event = event_for(user, pk, Need.EDIT)
    except DomainError as exc:
        return error_page(request, exc)
    form = MoveBackForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("events:detail", pk)
    return action_post(
        request,
        act=lambda: retry_on_conflict(event_move_back)(
            event=event,
            actor=user,
            to_step=form.cleaned_data["to_step"],
            reason=form.cleaned_data["reason"],
            from_step=form.cleaned_data["from_step"],
        ),
        success_url=reverse("events:detail", args=[pk]),
        failure_url=reverse("events:detail", args=[pk]),
        done=_("活动已退回。"),
    )


@login_required
def event_type_list(request: AuthedRequest) -> HttpResponse:
    if not actor(request).is_admin:
        return error_page(request, NotAllowed(_("只有管理员可以管理活动类型。")))
    return render(
        request,
        "events/event_type_list.html",
        {"types": EventType.objects.all(), "nav": "admin", "sub": "types"},
    )


def _template_band() -> tuple[Decimal, Decimal]:
    """The organisation's contingency band (PL-3) that a type's typical reserve share must sit in."""
    from huodong.core.services import organisation_get

    org = organisation_get()
    lo = org.reserve_min if org.reserve_min is not None else DEFAULT_RESERVE_BAND[0]
    hi = org.reserve_max if org.reserve_max is not None else DEFAULT_RESERVE_BAND[1]
    return Decimal(lo), Decimal(hi)


def _rows_summary(key: str, rows: Any) -> str:
    """A template section in one line, for the stale notice ("7 行:签到、开场、…")."""
    name = {"run_of_show": "title", "risks": "risk", "budget_categories": "name", "team_groups": "name",
            "kit": "name"}[key]  # fmt: skip
    items = [str(r.get(name) or "") for r in rows or [] if isinstance(r, dict) and r]
    if key == "budget_categories":
        items = [
            f"{r.get('name') or ''} {r.get('share') or ''}%" for r in rows or [] if isinstance(r, dict) and r
        ]
    return _("%(n)s 行:%(items)s") % {"n": len(items), "items": "、".join(items)}


@login_required
def event_type_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """An event type and its template: run of show, risks and budget categories in rows (SC-2, PL-2/3)."""
    if not actor(request).is_admin:
        return error_page(request, NotAllowed(_("只有管理员可以管理活动类型。")))
    et = get_object_or_404(EventType, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_active": True}
    if et:
        initial = {
            "revision": et.revision,
            "name": et.name,
            "name_en": et.name_en,
            "code": et.code,
            "description": et.description,
            "is_active": et.is_active,
        }
    band = _template_band()
    form = EventTypeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        editing=et is not None,
        template={k: getattr(et, k) for k in SECTION_LABELS} if et else None,
        band=band,
    )

    def page(status: int) -> HttpResponse:
        stale = getattr(form, "stale", None)
        if stale is not None:
            for key, label in SECTION_LABELS.items():
                if key in stale.theirs:
                    form.stale_rows.append(  # type: ignore[attr-defined]
                        {
                            "field": label,
                            "theirs": _rows_summary(key, stale.theirs[key]),
                            "yours": _rows_summary(key, form.typed_rows(key)),
                        }
                    )
        return render(
            request,
            "events/event_type_form.html",
            {
                "form": form,
                "event_type": et,
                "sections": [
                    (key, SECTION_LABELS[key], form.sections[key])
                    for key in SECTION_LABELS
                    if key in form.sections
                ],
                "owner_roles": OWNER_ROLES,
                "band": (int(band[0] * 100), int(band[1] * 100)),
                "nav": "admin",
                "sub": "types",
            },
            status=status,
        )

    if request.method != "POST":
        return page(200)

    def save(data: dict[str, Any]) -> EventType:
        data = dict(data)
        template = data.pop("template")
        return retry_on_conflict(services.event_type_save)(
            actor=actor(request), event_type=et, template=template, **data
        )

    return form_post(
        request,
        form,
        save=save,
        page=page,
        success_url=reverse("events:types"),
        done=_("活动类型已保存。"),
    )
