"""The plan page (PL-1, PL-2, PL-3, DOC-2): theme and background, run of show, budget, risks, attachments.

One page with a section per part, each editable in place: with htmx a form posts and gets its section
back (plus the completeness checklist, out of band); without JavaScript the same forms post and the page
redirects back (or re-renders with the field errors, status 400). Each view parses, calls one service,
renders. People who cannot edit see the page read-only.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huodong.core.errors import DomainError, NotFound
from huodong.core.forms import apply_domain_errors
from huodong.core.models import User
from huodong.core.views import forbidden
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs
from huodong.planning.forms.plan import AttachmentForm, BudgetLineForm, PlanBasicsForm, RiskForm, SegmentForm
from huodong.planning.models import Plan
from huodong.planning.rules import PLAN_EDITABLE_STEPS, can_edit_planning
from huodong.planning.selectors_plan import (
    budget_categories,
    budget_summary,
    event_window_label,
    local,
    local_label,
    plan_of,
    segment_problems,
    segments_of,
)
from huodong.planning.services import attachments as attachment_services
from huodong.planning.services import budget as budget_services
from huodong.planning.services import plan as plan_services
from huodong.planning.services import risks as risk_services
from huodong.planning.services import run_of_show as segment_services

SECTIONS = ("basics", "segments", "budget", "risks", "attachments")


class _Failed(Exception):
    """A form or service said no: re-render ``section`` with the bound form carrying the errors."""

    def __init__(self, section: str, forms: dict[str, Any], editing: str = "") -> None:
        self.section, self.forms, self.editing = section, forms, editing


def _event(event_id: int) -> Event:
    event = (
        Event.objects.select_related("event_type", "owner", "requesting_department")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def _actor(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _can_edit(request: HttpRequest, event: Event) -> bool:
    return can_edit_planning(request.user, event) and event.step in PLAN_EDITABLE_STEPS  # type: ignore[arg-type]


def _segment_initial(event: Event, seg: Any = None) -> dict[str, Any]:
    if seg is None:
        segments = segments_of(plan_of(event))
        last_end = max((s.ends_at for s in segments if not s.parallel), default=event.starts_at)
        start = min(last_end, event.ends_at)
        return {"starts_at": local(event, start).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 15}
    return {
        "title": seg.title,
        "starts_at": local(event, seg.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": seg.duration_minutes,
        "owner": seg.owner_id,
        "key_actions": seg.key_actions,
        "parallel": seg.parallel,
    }


def _context(
    request: HttpRequest, event: Event, *, forms: dict[str, Any] | None = None, editing: str = ""
) -> dict[str, Any]:
    forms = forms or {}
    plan: Plan | None = plan_of(event)
    can_edit = _can_edit(request, event)
    if plan is None and can_edit:
        plan = plan_services.plan_get_or_create(event=event, actor=_actor(request))  # type: ignore[arg-type]
    segments = segments_of(plan)
    problems = segment_problems(event, segments)
    categories = budget_categories(event, plan)
    summary = budget_summary(plan, event=event)
    risks = list(plan.risks.select_related("owner")) if plan else []
    attachments = list(plan.attachments.select_related("uploaded_by")) if plan else []
    edit_kind, _sep, edit_id = editing.partition("-")
    edit_pk = int(edit_id) if edit_id.isdigit() else None
    rows = [
        {
            "obj": s,
            "start": local_label(event, s.starts_at),
            "end": local_label(event, s.ends_at),
            "problems": problems.by_segment.get(s.pk, []),
            "first": i == 0,
            "last": i == len(segments) - 1,
            "editing": can_edit and edit_kind == "segment" and edit_pk == s.pk,
        }
        for i, s in enumerate(segments)
    ]
    ctx: dict[str, Any] = {
        "event": event,
        "plan": plan,
        "can_edit": can_edit,
        "is_editor": can_edit_planning(request.user, event),  # type: ignore[arg-type]
        "editable_steps": "、".join(str(Step(s).label) for s in PLAN_EDITABLE_STEPS),
        "tabs": event_tabs(event.pk, "plan"),
        "nav": event.phase.value,
        "window": event_window_label(event),
        "segment_rows": rows,
        "segment_problem_count": problems.count,
        "summary": summary,
        "categories": categories,
        "risks": risks,
        "attachments": attachments,
        "edit_kind": edit_kind if can_edit else "",
        "edit_pk": edit_pk,
        "criteria": gate_evaluate(event, Step.PLAN),
        "max_upload_mb": attachment_services.max_upload_bytes() // (1024 * 1024),
    }
    ctx["unmet_count"] = sum(1 for c in ctx["criteria"] if not c.met)
    ctx["basics_form"] = forms.get("basics") or PlanBasicsForm(
        initial={
            "theme": event.theme,
            "tone": event.tone,
            "background": plan.background if plan else "",
            "positioning": plan.positioning if plan else "",
            "approved_budget": plan.approved_budget if plan and plan.approved_budget is not None else "",
        }
    )
    ctx["segment_form"] = forms.get("segment") or SegmentForm(
        initial=_segment_initial(event), tz=event.tz, prefix="seg"
    )
    ctx["budget_form"] = forms.get("budget") or BudgetLineForm(categories=categories, prefix="bl")
    ctx["risk_form"] = forms.get("risk") or RiskForm(prefix="risk")
    ctx["attachment_form"] = forms.get("attachment") or AttachmentForm(prefix="att")
    if can_edit and edit_pk is not None and plan is not None:
        if edit_kind == "segment" and "segment_edit" not in forms:
            seg = next((s for s in segments if s.pk == edit_pk), None)
            if seg is not None:
                forms["segment_edit"] = SegmentForm(
                    initial=_segment_initial(event, seg), tz=event.tz, prefix=f"seg{seg.pk}"
                )
        elif edit_kind == "budget" and "budget_edit" not in forms:
            line = next((b for c in summary.categories for b in c.lines if b.pk == edit_pk), None)
            if line is not None:
                forms["budget_edit"] = BudgetLineForm(
                    categories=categories,
                    prefix=f"bl{line.pk}",
                    initial={
                        "category": line.category,
                        "item": line.item,
                        "quantity": line.quantity,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "note": line.note,
                    },
                )
        elif edit_kind == "risk" and "risk_edit" not in forms:
            risk = next((r for r in risks if r.pk == edit_pk), None)
            if risk is not None:
                forms["risk_edit"] = RiskForm(
                    prefix=f"risk{risk.pk}",
                    initial={
                        "risk": risk.risk,
                        "likelihood": risk.likelihood,
                        "impact": risk.impact,
                        "owner": risk.owner_id,
                        "response": risk.response,
                        "backup_resource": risk.backup_resource,
                    },
                )
    ctx["segment_edit_form"] = forms.get("segment_edit")
    ctx["budget_edit_form"] = forms.get("budget_edit")
    ctx["risk_edit_form"] = forms.get("risk_edit")
    return ctx


def _section_response(request: HttpRequest, event: Event, section: str, ctx: dict[str, Any]) -> HttpResponse:
    """An htmx answer: the section, plus the completeness checklist swapped out of band."""
    html = render_to_string(f"planning/plan.html#{section}", ctx, request=request)
    html += render_to_string("planning/plan.html#gate", {**ctx, "oob": True}, request=request)
    return HttpResponse(html)


def _error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": exc}, status=exc.status)


def _guarded(handler: Any) -> Any:
    """Common shape of the write views: parse, call one service, answer as htmx partial or full page."""

    @login_required
    @require_POST
    def view(request: HttpRequest, event_id: int, **kwargs: Any) -> HttpResponse:
        try:
            event = _event(event_id)
        except DomainError as exc:
            return _error_response(request, exc)
        try:
            section, message = handler(request, event, **kwargs)
        except _Failed as failed:
            ctx = _context(request, event, forms=failed.forms, editing=failed.editing)
            if request.htmx:  # type: ignore[attr-defined]
                return _section_response(request, event, failed.section, ctx)
            return render(request, "planning/plan.html", ctx, status=400)
        except DomainError as exc:
            if exc.status in (403, 404):
                return forbidden(request, exc) if exc.status == 403 else _error_response(request, exc)
            messages.error(request, exc.message)
            if request.htmx:  # type: ignore[attr-defined]
                # Not a form's error (wrong step, first segment moved up…): reload to show the message.
                return HttpResponse(status=204, headers={"HX-Refresh": "true"})
            return redirect(reverse("planning:plan", kwargs={"event_id": event.pk}))
        if request.htmx:  # type: ignore[attr-defined]
            event.refresh_from_db()
            return _section_response(request, event, section, _context(request, event))
        if message:
            messages.success(request, message)
        return redirect(reverse("planning:plan", kwargs={"event_id": event.pk}) + f"#{section}")

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _run(section: str, form_key: str, form: Any, call: Any, editing: str = "") -> None:
    """Validate ``form`` then call the service; a refusal becomes a ``_Failed`` carrying the form."""
    if not form.is_valid():
        raise _Failed(section, {form_key: form}, editing)
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        if exc.status != 400:
            raise
        apply_domain_errors(form, exc)
        raise _Failed(section, {form_key: form}, editing) from exc


# ---------------------------------------------------------------- read
@login_required
@require_GET
def page(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(event_id)
    except DomainError as exc:
        return _error_response(request, exc)
    editing = request.GET.get("edit", "")
    try:
        ctx = _context(request, event, editing=editing)
    except DomainError as exc:
        return _error_response(request, exc)
    partial = request.GET.get("partial", "")
    if request.htmx and partial in SECTIONS:  # type: ignore[attr-defined]
        return render(request, f"planning/plan.html#{partial}", ctx)
    return render(request, "planning/plan.html", ctx)


@login_required
@require_GET
def attachment_download(request: HttpRequest, event_id: int, attachment_id: int) -> HttpResponseBase:
    """Any signed-in colleague may read the plan's attachments; there is no public URL."""
    try:
        event = _event(event_id)
        att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    except DomainError as exc:
        return _error_response(request, exc)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("附件文件已丢失。")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=att.original_name, content_type=att.content_type or None
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- writes
@_guarded
def plan_basics(request: HttpRequest, event: Event) -> tuple[str, str]:
    form = PlanBasicsForm(request.POST)
    _run(
        "basics", "basics", form, lambda d: plan_services.plan_update(actor=_actor(request), event=event, **d)
    )
    return "basics", _("策划方案已保存。")


@_guarded
def plan_prefill(request: HttpRequest, event: Event) -> tuple[str, str]:
    added = plan_services.plan_prefill_from_template(event=event, actor=_actor(request))  # type: ignore[arg-type]
    return "segments", _("已按活动类型模板预填 %(s)s 个环节、%(r)s 项风险。") % {
        "s": added["segments"],
        "r": added["risks"],
    }


def _segment_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("title", "starts_at", "duration_minutes", "owner", "key_actions", "parallel")}


@_guarded
def segment_add(request: HttpRequest, event: Event) -> tuple[str, str]:
    form = SegmentForm(request.POST, tz=event.tz, prefix="seg")
    _run(
        "segments",
        "segment",
        form,
        lambda d: segment_services.segment_add(actor=_actor(request), event=event, **_segment_kwargs(d)),
    )
    return "segments", _("流程环节已添加。")


@_guarded
def segment_edit(request: HttpRequest, event: Event, segment_id: int) -> tuple[str, str]:
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    form = SegmentForm(request.POST, tz=event.tz, prefix=f"seg{seg.pk}")
    _run(
        "segments",
        "segment_edit",
        form,
        lambda d: segment_services.segment_update(actor=_actor(request), segment=seg, **_segment_kwargs(d)),
        editing=f"segment-{seg.pk}",
    )
    return "segments", _("流程环节已保存。")


@_guarded
def segment_delete(request: HttpRequest, event: Event, segment_id: int) -> tuple[str, str]:
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    segment_services.segment_remove(actor=_actor(request), segment=seg)  # type: ignore[arg-type]
    return "segments", _("流程环节已删除。")


@_guarded
def segment_move(request: HttpRequest, event: Event, segment_id: int) -> tuple[str, str]:
    seg = segment_services.segment_get(event=event, segment_id=segment_id)
    segment_services.segment_move(
        actor=_actor(request), segment=seg, direction=request.POST.get("direction", "")
    )  # type: ignore[arg-type]
    return "segments", _("流程顺序已调整。")


@_guarded
def segment_relayout(request: HttpRequest, event: Event) -> tuple[str, str]:
    n = segment_services.segments_relayout(actor=_actor(request), event=event)  # type: ignore[arg-type]
    return "segments", _("已按顺序首尾相接重新排布 %(n)s 个环节。") % {"n": n}


def _budget_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("category", "category_name", "item", "quantity", "unit", "unit_price", "note")}


@_guarded
def budget_add(request: HttpRequest, event: Event) -> tuple[str, str]:
    form = BudgetLineForm(request.POST, categories=budget_categories(event, plan_of(event)), prefix="bl")
    _run(
        "budget",
        "budget",
        form,
        lambda d: budget_services.budget_line_add(actor=_actor(request), event=event, **_budget_kwargs(d)),
    )
    return "budget", _("预算明细已添加。")


@_guarded
def budget_edit(request: HttpRequest, event: Event, line_id: int) -> tuple[str, str]:
    line = budget_services.budget_line_get(event=event, line_id=line_id)
    form = BudgetLineForm(request.POST, categories=budget_categories(event, line.plan), prefix=f"bl{line.pk}")
    _run(
        "budget",
        "budget_edit",
        form,
        lambda d: budget_services.budget_line_update(actor=_actor(request), line=line, **_budget_kwargs(d)),
        editing=f"budget-{line.pk}",
    )
    return "budget", _("预算明细已保存。")


@_guarded
def budget_delete(request: HttpRequest, event: Event, line_id: int) -> tuple[str, str]:
    line = budget_services.budget_line_get(event=event, line_id=line_id)
    budget_services.budget_line_remove(actor=_actor(request), line=line)  # type: ignore[arg-type]
    return "budget", _("预算明细已删除。")


def _risk_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("risk", "likelihood", "impact", "owner", "response", "backup_resource")}


@_guarded
def risk_add(request: HttpRequest, event: Event) -> tuple[str, str]:
    form = RiskForm(request.POST, prefix="risk")
    _run(
        "risks",
        "risk",
        form,
        lambda d: risk_services.risk_add(actor=_actor(request), event=event, **_risk_kwargs(d)),
    )
    return "risks", _("风险预案已添加。")


@_guarded
def risk_edit(request: HttpRequest, event: Event, risk_id: int) -> tuple[str, str]:
    risk = risk_services.risk_get(event=event, risk_id=risk_id)
    form = RiskForm(request.POST, prefix=f"risk{risk.pk}")
    _run(
        "risks",
        "risk_edit",
        form,
        lambda d: risk_services.risk_update(actor=_actor(request), risk=risk, **_risk_kwargs(d)),
        editing=f"risk-{risk.pk}",
    )
    return "risks", _("风险预案已保存。")


@_guarded
def risk_delete(request: HttpRequest, event: Event, risk_id: int) -> tuple[str, str]:
    risk = risk_services.risk_get(event=event, risk_id=risk_id)
    risk_services.risk_remove(actor=_actor(request), risk=risk)  # type: ignore[arg-type]
    return "risks", _("风险预案已删除。")


@_guarded
def attachment_add(request: HttpRequest, event: Event) -> tuple[str, str]:
    form = AttachmentForm(request.POST, request.FILES, prefix="att")
    _run(
        "attachments",
        "attachment",
        form,
        lambda d: attachment_services.attachment_add(
            actor=_actor(request), event=event, file=d["file"], kind=d["kind"]
        ),
    )
    return "attachments", _("附件已上传。")


@_guarded
def attachment_delete(request: HttpRequest, event: Event, attachment_id: int) -> tuple[str, str]:
    att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
    attachment_services.attachment_remove(actor=_actor(request), attachment=att)  # type: ignore[arg-type]
    return "attachments", _("附件已删除。")


_P = "events/<int:event_id>/planning/plan/"
urlpatterns = [
    path(_P, page, name="plan"),
    path(_P + "basics/", plan_basics, name="plan_basics"),
    path(_P + "prefill/", plan_prefill, name="plan_prefill"),
    path(_P + "segments/add/", segment_add, name="segment_add"),
    path(_P + "segments/relayout/", segment_relayout, name="segment_relayout"),
    path(_P + "segments/<int:segment_id>/", segment_edit, name="segment_edit"),
    path(_P + "segments/<int:segment_id>/delete/", segment_delete, name="segment_delete"),
    path(_P + "segments/<int:segment_id>/move/", segment_move, name="segment_move"),
    path(_P + "budget/add/", budget_add, name="budget_add"),
    path(_P + "budget/<int:line_id>/", budget_edit, name="budget_edit"),
    path(_P + "budget/<int:line_id>/delete/", budget_delete, name="budget_delete"),
    path(_P + "risks/add/", risk_add, name="risk_add"),
    path(_P + "risks/<int:risk_id>/", risk_edit, name="risk_edit"),
    path(_P + "risks/<int:risk_id>/delete/", risk_delete, name="risk_delete"),
    path(_P + "attachments/add/", attachment_add, name="attachment_add"),
    path(_P + "attachments/<int:attachment_id>/", attachment_download, name="attachment_download"),
    path(_P + "attachments/<int:attachment_id>/delete/", attachment_delete, name="attachment_delete"),
]
