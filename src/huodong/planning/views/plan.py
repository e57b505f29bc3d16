"""The plan page (PL-1, PL-2, PL-3, DOC-2): theme and background, run of show, budget, risks, attachments.

One page with a section per part, each editable in place, through the one page flow (``core.pageflow``):
a form posts, one service runs, and the page redirects back to its section (``HX-Redirect`` for htmx); a
refusal shows the section again (the whole page without JavaScript) with the errors beside their fields,
status 400 — or 409 with "已被某某修改" and the other person's values when someone saved first (every edit
form carries the revision it showed). Buttons without fields (delete, move, lay out, pre-fill) go back
saying what happened. People who cannot edit see the page read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs
from huodong.planning.forms.plan import AttachmentForm, BudgetLineForm, PlanBasicsForm, RiskForm, SegmentForm
from huodong.planning.models import Plan, PlanVersion, RunOfShowSegment
from huodong.planning.rules import PLAN_EDITABLE_STEPS
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
# An edit form is not prefixed (the page flow reads its ``revision`` by name): its own ids keep it apart
# from the add forms and the basics form on the same page.
EDIT_IDS = "edit_%s"


@dataclass(frozen=True)
class _Rows:
    """One kind of row the page adds, edits and deletes in place (run-of-show segments, budget lines,
    risks). ``key`` names its forms in the context (``segment_form``, ``segment_edit_form``) and the row
    being edited (``?edit=segment-12``); the services are the API's: ``<thing>_add(actor, event, …)``,
    ``<thing>_update(actor, event, <id_kwarg>, seen, …)`` and ``_remove(actor, event, <id_kwarg>, seen)``."""

    key: str
    section: str
    prefix: str  # the add form's prefix
    fields: tuple[str, ...]  # what the form hands on to the service
    form: Callable[..., Any]  # (event, categories or None, *form args, **form kwargs) → the form
    initial: Callable[[Event, Any], dict[str, Any]]  # a row → its edit form's values
    id_kwarg: str  # the row's id, in the URL and to the services
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    added: Promise
    saved: Promise
    deleted: Promise


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
        "revision": seg.revision,
        "title": seg.title,
        "starts_at": local(event, seg.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": seg.duration_minutes,
        "owner": seg.owner_id,
        "key_actions": seg.key_actions,
        "parallel": seg.parallel,
    }


def _initial_from(*names: str) -> Callable[[Event, Any], dict[str, Any]]:
    """The edit form's values read straight off the row (an owner by id), with the row's revision."""
    return lambda _event, row: {
        n: getattr(row, "owner_id" if n == "owner" else n) for n in ("revision", *names)
    }


SEGMENTS = _Rows(
    key="segment",
    section="segments",
    prefix="seg",
    fields=("title", "starts_at", "duration_minutes", "owner", "key_actions", "parallel"),
    form=_segment_form,
    initial=_segment_initial,
    id_kwarg="segment_id",
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
    add=risk_services.risk_add,
    update=risk_services.risk_update,
    remove=risk_services.risk_remove,
    added=gettext_lazy("风险预案已添加。"),
    saved=gettext_lazy("风险预案已保存。"),
    deleted=gettext_lazy("风险预案已删除。"),
)
ROW_KINDS = (SEGMENTS, BUDGET_LINES, RISKS)


# ---------------------------------------------------------------- the page's context, piece by piece
def _page_plan(request: AuthedRequest, event: Event, can_edit: bool) -> Plan | None:
    """The event's plan; an editor opening the page for the first time starts an empty one."""
    plan = plan_of(event)
    if plan is None and can_edit:
        plan = plan_services.plan_get_or_create(event=event, actor=actor(request))
    return plan


def _page_frame(event: Event, plan: Plan | None, can_edit: bool, is_editor: bool) -> dict[str, Any]:
    """What frames every section: the event header, tabs, who may edit and in which steps."""
    return {
        "event": event,
        "plan": plan,
        "can_edit": can_edit,
        "is_editor": is_editor,
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


def _gate(event: Event, plan: Plan | None = None) -> dict[str, Any]:
    """The completeness checklist of 方案设计, the same criteria the gate checks, and where the plan
    stands once it is submitted: "可提交评审" only while no version of it is in review, reviewed or
    approved (then the checklist says that state instead)."""
    criteria = gate_evaluate(event, Step.PLAN)
    plan = plan if plan is not None else plan_of(event)
    version = (
        plan.versions.exclude(status=PlanVersion.Status.SUPERSEDED).order_by("-number").first()
        if plan is not None and plan.pk is not None
        else None
    )
    standing = version if version is not None and version.status != PlanVersion.Status.REJECTED else None
    return {
        "criteria": criteria,
        "unmet_count": sum(1 for c in criteria if not c.met),
        "plan_version": standing,
    }


def _add_forms(
    event: Event,
    plan: Plan | None,
    forms: dict[str, Any],
    segments: list[RunOfShowSegment],
    categories: list[dict[str, str]],
) -> dict[str, Any]:
    """The forms that add to each section (and the basics form): blank, or as posted with their errors."""
    basics = {
        "revision": plan.revision if plan else None,
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
                    event, categories, edit=True, auto_id=EDIT_IDS, initial=kind.initial(event, row)
                )
        ctx[f"{kind.key}_edit_form"] = form
    return ctx


def _context(
    request: AuthedRequest, event: Event, *, forms: dict[str, Any] | None = None, editing: str = ""
) -> dict[str, Any]:
    forms = forms or {}
    # Edit controls show for those who may edit the event (owner, team organiser, administrator), and
    # only while the plan may change; the services check both again on the locked event.
    is_editor = event_access(request.user, event).can(Need.EDIT)
    can_edit = is_editor and event.step in PLAN_EDITABLE_STEPS
    plan = _page_plan(request, event, can_edit)
    segments = segments_of(plan)
    problems = segment_problems(event, segments)
    categories = budget_categories(event, plan)
    summary = budget_summary(plan, event=event)
    risks = list(plan.risks.select_related("owner")) if plan else []
    attachments = list(plan.attachments.select_related("uploaded_by")) if plan else []
    edit_kind, _sep, edit_id = editing.partition("-")
    edit_pk = int(edit_id) if edit_id.isdigit() and len(edit_id) < 10 else None
    if not can_edit:
        edit_kind = ""
    ctx = _page_frame(event, plan, can_edit, is_editor)
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
    ctx.update(_gate(event, plan))
    ctx.update(_add_forms(event, plan, forms, segments, categories))
    rows: dict[str, list[Any]] = {
        SEGMENTS.key: segments,
        BUDGET_LINES.key: [line for c in summary.categories for line in c.lines],
        RISKS.key: risks,
    }
    ctx.update(_edit_forms(event, forms, rows, categories, edit_kind if plan else "", edit_pk))
    return ctx


def _section_response(request: AuthedRequest, section: str, ctx: dict[str, Any], status: int) -> HttpResponse:
    """An htmx answer: the section, plus the completeness checklist swapped out of band."""
    html = render_to_string(f"planning/plan.html#{section}", ctx, request=request)
    html += render_to_string("planning/plan.html#gate", {**ctx, "oob": True}, request=request)
    return HttpResponse(html, status=status)


def _url(event: Event, section: str) -> str:
    return reverse("planning:plan", kwargs={"event_id": event.pk}) + f"#{section}"


def _form_post(
    request: AuthedRequest,
    event: Event,
    *,
    section: str,
    form_key: str,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    done: Any,
    editing: str = "",
) -> HttpResponse:
    """``core.pageflow.form_post`` with this page's refusal: the section (htmx) or the page, the form
    as posted with its errors (or the stale notice) in place of the blank one."""

    def page(status: int) -> HttpResponse:
        ctx = _context(request, event, forms={form_key: form}, editing=editing)
        if getattr(request, "htmx", False):
            return _section_response(request, section, ctx, status)
        return render(request, "planning/plan.html", ctx, status=status)

    # A deadlock or serialization failure that still happens is tried again, then a 409 beside the form.
    return form_post(
        request, form, save=retry_on_conflict(save), page=page, success_url=_url(event, section), done=done
    )


def _action_post(
    request: AuthedRequest, event: Event, section: str, act: Callable[[], Any], done: Any
) -> HttpResponse:
    url = _url(event, section)
    return action_post(request, act=retry_on_conflict(act), success_url=url, failure_url=url, done=done)


def _seen(request: AuthedRequest) -> int | None:
    """The revision a button's form was shown with (delete and move buttons carry it)."""
    return revision_of(request.POST.get("revision"))


# ---------------------------------------------------------------- read
@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    try:
        ctx = _context(request, event, editing=request.GET.get("edit", ""))
    except DomainError as exc:
        return error_page(request, exc)
    partial = request.GET.get("partial", "")
    if getattr(request, "htmx", False) and partial in SECTIONS:
        return render(request, f"planning/plan.html#{partial}", ctx)
    return render(request, "planning/plan.html", ctx)


@require_GET
@event_page(Need.VIEW)
def attachment_download(request: AuthedRequest, event: Event, attachment_id: int) -> HttpResponseBase:
    """Anyone who may see the event (every signed-in colleague) may read its attachments; no public URL."""
    try:
        att = attachment_services.attachment_get(event=event, attachment_id=attachment_id)
        response = attachment_file_response(att)
    except DomainError as exc:
        return error_page(request, exc)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- writes
@require_POST
@event_page(Need.EDIT)
def plan_basics(request: AuthedRequest, event: Event) -> HttpResponse:
    form = PlanBasicsForm(request.POST)

    def save(data: dict[str, Any]) -> Any:
        fields = {k: v for k, v in data.items() if k != "revision"}
        return plan_services.plan_update(actor=actor(request), event=event, seen=data["revision"], **fields)

    return _form_post(
        request, event, section="basics", form_key="basics", form=form, save=save, done=_("策划方案已保存。")
    )


@require_POST
@event_page(Need.EDIT)
def plan_prefill(request: AuthedRequest, event: Event) -> HttpResponse:
    def act() -> None:
        added = plan_services.plan_prefill_from_template(event=event, actor=actor(request))
        done = _("已按活动类型模板预填 %(s)s 个环节、%(r)s 项风险。")
        messages.success(request, done % {"s": added["segments"], "r": added["risks"]})

    return _action_post(request, event, "segments", act, None)


# ---------------------------------------------------------------- segments, budget lines, risks
def _row_add(kind: _Rows) -> Callable[..., HttpResponse]:
    @require_POST
    @event_page(Need.EDIT)
    def view(request: AuthedRequest, event: Event) -> HttpResponse:
        form = kind.form(event, None, request.POST, prefix=kind.prefix)
        return _form_post(
            request,
            event,
            section=kind.section,
            form_key=kind.key,
            form=form,
            save=lambda d: kind.add(actor=actor(request), event=event, **{k: d[k] for k in kind.fields}),
            done=kind.added,
        )

    view.__name__ = f"{kind.key}_add"
    return view


def _row_edit(kind: _Rows) -> Callable[..., HttpResponse]:
    @require_POST
    @event_page(Need.EDIT)
    def view(request: AuthedRequest, event: Event, **ids: int) -> HttpResponse:
        pk = ids[kind.id_kwarg]
        form = kind.form(event, None, request.POST, edit=True, auto_id=EDIT_IDS)
        return _form_post(
            request,
            event,
            section=kind.section,
            form_key=f"{kind.key}_edit",
            form=form,
            save=lambda d: kind.update(
                actor=actor(request),
                event=event,
                seen=d["revision"],
                **{kind.id_kwarg: pk},
                **{k: d[k] for k in kind.fields},
            ),
            done=kind.saved,
            editing=f"{kind.key}-{pk}",
        )

    view.__name__ = f"{kind.key}_edit"
    return view


def _row_delete(kind: _Rows) -> Callable[..., HttpResponse]:
    @require_POST
    @event_page(Need.EDIT)
    def view(request: AuthedRequest, event: Event, **ids: int) -> HttpResponse:
        return _action_post(
            request,
            event,
            kind.section,
            lambda: kind.remove(
                actor=actor(request), event=event, seen=_seen(request), **{kind.id_kwarg: ids[kind.id_kwarg]}
            ),
            kind.deleted,
        )

    view.__name__ = f"{kind.key}_delete"
    return view


segment_add = _row_add(SEGMENTS)
segment_edit = _row_edit(SEGMENTS)
segment_delete = _row_delete(SEGMENTS)
budget_add = _row_add(BUDGET_LINES)
budget_edit = _row_edit(BUDGET_LINES)
budget_delete = _row_delete(BUDGET_LINES)
risk_add = _row_add(RISKS)
risk_edit = _row_edit(RISKS)
risk_delete = _row_delete(RISKS)


@require_POST
@event_page(Need.EDIT)
def segment_move(request: AuthedRequest, event: Event, segment_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        "segments",
        lambda: segment_services.segment_move(
            actor=actor(request),
            event=event,
            segment_id=segment_id,
            direction=request.POST.get("direction", ""),
            seen=_seen(request),
        ),
        _("流程顺序已调整。"),
    )


@require_POST
@event_page(Need.EDIT)
def segment_relayout(request: AuthedRequest, event: Event) -> HttpResponse:
    def act() -> None:
        n = segment_services.segments_relayout(actor=actor(request), event=event)
        messages.success(request, _("已按顺序首尾相接重新排布 %(n)s 个环节。") % {"n": n})

    return _action_post(request, event, "segments", act, None)


@require_POST
@event_page(Need.EDIT)
def attachment_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES, prefix="att")
    return _form_post(
        request,
        event,
        section="attachments",
        form_key="attachment",
        form=form,
        save=lambda d: attachment_services.attachment_add(
            actor=actor(request), event=event, file=d["file"], kind=d["kind"]
        ),
        done=_("附件已上传。"),
    )


@require_POST
@event_page(Need.EDIT)
def attachment_delete(request: AuthedRequest, event: Event, attachment_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        "attachments",
        lambda: attachment_services.attachment_remove(
            actor=actor(request), event=event, attachment_id=attachment_id, seen=_seen(request)
        ),
        _("附件已删除。"),
    )


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
