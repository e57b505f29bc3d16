"""Trainings (TR-1): the execution meeting three days before the event and special trainings (礼仪,
主持人, 讲解员, other), each with its time, duration, place, agenda, the roles' duties and the emergency
scripts it covers, its trainer, the people expected, whether it was held (time and minutes) and who came.

- The execution meeting is created on demand (``meeting_create``): one per event, titled 执行会议, at
  T-3 days before the event's start unless another time is given, its agenda pre-filled and the roles'
  duties and emergency scripts drafted from the team's written duties (TM-1) and the plan's risk
  responses (DOC-2).
- A training starts before the event does; it lasts 1 minute to 24 hours.
- The people expected are the project team (``TeamMember``) by default, plus anyone added.
- Once held (``training_held``: when, and the minutes — required for the execution meeting), attendance
  is recorded for every expected person (``attendance_record``: attended yes/no, with a note), which
  sets ``attendance_recorded_at``. The gate of 人员培训 wants the execution meeting held and its
  attendance recorded (``selectors.readiness``).

Every write takes the event's lock (``rules.preparation_event_lock``, ``Need.EDIT``), then the training
row; a change says which revision it saw (428 without, 409 when old).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import revision_bump, revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.models import Event

from ..models import TeamMember, Training, TrainingAttendance
from ..rules import preparation_event_lock

MEETING_BEFORE = dt.timedelta(days=3)  # TR-1: the execution meeting three days before the event
TRAINING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "duration_minutes",
    "location",
    "agenda",
    "roles_covered",
    "scripts_covered",
    "trainer",
)
UPDATABLE = (*TRAINING_FIELDS, "attendees")
TITLE_MAX = 200
LOCATION_MAX = 200
TEXT_MAX = 5000
MINUTES_MAX = 20_000
NOTE_MAX = 300
DURATION_MAX = 24 * 60
ATTENDEES_MAX = 500
WHAT = _("培训")
MEETING_AGENDA = _(
    "1. 活动流程与时间节点\n2. 各岗位职责说明\n3. 现场分工与对接人\n4. 应急预案与应急话术\n5. 答疑"
)


# ---------------------------------------------------------------- reads
def trainings_of(event: Event) -> QuerySet[Training]:
    return (
        Training.objects.filter(event=event).select_related("trainer").prefetch_related("attendance__person")
    )


def training_get(*, event: Event, training_id: int) -> Training:
    row = trainings_of(event).filter(pk=training_id).first()
    if row is None:
        raise NotFound(_missing(training_id))
    return row


def execution_meeting_of(event: Event) -> Training | None:
    return Training.objects.filter(event=event, kind=Training.Kind.EXECUTION_MEETING).order_by("id").first()


def meeting_default_start(event: Event) -> dt.datetime:
    """T-3 days: three days before the event's start, at the same time of day (TR-1)."""
    return event.starts_at - MEETING_BEFORE


def team_people(event: Event) -> list[User]:
    """The project team (leader first), the people a training expects by default."""
    return [m.person for m in TeamMember.objects.filter(event=event).select_related("person")]


def attendance_summary(training: Training) -> dict[str, list[TrainingAttendance]]:
    """Who attended, who missed and who is not marked yet."""
    rows = list(training.attendance.all())
    return {
        "attended": [a for a in rows if a.attended is True],
        "missed": [a for a in rows if a.attended is False],
        "unmarked": [a for a in rows if a.attended is None],
    }


def meeting_prefill(event: Event) -> dict[str, str]:
    """The execution meeting's draft: its agenda, each team member's written duties, the plan's risk
    responses as emergency scripts."""
    from huodong.planning.models import Risk

    roles = []
    for m in TeamMember.objects.filter(event=event).select_related("person", "group"):
        where = m.group.name if m.group is not None else ""
        head = m.person.name + (f"({where})" if where else "")
        if m.is_leader:
            with override(settings.LANGUAGE_CODE):
                head += "·" + str(_("项目负责人"))
        roles.append(f"{head}:{m.duties}" if m.duties.strip() else head)
    scripts = [
        f"{r.risk}:{r.response}" if r.response.strip() else r.risk
        for r in Risk.objects.filter(plan__event=event).order_by("position", "id")
    ]
    with override(settings.LANGUAGE_CODE):
        agenda = str(MEETING_AGENDA)
    return {
        "agenda": agenda,
        "roles_covered": "\n".join(roles)[:TEXT_MAX],
        "scripts_covered": "\n".join(scripts)[:TEXT_MAX],
    }


# ---------------------------------------------------------------- validation
def _missing(training_id: Any) -> Any:
    return _("培训 %(id)s 不存在。") % {"id": training_id}


def _label(row: Training) -> Any:
    return _("培训「%(t)s」") % {"t": row.title}


def _local(event: Event, moment: dt.datetime) -> str:
    return timezone.localtime(moment, event.tz).strftime("%Y-%m-%d %H:%M")


def _kind_title(kind: str) -> str:
    with override(settings.LANGUAGE_CODE):
        return str(Training.Kind(kind).label)


def _person(value: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> User | None:
    if value is None or value == "":
        return None
    if not isinstance(value, User) or not value.is_active:
        errors.setdefault(field, []).append(_("%(label)s须为在职人员。") % {"label": label})
        return None
    return value


def _moment(value: Any, *, event: Event, field: str, label: Any, errors: dict[str, list[Any]]) -> Any:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("请填写%(label)s。") % {"label": label})
        return None
    if not isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(
            _("%(label)s须为日期和时间,如 2027-03-15 14:00。") % {"label": label}
        )
        return None
    return timezone.make_aware(value, event.tz) if timezone.is_naive(value) else value


def _attendees(value: Any, errors: dict[str, list[Any]]) -> list[User] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(p, User) for p in value):
        errors["attendees"] = [_("应到人员须为人员列表。")]
        return None
    people = list({p.pk: p for p in value}.values())
    if len(people) > ATTENDEES_MAX:
        errors["attendees"] = [_("应到人员最多 %(n)s 人。") % {"n": ATTENDEES_MAX}]
    inactive = [p.name for p in people if not p.is_active]
    if inactive:
        errors["attendees"] = [_("应到人员须为在职人员:%(names)s。") % {"names": "、".join(inactive[:10])}]
    return people


def _validate(data: dict[str, Any], *, event: Event) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    kind = data.get("kind")
    kind = kind.strip() if isinstance(kind, str) else ""
    if kind not in Training.Kind.values:
        allowed = "、".join(f"{v}({label})" for v, label in Training.Kind.choices)
        errors["kind"] = [_("类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    title = text_clean(
        data.get("title"), field="title", label=_("名称"), limit=TITLE_MAX, errors=errors, multiline=False
    )
    if not title and kind in Training.Kind.values:
        title = _kind_title(kind)
    starts_at = _moment(
        data.get("starts_at"), event=event, field="starts_at", label=_("培训时间"), errors=errors
    )
    if starts_at is not None and starts_at >= event.starts_at:
        errors.setdefault("starts_at", []).append(
            _("培训时间须早于活动开始(%(start)s)。") % {"start": _local(event, event.starts_at)}
        )
    duration = data.get("duration_minutes")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= DURATION_MAX:
        errors["duration_minutes"] = [_("时长须为 1 到 %(max)s 之间的整数(分钟)。") % {"max": DURATION_MAX}]
    clean = {
        "kind": kind,
        "title": title,
        "starts_at": starts_at,
        "duration_minutes": duration,
        "location": text_clean(
            data.get("location"),
            field="location",
            label=_("地点"),
            limit=LOCATION_MAX,
            errors=errors,
            multiline=False,
        ),
        "agenda": text_clean(
            data.get("agenda"), field="agenda", label=_("议程"), limit=TEXT_MAX, errors=errors
        ),
        "roles_covered": text_clean(
            data.get("roles_covered"),
            field="roles_covered",
            label=_("岗位职责说明"),
            limit=TEXT_MAX,
            errors=errors,
        ),
        "scripts_covered": text_clean(
            data.get("scripts_covered"),
            field="scripts_covered",
            label=_("应急话术"),
            limit=TEXT_MAX,
            errors=errors,
        ),
        "trainer": _person(data.get("trainer"), field="trainer", label=_("主持/讲师"), errors=errors),
    }
    return clean, errors


def _one_meeting(event: Event, kind: str, *, other_than: int | None = None) -> None:
    if kind != Training.Kind.EXECUTION_MEETING:
        return
    existing = Training.objects.filter(event=event, kind=Training.Kind.EXECUTION_MEETING)
    if other_than is not None:
        existing = existing.exclude(pk=other_than)
    if existing.exists():
        raise DomainError({"kind": [_("本活动已有执行会议;每个活动只有一次执行会议,请修改已有的那一次。")]})


def _row_locked(event: Event, training_id: int) -> Training:
    row = Training.objects.select_for_update().filter(pk=training_id, event=event).first()
    if row is None:
        raise NotFound(_missing(training_id))
    return row


def _attendees_set(row: Training, people: list[User]) -> tuple[list[str], list[str]]:
    """Make ``people`` the expected attendees (keeping the marks of those who stay); names added, removed."""
    current = {a.person_id: a for a in row.attendance.select_related("person")}
    wanted = {p.pk: p for p in people}
    removed = [a.person.name for pk, a in current.items() if pk not in wanted]
    TrainingAttendance.objects.filter(training=row).exclude(person_id__in=list(wanted)).delete()
    added = []
    for pk, p in wanted.items():
        if pk not in current:
            TrainingAttendance.objects.create(training=row, person=p)
            added.append(p.name)
    return added, removed


# ---------------------------------------------------------------- writes
@transaction.atomic
def training_add(
    *,
    actor: User | None,
    event: Event | int,
    kind: str,
    starts_at: Any,
    title: str = "",
    duration_minutes: Any = 60,
    location: str = "",
    agenda: str = "",
    roles_covered: str = "",
    scripts_covered: str = "",
    trainer: User | None = None,
    attendees: list[User] | None = None,
    system: bool = False,
) -> Training:
    """A training of ``kind``; ``attendees`` (default: the project team) are expected at it."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    clean, errors = _validate(
        {
            "kind": kind,
            "title": title,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "location": location,
            "agenda": agenda,
            "roles_covered": roles_covered,
            "scripts_covered": scripts_covered,
            "trainer": trainer,
        },
        event=locked,
    )
    people = _attendees(attendees, errors)
    if errors:
        raise DomainError(errors)
    _one_meeting(locked, clean["kind"])
    row = Training.objects.create(event=locked, **clean)
    _attendees_set(row, people if people is not None else team_people(locked))
    audit_record(
        actor=actor,
        action="preparation.training.add",
        target=row,
        event_id=locked.pk,
        summary=Message("安排培训「%(t)s」(%(when)s)", t=row.title, when=_local(locked, row.starts_at)),
        after={**snapshot(row), "attendees": [a.person_id for a in row.attendance.all()]},
    )
    return row


@transaction.atomic
def meeting_create(
    *, actor: User | None, event: Event | int, starts_at: Any = None, system: bool = False
) -> Training:
    """The execution meeting (TR-1), created on demand: T-3 days unless ``starts_at``, drafted from the
    team's duties and the plan's risks, the team expected."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    _one_meeting(locked, Training.Kind.EXECUTION_MEETING)
    draft = meeting_prefill(locked)
    return training_add(
        actor=actor,
        event=locked,
        kind=Training.Kind.EXECUTION_MEETING,
        title=_kind_title(Training.Kind.EXECUTION_MEETING),
        starts_at=starts_at if starts_at is not None else meeting_default_start(locked),
        duration_minutes=90,
        agenda=draft["agenda"],
        roles_covered=draft["roles_covered"],
        scripts_covered=draft["scripts_covered"],
        system=system,
    )


@transaction.atomic
def training_update(
    *,
    actor: User | None,
    event: Event | int,
    training_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Training:
    """Change some fields (and, with ``attendees``, who is expected) of a training seen at ``seen``."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(UPDATABLE)}] for f in sorted(unknown)}
        )
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, training_id)
    revision_require(row, seen, label=_label(row), system=system, fields=TRAINING_FIELDS)
    data = {f: getattr(row, f) for f in TRAINING_FIELDS}
    data.update({k: v for k, v in changes.items() if k != "attendees"})
    clean, errors = _validate(data, event=locked)
    people = _attendees(changes.get("attendees"), errors)
    if errors:
        raise DomainError(errors)
    _one_meeting(locked, clean["kind"], other_than=row.pk)
    written = row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="preparation.training.update",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    if people is not None:
        added, removed = _attendees_set(row, people)
        if added or removed:
            if not written:
                revision_bump(row)
            audit_record(
                actor=actor,
                action="preparation.training.attendees",
                target=row,
                event_id=locked.pk,
                after={"added": added, "removed": removed},
            )
    return row


@transaction.atomic
def training_remove(
    *, actor: User | None, event: Event | int, training_id: int, seen: int | None, system: bool = False
) -> None:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, training_id)
    revision_require(row, seen, label=_label(row), system=system, fields=TRAINING_FIELDS)
    audit_record(
        actor=actor,
        action="preparation.training.remove",
        target=row,
        event_id=locked.pk,
        before=snapshot(row),
    )
    row.delete()


@transaction.atomic
def training_held(
    *,
    actor: User | None,
    event: Event | int,
    training_id: int,
    seen: int | None,
    held_at: Any,
    minutes: str = "",
    system: bool = False,
    now: dt.datetime | None = None,
) -> Training:
    """Record that the training took place (when, and its minutes — required for the execution meeting)."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, training_id)
    revision_require(row, seen, label=_label(row), system=system, fields=("held_at", "minutes"))
    now = now or timezone.now()
    errors: dict[str, list[Any]] = {}
    moment = _moment(held_at, event=locked, field="held_at", label=_("实际召开时间"), errors=errors)
    if moment is not None and moment > now + dt.timedelta(minutes=5):
        errors.setdefault("held_at", []).append(
            _("实际召开时间不能晚于现在(%(now)s)。") % {"now": _local(locked, now)}
        )
    text = text_clean(minutes, field="minutes", label=_("会议纪要"), limit=MINUTES_MAX, errors=errors)
    if row.kind == Training.Kind.EXECUTION_MEETING and not text and "minutes" not in errors:
        errors["minutes"] = [_("请填写执行会议的会议纪要。")]
    if errors:
        raise DomainError(errors)
    row_update(
        row,
        changes={"held_at": moment, "minutes": text},
        seen=row.revision,
        actor=actor,
        action="preparation.training.held",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    return row


@transaction.atomic
def attendance_record(
    *,
    actor: User | None,
    event: Event | int,
    training_id: int,
    seen: int | None,
    rows: list[dict[str, Any]],
    system: bool = False,
) -> Training:
    """Who came (TR-1): ``rows`` of ``{"person": User, "attended": bool, "note": str}``, one for every
    expected person; a person not expected yet is added (came without being invited)."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, training_id)
    revision_require(row, seen, label=_label(row), system=system, fields=("attendance_recorded_at",))
    if row.held_at is None:
        raise DomainError({"__all__": [_("请先登记培训已召开(实际召开时间),再登记出席情况。")]})
    expected = {a.person_id: a for a in row.attendance.select_related("person")}
    errors: dict[str, list[Any]] = {}
    marks: dict[int, tuple[User, bool, str]] = {}
    if not isinstance(rows, list):
        raise DomainError({"attendance": [_("出席情况须为列表。")]})
    for i, item in enumerate(rows):
        person = item.get("person") if isinstance(item, dict) else None
        attended = item.get("attended") if isinstance(item, dict) else None
        if not isinstance(person, User):
            errors.setdefault("attendance", []).append(_("第 %(n)s 行:未知人员。") % {"n": i + 1})
            continue
        if person.pk not in expected and not person.is_active:
            errors.setdefault("attendance", []).append(
                _("%(name)s不是在职人员,不能登记。") % {"name": person.name}
            )
            continue
        if not isinstance(attended, bool):
            errors.setdefault("attendance", []).append(
                _("请登记%(name)s是否出席(是/否)。") % {"name": person.name}
            )
            continue
        note_errors: dict[str, list[Any]] = {}
        note = text_clean(
            item.get("note"),
            field="note",
            label=_("备注"),
            limit=NOTE_MAX,
            errors=note_errors,
            multiline=False,
        )
        for message in note_errors.get("note", []):
            errors.setdefault("attendance", []).append(f"{person.name}:{message}")
        marks[person.pk] = (person, attended, note)
    unmarked = [a.person.name for pk, a in expected.items() if pk not in marks]
    if unmarked:
        errors.setdefault("attendance", []).append(
            _("以下人员尚未登记是否出席:%(names)s。") % {"names": "、".join(unmarked[:20])}
        )
    if errors:
        raise DomainError(errors)
    for person, attended, note in marks.values():
        TrainingAttendance.objects.update_or_create(
            training=row, person=person, defaults={"attended": attended, "note": note}
        )
    row_update(
        row,
        changes={"attendance_recorded_at": timezone.now()},
        seen=row.revision,
        actor=actor,
        action="preparation.training.attendance",
        label=_label(row),
        event_id=locked.pk,
        summary=Message(
            "登记「%(t)s」出席:出席 %(yes)s 人,缺席 %(no)s 人",
            t=row.title,
            yes=sum(1 for _p, a, _n in marks.values() if a),
            no=sum(1 for _p, a, _n in marks.values() if not a),
        ),
        system=system,
    )
    return row
