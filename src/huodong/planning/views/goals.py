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

from huodong.core.errors import DomainError
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import rules, selectors
from ..forms.goals import GoalForm
from ..models import Goal
from ..services import goals as services
from .needs import edit_form, editing_refused, event_view, post_form, refused

SMART_LETTERS = (
    ("S", gettext_lazy("具体")),
    ("M", gettext_lazy("可衡量")),
    ("A", gettext_lazy("可实现")),
    ("R", gettext_lazy("相关")),
    ("T", gettext_lazy("有时限")),
)
_GOALS_REFUSAL = gettext_lazy("只有活动负责人、团队中的策划人员或管理员可以修改活动目标。")


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


def _saved(request: HttpRequest, event: Event, goal: Goal, message: str) -> HttpResponse:
    """Say ``message``, warn when the target looks out of reach (GO-1 "A"), and go back to the goals."""
    messages.success(request, message)
    kind, flag = services.goal_achievability(goal)
    if kind == services.Achievability.FLAGGED:
        messages.warning(request, _("可实现性提示:%(message)s") % {"message": flag})
    return redirect(reverse("planning:goals", kwargs={"event_id": event.pk}) + "#goals")


@login_required
@event_view()
def page(request: HttpRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@login_required
@require_POST
@event_view(refusal=_GOALS_REFUSAL)
def goal_add(request: HttpRequest, event: Event) -> HttpResponse:
    form = GoalForm(request.POST)

    def save(data: dict[str, Any]) -> HttpResponse:
        goal = services.goal_add(actor=request.user, event=event, **data)  # type: ignore[arg-type]
        return _saved(request, event, goal, _("目标「%(goal)s」已添加。") % {"goal": goal.metric_label})

    return post_form(request, event, form, save, lambda event: _render(request, event, form=form, status=400))


@login_required
@event_view()
def goal_edit(request: HttpRequest, event: Event, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(event, goal_id)
    if goal is None:
        return render(request, "core/error.html", {"error": DomainError(_("目标不存在。"))}, status=404)
    if (denied := editing_refused(request, event, _GOALS_REFUSAL)) is not None:
        return denied
    initial = {name: getattr(goal, name) for name in GoalForm.base_fields if name != "owner"}
    initial["owner"] = goal.owner_id
    form = GoalForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        saved = services.goal_update(actor=request.user, event=event, goal_id=goal.pk, **data)  # type: ignore[arg-type]
        return _saved(request, event, saved, _("目标「%(goal)s」已保存。") % {"goal": saved.metric_label})

    outcome = edit_form(request, form, save)
    if isinstance(outcome, HttpResponse):
        return outcome
    context = {
        "event": event,
        "goal": goal,
        "form": form,
        "tabs": event_tabs(event.pk, "goals"),
        "nav": event.phase.value,
    }
    return render(request, "planning/goals_edit.html", context, status=outcome)


@login_required
@require_POST
@event_view(refusal=_GOALS_REFUSAL)
def goal_remove(request: HttpRequest, event: Event, goal_id: int) -> HttpResponse:
    try:
        services.goal_remove(actor=request.user, event=event, goal_id=goal_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if (page := refused(request, exc)) is not None:
            return page
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
