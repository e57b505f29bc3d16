"""Pages: the execution meeting and special trainings with attendance (TR-1).

- ``preparation:training`` (the event's tab 培训): the execution meeting — created on demand, at T-3 days
  by default — and the special trainings (礼仪, 主持人, 讲解员, other), each with who attended and who
  missed; the editors add a training.
- ``preparation:training_detail``: one training — its time, place, agenda, the roles' duties and emergency
  scripts it covers, its trainer and people expected; the editors change it, record that it was held
  (time and minutes) and record attendance (attended yes/no per person, with a note).

Through the one page flow (``core.pageflow``): bad input shows the page again with the errors beside their
fields (400); a change over someone else's shows "已被某某修改" (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.lifecycle import Criterion
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.training import AttendanceForm, HeldForm, MeetingForm, TrainingForm
from ..models import Training
from ..rules import PREPARATION_STEPS
from ..selectors import gate_criteria
from ..services import training as services

TAB = {"key": "training", "label": gettext_lazy("培训"), "url_name": "preparation:training", "order": 55}


def _local_input(event: Event, moment: dt.datetime | None) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _editable(request: AuthedRequest, event: Event) -> tuple[bool, bool]:
    is_editor = event_access(request.user, event).can(Need.EDIT)
    return is_editor, is_editor and event.step in PREPARATION_STEPS


def _frame(request: AuthedRequest, event: Event) -> dict[str, Any]:
    is_editor, editable = _editable(request, event)
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "training"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "editable": editable,
        "editable_steps": "、".join(str(Step(s).label) for s in PREPARATION_STEPS),
    }


def _gate(event: Event) -> list[Criterion]:
    return gate_criteria(event, Step.TRAINING)


def _label(event: Event, moment: dt.datetime | None) -> str:
    """A moment as the event's wall-clock time (the event may be in another zone than the server)."""
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _row(t: Training) -> dict[str, Any]:
    return {
        "obj": t,
        "starts": _label(t.event, t.starts_at),
        "held": _label(t.event, t.held_at),
        **services.attendance_summary(t),
    }


def _render(
    request: AuthedRequest,
    event: Event,
    *,
    form: TrainingForm | None = None,
    meeting_form: MeetingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is not None or meeting_form is not None:
        event.refresh_from_db(fields=["step"])
    ctx = _frame(request, event)
    trainings = list(services.trainings_of(event))
    meeting = next((t for t in trainings if t.kind == Training.Kind.EXECUTION_MEETING), None)
    default_start = services.meeting_default_start(event)
    ctx.update(
        {
            "meeting": _row(meeting) if meeting else None,
            "specials": [_row(t) for t in trainings if t.kind != Training.Kind.EXECUTION_MEETING],
            "criteria": _gate(event),
            "meeting_default": _label(event, default_start),
            "meeting_form": meeting_form
            or MeetingForm(tz=event.tz, initial={"starts_at": _local_input(event, default_start)}),
            "form": form
            or TrainingForm(
                tz=event.tz,
                initial={
                    "kind": Training.Kind.ETIQUETTE,
                    "starts_at": _local_input(event, event.starts_at - dt.timedelta(days=1)),
                    "duration_minutes": 60,
                    "attendees": [p.pk for p in services.team_people(event)],
                },
            ),
        }
    )
    return render(request, "preparation/training.html", ctx, status=status)


def _url(event: Event, training: Training | None = None) -> str:
    if training is None:
        return reverse("preparation:training", kwargs={"event_id": event.pk})
    return reverse("preparation:training_detail", kwargs={"event_id": event.pk, "training_id": training.pk})


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_POST
@event_page(Need.EDIT)
def meeting_create(request: AuthedRequest, event: Event) -> HttpResponse:
    form = MeetingForm(request.POST, tz=event.tz)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.meeting_create)(
            actor=actor(request), event=event, starts_at=data["starts_at"]
        ),
        page=lambda status: _render(request, event, meeting_form=form, status=status),
        success_url=lambda row: _url(event, row),
        done=_("执行会议已创建;议程、岗位职责与应急话术已按团队分工和风险预案起草,请核对。"),
    )


@require_POST
@event_page(Need.EDIT)
def training_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = TrainingForm(request.POST, tz=event.tz)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.training_add)(
            actor=actor(request), event=event, **form.fields_data
        ),
        page=lambda status: _render(request, event, form=form, status=status),
        success_url=lambda row: _url(event, row),
        done=_("培训已添加。"),
    )


# ---------------------------------------------------------------- one training
def _edit_initial(event: Event, t: Training) -> dict[str, Any]:
    return {
        "revision": t.revision,
        "kind": t.kind,
        "title": t.title,
        "starts_at": _local_input(event, t.starts_at),
        "duration_minutes": t.duration_minutes,
        "location": t.location,
        "trainer": t.trainer_id,
        "agenda": t.agenda,
        "roles_covered": t.roles_covered,
        "scripts_covered": t.scripts_covered,
        "attendees": [a.person_id for a in t.attendance.all()],
    }


def _detail(
    request: AuthedRequest,
    event: Event,
    training_id: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    if bound:
        event.refresh_from_db(fields=["step"])
    try:
        t = services.training_get(event=event, training_id=training_id)
    except DomainError as exc:
        return error_page(request, exc)
    ctx = _frame(request, event)
    now = timezone.now()
    ctx.update(
        {
            "t": t,
            "summary": services.attendance_summary(t),
            "row": _row(t),
            "criteria": _gate(event) if t.kind == Training.Kind.EXECUTION_MEETING else [],
            "edit_form": bound.get("edit")
            or TrainingForm(tz=event.tz, edit=True, initial=_edit_initial(event, t), auto_id="edit_%s"),
            "held_form": bound.get("held")
            or HeldForm(
                tz=event.tz,
                initial={
                    "revision": t.revision,
                    "held_at": _local_input(event, t.held_at or min(t.starts_at, now)),
                    "minutes": t.minutes,
                },
                auto_id="held_%s",
            ),
            "attendance_form": bound.get("attendance")
            or AttendanceForm(
                attendance=list(t.attendance.all()), initial={"revision": t.revision}, auto_id="att_%s"
            ),
        }
    )
    return render(request, "preparation/training_detail.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def training_detail(request: AuthedRequest, event: Event, training_id: int) -> HttpResponse:
    return _detail(request, event, training_id)


@require_POST
@event_page(Need.EDIT)
def training_edit(request: AuthedRequest, event: Event, training_id: int) -> HttpResponse:
    form = TrainingForm(request.POST, tz=event.tz, edit=True, auto_id="edit_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.training_update)(
            actor=actor(request),
            event=event,
            training_id=training_id,
            seen=data["revision"],
            **form.fields_data,
        ),
        page=lambda status: _detail(request, event, training_id, bound={"edit": form}, status=status),
        success_url=lambda row: _url(event, row),
        done=_("培训已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def training_held(request: AuthedRequest, event: Event, training_id: int) -> HttpResponse:
    form = HeldForm(request.POST, tz=event.tz, auto_id="held_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.training_held)(
            actor=actor(request),
            event=event,
            training_id=training_id,
            seen=data["revision"],
            held_at=data["held_at"],
            minutes=data["minutes"],
        ),
        page=lambda status: _detail(request, event, training_id, bound={"held": form}, status=status),
        success_url=lambda row: _url(event, row) + "#attendance",
        done=_("已登记培训召开情况;请登记出席情况。"),
    )


@require_POST
@event_page(Need.EDIT)
def training_attendance(request: AuthedRequest, event: Event, training_id: int) -> HttpResponse:
    try:
        t = services.training_get(event=event, training_id=training_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = AttendanceForm(request.POST, attendance=list(t.attendance.all()), auto_id="att_%s")
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.attendance_record)(
            actor=actor(request),
            event=event,
            training_id=training_id,
            seen=data["revision"],
            rows=form.marks(),
        ),
        page=lambda status: _detail(request, event, training_id, bound={"attendance": form}, status=status),
        success_url=lambda row: _url(event, row) + "#attendance",
        done=_("出席情况已登记。"),
    )


@require_POST
@event_page(Need.EDIT)
def training_remove(request: AuthedRequest, event: Event, training_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.training_remove)(
            actor=actor(request),
            event=event,
            training_id=training_id,
            seen=revision_of(request.POST.get("revision")),
        ),
        success_url=_url(event),
        failure_url=_url(event),
        done=_("培训已删除。"),
    )


_P = "events/<int:event_id>/preparation/training/"
urlpatterns = [
    path(_P, page, name="training"),
    path(f"{_P}meeting/", meeting_create, name="training_meeting"),
    path(f"{_P}add/", training_add, name="training_add"),
    path(f"{_P}<int:training_id>/", training_detail, name="training_detail"),
    path(f"{_P}<int:training_id>/edit/", training_edit, name="training_edit"),
    path(f"{_P}<int:training_id>/held/", training_held, name="training_held"),
    path(f"{_P}<int:training_id>/attendance/", training_attendance, name="training_attendance"),
    path(f"{_P}<int:training_id>/remove/", training_remove, name="training_remove"),
]
