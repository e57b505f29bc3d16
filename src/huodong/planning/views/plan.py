"""The plan page (PL-1, PL-2, PL-3, DOC-2): theme and background, run of show, budget, risks, attachments.

One page with a section per part, each editable in place: with htmx a form posts and gets its section
back (plus the completeness checklist, out of band); without JavaScript the same forms post and the page
redirects back (or re-renders with the field errors, status 400). Each view parses, calls one service,
renders. People who cannot edit see the page read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from huodong.planning.models import Plan, RunOfShowSegment
from huodong.planning.rules import PLAN_EDITABLE_STEPS, can_edit_planning
from huodong.planning.selectors_plan import (
    SegmentProblems,
    attachment_file_response,
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


@dataclass(frozen=True)
class _Rows:
    """One kind of row the page adds, edits and deletes in place (run-of-show segments, budget lines,
    risks). ``key`` names its forms in the context (``segment_form``, ``segment_edit_form``) and the row
    being edited (``?edit=segment-12``); the services are the API's: ``<thing>_get(event, <id_kwarg>)``,
    ``<thing>_add(actor, event, …)``, ``<thing>_update`` and ``_remove(actor, <row_kwarg>, …)``."""

    key: str
    section: str
    prefix: str  # the add form's prefix; an edit form adds the row's id (``seg12``)
    fields: tuple[str, ...]  # what the form hands on to the service
    form: Callable[..., Any]  # (event, categories or None, *form args, **form kwargs) → the form
    initial: Callable[[Event, Any], dict[str, Any]]  # a row → its edit form's values
    id_kwarg: str  # the row's id, in the URL and to ``get``
    row_kwarg: str
    get: Callable[..., Any]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    added: Promise
    saved: Promise
    deleted: Promise

    def row(self, event: Event, ids: dict[str, int]) -> Any:
        return self.get(event=event, **{self.id_kwarg: ids[self.id_kwarg]})


def _segment_form(event: Event, _categories: Any, *args: Any, **kwargs: Any) -> SegmentForm:
    return SegmentForm(*args, tz=event.tz, **kwargs)


def _budget_form(
    event: Event, categories: list[dict[str, str]] | None, *args: Any, **kwargs: Any
) -> BudgetLineForm:
    if categories is None:
        categories = budget_categories(event, plan_of(event))
    return BudgetLineForm(*args, categories=categories, **kwargs)


def _risk_form(event: Event, _categories: Any, *args: Any, **kwargs: Any) -> RiskForm:
    return RiskForm(*args, **kwargs)


def _new_segment_initial(event: Event, segments: list[RunOfShowSegment]) -> dict[str, Any]:
    """A new segment starts where the last one (not running in parallel) ends, 15 minutes long."""
    last_end = max((s.ends_at for s in segments if not s.parallel), default=event.starts_at)
    start = min(last_end, event.ends_at)
    return {"starts_at": local(event, start).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 15}


def _segment_initial(event: Event, seg: RunOfShowSegment) -> dict[str, Any]:
    return {
        "title": seg.title,
        "starts_at": local(event, seg.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": seg.duration_minutes,
        "owner": seg.owner_id,
        "key_actions": seg.key_actions,
        "parallel": seg.parallel,
    }


def _initial_from(*names: str) -> Callable[[Event, Any], dict[str, Any]]:
    """The edit form's values read straight off the row (an owner by id)."""
    return lambda _event, row: {n: getattr(row, "owner_id" if n == "owner" else n) for n in names}


SEGMENTS = _Rows(
    key="segment",
    section="segments",
    prefix="seg",
    fields=("title", "starts_at", "duration_minutes", "owner", "key_actions", "parallel"),
    form=_segment_form,
    initial=_segment_initial,
    id_kwarg="segment_id",
    row_kwarg="segment",
    get=segment_services.segment_get,
    add=segment_services.segment_add,
    update=segment_services.segment_update,
    remove=segment_services.segment_remove,
    added=gettext_lazy("流程环节已添加。"),
    saved=gettext_lazy("流程环节已保存。"),
    deleted=gettext_lazy("流程环节已删除。"),
)
BUDGET_LINES = _Rows(
    key="budget",
    section="budget",
    prefix="bl",
    fields=("category", "category_name", "item", "quantity", "unit", "unit_price", "note"),
    form=_budget_form,
    initial=_initial_from("category", "item", "quantity", "unit", "unit_price", "note"),
    id_kwarg="line_id",
    row_kwarg="line",
    get=budget_services.budget_line_get,
    add=budget_services.budget_line_add,
    update=budget_services.budget_line_update,
    remove=budget_services.budget_line_remove,
    added=gettext_lazy("预算明细已添加。"),
    saved=gettext_lazy("预算明细已保存。"),
    deleted=gettext_lazy("预算明细已删除。"),
)
RISKS = _Rows(
    key="risk",
    section="risks",
    prefix="risk",
    fields=("risk", "likelihood", "impact", "owner", "response", "backup_resource"),
    form=_risk_form,
    initial=_initial_from("risk", "likelihood", "impact", "owner", "response", "backup_resource"),
    id_kwarg="risk_id",
    row_kwarg="risk",
    get=risk_services.risk_get,
    add=risk_services.risk_add,
    update=risk_services.risk_update,
    remove=risk_services.risk_remove,
    added=gettext_lazy("风险预案已添加。"),
    saved=gettext_lazy("风险预案已保存。"),
    deleted=gettext_lazy("风险预案已删除。"),
)
ROW_KINDS = (SEGMENTS, BUDGET_LINES, RISKS)


# ---------------------------------------------------------------- the page's context, piece by piece
def _page_plan(request: HttpRequest, event: Event, can_edit: bool) -> Plan | None:
    """The event's plan; an editor opening the page for the first time starts an empty one."""
    plan = plan_of(event)
    if plan is None and can_edit:
        plan = plan_services.plan_get_or_create(event=event, actor=_actor(request))  # type: ignore[arg-type]
    return plan


def _page_frame(request: HttpRequest, event: Event, plan: Plan | None, can_edit: bool) -> dict[str, Any]:
    """What frames every section: the event header, tabs, who may edit and in which steps."""
    return {
        "event": event,
        "plan": plan,
        "can_edit": can_edit,
        "is_editor": can_edit_planning(request.user, event),  # type: ignore[arg-type]
        "editable_steps": "、".join(str(Step(s).label) for s in PLAN_EDITABLE_STEPS),
        "tabs": event_tabs(event.pk, "plan"),
        "nav": event.phase.value,
        "window": event_window_label(event),
    }


def _segment_rows(
    event: Event, segments: list[RunOfShowSegment], problems: SegmentProblems, editing: int | None
) -> list[dict[str, Any]]:
    """The run of show as table rows: local times, the gate's problems per segment, move limits (PL-2)."""
    return [
        {
            "obj": s,
            "start": local_label(event, s.starts_at),
            "end": local_label(event, s.ends_at),
            "problems": problems.by_segment.get(s.pk, []),
            "first": i == 0,
            "last": i == len(segments) - 1,
            "editing": editing == s.pk,
        }
        for i, s in enumerate(segments)
    ]


def _gate(event: Event) -> dict[str, Any]:
    """The completeness checklist of 方案设计, the same criteria the gate checks."""
    criteria = gate_evaluate(event, Step.PLAN)
    return {"criteria": criteria, "unmet_count": sum(1 for c in criteria if not c.met)}


def _add_forms(
    event: Event,
    plan: Plan | None,
    forms: dict[str, Any],
    segments: list[RunOfShowSegment],
    categories: list[dict[str, str]],
) -> dict[str, Any]:
    """The forms that add to each section: blank, or as posted with their errors."""
    basics = {
        "theme": event.theme,
        "tone": event.tone,
        "background": plan.background if plan else "",
        "positioning": plan.positioning if plan else "",
        "approved_budget": plan.approved_budget if plan and plan.approved_budget is not None else "",
    }
    return {
        "basics_form": forms.get("basics") or PlanBasicsForm(initial=basics),
        "segment_form": forms.get("segment")
        or _segment_form(event, None, initial=_new_segment_initial(event, segments), prefix="seg"),
        "budget_form": forms.get("budget") or _budget_form(event, categories, prefix="bl"),
        "risk_form": forms.get("risk") or _risk_form(event, None, prefix="risk"),
        "attachment_form": forms.get("attachment") or AttachmentForm(prefix="att"),
    }


def _edit_forms(
    event: Event,
    forms: dict[str, Any],
    rows: dict[str, list[Any]],
    categories: list[dict[str, str]],
    edit_kind: str,
    edit_pk: int | None,
) -> dict[str, Any]:
    """``segment_edit_form`` and its kin: the row named by ``?edit=`` filled in, or as posted."""
    ctx: dict[str, Any] = {}
    for kind in ROW_KINDS:
        form = forms.get(f"{kind.key}_edit")
        if form is None and edit_kind == kind.key and edit_pk is not None:
            row = next((r for r in rows[kind.key] if r.pk == edit_pk), None)
            if row is not None:
                form = kind.form(
                    event, categories, prefix=f"{kind.prefix}{row.pk}", initial=kind.initial(event, row)
                )
        ctx[f"{kind.key}_edit_form"] = form
    return ctx


def _context(
    request: HttpRequest, event: Event, *, forms: dict[str, Any] | None = None, editing: str = ""
) -> dict[str, Any]:
    forms = forms or {}
    can_edit = _can_edit(request, event)
    plan = _page_plan(request, event, can_edit)
    segments = segments_of(plan)
    problems = segment_problems(event, segments)
    categories = budget_categories(event, plan)
    summary = budget_summary(plan, event=event)
    risks = list(plan.risks.select_related("owner")) if plan else []
    attachments = list(plan.attachments.select_related("uploaded_by")) if plan else []
    edit_kind, _sep, edit_id = editing.partition("-")
    edit_pk = int(edit_id) if edit_id.isdigit() else None
    if not can_edit:
        edit_kind = ""
    ctx = _page_frame(request, event, plan, can_edit)
    ctx.update(
        {
            "segment_rows": _segment_rows(
                event, segments, problems, edit_pk if edit_kind == SEGMENTS.key else None
            ),
            "segment_problem_count": problems.count,
            "summary": summary,
            "categories": categories,
            "risks": risks,
            "attachments": attachments,
            "edit_kind": edit_kind,
            "edit_pk": edit_pk,
            "max_upload_mb": attachment_services.max_upload_bytes() // (1024 * 1024),
        }
    )
    ctx.update(_gate(event))
    ctx.update(_add_forms(event, plan, forms, segments, categories))
    rows: dict[str, list[Any]] = {
        SEGMENTS.key: segments,
        BUDGET_LINES.key: [line for c in summary.categories for line in c.lines],
        RISKS.key: risks,
    }
    ctx.update(_edit_forms(event, forms, rows, categories, edit_kind if plan else "", edit_pk))
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
        response = attachment_file_response(att)
    except NotFound as exc:
        raise Http404(exc.message) from exc
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


# ---------------------------------------------------------------- segments, budget lines, risks
def _row_add(kind: _Rows) -> Callable[..., tuple[str, str]]:
    def handler(request: HttpRequest, event: Event) -> tuple[str, str]:
        form = kind.form(event, None, request.POST, prefix=kind.prefix)
        _run(
            kind.section,
            kind.key,
            form,
            lambda d: kind.add(actor=_actor(request), event=event, **{k: d[k] for k in kind.fields}),
        )
        return kind.section, str(kind.added)

    handler.__name__ = f"{kind.key}_add"
    return handler


def _row_edit(kind: _Rows) -> Callable[..., tuple[str, str]]:
    def handler(request: HttpRequest, event: Event, **ids: int) -> tuple[str, str]:
        row = kind.row(event, ids)
        form = kind.form(event, None, request.POST, prefix=f"{kind.prefix}{row.pk}")
        _run(
            kind.section,
            f"{kind.key}_edit",
            form,
            lambda d: kind.update(
                actor=_actor(request), **{kind.row_kwarg: row}, **{k: d[k] for k in kind.fields}
            ),
            editing=f"{kind.key}-{row.pk}",
        )
        return kind.section, str(kind.saved)

    handler.__name__ = f"{kind.key}_edit"
    return handler


def _row_delete(kind: _Rows) -> Callable[..., tuple[str, str]]:
    def handler(request: HttpRequest, event: Event, **ids: int) -> tuple[str, str]:
        kind.remove(actor=_actor(request), **{kind.row_kwarg: kind.row(event, ids)})
        return kind.section, str(kind.deleted)

    handler.__name__ = f"{kind.key}_delete"
    return handler


segment_add = _guarded(_row_add(SEGMENTS))
segment_edit = _guarded(_row_edit(SEGMENTS))
segment_delete = _guarded(_row_delete(SEGMENTS))
budget_add = _guarded(_row_add(BUDGET_LINES))
budget_edit = _guarded(_row_edit(BUDGET_LINES))
budget_delete = _guarded(_row_delete(BUDGET_LINES))
risk_add = _guarded(_row_add(RISKS))
risk_edit = _guarded(_row_edit(RISKS))
risk_delete = _guarded(_row_delete(RISKS))


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
