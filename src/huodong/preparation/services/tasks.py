"""Tasks of the project and their RACI assignment (TM-1) on the T-minus schedule.

A task's deadline is relative to the event's start (``offset_minutes``) unless it is pinned; moving the
event moves every relative deadline (``tasks_follow_event``, called by the ``event_updated`` receiver
inside the transaction that moved the event). A pinned task keeps its absolute ``due_at``.

``tasks_from_template`` creates the standard tasks of the event type's schedule (collaboration letters
T-7 days, NT-1; execution meeting T-3 days, TR-1; setup and rehearsal T-1 day, EX-1; owners on site T-30
minutes, EX-3; guest reminder, NT-2) and the type's own tasks (``TYPE_TASKS``), once each (by
``template_code``).

The RACI assignment of a task is set as a whole (``task_raci_set``): exactly one A, at least one R, the
letters R/A/C/I only, a person at most once and only active people; anything else is refused with the
reason and nothing is written. Tasks and their RACI are changed by the editors of the event
(``Need.EDIT``); the status of a task also by its R and A people themselves (a team member marks their
task done), in the preparation and execution steps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import PreconditionRequired, revision_bump, revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import Need, event_access, step_require
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import Raci, Task, TaskAssignment, TeamGroup
from ..rules import PREPARATION_REFUSAL, PREPARATION_STEPS, preparation_event_lock
from ..selectors import raci_problems
from .team import _defaults_create

WHAT_TASKS = _("任务")
TASK_FIELDS = ("title", "group", "offset_minutes", "due_at", "pinned", "status", "note")
# A team member may still mark a task done on the day: through the execution steps.
STATUS_STEPS: tuple[str, ...] = (*PREPARATION_STEPS, Step.SETUP, Step.RUN, Step.MONITORING, Step.INCIDENTS)
MAX_OFFSET_BEFORE = 366 * 24 * 60  # a deadline at most a year before the start
DAY, HOUR = 24 * 60, 60

# The group each standard task goes to by default (TM-2: 执行组 runs the flow, 宣传组 the media, 后勤组
# the guests and supplies).
SCHEDULE_GROUPS: dict[str, str] = {
    "collaboration_letter": "execution",
    "execution_meeting": "execution",
    "guest_reminder": "logistics",
    "setup_rehearsal": "execution",
    "owners_on_site": "execution",
}

# Each built-in type's own tasks, beside the common schedule (issue 8, point 3: "plus the type's own").
TYPE_TASKS: dict[str, list[dict[str, Any]]] = {
    "product-launch": [
        {"code": "media_invitation", "name": "媒体邀约", "offset_minutes": -14 * DAY, "group": "publicity"},
        {"code": "press_release", "name": "新闻通稿定稿", "offset_minutes": -3 * DAY, "group": "publicity"},
        {"code": "demo_units", "name": "演示样机到位调试", "offset_minutes": -1 * DAY, "group": "logistics"},
    ],
    "industry-summit": [
        {
            "code": "speaker_confirmation",
            "name": "嘉宾确认",
            "offset_minutes": -14 * DAY,
            "group": "execution",
        },
        {"code": "agenda_final", "name": "议程定稿", "offset_minutes": -7 * DAY, "group": "execution"},
        {"code": "media_invitation", "name": "媒体邀约", "offset_minutes": -10 * DAY, "group": "publicity"},
    ],
    "customer-appreciation": [
        {
            "code": "client_invitation",
            "name": "客户邀请函发送",
            "offset_minutes": -21 * DAY,
            "group": "logistics",
        },
        {"code": "gifts_ready", "name": "答谢礼品到位", "offset_minutes": -2 * DAY, "group": "logistics"},
    ],
    "promotion": [
        {"code": "channels_live", "name": "推广渠道上线", "offset_minutes": -10 * DAY, "group": "publicity"},
        {"code": "stock_check", "name": "促销物资盘点", "offset_minutes": -2 * DAY, "group": "logistics"},
    ],
    "brand-salon": [
        {
            "code": "speaker_confirmation",
            "name": "分享嘉宾确认",
            "offset_minutes": -10 * DAY,
            "group": "execution",
        },
        {"code": "guest_list", "name": "来宾名单确认", "offset_minutes": -3 * DAY, "group": "logistics"},
    ],
}


def relative_due(event: Event, offset_minutes: int) -> dt.datetime:
    return event.starts_at + dt.timedelta(minutes=offset_minutes)


def tasks_follow_event(event: Event) -> int:
    """Re-compute the deadline of every relative, unpinned task of ``event``; the number moved."""
    moved = 0
    for task in Task.objects.filter(event=event, pinned=False, offset_minutes__isnull=False).only(
        "id", "due_at", "offset_minutes", "revision"
    ):
        due = relative_due(event, task.offset_minutes or 0)
        if task.due_at != due:
            Task.objects.filter(pk=task.pk).update(due_at=due, revision=task.revision + 1)
            moved += 1
    return moved


# ---------------------------------------------------------------- the T-minus notation
_OFFSET = re.compile(r"^T?\s*([+-])\s*((?:\d{1,4}\s*(?:d|天|h|小时|min|m|分钟?)\s*)+)$", re.IGNORECASE)
_PART = re.compile(r"(\d{1,4})\s*(d|天|h|小时|min|m|分钟?)", re.IGNORECASE)
_UNIT = {"d": DAY, "天": DAY, "h": HOUR, "小时": HOUR, "min": 1, "m": 1, "分": 1, "分钟": 1}


def offset_parse(text: str) -> int | None:
    """``"T-7d"``, ``"-3天"``, ``"T-1d2h"``, ``"T-30min"``, ``"T+2h"`` → minutes; None when unreadable."""
    value = (text or "").strip().replace("−", "-").replace(" ", "")
    if value in ("T", "T0", "0"):
        return 0
    match = _OFFSET.match(value)
    if match is None:
        return None
    minutes = sum(int(n) * _UNIT[u.lower()] for n, u in _PART.findall(match.group(2)))
    return -minutes if match.group(1) == "-" else minutes


def offset_label(minutes: int | None) -> str:
    """Minutes → ``"T-7d"``, ``"T-1d2h"``, ``"T-30min"``, ``"T"``; the empty text for None."""
    if minutes is None:
        return ""
    if minutes == 0:
        return "T"
    sign = "-" if minutes < 0 else "+"
    rest = abs(minutes)
    days, rest = divmod(rest, DAY)
    hours, mins = divmod(rest, HOUR)
    parts = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}min" if mins else "")
    return f"T{sign}{parts}"


# ---------------------------------------------------------------- reads
def task_get(*, event: Event, task_id: int) -> Task:
    task = Task.objects.filter(pk=task_id, event=event).select_related("group").first()
    if task is None:
        raise NotFound(_missing(task_id))
    return task


def _missing(task_id: int) -> Any:
    return _("任务 %(id)s 不存在。") % {"id": task_id}


def _label(task: Task) -> Any:
    return _("任务「%(t)s」") % {"t": task.title}


def raci_of(task: Task) -> dict[int, str]:
    """``person id → letter`` of a task (reads the prefetched assignments when there are)."""
    return {a.person_id: a.role for a in task.assignments.all()}


def can_set_status(user: User | None, event: Event, task: Task) -> bool:
    """An editor of the event, or a person who is R or A of the task (TM-1)."""
    if user is None or not user.is_authenticated:
        return False
    if event_access(user, event).can(Need.EDIT):
        return True
    return any(
        a.person_id == user.pk and a.role in (Raci.RESPONSIBLE, Raci.ACCOUNTABLE)
        for a in task.assignments.all()
    )


# ---------------------------------------------------------------- validation
def _validate(event: Event, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """A task's fields cleaned, the deadline worked out: pinned → ``due_at`` as given; relative → from
    ``offset_minutes`` (or, when only a moment is given, the offset it is at)."""
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {
        "title": text_clean(
            data.get("title"),
            field="title",
            label=_("任务"),
            limit=200,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "note": text_clean(data.get("note"), field="note", label=_("备注"), limit=5000, errors=errors),
    }
    group = data.get("group")
    if isinstance(group, int) and not isinstance(group, bool):
        group = TeamGroup.objects.filter(pk=group, event=event).first() or group
    if group is not None and (not isinstance(group, TeamGroup) or group.event_id != event.pk):
        errors["group"] = [_("所在组须为本活动的项目组之一。")]
        group = None
    clean["group"] = group
    status = data.get("status") or Task.Status.TODO
    if status not in Task.Status.values:
        allowed = "、".join(f"{v}({label})" for v, label in Task.Status.choices)
        errors["status"] = [_("状态须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    clean["status"] = status
    pinned = data.get("pinned", False)
    if not isinstance(pinned, bool):
        errors["pinned"] = [_("固定日期须为是或否。")]
        pinned = False
    clean["pinned"] = pinned
    offset = data.get("offset_minutes")
    due_at = data.get("due_at")
    if due_at is not None and not isinstance(due_at, dt.datetime):
        errors["due_at"] = [_("截止时间须为日期和时间。")]
        due_at = None
    if due_at is not None and timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at, event.tz)
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)):
        errors["offset_minutes"] = [_("相对活动开始的时间须为整数分钟,如 -10080 表示 T-7 天。")]
        offset = None
    latest = int((event.ends_at - event.starts_at).total_seconds() // 60)
    if pinned:
        if due_at is None:
            errors.setdefault("due_at", [_("固定日期的任务须填写截止时间。")])
    elif offset is None:
        if due_at is not None:
            offset = int((due_at - event.starts_at).total_seconds() // 60)
        else:
            errors.setdefault(
                "offset_minutes", [_("请填写相对活动开始的截止时间(如 T-7d),或固定一个截止日期。")]
            )
    if offset is not None and not -MAX_OFFSET_BEFORE <= offset <= latest:
        errors.setdefault(
            "offset_minutes",
            [
                _("相对活动开始的时间须在活动前一年(T-366d)到活动结束(%(end)s)之间。")
                % {"end": offset_label(latest)}
            ],
        )
        offset = None
    if not pinned and offset is not None:
        due_at = relative_due(event, offset)
    if (
        pinned
        and due_at is not None
        and due_at < event.starts_at - dt.timedelta(minutes=MAX_OFFSET_BEFORE)
        and "due_at" not in errors
    ):
        errors["due_at"] = [_("截止时间须在活动开始前一年以内。")]
    if due_at is not None and due_at > event.ends_at and "due_at" not in errors:
        errors["due_at"] = [
            _("截止时间不能晚于活动结束(%(end)s)。")
            % {"end": timezone.localtime(event.ends_at, event.tz).strftime("%Y-%m-%d %H:%M")}
        ]
    clean["offset_minutes"] = offset
    clean["due_at"] = due_at
    return clean, errors


def _next_position(event: Event) -> int:
    return int(Task.objects.filter(event=event).aggregate(m=Max("position"))["m"] or 0) + 1


def _status_stamp(clean: dict[str, Any], before: str | None, completed_at: dt.datetime | None) -> None:
    if clean["status"] == Task.Status.DONE:
        clean["completed_at"] = (
            completed_at if before == Task.Status.DONE and completed_at else timezone.now()
        )
    else:
        clean["completed_at"] = None


# ---------------------------------------------------------------- writes
@transaction.atomic
def task_add(
    *,
    actor: User | None,
    event: Event | int,
    title: str,
    group: TeamGroup | int | None = None,
    offset_minutes: int | None = None,
    due_at: dt.datetime | None = None,
    pinned: bool = False,
    status: str = Task.Status.TODO,
    note: str = "",
    system: bool = False,
) -> Task:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TASKS, system=system)
    clean, errors = _validate(
        locked,
        dict(
            title=title,
            group=group,
            offset_minutes=offset_minutes,
            due_at=due_at,
            pinned=pinned,
            status=status,
            note=note,
        ),
    )
    if errors:
        raise DomainError(errors)
    _status_stamp(clean, None, None)
    task = Task.objects.create(event=locked, position=_next_position(locked), **clean)
    audit_record(actor=actor, action="task.add", target=task, event_id=locked.pk, after=snapshot(task))
    return task


def _task_locked(event: Event, task_id: int) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id, event=event).first()
    if task is None:
        raise NotFound(_missing(task_id))
    return task


def _unknown(changes: Mapping[str, Any]) -> None:
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(TASK_FIELDS)}] for f in sorted(unknown)}
        )


@transaction.atomic
def task_update(
    *,
    actor: User | None,
    event: Event | int,
    task_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Task:
    """Change some fields of a task seen at revision ``seen``. ``pinned=True`` with ``due_at`` pins it to
    that moment; ``pinned=False`` (with ``offset_minutes``, or the offset it is at) makes it relative."""
    _unknown(changes)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TASKS, system=system)
    task = _task_locked(locked, task_id)
    revision_require(task, seen, label=_label(task), system=system, fields=TASK_FIELDS)
    data = {f: getattr(task, f) for f in TASK_FIELDS} | dict(changes)
    if changes.get("pinned") is False and "offset_minutes" not in changes and task.offset_minutes is None:
        data["offset_minutes"] = None  # derived from the moment it is at
    if "due_at" in changes and not data.get("pinned") and "offset_minutes" not in changes:
        data["offset_minutes"] = None  # a moment given for a relative task: its offset follows
    clean, errors = _validate(locked, data)
    if errors:
        raise DomainError(errors)
    _status_stamp(clean, task.status, task.completed_at)
    row_update(
        task,
        changes=clean,
        seen=task.revision,
        actor=actor,
        action="task.update",
        label=_label(task),
        event_id=locked.pk,
    )
    return task


@transaction.atomic
def task_status_set(
    *,
    actor: User | None,
    event: Event | int,
    task_id: int,
    status: str,
    seen: int | None,
    system: bool = False,
) -> Task:
    """Set a task's status: by the editors of the event, or by a person who is R or A of it (TM-1)."""
    from huodong.events.access import event_for, event_load

    locked = event_load(event, lock=True) if system else event_for(actor, event, Need.VIEW, lock=True)
    task = _task_locked(locked, task_id)
    if not system and not can_set_status(actor, locked, task):
        raise NotAllowed(_("只有该任务的 R(执行人)、A(负责人)或活动的策划人员可以更新任务状态。"))
    step_require(locked, STATUS_STEPS, _("任务状态"))
    revision_require(task, seen, label=_label(task), system=system, fields=("status",))
    if status not in Task.Status.values:
        allowed = "、".join(f"{v}({label})" for v, label in Task.Status.choices)
        raise DomainError({"status": [_("状态须为以下之一:%(allowed)s。") % {"allowed": allowed}]})
    changes: dict[str, Any] = {"status": status}
    _status_stamp(changes, task.status, task.completed_at)
    row_update(
        task,
        changes=changes,
        seen=task.revision,
        actor=actor,
        action="task.status",
        label=_label(task),
        event_id=locked.pk,
        system=system,
    )
    return task


@transaction.atomic
def task_remove(
    *, actor: User | None, event: Event | int, task_id: int, seen: int | None, system: bool = False
) -> None:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TASKS, system=system)
    task = _task_locked(locked, task_id)
    revision_require(task, seen, label=_label(task), system=system, fields=TASK_FIELDS)
    before = snapshot(task) | {"raci": {str(k): v for k, v in raci_of(task).items()}}
    audit_record(actor=actor, action="task.remove", target=task, event_id=locked.pk, before=before)
    task.delete()


# ---------------------------------------------------------------- RACI (TM-1)
def raci_clean(letters: Any) -> tuple[dict[User, str], dict[str, list[Any]]]:
    """``{person id or person: letter}`` → ``{person: letter}`` and what is wrong with it (TM-1)."""
    errors: dict[str, list[Any]] = {}
    if not isinstance(letters, Mapping):
        return {}, {"raci": [_("RACI 分工须为“人员 → 字母”的对应表。")]}
    ids: dict[int, str] = {}
    bad_letters: list[str] = []
    for key, letter in letters.items():
        pk = key.pk if isinstance(key, User) else key
        if isinstance(pk, str) and pk.strip().isdigit() and len(pk.strip()) < 10:
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int) or not 1 <= pk <= 2**31 - 1:
            errors.setdefault("raci", []).append(_("人员编号「%(p)s」无效。") % {"p": str(key)[:20]})
            continue
        value = letter.strip().upper() if isinstance(letter, str) else letter
        if value in ("", None):
            continue  # an empty cell: no letter for that person
        if value not in Raci.values:
            bad_letters.append(str(letter)[:5])
            continue
        if pk in ids:
            errors.setdefault("raci", []).append(_("同一人员在一项任务中只能有一个字母。"))
            continue
        ids[pk] = value
    if bad_letters:
        errors.setdefault("raci", []).append(
            _("RACI 字母只能是 R(执行)、A(负责)、C(咨询)、I(知会);「%(bad)s」无效。")
            % {"bad": "、".join(bad_letters)}
        )
    people = {p.pk: p for p in User.objects.filter(pk__in=list(ids))}
    missing = [str(pk) for pk in ids if pk not in people]
    inactive = [people[pk].name for pk in ids if pk in people and not people[pk].is_active]
    if missing:
        errors.setdefault("raci", []).append(_("人员 %(ids)s 不存在。") % {"ids": "、".join(missing)})
    if inactive:
        errors.setdefault("raci", []).append(
            _("%(names)s已停用,不能分配任务。") % {"names": "、".join(inactive)}
        )
    for problem in raci_problems(list(ids.values())):
        errors.setdefault("raci", []).append(problem)
    return {people[pk]: letter for pk, letter in ids.items() if pk in people}, errors


@transaction.atomic
def task_raci_set(
    task: Task | int,
    letters: Mapping[Any, Any],
    *,
    actor: User | None,
    event: Event | int | None = None,
    seen: int | None = None,
    system: bool = False,
) -> Task:
    """Replace the whole RACI assignment of ``task`` by ``letters`` (``{person id: "R"|"A"|"C"|"I"}``).

    Exactly one A, at least one R, a person at most once, active people only (TM-1); a refusal names the
    reason and writes nothing. ``seen`` is the task's revision (the assignment counts as part of the task).
    """
    if event is None:
        event = (
            task.event_id
            if isinstance(task, Task)
            else Task.objects.filter(pk=task).values_list("event_id", flat=True).first() or 0
        )
    locked = preparation_event_lock(actor=actor, event=event, what=_("RACI 分工"), system=system)
    task_id = task.pk if isinstance(task, Task) else task
    row = _task_locked(locked, task_id)
    if seen is None and not system:
        raise PreconditionRequired()
    revision_require(row, seen, label=_label(row), system=system, fields=TASK_FIELDS)
    people, errors = raci_clean(letters)
    if errors:
        raise DomainError(errors)
    before = {str(k): v for k, v in raci_of(row).items()}
    after = {str(p.pk): letter for p, letter in people.items()}
    if before == after:
        return row
    TaskAssignment.objects.filter(task=row).delete()
    TaskAssignment.objects.bulk_create(
        [TaskAssignment(task=row, person=p, role=letter) for p, letter in people.items()]
    )
    revision_bump(row)
    audit_record(
        actor=actor,
        action="task.raci",
        target=row,
        event_id=locked.pk,
        before={"raci": before},
        after={"raci": after},
    )
    return row


# ---------------------------------------------------------------- the T-minus template
def template_items(event: Event) -> list[dict[str, Any]]:
    """The standard tasks of the event's type: its schedule, then the type's own tasks."""
    items: list[dict[str, Any]] = []
    for item in list(event.event_type.schedule or []) + TYPE_TASKS.get(event.event_type.code, []):
        if not isinstance(item, dict):
            continue
        code = str(item.get("code") or "").strip()[:40]
        name = str(item.get("name") or "").strip()[:200]
        offset = item.get("offset_minutes")
        if not code or not name or isinstance(offset, bool) or not isinstance(offset, int):
            continue
        if any(i["code"] == code for i in items):
            continue
        items.append(
            {
                "code": code,
                "name": name,
                "offset_minutes": offset,
                "rule": str(item.get("rule") or "")[:10],
                "group": item.get("group") or SCHEDULE_GROUPS.get(code, ""),
            }
        )
    return items


@transaction.atomic
def tasks_from_template(event: Event | int, actor: User | None, *, system: bool = False) -> int:
    """Create the standard tasks of the T-minus schedule that the event does not have yet (by
    ``template_code``), relative to its start and unpinned; returns how many were created."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_TASKS, system=system)
    _defaults_create(locked, actor)
    groups = {g.code: g for g in TeamGroup.objects.filter(event=locked)}
    have = set(
        Task.objects.filter(event=locked).exclude(template_code="").values_list("template_code", flat=True)
    )
    position = _next_position(locked)
    latest = int((locked.ends_at - locked.starts_at).total_seconds() // 60)
    created = 0
    for item in template_items(locked):
        if item["code"] in have or not -MAX_OFFSET_BEFORE <= item["offset_minutes"] <= latest:
            continue
        task = Task.objects.create(
            event=locked,
            title=item["name"],
            group=groups.get(item["group"]),
            offset_minutes=item["offset_minutes"],
            due_at=relative_due(locked, item["offset_minutes"]),
            pinned=False,
            template_code=item["code"],
            rule=item["rule"],
            position=position,
        )
        position += 1
        created += 1
        audit_record(actor=actor, action="task.add", target=task, event_id=locked.pk, after=snapshot(task))
    return created


__all__ = [
    "PREPARATION_REFUSAL",
    "offset_label",
    "offset_parse",
    "relative_due",
    "task_add",
    "task_raci_set",
    "task_remove",
    "task_status_set",
    "task_update",
    "tasks_follow_event",
    "tasks_from_template",
]
