"""The needs research page (需求洞察, NI-1, NI-2, DOC-1): view and edit the report, its inputs and methods.

Each form posts to its own URL and goes through the one page flow (``core.pageflow``): the form parses, one
service writes, then a redirect; on bad input the whole page is shown again with the errors beside their
fields (400), and an edit based on an old revision shows "已被某某修改" with the other person's values
(409). The event is loaded by ``event_page`` with the need of the page: anyone who may view the event
reads the page, people who may not edit see it read-only and get 403 on every write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import rules, selectors
from ..forms.needs import (
    NeedsHistoryForm,
    NeedsInputEditForm,
    NeedsInputForm,
    NeedsMethodEditForm,
    NeedsMethodForm,
    NeedsReportForm,
    NeedsRequestForm,
    RevisionedForm,
)
from ..models import NeedsInput, NeedsMethod
from ..services import needs as services


def write(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call one service in its own transaction, again on a serialization failure or deadlock, then 409."""
    return retry_on_conflict(service)(**kwargs)


def refusals_shown(request: AuthedRequest, editable: bool, bound: dict[str, forms.Form]) -> None:
    """When the page is read-only (the event has left the editable steps meanwhile), the refused forms are
    not shown: say their errors as messages instead."""
    if editable:
        return
    for form in bound.values():
        for message in form.non_field_errors():
            messages.error(request, str(message))


def _page_forms(event: Event) -> dict[str, forms.Form]:
    report = selectors.needs_report_or_blank(event)
    candidates = selectors.needs_history_candidates(event)
    return {
        "report_form": NeedsReportForm(
            initial={
                "revision": report.revision,
                "background": report.background,
                "audience_persona": report.audience_persona,
                "core_needs": report.core_needs,
                "initial_goals": report.initial_goals,
            }
        ),
        "request_form": NeedsRequestForm(
            initial={
                "revision": report.revision,
                "requesting_department": report.requesting_department_id or event.requesting_department_id,
                "requesters": [u.pk for u in report.requesters.all()] if report.pk else [],
                "requested_on": report.requested_on,
            }
        ),
        "input_form": NeedsInputForm(),
        "method_form": NeedsMethodForm(),
        "history_form": NeedsHistoryForm(
            initial={
                "revision": report.revision,
                "history_events": [c.event_id for c in candidates if c.selected],
            },
            candidates=candidates,
        ),
    }


def _render(
    request: AuthedRequest, event: Event, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    if bound:  # a refused write: the step may have changed meanwhile
        event.refresh_from_db(fields=["step"])
    report = selectors.needs_report_or_blank(event)
    can_edit = rules.can_edit_planning(actor(request), event)
    step_ok = event.step in rules.NEEDS_EDITABLE_STEPS
    refusals_shown(request, can_edit and step_ok, bound or {})
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


def _url(event: Event, anchor: str = "") -> str:
    return reverse("planning:needs", kwargs={"event_id": event.pk}) + anchor


def _report_post(
    request: AuthedRequest,
    event: Event,
    name: str,
    form: RevisionedForm,
    fields: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    done: Any,
    anchor: str,
) -> HttpResponse:
    """Post one of the report's forms: the fields it edits, at the revision it was shown with."""

    def save(data: dict[str, Any]) -> Any:
        return write(
            services.needs_report_update,
            actor=actor(request),
            event=event,
            seen=data["revision"],
            **fields(form.fields_data),
        )

    return form_post(
        request,
        form,
        save=save,
        page=lambda status: _render(request, event, bound={name: form}, status=status),
        success_url=_url(event, anchor),
        done=done,
    )


@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def report_save(request: AuthedRequest, event: Event) -> HttpResponse:
    return _report_post(
        request,
        event,
        "report_form",
        NeedsReportForm(request.POST),
        lambda data: data,
        done=_("需求调研报告已保存。"),
        anchor="#report",
    )


@require_POST
@event_page(Need.EDIT)
def request_save(request: AuthedRequest, event: Event) -> HttpResponse:
    def fields(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "requesting_department": data["requesting_department"],
            "requesters": list(data["requesters"]),
            "requested_on": data["requested_on"],
        }

    return _report_post(
        request,
        event,
        "request_form",
        NeedsRequestForm(request.POST),
        fields,
        done=_("需求提出部门与提出人已保存。"),
        anchor="#requested-by",
    )


@require_POST
@event_page(Need.EDIT)
def history_save(request: AuthedRequest, event: Event) -> HttpResponse:
    form = NeedsHistoryForm(request.POST, candidates=selectors.needs_history_candidates(event))

    def save(data: dict[str, Any]) -> Any:
        try:
            return write(
                services.needs_report_update,
                actor=actor(request),
                event=event,
                seen=data["revision"],
                history_event_ids=list(data["history_events"]),
            )
        except DomainError as exc:
            if "history_event_ids" in exc.errors:  # the form's field is history_events
                exc.errors["history_events"] = exc.errors.pop("history_event_ids")
            raise

    return form_post(
        request,
        form,
        save=save,
        page=lambda status: _render(request, event, bound={"history_form": form}, status=status),
        success_url=_url(event, "#history"),
        done=_("历史活动参考已保存。"),
    )


@dataclass(frozen=True)
class _Rows:
    """What differs between the input rows (NI-1) and the method rows (NI-2) on this page."""

    kind: str  # "input" / "method": the URL names, the form and the anchor ("#inputs") follow from it
    model: type[NeedsInput] | type[NeedsMethod]
    form: type[NeedsInputForm] | type[NeedsMethodForm]
    edit_form: type[NeedsInputEditForm] | type[NeedsMethodEditForm]
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
        edit_form=NeedsInputEditForm,
        add=services.needs_input_add,
        update=services.needs_input_update,
        remove=services.needs_input_remove,
        added=_("需求输入已添加。"),
        edit_title=_("编辑需求输入"),
    ),
    "method": _Rows(
        kind="method",
        model=NeedsMethod,
        form=NeedsMethodForm,
        edit_form=NeedsMethodEditForm,
        add=services.needs_method_add,
        update=services.needs_method_update,
        remove=services.needs_method_remove,
        added=_("调研方法已添加。"),
        edit_title=_("编辑调研方法"),
    ),
}


@require_POST
@event_page(Need.EDIT)
def row_add(request: AuthedRequest, event: Event, *, kind: str) -> HttpResponse:
    rows = _ROWS[kind]
    form = rows.form(request.POST)
    return form_post(
        request,
        form,
        save=lambda data: write(rows.add, actor=actor(request), event=event, **data),
        page=lambda status: _render(request, event, bound={f"{kind}_form": form}, status=status),
        success_url=_url(event, f"#{kind}s"),
        done=rows.added,
    )


@event_page(Need.EDIT)
def row_edit(request: AuthedRequest, event: Event, *, kind: str, **ids: int) -> HttpResponse:
    """Edit one input or method on its own small page."""
    rows = _ROWS[kind]
    row = selectors.needs_row_get(event, rows.model, ids[rows.id_arg])
    if row is None:
        return error_page(request, NotFound(_("记录不存在。")))
    initial = {f: getattr(row, f) for f in rows.form.base_fields}
    form = rows.edit_form(request.POST or None, initial={**initial, "revision": row.revision})

    def page(status: int) -> HttpResponse:
        context = {
            "event": event,
            "form": form,
            "kind": kind,
            "title": rows.edit_title,
            "tabs": event_tabs(event.pk, "needs"),
            "nav": event.phase.value,
        }
        return render(request, "planning/needs_row_edit.html", context, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: write(
            rows.update,
            actor=actor(request),
            event=event,
            seen=data["revision"],
            **{rows.id_arg: row.pk},
            **form.fields_data,
        ),
        page=page,
        success_url=_url(event, f"#{kind}s"),
        done=_("已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def row_remove(request: AuthedRequest, event: Event, *, kind: str, **ids: int) -> HttpResponse:
    rows = _ROWS[kind]
    return action_post(
        request,
        act=lambda: write(
            rows.remove,
            actor=actor(request),
            event=event,
            seen=revision_of(request.POST.get("revision")),
            **ids,
        ),
        success_url=_url(event, f"#{kind}s"),
        failure_url=_url(event, f"#{kind}s"),
        done=_("已删除。"),
    )


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
