"""Writes of the needs research (需求洞察): the report, its inputs and methods (NI-1, NI-2, DOC-1).

Every write follows the lock order of ``core.concurrency``: first the event row
(``rules.planning_event_lock``, which checks the actor's right to edit and the step,
``rules.NEEDS_EDITABLE_STEPS``, on the locked row), then the report, then its input or method rows by id;
what it changes it reads again under those locks. All input is validated before anything is written; text
goes through ``core.text.text_clean``. The report is created on the first change, never by reading it.

An edit says which revision it saw (``seen``) and writes only the fields that changed
(``core.concurrency.row_update``); the audit row lists the real before and after of those fields. An input
or a method is part of the report (``GET /needs`` shows them, ``PUT /needs`` replaces them), so adding,
changing or removing one also raises the report's revision.

``row_of`` and ``RowAudit`` are shared with ``services.goals``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import (
    PreconditionRequired,
    Stale,
    revision_bump,
    revision_require,
    row_update,
    stale_error,
)
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import AuditEntry, Department, User
from huodong.core.schemas import MAX_ID
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.events.steps import Step

from .. import rules
from ..models import NeedsInput, NeedsMethod, NeedsReport

# Longest text accepted in one field of the report; a report is prose, not a data dump.
TEXT_MAX = 5000
SOURCE_MAX = 200  # NeedsInput.source
PARTICIPANTS_MAX = 300  # NeedsMethod.participants
# The most inputs or methods one report may carry (a PUT replacing them is validated row by row).
ROWS_MAX = 100
REQUESTERS_MAX = 20
# Dates people enter (when a need was raised, when research was done, when a goal is due).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

REPORT_TEXT_FIELDS = ("background", "audience_persona", "core_needs", "initial_goals")
REPORT_LABEL = _("需求调研报告")

M = TypeVar("M", bound=models.Model)
# A row's cleaned values and the errors found, keyed by field.
Cleaned = tuple[dict[str, Any], dict[str, list[Any]]]


# ---------------------------------------------------------------- rows of an event (shared with goals)
def row_of(rows: models.QuerySet[M], row_id: Any, missing: Any) -> M:
    """The row ``row_id`` among ``rows`` (the event's, locked by the caller's queryset), or NotFound."""
    valid = isinstance(row_id, int) and not isinstance(row_id, bool) and 1 <= row_id <= MAX_ID
    row = rows.filter(pk=row_id).first() if valid else None
    if row is None:
        raise NotFound(missing % {"id": row_id})
    return row


@dataclass(frozen=True)
class RowAudit:
    """How the changes of one kind of row are audited: ``<action>.add/update/remove``.

    ``added``/``updated``/``removed`` are the summaries, filled in with ``label(row)``; ``noun`` names one
    row in a "已被某某修改" notice. Updates go through ``core.concurrency.row_update`` (changed fields only).
    """

    action: str
    fields: tuple[str, ...]
    label: Callable[[Any], dict[str, Any]]
    noun: Any
    added: Any
    updated: Any
    removed: Any

    def state(self, row: models.Model) -> dict[str, Any]:
        return snapshot(row, list(self.fields))

    def record_add(self, *, actor: User | None, event: Event, row: models.Model) -> None:
        """Audit a row just created."""
        audit_record(
            actor=actor,
            action=f"{self.action}.add",
            target=row,
            event_id=event.pk,
            summary=Message(self.added, **self.label(row)),
            after=self.state(row),
        )

    def update(
        self,
        *,
        actor: User | None,
        event: Event,
        row: models.Model,
        data: Mapping[str, Any],
        seen: int | None,
        system: bool = False,
    ) -> list[str]:
        """Write the fields of ``data`` that differ if ``row`` is still at revision ``seen``; audit them."""
        return row_update(
            row,
            changes=data,
            seen=seen,
            actor=actor,
            action=f"{self.action}.update",
            label=self.noun,
            event_id=event.pk,
            summary=Message(self.updated, **self.label(row)),
            system=system,
        )

    def delete(
        self, *, actor: User | None, event: Event, row: models.Model, seen: int | None, system: bool = False
    ) -> None:
        """Refuse when ``row`` is not at revision ``seen``; else audit it as it was and delete it."""
        revision_require(row, seen, label=self.noun, system=system)
        audit_record(
            actor=actor,
            action=f"{self.action}.remove",
            target=row,
            event_id=event.pk,
            summary=Message(self.removed, **self.label(row)),
            before=self.state(row),
        )
        row.delete()


# ---------------------------------------------------------------- the report's helpers
def _lock_event(actor: User | None, event: Event | int, *, system: bool = False) -> Event:
    """Step 1 of the lock order: the event row, the right to edit and the step checked on it."""
    return rules.planning_event_lock(
        actor=actor, event=event, steps=rules.NEEDS_EDITABLE_STEPS, what=REPORT_LABEL, system=system
    )


def _report_locked(event: Event, *, create: bool = True) -> NeedsReport | None:
    """Step 2 of the lock order: the event's report, locked (created first when ``create``)."""
    report = NeedsReport.objects.select_for_update().filter(event=event).first()
    if report is None and create:
        report = NeedsReport.objects.create(event=event)
    return report


def _last_report_change(report: NeedsReport) -> AuditEntry | None:
    """The newest audit row of the report or of one of its inputs and methods."""
    rows = [report._meta.label_lower, NeedsInput._meta.label_lower, NeedsMethod._meta.label_lower]
    return (
        AuditEntry.objects.filter(event_id=report.event_id, target_type__in=rows)
        .select_related("actor")
        .order_by("-id")
        .first()
    )


def _report_stale(report: NeedsReport) -> Stale:
    """The report moved on: its current state, and who changed it or one of its rows last."""
    base = stale_error(report, label=REPORT_LABEL)
    entry = _last_report_change(report)
    if entry is None:
        return base
    theirs = (
        {k: v for k, v in entry.after.items() if k in base.current}
        if entry.target_type == report._meta.label_lower and isinstance(entry.after, dict)
        else {}
    )
    who = entry.actor.name if entry.actor is not None else getattr(entry, "actor_name", "") or ""
    return Stale(label=REPORT_LABEL, current=base.current, changed_by=who, changed_at=entry.at, theirs=theirs)


def _clean_date(errors: dict[str, list[Any]], field: str, value: Any, *, label: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.setdefault(field, []).append(_("「%(label)s」须为日期,如 2027-03-01。") % {"label": label})
        return None
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        errors.setdefault(field, []).append(_("「%(label)s」须在 2000 年至 2099 年之间。") % {"label": label})
        return None
    return value


# ---------------------------------------------------------------- input and method rows
class _RowCleaner:
    """Cleans the fields of one row given as ``data``, collecting the errors under ``prefix`` + field name."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix
        self.errors: dict[str, list[Any]] = {}

    def choice(self, name: str, choices: type[models.Choices], message: Any) -> Any:
        """The value when it is one of ``choices``; else ``message``, naming it as ``%(<name>)s`` and the choices."""
        value = self.data.get(name)
        if not isinstance(value, str) or value not in choices.values:
            shown = value if isinstance(value, str) and len(value) <= 40 else ""
            self.errors[f"{self.prefix}{name}"] = [
                message % {name: shown, "choices": "、".join(f"{v}({label})" for v, label in choices.choices)}
            ]
        return value

    def text(
        self, name: str, *, label: Any, limit: int, required: bool = False, multiline: bool = True
    ) -> str:
        return text_clean(
            self.data.get(name),
            field=f"{self.prefix}{name}",
            label=label,
            limit=limit,
            errors=self.errors,
            required=required,
            multiline=multiline,
        )

    def date(self, name: str, *, label: Any) -> dt.date | None:
        return _clean_date(self.errors, f"{self.prefix}{name}", self.data.get(name), label=label)


def _validate_input(data: Mapping[str, Any], prefix: str = "") -> Cleaned:
    clean = _RowCleaner(data, prefix)
    row = {
        "kind": clean.choice("kind", NeedsInput.Kind, _("未知的输入类别「%(kind)s」,可选:%(choices)s。")),
        "content": clean.text("content", label=_("内容"), limit=TEXT_MAX, required=True),
        "source": clean.text("source", label=_("来源"), limit=SOURCE_MAX, multiline=False),
    }
    return row, clean.errors


def _validate_method(data: Mapping[str, Any], prefix: str = "") -> Cleaned:
    clean = _RowCleaner(data, prefix)
    row = {
        "method": clean.choice(
            "method", NeedsMethod.Method, _("未知的调研方法「%(method)s」,可选:%(choices)s。")
        ),
        "findings": clean.text("findings", label=_("发现"), limit=TEXT_MAX, required=True),
        "participants": clean.text(
            "participants", label=_("参与对象"), limit=PARTICIPANTS_MAX, multiline=False
        ),
        "conducted_on": clean.date("conducted_on", label=_("日期")),
    }
    return row, clean.errors


def _validate_rows(rows: Any, name: str, validate: Any) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    if not isinstance(rows, list | tuple):
        return [], {name: [_("须为列表。")]}
    if len(rows) > ROWS_MAX:
        return [], {name: [_("最多 %(max)s 条。") % {"max": ROWS_MAX}]}
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[f"{name}.{i}"] = [_("第 %(n)s 条须为对象。") % {"n": i + 1}]
            continue
        data, row_errors = validate(row, f"{name}.{i}.")
        cleaned.append(data)
        errors.update(row_errors)
    return cleaned, errors


@dataclass(frozen=True)
class _RowKind(RowAudit, Generic[M]):
    """An input (NI-1) or a method (NI-2) of the report: its model, the report's related name, its checks."""

    model: type[M]
    related: str
    validate: Callable[..., Cleaned]
    missing: Any


_INPUT: _RowKind[NeedsInput] = _RowKind(
    action="needs.input",
    fields=("kind", "content", "source"),
    label=lambda row: {"kind": NeedsInput.Kind(row.kind).label},
    noun=_("需求输入"),
    added=_("添加需求输入:%(kind)s"),
    updated=_("修改需求输入:%(kind)s"),
    removed=_("删除需求输入:%(kind)s"),
    model=NeedsInput,
    related="inputs",
    validate=_validate_input,
    missing=_("需求输入 %(id)s 不存在。"),
)
_METHOD: _RowKind[NeedsMethod] = _RowKind(
    action="needs.method",
    fields=("method", "findings", "conducted_on", "participants"),
    label=lambda row: {"method": NeedsMethod.Method(row.method).label},
    noun=_("调研方法"),
    added=_("添加调研方法:%(method)s"),
    updated=_("修改调研方法:%(method)s"),
    removed=_("删除调研方法:%(method)s"),
    model=NeedsMethod,
    related="methods",
    validate=_validate_method,
    missing=_("调研方法 %(id)s 不存在。"),
)


# ---------------------------------------------------------------- the report
def _validate_history(event: Event, value: Any) -> tuple[list[int], dict[str, list[Any]]]:
    if not isinstance(value, list | tuple) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        return [], {"history_event_ids": [_("须为活动编号的列表。")]}
    ids = list(dict.fromkeys(value))
    if len(ids) > ROWS_MAX:
        return [], {"history_event_ids": [_("最多 %(max)s 条。") % {"max": ROWS_MAX}]}
    if event.pk in ids:
        return [], {"history_event_ids": [_("不能选择本活动作为历史参考。")]}
    in_range = [i for i in ids if 1 <= i <= MAX_ID]
    found = set(
        Event.objects.filter(
            pk__in=in_range, event_type_id=event.event_type_id, step=Step.CLOSED
        ).values_list("pk", flat=True)
    )
    bad = [i for i in ids if i not in found]
    if bad:
        return [], {
            "history_event_ids": [
                _("只能选择同类型(%(type)s)且已归档闭环的活动;不符合的编号:%(ids)s。")
                % {"type": event.event_type, "ids": "、".join(str(i) for i in bad)}
            ]
        }
    return ids, {}


REPORT_TEXT_LABELS = {
    "background": _("需求背景"),
    "audience_persona": _("目标受众画像"),
    "core_needs": _("核心需求描述"),
    "initial_goals": _("初步目标设定"),
}


def _clean_request(
    errors: dict[str, list[Any]], event: Event, department: Any, requested_on: Any
) -> dict[str, Any]:
    """DOC-1: the requesting department and the date the need was raised (no later than the event)."""
    changes: dict[str, Any] = {}
    if department is not UNSET:
        if department is not None and (not isinstance(department, Department) or not department.is_active):
            errors["requesting_department"] = [_("需求提出部门须为启用中的部门。")]
        changes["requesting_department"] = department
    if requested_on is not UNSET:
        date = _clean_date(errors, "requested_on", requested_on, label=_("提出日期"))
        if date and date > event.local_end().date():
            errors["requested_on"] = [
                _("提出日期不能晚于活动日期(%(date)s)。") % {"date": event.local_end().date().isoformat()}
            ]
        changes["requested_on"] = date
    return changes


def _clean_requesters(errors: dict[str, list[Any]], requesters: Any) -> list[User] | None:
    if not isinstance(requesters, Iterable) or isinstance(requesters, str | bytes):
        errors["requesters"] = [_("需求提出人须为人员列表。")]
        return None
    people = list(requesters)
    if any(not isinstance(p, User) or not p.is_active for p in people):
        errors["requesters"] = [_("需求提出人须为在职人员。")]
    elif len(people) > REQUESTERS_MAX:
        errors["requesters"] = [_("需求提出人最多 %(max)s 位。") % {"max": REQUESTERS_MAX}]
    return people


def _rows_replace(
    spec: _RowKind[Any], report: NeedsReport, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Replace the report's rows of ``spec``'s kind by ``rows``; the states before and after, or None
    when ``rows`` are the rows already there (nothing is written)."""
    model = spec.model
    existing = list(model._default_manager.select_for_update().filter(report=report).order_by("id"))
    ordered = sorted(existing, key=lambda r: (r.position, r.pk))
    before = [spec.state(r) for r in ordered]
    wanted = [spec.state(model(report=report, **row)) for row in rows]
    if before == wanted:
        return None
    model._default_manager.filter(pk__in=[r.pk for r in existing]).delete()
    model._default_manager.bulk_create(
        [model(report=report, position=i, **row) for i, row in enumerate(rows, start=1)]
    )
    return before, wanted


@transaction.atomic
def needs_report_update(
    *,
    actor: User | None,
    event: Event | int,
    seen: int | None,
    background: Any = UNSET,
    audience_persona: Any = UNSET,
    core_needs: Any = UNSET,
    initial_goals: Any = UNSET,
    requesting_department: Any = UNSET,
    requesters: Any = UNSET,
    requested_on: Any = UNSET,
    history_event_ids: Any = UNSET,
    inputs: Any = UNSET,
    methods: Any = UNSET,
    system: bool = False,
) -> NeedsReport:
    """Change the parts of the report given (DOC-1) if it is still at revision ``seen``.

    Fields left ``UNSET`` keep their value; ``inputs``/``methods`` lists replace the existing rows. A report
    not yet saved is at revision 1. Everything is validated first; only what changed is written and
    audited (one row for the report's own fields, one for requesters and replaced rows).
    ``system`` (the demo loader) may omit ``seen``.
    """
    event = _lock_event(actor, event, system=system)
    errors: dict[str, list[Any]] = {}
    texts = {
        "background": background,
        "audience_persona": audience_persona,
        "core_needs": core_needs,
        "initial_goals": initial_goals,
    }
    changes: dict[str, Any] = {
        name: text_clean(value, field=name, label=REPORT_TEXT_LABELS[name], limit=TEXT_MAX, errors=errors)
        for name, value in texts.items()
        if value is not UNSET
    }
    changes.update(_clean_request(errors, event, requesting_department, requested_on))
    people = None if requesters is UNSET else _clean_requesters(errors, requesters)
    if history_event_ids is not UNSET:
        ids, history_errors = _validate_history(event, history_event_ids)
        errors.update(history_errors)
        changes["history_event_ids"] = ids
    new_inputs = new_methods = None
    if inputs is not UNSET:
        new_inputs, row_errors = _validate_rows(inputs, "inputs", _validate_input)
        errors.update(row_errors)
    if methods is not UNSET:
        new_methods, row_errors = _validate_rows(methods, "methods", _validate_method)
        errors.update(row_errors)
    if errors:
        raise DomainError(errors)

    report = _report_locked(event)
    assert report is not None
    if seen is None:
        if not system:
            raise PreconditionRequired()
    elif seen != report.revision:
        raise _report_stale(report)
    written = row_update(
        report,
        changes=changes,
        seen=seen,
        actor=actor,
        action="needs.report.update",
        label=REPORT_LABEL,
        event_id=event.pk,
        summary=Message("修改需求调研报告"),
        system=system,
    )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if people is not None:
        old = sorted(report.requesters.values_list("username", flat=True))
        new = sorted(p.username for p in people)
        if old != new:
            report.requesters.set(people)
            before["requesters"], after["requesters"] = old, new
    for spec, rows in ((_INPUT, new_inputs), (_METHOD, new_methods)):
        if rows is not None and (replaced := _rows_replace(spec, report, rows)) is not None:
            before[spec.related], after[spec.related] = replaced
    if before:
        if not written:
            revision_bump(report)
        audit_record(
            actor=actor,
            action="needs.report.update",
            target=report,
            event_id=event.pk,
            summary=Message("修改需求调研报告"),
            before=before,
            after=after,
        )
    return report


# ---------------------------------------------------------------- inputs (NI-1) and methods (NI-2)
def _next_position(qs: Any) -> int:
    last = qs.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _row_locked(spec: _RowKind[M], report: NeedsReport | None, row_id: Any) -> M:
    """Step 3 of the lock order: the row ``row_id`` of the report, locked; NotFound when it is not one."""
    rows = spec.model._default_manager.select_for_update().filter(report=report)
    if report is None:
        rows = rows.none()
    return row_of(rows, row_id, spec.missing)


def _row_add(spec: _RowKind[M], *, actor: User | None, event: Event | int, given: dict[str, Any]) -> M:
    """Validate a new row, add it after the report's other rows of its kind, audit it.

    The event lock is held while the last position is read, so concurrent adds get distinct positions.
    """
    event = _lock_event(actor, event)
    data, errors = spec.validate(given)
    if errors:
        raise DomainError(errors)
    report = _report_locked(event)
    assert report is not None
    position = _next_position(getattr(report, spec.related))
    row = spec.model._default_manager.create(report=report, position=position, **data)
    spec.record_add(actor=actor, event=event, row=row)
    revision_bump(report)
    return row


def _row_update(
    spec: _RowKind[M],
    *,
    actor: User | None,
    event: Event | int,
    row_id: Any,
    seen: int | None,
    given: dict[str, Any],
) -> M:
    """Change the fields given (the others are ``UNSET``) if the row is still at revision ``seen``; the row
    as a whole must still be valid. Only the fields that differ are written and audited."""
    event = _lock_event(actor, event)
    report = _report_locked(event, create=False)
    row = _row_locked(spec, report, row_id)
    merged = {name: getattr(row, name) if value is UNSET else value for name, value in given.items()}
    data, errors = spec.validate(merged)
    if errors:
        raise DomainError(errors)
    if spec.update(actor=actor, event=event, row=row, data=data, seen=seen) and report is not None:
        revision_bump(report)
    return row


def _row_remove(
    spec: _RowKind[M], *, actor: User | None, event: Event | int, row_id: Any, seen: int | None
) -> None:
    event = _lock_event(actor, event)
    report = _report_locked(event, create=False)
    spec.delete(actor=actor, event=event, row=_row_locked(spec, report, row_id), seen=seen)
    if report is not None:
        revision_bump(report)


@transaction.atomic
def needs_input_add(
    *, actor: User | None, event: Event | int, kind: Any, content: Any, source: Any = ""
) -> NeedsInput:
    """Record one input of the needs (NI-1): business goal, market trend, customer feedback or other."""
    return _row_add(
        _INPUT, actor=actor, event=event, given={"kind": kind, "content": content, "source": source}
    )


@transaction.atomic
def needs_input_update(
    *,
    actor: User | None,
    event: Event | int,
    input_id: int,
    seen: int | None,
    kind: Any = UNSET,
    content: Any = UNSET,
    source: Any = UNSET,
) -> NeedsInput:
    given = {"kind": kind, "content": content, "source": source}
    return _row_update(_INPUT, actor=actor, event=event, row_id=input_id, seen=seen, given=given)


@transaction.atomic
def needs_input_remove(*, actor: User | None, event: Event | int, input_id: int, seen: int | None) -> None:
    _row_remove(_INPUT, actor=actor, event=event, row_id=input_id, seen=seen)


@transaction.atomic
def needs_method_add(
    *,
    actor: User | None,
    event: Event | int,
    method: Any,
    findings: Any,
    conducted_on: Any = None,
    participants: Any = "",
) -> NeedsMethod:
    """Record a research method used and what it found (NI-2)."""
    given = {
        "method": method,
        "findings": findings,
        "conducted_on": conducted_on,
        "participants": participants,
    }
    return _row_add(_METHOD, actor=actor, event=event, given=given)


@transaction.atomic
def needs_method_update(
    *,
    actor: User | None,
    event: Event | int,
    method_id: int,
    seen: int | None,
    method: Any = UNSET,
    findings: Any = UNSET,
    conducted_on: Any = UNSET,
    participants: Any = UNSET,
) -> NeedsMethod:
    given = {
        "method": method,
        "findings": findings,
        "conducted_on": conducted_on,
        "participants": participants,
    }
    return _row_update(_METHOD, actor=actor, event=event, row_id=method_id, seen=seen, given=given)


@transaction.atomic
def needs_method_remove(*, actor: User | None, event: Event | int, method_id: int, seen: int | None) -> None:
    _row_remove(_METHOD, actor=actor, event=event, row_id=method_id, seen=seen)
