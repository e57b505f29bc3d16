"""Pages: the team and its groups (TM-1, TM-2), tasks with RACI (TM-1), the RACI matrix, 我的任务, the timeline.

- ``preparation:team`` — groups (the defaults 执行组/宣传组/后勤组 created the first time an editor opens
  it), members with duties and the leader, tasks with their deadline (T-minus or pinned), status and who
  is R and A; the button that creates the standard tasks of the T-minus schedule.
- ``preparation:raci`` — tasks × people, a letter per cell; each row is a small form (htmx swaps the
  row; without JavaScript the row's 保存 button posts it and the page comes back). ``raci_xlsx`` exports it.
- ``preparation:my_tasks`` — the signed-in person's open tasks across events, overdue first, with 完成.
- ``preparation:timeline`` — the tasks by group as an inline SVG drawn here (no external assets).

Every write is one service through ``core.pageflow``; a refusal shows the form again with its errors
(400), or "已被某某修改" (409) when someone saved first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import Stale, retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.forms import apply_domain_errors
from huodong.core.http import AuthedRequest, actor
from huodong.core.models import User
from huodong.core.pageflow import (
    action_post,
    error_page,
    event_page,
    form_focus,
    form_post,
    form_stale,
    redirect_to,
)
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..excel_raci import raci_workbook
from ..forms.team import GroupForm, MemberForm, RaciRowForm, StatusForm, TaskForm, task_initial
from ..models import Raci, Task, TaskAssignment, TeamGroup, TeamMember
from ..rules import PREPARATION_STEPS
from ..selectors import my_tasks as my_tasks_of
from ..selectors import raci_problems, tasks_with_people
from ..services import tasks as task_services
from ..services import team as team_services

TAB = {"key": "team", "label": gettext_lazy("团队与任务"), "url_name": "preparation:team", "order": 51}
SECTIONS = ("groups", "members", "tasks")
EDIT_IDS = "edit_%s"


# ---------------------------------------------------------------- context
def _can_edit(request: AuthedRequest, event: Event) -> tuple[bool, bool]:
    is_editor = event_access(request.user, event).can(Need.EDIT)
    return is_editor, is_editor and event.step in PREPARATION_STEPS


def _frame(event: Event, current: str, is_editor: bool, can_edit: bool) -> dict[str, Any]:
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "team"),
        "nav": event.phase.value,
        "current": current,
        "is_editor": is_editor,
        "can_edit": can_edit,
        "editable_steps": "、".join(str(Step(s).label) for s in PREPARATION_STEPS),
    }


def _local(event: Event, moment: dt.datetime) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M")


def task_rows(event: Event, tasks: list[Task], user: Any, now: dt.datetime) -> list[dict[str, Any]]:
    """Tasks as the pages list them: local deadline, T-minus label, overdue, R and A people, problems."""
    editor = event_access(user, event).can(Need.EDIT)
    rows = []
    for t in tasks:
        assignments = list(t.assignments.all())
        letters = [a.role for a in assignments]
        rows.append(
            {
                "obj": t,
                "due": _local(event, t.due_at),
                "offset": task_services.offset_label(t.offset_minutes) if not t.pinned else "",
                "overdue": t.is_overdue(now),
                "r": [a.person for a in assignments if a.role == Raci.RESPONSIBLE],
                "a": [a.person for a in assignments if a.role == Raci.ACCOUNTABLE],
                "problems": raci_problems(letters) if t.status != Task.Status.CANCELLED else [],
                "can_status": editor
                or any(a.person_id == user.pk and a.role in ("R", "A") for a in assignments),
            }
        )
    return rows


def _context(
    request: AuthedRequest, event: Event, *, forms: dict[str, Any] | None = None, editing: str = ""
) -> dict[str, Any]:
    forms = forms or {}
    is_editor, can_edit = _can_edit(request, event)
    if can_edit and not TeamGroup.objects.filter(event=event).exists():
        team_services.team_defaults(event, actor(request))  # TM-2: the default groups, the first time
    groups = team_services.groups_of(event)
    members = team_services.members_of(event)
    tasks = list(tasks_with_people(event))
    edit_kind, _sep, edit_id = editing.partition("-")
    edit_pk = int(edit_id) if edit_id.isdigit() and len(edit_id) < 10 else None
    if not can_edit:
        edit_kind = ""
    ctx = _frame(event, "team", is_editor, can_edit)
    ctx.update(
        {
            "groups": groups,
            "members": members,
            "leader": next((m for m in members if m.is_leader), None),
            "task_rows": task_rows(event, tasks, request.user, timezone.now()),
            "has_template": bool(task_services.template_items(event)),
            "status_choices": Task.Status.choices,
            "edit_kind": edit_kind,
            "edit_pk": edit_pk,
            "group_form": forms.get("group") or GroupForm(prefix="grp"),
            "member_form": forms.get("member") or MemberForm(event=event, prefix="mem"),
            "task_form": forms.get("task") or TaskForm(event=event, prefix="task"),
        }
    )
    for key, rows, make in (
        ("group", groups, lambda g: GroupForm(edit=True, auto_id=EDIT_IDS, initial=_group_initial(g))),
        (
            "member",
            members,
            lambda m: MemberForm(event=event, edit=True, auto_id=EDIT_IDS, initial=_member_initial(m)),
        ),
        (
            "task",
            tasks,
            lambda t: TaskForm(event=event, edit=True, auto_id=EDIT_IDS, initial=task_initial(event, t)),
        ),
    ):
        form = forms.get(f"{key}_edit")
        if form is None and edit_kind == key and edit_pk is not None:
            row = next((r for r in rows if r.pk == edit_pk), None)
            form = make(row) if row is not None else None
        ctx[f"{key}_edit_form"] = form
    return ctx


def _group_initial(g: TeamGroup) -> dict[str, Any]:
    return {"revision": g.revision, "name": g.name, "name_en": g.name_en, "duties": g.duties}


def _member_initial(m: TeamMember) -> dict[str, Any]:
    return {"revision": m.revision, "group": m.group_id, "duties": m.duties, "is_leader": m.is_leader}


def _url(event: Event, section: str) -> str:
    return reverse("preparation:team", kwargs={"event_id": event.pk}) + f"#{section}"


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
    def page(status: int) -> HttpResponse:
        ctx = _context(request, event, forms={form_key: form}, editing=editing)
        if getattr(request, "htmx", False):
            return HttpResponse(
                render_to_string(f"preparation/team.html#{section}", ctx, request=request), status=status
            )
        return render(request, "preparation/team.html", ctx, status=status)

    return form_post(
        request, form, save=retry_on_conflict(save), page=page, success_url=_url(event, section), done=done
    )


def _action_post(
    request: AuthedRequest, event: Event, section: str, act: Callable[[], Any], done: Any
) -> HttpResponse:
    url = _url(event, section)
    return action_post(request, act=retry_on_conflict(act), success_url=url, failure_url=url, done=done)


def _seen(request: AuthedRequest) -> int | None:
    return revision_of(request.POST.get("revision"))


# ---------------------------------------------------------------- the team page
@require_GET
@event_page(Need.VIEW)
def team(request: AuthedRequest, event: Event) -> HttpResponse:
    try:
        ctx = _context(request, event, editing=request.GET.get("edit", ""))
    except DomainError as exc:
        return error_page(request, exc)
    partial = request.GET.get("partial", "")
    if getattr(request, "htmx", False) and partial in SECTIONS:
        return render(request, f"preparation/team.html#{partial}", ctx)
    return render(request, "preparation/team.html", ctx)


@require_POST
@event_page(Need.EDIT)
def group_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = GroupForm(request.POST, prefix="grp")
    return _form_post(
        request,
        event,
        section="groups",
        form_key="group",
        form=form,
        save=lambda d: team_services.group_add(
            actor=actor(request), event=event, name=d["name"], name_en=d["name_en"], duties=d["duties"]
        ),
        done=_("项目组已添加。"),
    )


@require_POST
@event_page(Need.EDIT)
def group_edit(request: AuthedRequest, event: Event, group_id: int) -> HttpResponse:
    form = GroupForm(request.POST, edit=True, auto_id=EDIT_IDS)
    return _form_post(
        request,
        event,
        section="groups",
        form_key="group_edit",
        form=form,
        save=lambda d: team_services.group_update(
            actor=actor(request),
            event=event,
            group_id=group_id,
            seen=d["revision"],
            name=d["name"],
            name_en=d["name_en"],
            duties=d["duties"],
        ),
        done=_("项目组已保存。"),
        editing=f"group-{group_id}",
    )


@require_POST
@event_page(Need.EDIT)
def group_delete(request: AuthedRequest, event: Event, group_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        "groups",
        lambda: team_services.group_remove(
            actor=actor(request), event=event, group_id=group_id, seen=_seen(request)
        ),
        _("项目组已删除。"),
    )


@require_POST
@event_page(Need.EDIT)
def member_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = MemberForm(request.POST, event=event, prefix="mem")
    return _form_post(
        request,
        event,
        section="members",
        form_key="member",
        form=form,
        save=lambda d: team_services.member_add(
            actor=actor(request),
            event=event,
            person=d["person"],
            group=d["group"],
            duties=d["duties"],
            is_leader=d["is_leader"],
        ),
        done=_("团队成员已添加。"),
    )


@require_POST
@event_page(Need.EDIT)
def member_edit(request: AuthedRequest, event: Event, member_id: int) -> HttpResponse:
    form = MemberForm(request.POST, event=event, edit=True, auto_id=EDIT_IDS)
    return _form_post(
        request,
        event,
        section="members",
        form_key="member_edit",
        form=form,
        save=lambda d: team_services.member_update(
            actor=actor(request),
            event=event,
            member_id=member_id,
            seen=d["revision"],
            group=d["group"],
            duties=d["duties"],
            is_leader=d["is_leader"],
        ),
        done=_("团队成员已保存。"),
        editing=f"member-{member_id}",
    )


@require_POST
@event_page(Need.EDIT)
def member_delete(request: AuthedRequest, event: Event, member_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        "members",
        lambda: team_services.member_remove(
            actor=actor(request), event=event, member_id=member_id, seen=_seen(request)
        ),
        _("团队成员已移出。"),
    )


@require_POST
@event_page(Need.EDIT)
def task_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = TaskForm(request.POST, event=event, prefix="task")
    return _form_post(
        request,
        event,
        section="tasks",
        form_key="task",
        form=form,
        save=lambda d: task_services.task_add(actor=actor(request), event=event, **form.service_fields()),
        done=_("任务已添加;请在 RACI 矩阵中指定 A(负责人)和 R(执行人)。"),
    )


@require_POST
@event_page(Need.EDIT)
def task_edit(request: AuthedRequest, event: Event, task_id: int) -> HttpResponse:
    form = TaskForm(request.POST, event=event, edit=True, auto_id=EDIT_IDS)
    return _form_post(
        request,
        event,
        section="tasks",
        form_key="task_edit",
        form=form,
        save=lambda d: task_services.task_update(
            actor=actor(request), event=event, task_id=task_id, seen=d["revision"], **form.service_fields()
        ),
        done=_("任务已保存。"),
        editing=f"task-{task_id}",
    )


@require_POST
@event_page(Need.EDIT)
def task_delete(request: AuthedRequest, event: Event, task_id: int) -> HttpResponse:
    return _action_post(
        request,
        event,
        "tasks",
        lambda: task_services.task_remove(
            actor=actor(request), event=event, task_id=task_id, seen=_seen(request)
        ),
        _("任务已删除。"),
    )


@require_POST
@event_page(Need.EDIT)
def tasks_template(request: AuthedRequest, event: Event) -> HttpResponse:
    def act() -> None:
        n = task_services.tasks_from_template(event, actor(request))
        if n:
            messages.success(request, _("已按活动类型的倒排日程生成 %(n)s 项标准任务。") % {"n": n})
        else:
            messages.info(request, _("标准任务均已存在,未重复生成。"))

    return _action_post(request, event, "tasks", act, None)


@require_POST
@event_page(Need.VIEW)
def task_status(request: AuthedRequest, event: Event, task_id: int) -> HttpResponse:
    """Set a task's status: its R or A people, or the editors (TM-1). ``next=my`` goes back to 我的任务."""
    back = reverse("preparation:my_tasks") if request.POST.get("next") == "my" else _url(event, "tasks")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return error_page(request, DomainError({k: list(v) for k, v in form.errors.items()}))
    return action_post(
        request,
        act=retry_on_conflict(
            lambda: task_services.task_status_set(
                actor=actor(request),
                event=event,
                task_id=task_id,
                status=form.cleaned_data["status"],
                seen=form.cleaned_data["revision"],
            )
        ),
        success_url=back,
        failure_url=back,
        done=_("任务状态已更新。"),
    )


# ---------------------------------------------------------------- the RACI matrix
class Matrix:
    """What the RACI page needs, read lean (300 tasks × 40 people in a few queries, no model per letter):
    the tasks, the letters by task, and the columns — the team (leader first, by group) and anyone else
    assigned to a task."""

    def __init__(self, event: Event) -> None:
        self.tasks = list(
            Task.objects.filter(event=event).only("id", "title", "due_at", "status", "revision", "event_id")
        )
        self.letters: dict[int, dict[int, str]] = {t.pk: {} for t in self.tasks}
        for task_id, person_id, role in TaskAssignment.objects.filter(task__event=event).values_list(
            "task_id", "person_id", "role"
        ):
            self.letters.setdefault(task_id, {})[person_id] = role
        order = list(
            TeamMember.objects.filter(event=event).values_list("person_id", flat=True)
        )  # the roster's ordering: leader first, then by group
        seen = set(order)
        for letters in self.letters.values():
            for pk in letters:
                if pk not in seen:
                    seen.add(pk)
                    order.append(pk)
        by_id = {
            u.pk: u
            for u in User.objects.filter(pk__in=order).only(
                "id", "display_name", "username", "first_name", "last_name"
            )
        }
        self.people = [by_id[pk] for pk in order if pk in by_id]
        self.ids = [p.pk for p in self.people]


def _cells(task_id: int, ids: list[int], letters: dict[int, str], editable: bool = True) -> SafeString:
    """The row's cells, built here rather than in the template: 300 × 40 selects stay fast (bench). Each
    select is named by its row's and column's headers (``aria-labelledby``)."""
    out = []
    if not editable:
        for pk in ids:
            current = letters.get(pk, "")
            out.append(f'<td class="raci-{current}">{current}</td>' if current in LETTERS else "<td></td>")
        return mark_safe("".join(out))  # noqa: S308  (letters only)
    form_id = f"raci-f-{task_id}"
    for pk in ids:
        current = letters.get(pk, "")
        if current in LETTERS:
            options = OPTIONS[current]
            cls = f' class="raci-{current}"'
        else:
            options, cls = OPTIONS[""], ""
        out.append(
            f'<td{cls}><select name="p{pk}" form="{form_id}" aria-labelledby="rt{task_id} pc{pk}">{options}</select></td>'
        )
    return mark_safe("".join(out))  # noqa: S308  (numbers and literals only)


LETTERS = ("R", "A", "C", "I")
OPTIONS = {
    current: ('<option value=""' + ("" if current else " selected") + ">—</option>")
    + "".join(f"<option{' selected' if v == current else ''}>{v}</option>" for v in LETTERS)
    for current in ("", *LETTERS)
}


def _matrix_row(
    event: Event,
    task: Task,
    ids: list[int],
    saved: dict[int, str],
    *,
    letters: dict[int, str] | None = None,
    form: Any = None,
    editable: bool = True,
    url: str = "",
) -> dict[str, Any]:
    shown = saved if letters is None else letters
    return {
        "obj": task,
        "id": str(task.pk),
        "title": task.title,
        "url": url or reverse("preparation:raci_row", kwargs={"event_id": event.pk, "task_id": task.pk}),
        "cells": _cells(task.pk, ids, shown, editable),
        "problems": raci_problems(list(saved.values())) if task.status != Task.Status.CANCELLED else [],
        "due": _local(event, task.due_at),
        "form": form,
        "revision": str(form.data.get("revision") or task.revision)
        if form is not None
        else str(task.revision),
    }


def _matrix_context(
    request: AuthedRequest, event: Event, *, failed: dict[int, Any] | None = None
) -> dict[str, Any]:
    is_editor, can_edit = _can_edit(request, event)
    matrix = Matrix(event)
    failed = failed or {}
    base = reverse("preparation:raci_row", kwargs={"event_id": event.pk, "task_id": 1})[: -len("1/")]
    rows = []
    for t in matrix.tasks:
        saved = matrix.letters.get(t.pk, {})
        url = f"{base}{t.pk}/"
        if t.pk in failed:
            form, letters = failed[t.pk]
            rows.append(_matrix_row(event, t, matrix.ids, saved, letters=letters, form=form, url=url))
        else:
            rows.append(_matrix_row(event, t, matrix.ids, saved, editable=can_edit, url=url))
    ctx = _frame(event, "raci", is_editor, can_edit)
    ctx.update(
        {"people": matrix.people, "rows": rows, "problem_count": sum(1 for r in rows if r["problems"])}
    )
    return ctx


@require_GET
@event_page(Need.VIEW)
def raci(request: AuthedRequest, event: Event) -> HttpResponse:
    return render(request, "preparation/raci.html", _matrix_context(request, event))


@require_POST
@event_page(Need.EDIT)
def raci_row(request: AuthedRequest, event: Event, task_id: int) -> HttpResponse:
    """Save one row of the matrix (TM-1): the htmx answer is the row; without JavaScript, the page."""
    try:
        task = task_services.task_get(event=event, task_id=task_id)
    except DomainError as exc:
        return error_page(request, exc)
    matrix = Matrix(event)
    form = RaciRowForm(request.POST, person_ids=matrix.ids)
    status = 400
    letters = {pk: str(request.POST.get(f"p{pk}", ""))[:5] for pk in matrix.ids}
    if form.is_valid():
        try:
            retry_on_conflict(task_services.task_raci_set)(
                task, form.letters(), actor=actor(request), event=event, seen=form.cleaned_data["revision"]
            )
        except Stale as exc:
            form_stale(form, exc)
            status = 409
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                return error_page(request, exc)
            apply_domain_errors(form, exc)
            status = exc.status if 400 <= exc.status < 500 else 400
        else:
            if not getattr(request, "htmx", False):
                messages.success(request, _("任务「%(t)s」的 RACI 分工已保存。") % {"t": task.title})
                return redirect_to(
                    request,
                    reverse("preparation:raci", kwargs={"event_id": event.pk}) + f"#raci-row-{task.pk}",
                )
            fresh = Matrix(event)
            row_task = next(t for t in fresh.tasks if t.pk == task.pk)
            ctx = _frame(event, "raci", *_can_edit(request, event)) | {
                "row": _matrix_row(event, row_task, matrix.ids, fresh.letters.get(task.pk, {})),
                "saved": True,
            }
            return render(request, "preparation/raci.html#row", ctx)
    form_focus(form)
    if getattr(request, "htmx", False):
        saved = matrix.letters.get(task.pk, {})
        ctx = _frame(event, "raci", *_can_edit(request, event)) | {
            "row": _matrix_row(event, task, matrix.ids, saved, letters=letters, form=form)
        }
        return render(request, "preparation/raci.html#row", ctx, status=status)
    ctx = _matrix_context(request, event, failed={task.pk: (form, letters)})
    return render(request, "preparation/raci.html", ctx, status=status)


@require_GET
@event_page(Need.VIEW)
def raci_xlsx(request: AuthedRequest, event: Event) -> HttpResponse:
    response = HttpResponse(
        raci_workbook(event), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"raci-{event.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- 我的任务
@require_GET
def my_tasks(request: AuthedRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for t in my_tasks_of(request.user).prefetch_related("assignments"):
        mine = [a.role for a in t.assignments.all() if a.person_id == request.user.pk]
        rows.append(
            {
                "obj": t,
                "event": t.event,
                "due": _local(t.event, t.due_at),
                "overdue": t.is_overdue(now),
                "letters": "".join(sorted(mine)),
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], r["obj"].due_at, r["obj"].pk))
    return render(
        request,
        "preparation/my_tasks.html",
        {"rows": rows, "overdue_count": sum(1 for r in rows if r["overdue"]), "nav": "my_tasks"},
    )


# ---------------------------------------------------------------- the timeline (inline SVG)
LABEL_W, CHART_W, ROW_H, HEAD_H = 240, 760, 26, 40


def timeline_svg(event: Event, tasks: list[Task], now: dt.datetime) -> SafeString:
    """A Gantt-like chart by group: a row per task, a diamond at its deadline (a bar from today or the
    first deadline up to it while open), today's line and the event's start line; drawn here as SVG."""
    tz = event.tz
    moments = [t.due_at for t in tasks] + [event.starts_at, now]
    start = min(moments) - dt.timedelta(days=1)
    end = max(moments + [event.ends_at]) + dt.timedelta(days=1)
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: dt.datetime) -> float:
        return round(LABEL_W + CHART_W * (moment - start).total_seconds() / span, 1)

    groups: dict[str, list[Task]] = {}
    for t in tasks:
        groups.setdefault(t.group.display_name if t.group else _("未分组"), []).append(t)
    lines: list[str] = []
    y = HEAD_H
    for name, items in groups.items():
        lines.append(f'<text x="4" y="{y + 17}" class="tl-group">{escape(name)}</text>')
        y += ROW_H
        for t in items:
            cls = "done" if t.status == Task.Status.DONE else "overdue" if t.is_overdue(now) else "open"
            if t.status == Task.Status.CANCELLED:
                cls = "cancelled"
            cx, cy = x(t.due_at), y + ROW_H / 2
            label = escape(t.title[:24])
            due = timezone.localtime(t.due_at, tz).strftime("%m-%d %H:%M")
            lines.append(
                f'<g class="tl-task tl-{cls}" data-task="{t.pk}"><title>{escape(t.title)} · {due}</title>'
            )
            lines.append(f'<text x="16" y="{cy + 4}">{label}</text>')
            if t.is_open and now < t.due_at:
                lines.append(
                    f'<rect x="{x(now)}" y="{cy - 4}" width="{max(cx - x(now), 0)}" height="8" rx="3" class="tl-bar"/>'
                )
            lines.append(
                f'<path d="M{cx} {cy - 7} L{cx + 7} {cy} L{cx} {cy + 7} L{cx - 7} {cy} Z" class="tl-diamond"/>'
            )
            lines.append("</g>")
            y += ROW_H
    height = y + 10
    ticks = []
    day = timezone.localtime(start, tz).replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=1
    )
    step = max(1, int(span // 86400 // 12))
    while day < end:
        tx = x(day)
        ticks.append(f'<line x1="{tx}" y1="{HEAD_H - 6}" x2="{tx}" y2="{height}" class="tl-grid"/>')
        ticks.append(f'<text x="{tx + 2}" y="{HEAD_H - 10}" class="tl-tick">{day:%m-%d}</text>')
        day += dt.timedelta(days=step)
    # Outside the f-strings: xgettext does not read inside them.
    start_label, today_label = escape(_("活动开始")), escape(_("今天"))
    marks = [
        f'<line x1="{x(event.starts_at)}" y1="{HEAD_H - 20}" x2="{x(event.starts_at)}" y2="{height}" class="tl-start"/>',
        f'<text x="{x(event.starts_at) + 3}" y="12" class="tl-start-label">{start_label}</text>',
        f'<line x1="{x(now)}" y1="{HEAD_H - 20}" x2="{x(now)}" y2="{height}" class="tl-today"/>',
        f'<text x="{x(now) + 3}" y="24" class="tl-today-label">{today_label}</text>',
    ]
    width = LABEL_W + CHART_W + 20
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(_("任务时间线"))}" class="timeline-svg" data-testid="timeline-svg">'
        + "".join(ticks)
        + "".join(lines)
        + "".join(marks)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308  (text is escaped; the rest is numbers and literals)


@require_GET
@event_page(Need.VIEW)
def timeline(request: AuthedRequest, event: Event) -> HttpResponse:
    is_editor, can_edit = _can_edit(request, event)
    tasks = list(
        Task.objects.filter(event=event)
        .select_related("group")
        .order_by("group__position", "group_id", "due_at", "id")
    )
    ctx = _frame(event, "timeline", is_editor, can_edit)
    ctx.update({"svg": timeline_svg(event, tasks, timezone.now()) if tasks else "", "task_count": len(tasks)})
    return render(request, "preparation/timeline.html", ctx)


_P = "events/<int:event_id>/preparation/"
urlpatterns: list[URLPattern] = [
    path(_P + "team/", team, name="team"),
    path(_P + "team/groups/add/", group_add, name="group_add"),
    path(_P + "team/groups/<int:group_id>/", group_edit, name="group_edit"),
    path(_P + "team/groups/<int:group_id>/delete/", group_delete, name="group_delete"),
    path(_P + "team/members/add/", member_add, name="member_add"),
    path(_P + "team/members/<int:member_id>/", member_edit, name="member_edit"),
    path(_P + "team/members/<int:member_id>/delete/", member_delete, name="member_delete"),
    path(_P + "tasks/add/", task_add, name="task_add"),
    path(_P + "tasks/template/", tasks_template, name="tasks_template"),
    path(_P + "tasks/<int:task_id>/", task_edit, name="task_edit"),
    path(_P + "tasks/<int:task_id>/delete/", task_delete, name="task_delete"),
    path(_P + "tasks/<int:task_id>/status/", task_status, name="task_status"),
    path(_P + "raci/", raci, name="raci"),
    path(_P + "raci/<int:task_id>/", raci_row, name="raci_row"),
    path(_P + "raci.xlsx", raci_xlsx, name="raci_xlsx"),
    path(_P + "timeline/", timeline, name="timeline"),
    path("my/tasks/", my_tasks, name="my_tasks"),
]
