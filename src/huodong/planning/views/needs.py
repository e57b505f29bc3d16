"""The needs research page (需求洞察, NI-1, NI-2, DOC-1): view and edit the report, its inputs and methods.

Each form posts to its own URL and calls one service; on bad input the whole page is shown again with
the form's errors (status 400). People who may not edit see the page read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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

View = Callable[..., HttpResponse]


# ---------------------------------------------------------------- shared with the goals page
def event_view(*, refusal: Any = None) -> Callable[[View], View]:
    """A view of one event: it is called with the event of ``event_id``; an unknown event gets the 404 page.

    With ``refusal`` (the message), people who may not edit the planning get the 403 page instead.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, event_id: int, **kwargs: Any) -> HttpResponse:
            event = event_selectors.event_get(event_id)
            if event is None:
                return render(
                    request, "core/error.html", {"error": DomainError(_("活动不存在。"))}, status=404
                )
            if refusal is not None and (denied := editing_refused(request, event, refusal)) is not None:
                return denied
            return view(request, event, **kwargs)

        return wrapper

    return decorate


def editing_refused(request: HttpRequest, event: Event, refusal: Any) -> HttpResponse | None:
    """The 403 page saying ``refusal`` for people who may not edit the event's planning, or None."""
    if rules.can_edit_planning(request.user, event):  # type: ignore[arg-type]
        return None
    return forbidden(request, NotAllowed(refusal))


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse | None:
    """The 403/404 page for a refusal that is not about the input, or None."""
    return forbidden(request, exc) if exc.status in (403, 404) else None


def post_form(
    request: HttpRequest,
    event: Event,
    form: forms.Form,
    save: Callable[[dict[str, Any]], HttpResponse],
    again: Callable[[Event], HttpResponse],
) -> HttpResponse:
    """Pass the valid form to ``save`` (the service call and its redirect); else ``again(event)``, the page
    with the form's errors. When the step no longer allows edits, say so above the re-read page."""
    if form.is_valid():
        try:
            return save(form.cleaned_data)
        except DomainError as exc:
            if (page := refused(request, exc)) is not None:
                return page
            if exc.code == "wrong_step":  # the forms are hidden once the step no longer allows edits
                messages.error(request, exc.message)
                event = event_selectors.event_get(event.pk) or event
            apply_domain_errors(form, exc)
    return again(event)


def edit_form(
    request: HttpRequest, form: forms.Form, save: Callable[[dict[str, Any]], HttpResponse]
) -> HttpResponse | int:
    """The POST of an edit page: ``save`` the valid form (the service call and its redirect), or put the
    refusal on the form. Returns the response, or the status with which to show the page (200, 400)."""
    if request.method != "POST":
        return 200
    if form.is_valid():
        try:
            return save(form.cleaned_data)
        except DomainError as exc:
            if (page := refused(request, exc)) is not None:
                return page
            apply_domain_errors(form, exc)
    return 400


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


_NEEDS_REFUSAL = gettext_lazy("只有活动负责人、团队中的策划人员或管理员可以修改需求调研报告。")
needs_view = event_view(refusal=_NEEDS_REFUSAL)


def _post(
    request: HttpRequest,
    event: Event,
    name: str,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str = "",
) -> HttpResponse:
    """Post the page's form ``name``: ``save`` its data, say ``done`` and go back to the page (at ``anchor``);
    bad input shows the page again with the form's errors (400)."""

    def saved(data: dict[str, Any]) -> HttpResponse:
        save(data)
        messages.success(request, done)
        return redirect(f"{_url(event)}{anchor}")

    return post_form(
        request, event, form, saved, lambda event: _render(request, event, bound={name: form}, status=400)
    )


@login_required
@event_view()
def page(request: HttpRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@login_required
@require_POST
@needs_view
def report_save(request: HttpRequest, event: Event) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.needs_report_update(actor=request.user, event=event, **data)  # type: ignore[arg-type]

    return _post(
        request, event, "report_form", NeedsReportForm(request.POST), save, _("需求调研报告已保存。")
    )


@login_required
@require_POST
@needs_view
def request_save(request: HttpRequest, event: Event) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        services.needs_report_update(
            actor=request.user,  # type: ignore[arg-type]
            event=event,
            requesting_department=data["requesting_department"],
            requesters=list(data["requesters"]),
            requested_on=data["requested_on"],
        )

    form = NeedsRequestForm(request.POST)
    return _post(request, event, "request_form", form, save, _("需求提出部门与提出人已保存。"))


@login_required
@require_POST
@needs_view
def history_save(request: HttpRequest, event: Event) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        try:
            services.needs_report_update(
                actor=request.user,  # type: ignore[arg-type]
                event=event,
                history_event_ids=list(data["history_events"]),  # type: ignore[arg-type]
            )
        except DomainError as exc:
            if "history_event_ids" in exc.errors:  # the form's field is history_events
                exc.errors["history_events"] = exc.errors.pop("history_event_ids")
            raise

    form = NeedsHistoryForm(request.POST, candidates=selectors.needs_history_candidates(event))
    return _post(request, event, "history_form", form, save, _("历史活动参考已保存。"))


@dataclass(frozen=True)
class _Rows:
    """What differs between the input rows (NI-1) and the method rows (NI-2) on this page."""

    kind: str  # "input" / "method": the URL names, the form and the anchor ("#inputs") follow from it
    model: type[NeedsInput] | type[NeedsMethod]
    form: type[NeedsInputForm] | type[NeedsMethodForm]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    added: Any  # the message after adding a row
    edit_title: Any

    @property
    def id_arg(self) -> str:
        """The name of the row's id in the URL and in the services: ``input_id`` / ``method_id``."""
        return f"{self.kind}_id"


_ROWS = {
    "input": _Rows(
        kind="input",
        model=NeedsInput,
        form=NeedsInputForm,
        add=services.needs_input_add,
        update=services.needs_input_update,
        remove=services.needs_input_remove,
        added=gettext_lazy("需求输入已添加。"),
        edit_title=gettext_lazy("编辑需求输入"),
    ),
    "method": _Rows(
        kind="method",
        model=NeedsMethod,
        form=NeedsMethodForm,
        add=services.needs_method_add,
        update=services.needs_method_update,
        remove=services.needs_method_remove,
        added=gettext_lazy("调研方法已添加。"),
        edit_title=gettext_lazy("编辑调研方法"),
    ),
}


def _url(event: Event) -> str:
    return reverse("planning:needs", kwargs={"event_id": event.pk})


@login_required
@require_POST
@needs_view
def row_add(request: HttpRequest, event: Event, *, kind: str) -> HttpResponse:
    rows = _ROWS[kind]

    def save(data: dict[str, Any]) -> None:
        rows.add(actor=request.user, event=event, **data)

    form = rows.form(request.POST)
    return _post(request, event, f"{kind}_form", form, save, str(rows.added), anchor=f"#{kind}s")


@login_required
@event_view()
def row_edit(request: HttpRequest, event: Event, *, kind: str, **ids: int) -> HttpResponse:
    """Edit one input or method on its own small page."""
    rows = _ROWS[kind]
    row = rows.model.objects.filter(
        pk=ids[rows.id_arg], report__event=event
    ).first()  # ids: input_id or method_id
    if row is None:
        return render(request, "core/error.html", {"error": DomainError(_("记录不存在。"))}, status=404)
    if (denied := editing_refused(request, event, _NEEDS_REFUSAL)) is not None:
        return denied
    form = rows.form(request.POST or None, initial={f: getattr(row, f) for f in rows.form.base_fields})

    def save(data: dict[str, Any]) -> HttpResponse:
        rows.update(actor=request.user, event=event, **ids, **data)
        messages.success(request, _("已保存。"))
        return redirect(f"{_url(event)}#{kind}s")

    outcome = edit_form(request, form, save)
    if isinstance(outcome, HttpResponse):
        return outcome
    context = {
        "event": event,
        "form": form,
        "kind": kind,
        "title": rows.edit_title,
        "tabs": event_tabs(event.pk, "needs"),
        "nav": event.phase.value,
    }
    return render(request, "planning/needs_row_edit.html", context, status=outcome)


@login_required
@require_POST
@needs_view
def row_remove(request: HttpRequest, event: Event, *, kind: str, **ids: int) -> HttpResponse:
    rows = _ROWS[kind]
    try:
        rows.remove(actor=request.user, event=event, **ids)
    except DomainError as exc:
        if (page := refused(request, exc)) is not None:
            return page
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除。"))
    return redirect(f"{_url(event)}#{kind}s")


_P = "events/<int:event_id>/planning/needs/"
urlpatterns = [
    path(_P, page, name="needs"),
    path(f"{_P}report/", report_save, name="needs_report"),
    path(f"{_P}requested-by/", request_save, name="needs_request"),
    path(f"{_P}history/", history_save, name="needs_history"),
    path(f"{_P}inputs/", row_add, {"kind": "input"}, name="needs_input_add"),
    path(f"{_P}inputs/<int:input_id>/", row_edit, {"kind": "input"}, name="needs_input_edit"),
    path(f"{_P}inputs/<int:input_id>/remove/", row_remove, {"kind": "input"}, name="needs_input_remove"),
    path(f"{_P}methods/", row_add, {"kind": "method"}, name="needs_method_add"),
    path(f"{_P}methods/<int:method_id>/", row_edit, {"kind": "method"}, name="needs_method_edit"),
    path(f"{_P}methods/<int:method_id>/remove/", row_remove, {"kind": "method"}, name="needs_method_remove"),
]
