"""The goals page (目标设定, GO-1): the SMART goals as a table with a tag per letter, add/edit/remove.

Through the one page flow (``core.pageflow``): bad input shows the page again with the errors naming the
field (400); an edit based on an old revision shows "已被某某修改" with the other person's values (409).
People who may not edit see the page read-only and get 403 on every write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huodong.core.concurrency import revision_of
from huodong.core.errors import NotFound
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need
from huodong.events.lifecycle import gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from .. import rules, selectors
from ..forms.goals import GoalEditForm, GoalForm
from ..models import Goal
from ..services import goals as services
from .needs import refusals_shown, write

SMART_LETTERS = (
    ("S", gettext_lazy("具体")),
    ("M", gettext_lazy("可衡量")),
    ("A", gettext_lazy("可实现")),
    ("R", gettext_lazy("相关")),
    ("T", gettext_lazy("有时限")),
)


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
    request: AuthedRequest, event: Event, *, form: GoalForm | None = None, status: int = 200
) -> HttpResponse:
    if form is not None:  # a refused write: the step may have changed meanwhile
        event.refresh_from_db(fields=["step"])
    can_edit = rules.can_edit_planning(actor(request), event)
    step_ok = event.step in rules.GOALS_EDITABLE_STEPS
    refusals_shown(request, can_edit and step_ok, {"form": form} if form is not None else {})
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


def _goals_url(event: Event) -> str:
    return reverse("planning:goals", kwargs={"event_id": event.pk}) + "#goals"


def _saved(request: AuthedRequest, event: Event, goal: Goal, message: str) -> str:
    """Say ``message``, warn when the target looks out of reach (GO-1 "A"); the goals' URL."""
    messages.success(request, message)
    kind, flag = services.goal_achievability(goal)
    if kind == services.Achievability.FLAGGED:
        messages.warning(request, _("可实现性提示:%(message)s") % {"message": flag})
    return _goals_url(event)


@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def goal_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = GoalForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda data: write(services.goal_add, actor=actor(request), event=event, **data),
        page=lambda status: _render(request, event, form=form, status=status),
        success_url=lambda goal: _saved(
            request, event, goal, _("目标「%(goal)s」已添加。") % {"goal": goal.metric_label}
        ),
    )


@event_page(Need.EDIT)
def goal_edit(request: AuthedRequest, event: Event, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(event, goal_id)
    if goal is None:
        return error_page(request, NotFound(_("目标不存在。")))
    initial = {name: getattr(goal, name) for name in GoalForm.base_fields if name != "owner"}
    initial["owner"] = goal.owner_id
    form = GoalEditForm(request.POST or None, initial={**initial, "revision": goal.revision})

    def page(status: int) -> HttpResponse:
        context = {
            "event": event,
            "goal": goal,
            "form": form,
            "tabs": event_tabs(event.pk, "goals"),
            "nav": event.phase.value,
        }
        return render(request, "planning/goals_edit.html", context, status=status)

    if request.method != "POST":
        return page(200)
    return form_post(
        request,
        form,
        save=lambda data: write(
            services.goal_update,
            actor=actor(request),
            event=event,
            goal_id=goal.pk,
            seen=data["revision"],
            **form.fields_data,
        ),
        page=page,
        success_url=lambda saved: _saved(
            request, event, saved, _("目标「%(goal)s」已保存。") % {"goal": saved.metric_label}
        ),
    )


@require_POST
@event_page(Need.EDIT)
def goal_remove(request: AuthedRequest, event: Event, goal_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: write(
            services.goal_remove,
            actor=actor(request),
            event=event,
            goal_id=goal_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_goals_url(event),
        failure_url=_goals_url(event),
        done=_("目标已删除。"),
    )


_P = "events/<int:event_id>/planning/goals/"
urlpatterns = [
    path(_P, page, name="goals"),
    path(f"{_P}add/", goal_add, name="goal_add"),
    path(f"{_P}<int:goal_id>/", goal_edit, name="goal_edit"),
    path(f"{_P}<int:goal_id>/remove/", goal_remove, name="goal_remove"),
]
