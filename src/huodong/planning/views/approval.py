"""Pages of review (RV-1) and approval (AP-1): versions, the review table, signature rows, the diff view.

Reviewers and approvers work from phones: forms are stacked, buttons are large, tables collapse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.forms import apply_domain_errors
from huodong.core.models import Role, User
from huodong.core.money import format_money
from huodong.core.views import forbidden
from huodong.events.models import Event
from huodong.events.tabs import event_tabs

from .. import selectors_approval as sel
from ..forms.approval import ReviewDecisionForm, SignForm, SubmitForReviewForm
from ..gates.approval import plan_is_approved
from ..models import ApprovalLevel, DepartmentReview, Goal, PlanVersion, Risk, Signature
from ..rules import REVIEW_STEPS, can_edit_planning
from ..services.approval import approval_sign
from ..services.department_review import department_review_decide, plan_submit_for_approval
from ..versioning import OPEN_STATUSES, content_hash, plan_snapshot, plan_summary, version_diff


def _event(event_id: int) -> Event:
    return get_object_or_404(Event.objects.select_related("event_type", "owner"), pk=event_id)


def _require_view(request: HttpRequest, event: Event) -> None:
    if not sel.can_view_approval(request.user, event):  # type: ignore[arg-type]
        raise NotAllowed(_("只有活动的策划团队、评审人、审批人或管理员可以查看评审与审批。"))


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


def present(content: dict[str, Any]) -> dict[str, Any]:
    """A snapshot made readable: formatted money and times, people's names, choice labels."""
    names = _names(content)
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
        "budget_lines": content.get("budget_lines", []),
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


def _context(
    request: HttpRequest,
    event: Event,
    *,
    submit_form: SubmitForReviewForm | None = None,
    review_form: ReviewDecisionForm | None = None,
    sign_form: SignForm | None = None,
) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    current = plan_snapshot(event)
    current_hash = content_hash(current)
    overview = sel.versions_overview(event)
    latest: PlanVersion | None = overview[0]["version"] if overview else None
    open_same = latest is not None and latest.status in OPEN_STATUSES and latest.content_hash == current_hash
    editor = can_edit_planning(user, event)
    my_review: DepartmentReview | None = None
    if latest is not None and latest.status == PlanVersion.Status.IN_REVIEW and user.role == Role.REVIEWER:
        my_review = next(
            (
                r
                for r in overview[0]["reviews"]
                if r.department_id == user.department_id and r.decision == DepartmentReview.Decision.PENDING
            ),
            None,
        )
    my_level = None
    if latest is not None and latest.content_hash == current_hash and event.step in REVIEW_STEPS:
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
        "submit_form": submit_form or (SubmitForReviewForm() if editor else None),
        "my_review": my_review,
        "review_form": review_form or (ReviewDecisionForm() if my_review else None),
        "my_level": my_level,
        "my_level_label": ApprovalLevel(my_level).label if my_level else "",
        "sign_form": sign_form
        or (SignForm(initial={"content_hash": latest.content_hash}) if my_level and latest else None),
        "shown": present(shown),
        "criteria": list(plan_is_approved(event)),
    }


def _messages(form: Any) -> list[str]:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else ""
        out += [f"{label}:{e}" if label else str(e) for e in errors]
    return out


def _render(request: HttpRequest, event: Event, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "planning/approval.html", _context(request, event, **forms), status=status)


def _post(
    request: HttpRequest, event: Event, form: Any, form_name: str, call: Callable[[dict[str, Any]], Any]
) -> tuple[Any, HttpResponse | None]:
    """Validate ``form`` and call the one service; a refusal re-renders the page with the form's errors."""
    if not form.is_valid():
        return None, _render(request, event, status=400, **{form_name: form})
    try:
        return call(form.cleaned_data), None
    except DomainError as exc:
        if exc.status == 403:
            return None, forbidden(request, exc)
        apply_domain_errors(form, exc)
        return None, _render(request, event, status=exc.status, **{form_name: form})


@login_required
def page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    try:
        _require_view(request, event)
    except DomainError as exc:
        return forbidden(request, exc)
    return _render(request, event)


@login_required
@require_POST
def approval_submit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    if not can_edit_planning(request.user, event):  # type: ignore[arg-type]
        return forbidden(request, NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以提交评审。")))
    version, refused = _post(
        request,
        event,
        SubmitForReviewForm(request.POST),
        "submit_form",
        lambda data: plan_submit_for_approval(
            event=event,
            actor=request.user,  # type: ignore[arg-type]
            departments=list(data["departments"]),
        ),
    )
    if refused:
        return refused
    messages.success(request, _("方案 v%(n)s 已提交评审,评审人已收到通知。") % {"n": version.number})
    return redirect("planning:approval", event_id=event.pk)


@login_required
@require_POST
def review_decide_view(request: HttpRequest, event_id: int, review_id: int) -> HttpResponse:
    event = _event(event_id)
    review = get_object_or_404(DepartmentReview, pk=review_id, version__plan__event=event)
    try:
        _require_view(request, event)
    except DomainError as exc:
        return forbidden(request, exc)
    review, refused = _post(
        request,
        event,
        ReviewDecisionForm(request.POST),
        "review_form",
        lambda data: department_review_decide(review=review, actor=request.user, **data),  # type: ignore[arg-type]
    )
    if refused:
        return refused
    if review.decision == DepartmentReview.Decision.REJECT:
        messages.warning(request, _("已驳回,方案已退回方案设计,策划人已收到您的意见。"))
    else:
        messages.success(request, _("评审意见已提交。"))
    return redirect("planning:approval", event_id=event.pk)


@login_required
@require_POST
def approval_sign_view(request: HttpRequest, event_id: int, number: int) -> HttpResponse:
    event = _event(event_id)
    version = get_object_or_404(PlanVersion, plan__event=event, number=number)
    try:
        _require_view(request, event)
    except DomainError as exc:
        return forbidden(request, exc)
    signature, refused = _post(
        request,
        event,
        SignForm(request.POST),
        "sign_form",
        lambda data: approval_sign(version=version, actor=request.user, **data),  # type: ignore[arg-type]
    )
    if refused:
        return refused
    if signature.decision == Signature.Decision.REJECT:
        messages.warning(request, _("已驳回,方案已退回方案设计。"))
    else:
        messages.success(request, _("已签字批准 v%(n)s。") % {"n": version.number})
    return redirect("planning:approval", event_id=event.pk)


@login_required
def version_detail(request: HttpRequest, event_id: int, number: int) -> HttpResponse:
    event = _event(event_id)
    try:
        _require_view(request, event)
    except DomainError as exc:
        return forbidden(request, exc)
    version = get_object_or_404(PlanVersion, plan__event=event, number=number)
    return render(
        request,
        "planning/version_detail.html",
        {
            "event": event,
            "tabs": event_tabs(event.pk, "approval"),
            "nav": event.phase.value,
            "version": version,
            "shown": present(version.content),
            "reviews": sel.department_review_rows(version),
            "signatures": sel.signature_rows(version),
        },
    )


def _side(event: Event, raw: str | None, default: str | None) -> tuple[str, dict[str, Any] | None, Any]:
    """(label, content, error) for one side of the diff: a version number or "current"."""
    value = (raw or default or "").strip()
    if value == "current":
        return _("当前工作稿"), plan_snapshot(event), None
    if not value.isdigit():
        return value, None, _("请填写版本号(如 1)或 current(当前工作稿)。")
    version = sel.version_get(event, int(value))
    if version is None:
        return value, None, _("版本 v%(n)s 不存在。") % {"n": value}
    return f"v{version.number}", version.content, None


@login_required
def version_diff_view(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(event_id)
    try:
        _require_view(request, event)
    except DomainError as exc:
        return forbidden(request, exc)
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
            "from_value": request.GET.get("from") or default_from or "",
            "to_value": request.GET.get("to") or default_to,
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
