"""The goals page (目标设定, GO-1): the SMART goals as a table with a tag per letter, add/edit/remove.

Bad input shows the page again with the form's errors naming the field (status 400); people who may not
edit see it read-only.
"""

from __future__ import annotations

from typing import Any

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
from ..forms.goals import GoalForm
from ..models import Goal
from ..services import goals as services

SMART_LETTERS = (
    ("S", gettext_lazy("具体")),
    ("M", gettext_lazy("可衡量")),
    ("A", gettext_lazy("可实现")),
    ("R", gettext_lazy("相关")),
    ("T", gettext_lazy("有时限")),
)


def _event_or_404(request: HttpRequest, event_id: int) -> tuple[Event | None, HttpResponse | None]:
    event = event_selectors.event_get(event_id)
    if event is None:
        return None, render(request, "core/error.html", {"error": DomainError(_("活动不存在。"))}, status=404)
    return event, None


def _rows(event: Event) -> list[dict[str, Any]]:
    rows = []
    for goal in selectors.goals_for_event(event).select_related("event"):
        status = services.goal_smart_status(goal)
        rows.append(
            {
                "goal": goal,
                "letters": [
                    {
                        "letter": letter,
                        "name": name,
                        "ok": status[letter]["ok"],
                        "message": status[letter]["message"],
                    }
                    for letter, name in SMART_LETTERS
                ],
                "owner_ok": status["O"]["ok"],
                "achievability": status["A"],
                "missing": services.goal_missing_text(goal),
            }
        )
    return rows


def _render(
    request: HttpRequest, event: Event, *, form: GoalForm | None = None, status: int = 200
) -> HttpResponse:
    can_edit = rules.can_edit_planning(request.user, event)  # type: ignore[arg-type]
    step_ok = event.step in rules.GOALS_EDITABLE_STEPS
    context = {
        "event": event,
        "rows": _rows(event),
        "form": form or GoalForm(initial={"due_date": event.local_end().date()}),
        "can_edit": can_edit,
        "step_ok": step_ok,
        "editable": can_edit and step_ok,
        "editable_steps": "、".join(str(Step(s).label) for s in rules.GOALS_EDITABLE_STEPS),
        "criteria": gate_evaluate(event, Step.GOALS) if event.step == Step.GOALS else [],
        "factor": services.ACHIEVABLE_FACTOR,
        "tabs": event_tabs(event.pk, "goals"),
        "nav": event.phase.value,
    }
    return render(request, "planning/goals.html", context, status=status)


def _denied(request: HttpRequest, event: Event) -> HttpResponse | None:
    if not rules.can_edit_planning(request.user, event):  # type: ignore[arg-type]
        return forbidden(request, NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以修改活动目标。")))
    return None


def _flag(request: HttpRequest, goal: Goal) -> None:
    kind, message = services.goal_achievability(goal)
    if kind == services.Achievability.FLAGGED:
        messages.warning(request, _("可实现性提示:%(message)s") % {"message": message})


@login_required
def page(request: HttpRequest, event_id: int) -> HttpResponse:
    event, missing = _event_or_404(request, event_id)
    if event is None:
        return missing  # type: ignore[return-value]
    return _render(request, event)


@login_required
@require_POST
def goal_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event, missing = _event_or_404(request, event_id)
    if event is None:
        return missing  # type: ignore[return-value]
    if (denied := _denied(request, event)) is not None:
        return denied
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render(request, event, form=form, status=400)
    try:
        goal = services.goal_add(actor=request.user, event=event, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status in (403, 404):
            return forbidden(request, exc)
        if exc.code == "wrong_step":  # the form is hidden once the step no longer allows edits
            messages.error(request, exc.message)
            event = event_selectors.event_get(event.pk) or event
        apply_domain_errors(form, exc)
        return _render(request, event, form=form, status=400)
    messages.success(request, _("目标「%(goal)s」已添加。") % {"goal": goal.metric_label})
    _flag(request, goal)
    return redirect(reverse("planning:goals", kwargs={"event_id": event.pk}) + "#goals")


@login_required
def goal_edit(request: HttpRequest, event_id: int, goal_id: int) -> HttpResponse:
    event, missing = _event_or_404(request, event_id)
    if event is None:
        return missing  # type: ignore[return-value]
    goal = selectors.goal_get(event, goal_id)
    if goal is None:
        return render(request, "core/error.html", {"error": DomainError(_("目标不存在。"))}, status=404)
    if (denied := _denied(request, event)) is not None:
        return denied
    initial = {name: getattr(goal, name) for name in GoalForm.base_fields if name != "owner"}
    initial["owner"] = goal.owner_id
    form = GoalForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                goal = services.goal_update(
                    actor=request.user,  # type: ignore[arg-type]
                    event=event,
                    goal_id=goal.pk,
                    **form.cleaned_data,  # type: ignore[arg-type]
                )  # type: ignore[arg-type]
            except DomainError as exc:
                if exc.status in (403, 404):
                    return forbidden(request, exc)
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("目标「%(goal)s」已保存。") % {"goal": goal.metric_label})
                _flag(request, goal)
                return redirect(reverse("planning:goals", kwargs={"event_id": event.pk}) + "#goals")
        status = 400
    context = {
        "event": event,
        "goal": goal,
        "form": form,
        "tabs": event_tabs(event.pk, "goals"),
        "nav": event.phase.value,
    }
    return render(request, "planning/goals_edit.html", context, status=status)


@login_required
@require_POST
def goal_remove(request: HttpRequest, event_id: int, goal_id: int) -> HttpResponse:
    event, missing = _event_or_404(request, event_id)
    if event is None:
        return missing  # type: ignore[return-value]
    if (denied := _denied(request, event)) is not None:
        return denied
    try:
        services.goal_remove(actor=request.user, event=event, goal_id=goal_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status in (403, 404):
            return forbidden(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("目标已删除。"))
    return redirect(reverse("planning:goals", kwargs={"event_id": event.pk}) + "#goals")


_P = "events/<int:event_id>/planning/goals/"
urlpatterns = [
    path(_P, page, name="goals"),
    path(f"{_P}add/", goal_add, name="goal_add"),
    path(f"{_P}<int:goal_id>/", goal_edit, name="goal_edit"),
    path(f"{_P}<int:goal_id>/remove/", goal_remove, name="goal_remove"),
]
