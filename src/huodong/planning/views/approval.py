"""Pages of review (RV-1) and approval (AP-1): versions, the review table, signature rows, the diff view.

Every page loads the event through ``events.access`` (``Need.VIEW_APPROVAL``: the owner, the team, the
reviewers and approvers of its versions, administrators) and every form goes through the one page flow
(``core.pageflow.form_post``) to one service. Reviewers and approvers work from phones: forms are
stacked, buttons are large, tables collapse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.concurrency import retry_on_conflict
from huodong.core.http import actor
from huodong.core.models import Department, Role, User
from huodong.core.money import format_money
from huodong.core.pageflow import event_page, form_post
from huodong.events.access import Need
from huodong.events.models import Event
from huodong.events.tabs import event_tabs

from .. import selectors_approval as sel
from ..forms.approval import ReviewDecisionForm, SignForm, SubmitForReviewForm
from ..gates.approval import plan_is_approved
from ..models import ApprovalLevel, DepartmentReview, Goal, PlanVersion, Risk, Signature
from ..rules import REVIEW_STEPS, can_edit_planning
from ..selectors_plan import category_labels
from ..services.approval import approval_sign
from ..services.department_review import department_review_decide, plan_submit_for_approval
from ..versioning import OPEN_STATUSES, content_hash, plan_snapshot, plan_summary, version_diff


def _names(content: dict[str, Any]) -> dict[str, str]:
    usernames = {g.get("owner") for g in content.get("goals", [])} | {
        s.get("owner") for s in content.get("segments", [])
    }
    usernames |= {r.get("owner") for r in content.get("risks", [])}
    return {u.username: u.name for u in User.objects.filter(username__in=[n for n in usernames if n])}


def _when(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def present(content: dict[str, Any], event: Event) -> dict[str, Any]:
    """A snapshot made readable: formatted money and times, people's names, choice labels, built-in
    budget categories in the reader's language (a custom category keeps the name typed)."""
    names = _names(content)
    labels = category_labels(event)
    summary = plan_summary(content)
    currency = summary["currency"]
    ev = content.get("event", {})
    return {
        "event": {**ev, "starts": _when(ev.get("starts_at")), "ends": _when(ev.get("ends_at"))},
        "plan": content.get("plan", {}),
        "summary": summary,
        "budget_total": format_money(summary["budget_total"], currency),
        "reserve": format_money(summary["reserve"], currency),
        "approved_budget": format_money(summary["approved_budget"], currency),
        "goals": [
            {
                **g,
                "metric_label": g.get("custom_metric") or _choice(Goal.Metric, g.get("metric")),
                "owner_name": names.get(g.get("owner") or "", g.get("owner") or "—"),
            }
            for g in content.get("goals", [])
        ],
        "segments": [
            {
                **s,
                "start": _when(s.get("starts_at")),
                "owner_name": names.get(s.get("owner") or "", s.get("owner") or "—"),
            }
            for s in content.get("segments", [])
        ],
        "budget_lines": [
            {
                **b,
                "category_label": labels.get(b.get("category") or "")
                or b.get("category_name")
                or b.get("category"),
            }
            for b in content.get("budget_lines", [])
        ],
        "risks": [
            {
                **r,
                "likelihood_label": _choice(Risk.Level, r.get("likelihood")),
                "impact_label": _choice(Risk.Level, r.get("impact")),
                "owner_name": names.get(r.get("owner") or "", r.get("owner") or "—"),
            }
            for r in content.get("risks", [])
        ],
        "attachments": content.get("attachments", []),
    }


def _choice(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _duty_conflict(user: User, event: Event, version: PlanVersion | None) -> str:
    """Why ``user`` may not review or sign ``version`` (separation of duties), or ""."""
    if version is None:
        return ""
    if event.owner_id == user.pk:
        return _("您是本活动的负责人,按职责分离不能评审或审批签字本活动的方案。")
    if version.submitted_by_id == user.pk:
        return _("方案 v%(n)s 由您提交,按职责分离不能评审或审批签字该版本。") % {"n": version.number}
    return ""


def _context(
    request: HttpRequest,
    event: Event,
    *,
    submit_form: SubmitForReviewForm | None = None,
    review_form: ReviewDecisionForm | None = None,
    sign_form: SignForm | None = None,
) -> dict[str, Any]:
    user = actor(request)
    current = plan_snapshot(event)
    current_hash = content_hash(current)
    overview = sel.versions_overview(event)
    latest: PlanVersion | None = overview[0]["version"] if overview else None
    open_same = latest is not None and latest.status in OPEN_STATUSES and latest.content_hash == current_hash
    editor = can_edit_planning(user, event)
    duty_conflict = _duty_conflict(user, event, latest)
    my_review: DepartmentReview | None = None
    if (
        latest is not None
        and latest.status == PlanVersion.Status.IN_REVIEW
        and user.role == Role.REVIEWER
        and not duty_conflict
    ):
        my_review = next(
            (
                r
                for r in overview[0]["reviews"]
                if r.department_id == user.department_id and r.decision == DepartmentReview.Decision.PENDING
            ),
            None,
        )
    my_level = None
    if (
        latest is not None
        and latest.content_hash == current_hash
        and event.step in REVIEW_STEPS
        and not duty_conflict
    ):
        level = sel.next_level(latest)
        if level is not None and sel.ROLE_LEVEL.get(user.role) == level:
            my_level = level
    shown = latest.content if latest is not None else current
    can_submit = editor and event.step in REVIEW_STEPS and not open_same
    # A refused form whose section is no longer shown (the turn moved, the plan changed) still says why.
    hidden_errors: list[str] = []
    for form, visible in (
        (submit_form, can_submit),
        (review_form, my_review is not None),
        (sign_form, my_level is not None),
    ):
        if form is not None and form.errors and not visible:
            hidden_errors += _messages(form)
    decider = user.role == Role.REVIEWER or user.role in sel.ROLE_LEVEL
    return {
        "page_errors": hidden_errors,
        "event": event,
        "tabs": event_tabs(event.pk, "approval"),
        "nav": event.phase.value,
        "overview": overview,
        "latest": latest,
        "latest_stale": latest is not None
        and (
            latest.status == PlanVersion.Status.SUPERSEDED
            or (latest.status in OPEN_STATUSES and latest.content_hash != current_hash)
        ),
        "current_hash": current_hash,
        "can_submit": can_submit,
        "in_review_step": event.step in REVIEW_STEPS,
        "is_editor": editor,
        "submit_form": submit_form
        or (SubmitForReviewForm(actor=user, event=event, current_hash=current_hash) if editor else None),
        "my_review": my_review,
        "review_form": review_form or (ReviewDecisionForm() if my_review else None),
        "my_level": my_level,
        "my_level_label": ApprovalLevel(my_level).label if my_level else "",
        "sign_form": sign_form
        or (SignForm(initial={"content_hash": latest.content_hash}) if my_level and latest else None),
        "duty_conflict": duty_conflict if decider else "",
        "exception_departments": _exception_departments(latest),
        "shown": present(shown, event),
        "criteria": list(plan_is_approved(event)),
    }


def _exception_departments(version: PlanVersion | None) -> str:
    """The names of the required departments an administrator left out of ``version`` (RV-1)."""
    if version is None or not version.review_exception_departments:
        return ""
    names = dict(
        Department.objects.filter(code__in=version.review_exception_departments).values_list("code", "name")
    )
    return "、".join(names.get(code, code) for code in version.review_exception_departments)


def _messages(form: Any) -> list[str]:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else ""
        out += [f"{label}:{e}" if label else str(e) for e in errors]
    return out


def _render(request: HttpRequest, event: Event, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "planning/approval.html", _context(request, event, **forms), status=status)


def _approval_url(event: Event) -> str:
    return reverse("planning:approval", kwargs={"event_id": event.pk})


@event_page(Need.VIEW_APPROVAL)
def page(request: HttpRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def approval_submit(request: HttpRequest, event: Event) -> HttpResponse:
    user = actor(request)
    form = SubmitForReviewForm(request.POST, actor=user, event=event)

    def save(data: dict[str, Any]) -> PlanVersion:
        return retry_on_conflict(plan_submit_for_approval)(
            event=event,
            actor=user,
            departments=list(data["departments"]),
            exception_reason=data.get("exception_reason") or "",
            content_hash=data.get("content_hash") or None,
        )

    def again(status: int) -> HttpResponse:
        # Refused because the plan changed since the page was shown: the page now shows the plan as it
        # is, so a second submit is a deliberate one of what is shown.
        data = request.POST.copy()
        data["content_hash"] = content_hash(plan_snapshot(event))
        form.data = data
        return _render(request, event, status, submit_form=form)

    return form_post(
        request,
        form,
        save=save,
        page=again,
        success_url=lambda version: _done(
            request, event, _("方案 v%(n)s 已提交评审,评审人已收到通知。") % {"n": version.number}
        ),
    )


def _done(request: HttpRequest, event: Event, message: str, *, warning: bool = False) -> str:
    """Say what happened and go back to the approval page."""
    (messages.warning if warning else messages.success)(request, message)
    return _approval_url(event)


@require_POST
@event_page(Need.VIEW_APPROVAL)
def review_decide_view(request: HttpRequest, event: Event, review_id: int) -> HttpResponse:
    review = get_object_or_404(DepartmentReview, pk=review_id, version__plan__event=event)
    form = ReviewDecisionForm(request.POST)

    def done(decided: DepartmentReview) -> str:
        if decided.decision == DepartmentReview.Decision.REJECT:
            return _done(request, event, _("已驳回,方案已退回方案设计,策划人已收到您的意见。"), warning=True)
        return _done(request, event, _("评审意见已提交。"))

    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(department_review_decide)(
            review=review, actor=actor(request), **data
        ),
        page=lambda status: _render(request, event, status, review_form=form),
        success_url=done,
    )


@require_POST
@event_page(Need.VIEW_APPROVAL)
def approval_sign_view(request: HttpRequest, event: Event, number: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion, plan__event=event, number=number)
    form = SignForm(request.POST)

    def done(signature: Signature) -> str:
        if signature.decision == Signature.Decision.REJECT:
            return _done(request, event, _("已驳回,方案已退回方案设计。"), warning=True)
        return _done(request, event, _("已签字批准 v%(n)s。") % {"n": version.number})

    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(approval_sign)(version=version, actor=actor(request), **data),
        page=lambda status: _render(request, event, status, sign_form=form),
        success_url=done,
    )


@event_page(Need.VIEW_APPROVAL)
def version_detail(request: HttpRequest, event: Event, number: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion, plan__event=event, number=number)
    return render(
        request,
        "planning/version_detail.html",
        {
            "event": event,
            "tabs": event_tabs(event.pk, "approval"),
            "nav": event.phase.value,
            "version": version,
            "exception_departments": _exception_departments(version),
            "shown": present(version.content, event),
            "reviews": sel.department_review_rows(version),
            "signatures": sel.signature_rows(version),
        },
    )


def _side(event: Event, raw: str | None, default: str | None) -> tuple[str, dict[str, Any] | None, Any]:
    """(label, content, error) for one side of the diff: a version number or "current"."""
    value = (raw or default or "").strip()
    if value == "current":
        return _("当前工作稿"), plan_snapshot(event), None
    if not value.isdigit() or len(value) > 9:
        return value[:20], None, _("请填写版本号(如 1)或 current(当前工作稿)。")
    version = sel.version_get(event, int(value))
    if version is None:
        return value, None, _("版本 v%(n)s 不存在。") % {"n": value}
    return f"v{version.number}", version.content, None


@event_page(Need.VIEW_APPROVAL)
def version_diff_view(request: HttpRequest, event: Event) -> HttpResponse:
    versions = list(sel.versions_of(event))
    latest = versions[0] if versions else None
    default_to = "current"
    default_from = str(latest.number) if latest else None
    from_label, old, from_error = _side(event, request.GET.get("from"), default_from)
    to_label, new, to_error = _side(event, request.GET.get("to"), default_to)
    errors = {k: v for k, v in (("from", from_error), ("to", to_error)) if v}
    diff = version_diff(old, new) if old is not None and new is not None else None
    return render(
        request,
        "planning/version_diff.html",
        {
            "event": event,
            "tabs": event_tabs(event.pk, "approval"),
            "nav": event.phase.value,
            "versions": versions,
            "from_value": (request.GET.get("from") or default_from or "")[:20],
            "to_value": (request.GET.get("to") or default_to)[:20],
            "from_label": from_label,
            "to_label": to_label,
            "errors": errors,
            "diff": diff,
        },
        status=400 if errors else 200,
    )


urlpatterns = [
    path("events/<int:event_id>/planning/approval/", page, name="approval"),
    path("events/<int:event_id>/planning/approval/submit/", approval_submit, name="approval_submit"),
    path(
        "events/<int:event_id>/planning/approval/department-reviews/<int:review_id>/decide/",
        review_decide_view,
        name="department_review_decide",
    ),
    path(
        "events/<int:event_id>/planning/approval/versions/<int:number>/sign/",
        approval_sign_view,
        name="approval_sign",
    ),
    path(
        "events/<int:event_id>/planning/approval/versions/<int:number>/",
        version_detail,
        name="version_detail",
    ),
    path("events/<int:event_id>/planning/approval/diff/", version_diff_view, name="version_diff"),
]
