"""The needs research page (需求洞察, NI-1, NI-2, DOC-1): view and edit the report, its inputs and methods.

Each form posts to its own URL and calls one service; on bad input the whole page is shown again with
the form's errors (status 400). People who may not edit see the page read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.forms import apply_domain_errors
from huodong.core.views import forbidden
from huodong.events import selectors as event_selectors
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import rules, selectors
from ..forms.needs import NeedsHistoryForm, NeedsInputForm, NeedsMethodForm, NeedsReportForm, NeedsRequestForm
from ..models import NeedsInput, NeedsMethod
from ..services import needs as services


class _Missing(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _event(request: HttpRequest, event_id: int) -> Event:
    event = event_selectors.event_get(event_id)
    if event is None:
        raise _Missing(
            render(request, "core/error.html", {"error": DomainError(_("活动不存在。"))}, status=404)
        )
    return event


def _page_forms(event: Event) -> dict[str, forms.Form]:
    report = selectors.needs_report_or_blank(event)
    candidates = selectors.needs_history_candidates(event)
    return {
        "report_form": NeedsReportForm(
            initial={
                "background": report.background,
                "audience_persona": report.audience_persona,
                "core_needs": report.core_needs,
                "initial_goals": report.initial_goals,
            }
        ),
        "request_form": NeedsRequestForm(
            initial={
                "requesting_department": report.requesting_department_id or event.requesting_department_id,
                "requesters": [u.pk for u in report.requesters.all()] if report.pk else [],
                "requested_on": report.requested_on,
            }
        ),
        "input_form": NeedsInputForm(),
        "method_form": NeedsMethodForm(),
        "history_form": NeedsHistoryForm(
            initial={"history_events": [c.event_id for c in candidates if c.selected]}, candidates=candidates
        ),
    }


def _render(
    request: HttpRequest, event: Event, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    report = selectors.needs_report_or_blank(event)
    can_edit = rules.can_edit_planning(request.user, event)  # type: ignore[arg-type]
    step_ok = event.step in rules.NEEDS_EDITABLE_STEPS
    context: dict[str, Any] = {
        "event": event,
        "report": report,
        "inputs": list(report.inputs.all()) if report.pk else [],
        "methods": list(report.methods.all()) if report.pk else [],
        "requesters": list(report.requesters.all()) if report.pk else [],
        "history": selectors.needs_history_candidates(event),
        "can_edit": can_edit,
        "step_ok": step_ok,
        "editable": can_edit and step_ok,
        "editable_steps": "、".join(str(Step(s).label) for s in rules.NEEDS_EDITABLE_STEPS),
        "criteria": gate_evaluate(event, Step.NEEDS) if event.step == Step.NEEDS else [],
        "tabs": event_tabs(event.pk, "needs"),
        "nav": event.phase.value,
        **_page_forms(event),
        **(bound or {}),
    }
    return render(request, "planning/needs.html", context, status=status)


def _fail(request: HttpRequest, event: Event, exc: DomainError, name: str, form: forms.Form) -> HttpResponse:
    if isinstance(exc, NotAllowed) or exc.status in (403, 404):
        return forbidden(request, exc)
    if exc.code == "wrong_step":  # the forms are hidden once the step no longer allows edits
        messages.error(request, exc.message)
        event = _event(request, event.pk)
    apply_domain_errors(form, exc)
    return _render(request, event, bound={name: form}, status=400)


def _guard(request: HttpRequest, event: Event) -> HttpResponse | None:
    if not rules.can_edit_planning(request.user, event):  # type: ignore[arg-type]
        return forbidden(
            request, NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以修改需求调研报告。"))
        )
    return None


@login_required
def page(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    return _render(request, event)


@login_required
@require_POST
def report_save(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    form = NeedsReportForm(request.POST)
    if not form.is_valid():
        return _render(request, event, bound={"report_form": form}, status=400)
    try:
        services.needs_report_update(actor=request.user, event=event, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        return _fail(request, event, exc, "report_form", form)
    messages.success(request, _("需求调研报告已保存。"))
    return redirect("planning:needs", event_id=event.pk)


@login_required
@require_POST
def request_save(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    form = NeedsRequestForm(request.POST)
    if not form.is_valid():
        return _render(request, event, bound={"request_form": form}, status=400)
    data = form.cleaned_data
    try:
        services.needs_report_update(
            actor=request.user,  # type: ignore[arg-type]
            event=event,
            requesting_department=data["requesting_department"],
            requesters=list(data["requesters"]),
            requested_on=data["requested_on"],
        )
    except DomainError as exc:
        return _fail(request, event, exc, "request_form", form)
    messages.success(request, _("需求提出部门与提出人已保存。"))
    return redirect("planning:needs", event_id=event.pk)


@login_required
@require_POST
def history_save(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    form = NeedsHistoryForm(request.POST, candidates=selectors.needs_history_candidates(event))
    if not form.is_valid():
        return _render(request, event, bound={"history_form": form}, status=400)
    try:
        services.needs_report_update(
            actor=request.user,  # type: ignore[arg-type]
            event=event,
            history_event_ids=list(form.cleaned_data["history_events"]),  # type: ignore[arg-type]
        )
    except DomainError as exc:
        if "history_event_ids" in exc.errors:
            exc.errors["history_events"] = exc.errors.pop("history_event_ids")
        return _fail(request, event, exc, "history_form", form)
    messages.success(request, _("历史活动参考已保存。"))
    return redirect("planning:needs", event_id=event.pk)


@login_required
@require_POST
def input_add(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    form = NeedsInputForm(request.POST)
    if not form.is_valid():
        return _render(request, event, bound={"input_form": form}, status=400)
    try:
        services.needs_input_add(actor=request.user, event=event, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        return _fail(request, event, exc, "input_form", form)
    messages.success(request, _("需求输入已添加。"))
    return redirect(f"{_url(event)}#inputs")


@login_required
@require_POST
def method_add(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    form = NeedsMethodForm(request.POST)
    if not form.is_valid():
        return _render(request, event, bound={"method_form": form}, status=400)
    try:
        services.needs_method_add(actor=request.user, event=event, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        return _fail(request, event, exc, "method_form", form)
    messages.success(request, _("调研方法已添加。"))
    return redirect(f"{_url(event)}#methods")


def _url(event: Event) -> str:
    return reverse("planning:needs", kwargs={"event_id": event.pk})


def _row_edit(request: HttpRequest, event_id: int, row_id: int, *, kind: str) -> HttpResponse:
    """Edit one input (kind="input") or method (kind="method") on its own small page."""
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    model = NeedsInput if kind == "input" else NeedsMethod
    row = model.objects.filter(pk=row_id, report__event=event).first()
    if row is None:
        return render(request, "core/error.html", {"error": DomainError(_("记录不存在。"))}, status=404)
    if (denied := _guard(request, event)) is not None:
        return denied
    form_class = NeedsInputForm if kind == "input" else NeedsMethodForm
    fields = list(form_class.base_fields)
    form = form_class(request.POST or None, initial={f: getattr(row, f) for f in fields})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if kind == "input":
                    services.needs_input_update(
                        actor=request.user,  # type: ignore[arg-type]
                        event=event,
                        input_id=row.pk,
                        **form.cleaned_data,  # type: ignore[arg-type]
                    )  # type: ignore[arg-type]
                else:
                    services.needs_method_update(
                        actor=request.user,  # type: ignore[arg-type]
                        event=event,
                        method_id=row.pk,
                        **form.cleaned_data,  # type: ignore[arg-type]
                    )  # type: ignore[arg-type]
            except DomainError as exc:
                if exc.status in (403, 404):
                    return forbidden(request, exc)
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(f"{_url(event)}#{kind}s")
        status = 400
    context = {
        "event": event,
        "form": form,
        "kind": kind,
        "title": _("编辑需求输入") if kind == "input" else _("编辑调研方法"),
        "tabs": event_tabs(event.pk, "needs"),
        "nav": event.phase.value,
    }
    return render(request, "planning/needs_row_edit.html", context, status=status)


@login_required
def input_edit(request: HttpRequest, event_id: int, input_id: int) -> HttpResponse:
    return _row_edit(request, event_id, input_id, kind="input")


@login_required
def method_edit(request: HttpRequest, event_id: int, method_id: int) -> HttpResponse:
    return _row_edit(request, event_id, method_id, kind="method")


def _row_remove(request: HttpRequest, event_id: int, row_id: int, *, kind: str) -> HttpResponse:
    try:
        event = _event(request, event_id)
    except _Missing as missing:
        return missing.response
    if (denied := _guard(request, event)) is not None:
        return denied
    try:
        if kind == "input":
            services.needs_input_remove(actor=request.user, event=event, input_id=row_id)  # type: ignore[arg-type]
        else:
            services.needs_method_remove(actor=request.user, event=event, method_id=row_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status in (403, 404):
            return forbidden(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除。"))
    return redirect(f"{_url(event)}#{kind}s")


@login_required
@require_POST
def input_remove(request: HttpRequest, event_id: int, input_id: int) -> HttpResponse:
    return _row_remove(request, event_id, input_id, kind="input")


@login_required
@require_POST
def method_remove(request: HttpRequest, event_id: int, method_id: int) -> HttpResponse:
    return _row_remove(request, event_id, method_id, kind="method")


_P = "events/<int:event_id>/planning/needs/"
urlpatterns = [
    path(_P, page, name="needs"),
    path(f"{_P}report/", report_save, name="needs_report"),
    path(f"{_P}requested-by/", request_save, name="needs_request"),
    path(f"{_P}history/", history_save, name="needs_history"),
    path(f"{_P}inputs/", input_add, name="needs_input_add"),
    path(f"{_P}inputs/<int:input_id>/", input_edit, name="needs_input_edit"),
    path(f"{_P}inputs/<int:input_id>/remove/", input_remove, name="needs_input_remove"),
    path(f"{_P}methods/", method_add, name="needs_method_add"),
    path(f"{_P}methods/<int:method_id>/", method_edit, name="needs_method_edit"),
    path(f"{_P}methods/<int:method_id>/remove/", method_remove, name="needs_method_remove"),
]
