"""Pages of the guest list (issue 9, point 1; NT-2), the event's tab 嘉宾:

- ``outreach:guests``: the list with filters (status, category, department, a search by name, pinyin,
  company, the last digits of a phone or an e-mail), counts by status and category, each department's
  quota with its progress, checkboxes and a bulk action bar, the add form, the import form, the export and
  the template. Works on a phone (a department's contact checks their quota there).
- ``outreach:guest_detail``: one guest — the edit form (with its revision), the status, the consents per
  purpose (read-only here), the ticket code, and the delivery log.
- ``outreach:guest_job``: a background job's progress (``_job.html``, polled by htmx every second while it
  runs; without JavaScript a refresh link) and, at the end, its report.

Phones and e-mails are masked for everybody but the editors (and a team member for their department's
guests) — PIPL. Through the one page flow (``core.pageflow``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post, redirect_to
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import excel_guests, jobs, selectors
from ..excel_guests import problem_reason
from ..forms.guests import (
    BulkForm,
    GuestForm,
    GuestImportForm,
    QuotaForm,
    ShortfallForm,
    StatusForm,
    departments,
)
from ..models import Consent, Guest, Job
from ..rules import OUTREACH_STEPS
from ..services import guests as services
from ..services import quotas as quota_services

TAB = {"key": "guests", "label": gettext_lazy("嘉宾"), "url_name": "outreach:guests", "order": 65}
PAGE_SIZE = 50
FILTER_KEYS = ("status", "category", "department", "q")


def _frame(request: AuthedRequest, event: Event) -> dict[str, Any]:
    scope = services.guest_scope(request.user, event)
    open_step = event.step in OUTREACH_STEPS
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "guests"),
        "nav": event.phase.value,
        "is_editor": scope == "all",
        "scope": scope,
        "editable": scope == "all" and open_step,
        "can_add": bool(scope) and open_step,
        "editable_steps": "、".join(str(Step(s).label) for s in OUTREACH_STEPS),
    }


def _url(event: Event, name: str = "guests", **kw: Any) -> str:
    return reverse(f"outreach:{name}", kwargs={"event_id": event.pk, **kw})


def _filters(request: AuthedRequest) -> dict[str, Any]:
    return {k: request.GET.get(k, "") for k in FILTER_KEYS if request.GET.get(k)}


def _rows(request: AuthedRequest, event: Event, guests: list[Guest], scope: str) -> list[dict[str, Any]]:
    out = []
    for g in guests:
        full = scope == "all" or (scope == "department" and g.department_id == request.user.department_id)
        out.append(
            {"obj": g, "phone": selectors.shown_phone(g, full), "email": selectors.shown_email(g, full)}
        )
    return out


def _render(
    request: AuthedRequest,
    event: Event,
    *,
    forms: dict[str, Any] | None = None,
    import_refused: Any = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    if forms:
        event.refresh_from_db(fields=["step"])
    ctx = _frame(request, event)
    filter_errors: dict[str, list[str]] = {}
    raw = _filters(request)
    try:
        qs = selectors.guests_filtered(event, raw)
    except DomainError as exc:
        filter_errors = exc.as_dict()
        qs = selectors.guests_of(event)
        raw = {}
        status = 400 if status == 200 else status
    paginator = Paginator(qs.order_by("sort_key", "id"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode(raw)
    default_department = request.user.department_id if ctx["scope"] == "department" else None
    ctx.update(
        {
            "rows": _rows(request, event, list(page.object_list), ctx["scope"]),
            "page": page,
            "query": query,
            "filters": raw,
            "filter_errors": filter_errors,
            "filtered": bool(raw),
            "counts": selectors.counts(event),
            "quotas": quota_services.quota_status(event),
            "departments": list(departments()),
            "statuses": Guest._meta.get_field("status").choices,
            "categories": Guest._meta.get_field("category").choices,
            "form": forms.get("add")
            or GuestForm(initial={"department": default_department}, auto_id="add_%s"),
            "bulk_form": forms.get("bulk") or BulkForm(auto_id="bulk_%s"),
            "import_form": forms.get("import") or GuestImportForm(auto_id="imp_%s"),
            "quota_form": forms.get("quota") or QuotaForm(auto_id="quota_%s"),
            "quota_forms": forms.get("quota_rows") or {},
            "import_refused": import_refused,
            "jobs": list(Job.objects.filter(event=event)[:5]) if ctx["is_editor"] else [],
        }
    )
    return render(request, "outreach/guests.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.VIEW)  # a team member adds their department's guests: the service decides
def guest_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = GuestForm(request.POST, auto_id="add_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.guest_add)(
            actor=actor(request), event=event, **form.fields_data
        ),
        page=lambda status: _render(request, event, forms={"add": form}, status=status),
        success_url=lambda row: _url(event) + "#guest-list",
        done=_("嘉宾已添加。"),
    )


# ---------------------------------------------------------------- one guest
def _initial(g: Guest) -> dict[str, Any]:
    return {
        "revision": g.revision,
        **{
            f: getattr(g, f)
            for f in ("name", "company", "title", "email", "category", "language", "wechat_openid", "note")
        },
        "phone": g.phone,
        "department": g.department_id,
        "invited_by": g.invited_by_id,
    }


def _delivery_log(guest: Guest) -> tuple[bool, Any]:
    """The guest's delivery log from the outbox's ``delivery_log`` module, when it exists."""
    try:
        from .. import delivery_log  # type: ignore[attr-defined]
    except ImportError:
        return False, []
    try:
        select_template(["outreach/_message_log.html"])
    except Exception:  # noqa: BLE001 — the partial is not there yet
        return False, []
    return True, delivery_log.guest_log(guest)


def _detail(
    request: AuthedRequest,
    event: Event,
    guest_id: int,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    if bound:
        event.refresh_from_db(fields=["step"])
    try:
        g = services.guest_get(event=event, guest_id=guest_id)
    except DomainError as exc:
        return error_page(request, exc)
    ctx = _frame(request, event)
    full = services.can_see_contact(request.user, event, g)
    may_edit = ctx["can_add"] and (ctx["scope"] == "all" or g.department_id == request.user.department_id)
    consents = {c.purpose: c for c in Consent.objects.filter(guest=g)}
    has_log, log = _delivery_log(g)
    ticket = getattr(g, "ticket", None) if hasattr(g, "ticket") else None
    ctx.update(
        {
            "g": g,
            "phone": selectors.shown_phone(g, full),
            "email": selectors.shown_email(g, full),
            "full": full,
            "may_edit": may_edit,
            # PIPL: deleting a person's information on their request is the editors' (any step).
            "may_erase": event_access(request.user, event).can(Need.EDIT) and g.anonymised_at is None,
            "consents": [(p, label, consents.get(p)) for p, label in Consent.Purpose.choices],
            "ticket": ticket,
            "has_log": has_log,
            "log": log,
            "edit_form": bound.get("edit") or GuestForm(edit=True, initial=_initial(g), auto_id="edit_%s"),
            "status_form": bound.get("status")
            or StatusForm(initial={"revision": g.revision, "status": g.status}, auto_id="st_%s"),
        }
    )
    return render(request, "outreach/guest_detail.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def guest_detail(request: AuthedRequest, event: Event, guest_id: int) -> HttpResponse:
    return _detail(request, event, guest_id)


@require_POST
@event_page(Need.VIEW)  # the service decides (editors; a team member for their department)
def guest_edit(request: AuthedRequest, event: Event, guest_id: int) -> HttpResponse:
    form = GuestForm(request.POST, edit=True, auto_id="edit_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.guest_update)(
            actor=actor(request), event=event, guest_id=guest_id, seen=data["revision"], **form.fields_data
        ),
        page=lambda status: _detail(request, event, guest_id, bound={"edit": form}, status=status),
        success_url=lambda row: _url(event, "guest_detail", guest_id=guest_id),
        done=_("嘉宾信息已保存。"),
    )


@require_POST
@event_page(Need.VIEW)
def guest_status(request: AuthedRequest, event: Event, guest_id: int) -> HttpResponse:
    form = StatusForm(request.POST, auto_id="st_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.guest_status_set)(
            actor=actor(request),
            event=event,
            guest_id=guest_id,
            seen=data["revision"],
            status=data["status"],
            reason=data["reason"],
        ),  # fmt: skip
        page=lambda status: _detail(request, event, guest_id, bound={"status": form}, status=status),
        success_url=lambda row: _url(event, "guest_detail", guest_id=guest_id),
        done=_("嘉宾状态已更新。"),
    )


@require_POST
@event_page(Need.EDIT)
def guest_erase(request: AuthedRequest, event: Event, guest_id: int) -> HttpResponse:
    """Delete a guest's personal information at their request (``services.privacy.guest_erase``)."""
    from ..services.privacy import guest_erase as erase

    return action_post(
        request,
        act=lambda: erase(
            actor=actor(request), event=event, guest_id=guest_id, reason=request.POST.get("reason", "")
        ),
        success_url=_url(event, "guest_detail", guest_id=guest_id),
        failure_url=_url(event, "guest_detail", guest_id=guest_id) + "#erase",
        done=_("已按请求删除该嘉宾的个人信息。"),
    )


@require_POST
@event_page(Need.VIEW)
def guest_remove(request: AuthedRequest, event: Event, guest_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.guest_remove)(
            actor=actor(request),
            event=event,
            guest_id=guest_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_url(event),
        failure_url=_url(event, "guest_detail", guest_id=guest_id),
        done=_("嘉宾已删除。"),
    )


# ---------------------------------------------------------------- bulk, import, export
def _bulk_filters(post: QueryDict) -> dict[str, Any]:
    return {k: post.get(f"f_{k}", "") for k in FILTER_KEYS if post.get(f"f_{k}")}


@require_POST
@event_page(Need.EDIT)
def guests_bulk(request: AuthedRequest, event: Event) -> HttpResponse:
    form = BulkForm(request.POST, auto_id="bulk_%s")
    ids = request.POST.getlist("guest")
    filters = _bulk_filters(request.POST)
    back = _url(event) + (("?" + urlencode(filters)) if filters else "") + "#guest-list"

    def save(data: dict[str, Any]) -> Any:
        selection: dict[str, Any] = (
            {"guest_ids": ids} if data["scope"] == "selected" else {"filters": filters}
        )
        if data["action"] == services.BulkAction.SEND:
            result = services.guests_send(
                actor=actor(request),
                event=event,
                kind=data["kind"],
                channels=data["channels"] or None,
                **selection,
            )
            if isinstance(result, Job):
                return result
            messages.success(request, _("已排入发件箱 %(n)s 条消息。") % {"n": result})
            return None
        value = {
            services.BulkAction.CATEGORY: data.get("category"),
            services.BulkAction.DEPARTMENT: data.get("department"),
            services.BulkAction.STATUS: data.get("status"),
        }.get(data["action"])
        count = retry_on_conflict(services.guests_bulk)(
            actor=actor(request), event=event, action=data["action"], value=value, **selection
        )
        messages.success(request, _("已处理 %(n)s 位嘉宾。") % {"n": count})
        return None

    return form_post(
        request,
        form,
        save=save,
        page=lambda status: _render(request, event, forms={"bulk": form}, status=status),
        success_url=lambda job: _url(event, "guest_job", job_id=job.pk) if isinstance(job, Job) else back,
    )


@require_POST
@event_page(Need.EDIT)
def guests_import(request: AuthedRequest, event: Event) -> HttpResponse:
    form = GuestImportForm(request.POST, request.FILES, auto_id="imp_%s")
    if not form.is_valid():
        return _render(request, event, forms={"import": form}, status=400)
    try:
        job = retry_on_conflict(excel_guests.guests_import)(
            actor=actor(request), event=event, file=form.cleaned_data["file"],
            on_duplicate=form.cleaned_data["on_duplicate"],
        )  # fmt: skip
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error("file" if field not in form.fields else field, msg)
        refused = exc if isinstance(exc, excel_guests.ImportRefused) else None
        return _render(request, event, forms={"import": form}, import_refused=refused, status=400)
    return redirect_to(request, _url(event, "guest_job", job_id=job.pk))


@require_GET
@event_page(Need.EDIT)
def guests_export(request: AuthedRequest, event: Event) -> HttpResponse:
    raw = _filters(request)
    try:
        qs = selectors.guests_filtered(event, raw).order_by("sort_key", "id")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect_to(request, _url(event))
    content = excel_guests.guests_workbook(
        actor=actor(request), event=event, guests=qs.iterator(2000), filters=raw
    )
    return _xlsx(content, excel_guests.export_filename(event))


@require_GET
@event_page(Need.VIEW)
def guests_template(request: AuthedRequest, event: Event) -> HttpResponse:
    return _xlsx(excel_guests.template_workbook(), _("嘉宾导入模板") + ".xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel_guests.EXCEL_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@event_page(Need.EDIT)
def guest_job(request: AuthedRequest, event: Event, job_id: int) -> HttpResponse:
    try:
        job = jobs.job_get(event=event, job_id=job_id)
    except DomainError as exc:
        return error_page(request, exc)
    report = dict(job.report or {})
    if report.get("problems"):  # each reason in the reader's language
        report["problems"] = [{**p, "reason": problem_reason(p)} for p in report["problems"]]
    ctx = {**_frame(request, event), "job": job, "report": report}
    if getattr(request, "htmx", False):
        return render(request, "outreach/_job.html", ctx)
    return render(request, "outreach/guest_job.html", ctx)


# ---------------------------------------------------------------- quotas
def _quota_post(
    request: AuthedRequest, event: Event, form: Any, save: Any, key: Any, done: str
) -> HttpResponse:
    return form_post(
        request,
        form,
        save=save,
        page=lambda status: _render(
            request, event, forms={"quota_rows": {key: form}} if key else {"quota": form}, status=status
        ),
        success_url=_url(event) + "#quotas",
        done=done,
    )


@require_POST
@event_page(Need.EDIT)
def quota_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = QuotaForm(request.POST, auto_id="quota_%s")
    return _quota_post(
        request, event, form,
        lambda d: retry_on_conflict(quota_services.quota_add)(
            actor=actor(request), event=event, department=d["department"], quota=d["quota"], contact=d["contact"]
        ),
        None, _("邀约名额已设定。"),
    )  # fmt: skip


@require_POST
@event_page(Need.EDIT)
def quota_edit(request: AuthedRequest, event: Event, quota_id: int) -> HttpResponse:
    form = QuotaForm(request.POST, edit=True, auto_id=f"q{quota_id}_%s")
    return _quota_post(
        request, event, form,
        lambda d: retry_on_conflict(quota_services.quota_update)(
            actor=actor(request), event=event, quota_id=quota_id, seen=d["revision"], quota=d["quota"],
            contact=d["contact"],
        ),
        ("edit", quota_id), _("邀约名额已保存。"),
    )  # fmt: skip


@require_POST
@event_page(Need.EDIT)
def quota_accept(request: AuthedRequest, event: Event, quota_id: int) -> HttpResponse:
    form = ShortfallForm(request.POST, auto_id=f"s{quota_id}_%s")
    return _quota_post(
        request, event, form,
        lambda d: retry_on_conflict(quota_services.quota_shortfall_accept)(
            actor=actor(request), event=event, quota_id=quota_id, reason=d["reason"], revision=d["revision"]
        ),
        ("accept", quota_id), _("已接受该部门的邀约缺口。"),
    )  # fmt: skip


@require_POST
@event_page(Need.EDIT)
def quota_remove(request: AuthedRequest, event: Event, quota_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(quota_services.quota_remove)(
            actor=actor(request),
            event=event,
            quota_id=quota_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_url(event) + "#quotas",
        failure_url=_url(event) + "#quotas",
        done=_("邀约名额已删除。"),
    )


_P = "events/<int:event_id>/outreach/guests/"
_G = _P + "<int:guest_id>/"
_Q = _P + "quotas/"
urlpatterns = [
    path(_P, page, name="guests"),
    path(_P + "add/", guest_add, name="guest_add"),
    path(_P + "bulk/", guests_bulk, name="guests_bulk"),
    path(_P + "import/", guests_import, name="guests_import"),
    path(_P + "export.xlsx", guests_export, name="guests_export"),
    path(_P + "template.xlsx", guests_template, name="guests_template"),
    path(_P + "jobs/<int:job_id>/", guest_job, name="guest_job"),
    path(_G, guest_detail, name="guest_detail"),
    path(_G + "edit/", guest_edit, name="guest_edit"),
    path(_G + "status/", guest_status, name="guest_status"),
    path(_G + "remove/", guest_remove, name="guest_remove"),
    path(_G + "erase/", guest_erase, name="guest_erase"),
    path(_Q + "add/", quota_add, name="quota_add"),
    path(_Q + "<int:quota_id>/edit/", quota_edit, name="quota_edit"),
    path(_Q + "<int:quota_id>/accept/", quota_accept, name="quota_accept"),
    path(_Q + "<int:quota_id>/remove/", quota_remove, name="quota_remove"),
]
