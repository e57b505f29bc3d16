"""Writes of the needs research (需求洞察): the report, its inputs and methods (NI-1, NI-2, DOC-1).

Every function checks who acts (``rules.can_edit_planning``) and the event's step
(``rules.NEEDS_EDITABLE_STEPS``), validates all of its input before writing, and records an audit row.
The report is created on the first change, never by reading it.

The helpers for rows that belong to an event — ``editable_event``, ``row_of`` and ``RowAudit`` — are shared
with ``services.goals``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Department, User
from huodong.events.models import Event
from huodong.events.steps import Step

from .. import rules
from ..models import NeedsInput, NeedsMethod, NeedsReport

# Longest text accepted in one field of the report; a report is prose, not a data dump.
TEXT_MAX = 5000
SOURCE_MAX = 200
PARTICIPANTS_MAX = 300
# The most inputs or methods one report may carry (a PUT replacing them is validated row by row).
ROWS_MAX = 100


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

REPORT_TEXT_FIELDS = ("background", "audience_persona", "core_needs", "initial_goals")

M = TypeVar("M", bound=models.Model)
# A row's cleaned values and the errors found, keyed by field.
Cleaned = tuple[dict[str, Any], dict[str, list[Any]]]


# ---------------------------------------------------------------- rows of an event (shared with goals)
def editable_event(actor: User | None, event: Event, *, steps: tuple[str, ...], what: Any) -> Event:
    """The event re-read (and on PostgreSQL locked) so the step check sees the current step.

    Refuses (NotAllowed) people who may not edit the planning, and (``wrong_step``) an event that is not in
    one of ``steps``; ``what`` names the record in that message.
    """
    rules.require_planning_editor(actor, event)
    current = Event.objects.select_for_update().select_related("event_type").filter(pk=event.pk).first()
    if current is None:
        raise NotFound(_("活动不存在。"))
    rules.require_step(current, steps, str(what))
    return current


def row_of(rows: models.QuerySet[M], row_id: Any, missing: Any) -> M:
    """The row ``row_id`` among ``rows`` (the event's), or NotFound saying ``missing % {"id": row_id}``."""
    row = rows.filter(pk=row_id).first() if isinstance(row_id, int) else None
    if row is None:
        raise NotFound(missing % {"id": row_id})
    return row


@dataclass(frozen=True)
class RowAudit:
    """How the changes of one kind of row are audited: ``<action>.add/update/remove``, a snapshot of ``fields``.

    ``added``/``updated``/``removed`` are the summaries, filled in with ``label(row)`` once the change is made.
    """

    action: str
    fields: tuple[str, ...]
    label: Callable[[Any], dict[str, Any]]
    added: Any
    updated: Any
    removed: Any

    def state(self, row: models.Model) -> dict[str, Any]:
        return snapshot(row, list(self.fields))

    def _record(
        self, verb: str, summary: Any, *, actor: User, event: Event, row: models.Model, **states: Any
    ) -> None:
        audit_record(
            actor=actor,
            action=f"{self.action}.{verb}",
            target=row,
            event_id=event.pk,
            summary=summary % self.label(row),
            **states,
        )

    def record_add(self, *, actor: User, event: Event, row: models.Model) -> None:
        """Audit a row just created."""
        self._record("add", self.added, actor=actor, event=event, row=row, after=self.state(row))

    def save(self, *, actor: User, event: Event, row: models.Model, data: Mapping[str, Any]) -> None:
        """Write the validated ``data`` onto ``row``, save it, and audit it before and after."""
        before = self.state(row)
        for name, value in data.items():
            setattr(row, name, value)
        row.save()
        self._record(
            "update", self.updated, actor=actor, event=event, row=row, before=before, after=self.state(row)
        )

    def delete(self, *, actor: User, event: Event, row: models.Model) -> None:
        """Audit the row as it was, then delete it."""
        self._record("remove", self.removed, actor=actor, event=event, row=row, before=self.state(row))
        row.delete()


# ---------------------------------------------------------------- the report's helpers
def _editable_event(actor: User | None, event: Event) -> Event:
    return editable_event(actor, event, steps=rules.NEEDS_EDITABLE_STEPS, what=_("需求调研报告"))


def _report_for(event: Event) -> NeedsReport:
    report, _created = NeedsReport.objects.get_or_create(event=event)
    return report


def _clean_text(
    errors: dict[str, list[Any]], field: str, value: Any, *, label: Any, max_len: int, required: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_("「%(label)s」须为文字。") % {"label": label})
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(field, []).append(_("请填写「%(label)s」。") % {"label": label})
    elif len(value) > max_len:
        errors.setdefault(field, []).append(
            _("「%(label)s」最多 %(max)s 个字,当前 %(n)s 个字。")
            % {"label": label, "max": max_len, "n": len(value)}
        )
    return value


def _clean_date(errors: dict[str, list[Any]], field: str, value: Any, *, label: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.setdefault(field, []).append(_("「%(label)s」须为日期,如 2027-03-01。") % {"label": label})
        return None
    return value


def _report_state(report: NeedsReport) -> dict[str, Any]:
    data = snapshot(
        report,
        [
            "background",
            "audience_persona",
            "core_needs",
            "initial_goals",
            "requesting_department",
            "requested_on",
            "history_event_ids",
        ],
    )
    data["requesters"] = sorted(report.requesters.values_list("username", flat=True)) if report.pk else []
    data["inputs"] = [_INPUT.state(i) for i in report.inputs.all()] if report.pk else []
    data["methods"] = [_METHOD.state(m) for m in report.methods.all()] if report.pk else []
    return data


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
        if value not in choices.values:
            self.errors[f"{self.prefix}{name}"] = [
                message
                % {
                    name: value if value is not None else "",
                    "choices": "、".join(f"{v}({label})" for v, label in choices.choices),
                }
            ]
        return value

    def text(self, name: str, *, label: Any, max_len: int, required: bool = False) -> str:
        value = self.data.get(name)
        return _clean_text(
            self.errors, f"{self.prefix}{name}", value, label=label, max_len=max_len, required=required
        )

    def date(self, name: str, *, label: Any) -> dt.date | None:
        return _clean_date(self.errors, f"{self.prefix}{name}", self.data.get(name), label=label)


def _validate_input(data: Mapping[str, Any], prefix: str = "") -> Cleaned:
    clean = _RowCleaner(data, prefix)
    row = {
        "kind": clean.choice("kind", NeedsInput.Kind, _("未知的输入类别「%(kind)s」,可选:%(choices)s。")),
        "content": clean.text("content", label=_("内容"), max_len=TEXT_MAX, required=True),
        "source": clean.text("source", label=_("来源"), max_len=SOURCE_MAX),
    }
    return row, clean.errors


def _validate_method(data: Mapping[str, Any], prefix: str = "") -> Cleaned:
    clean = _RowCleaner(data, prefix)
    row = {
        "method": clean.choice(
            "method", NeedsMethod.Method, _("未知的调研方法「%(method)s」,可选:%(choices)s。")
        ),
        "findings": clean.text("findings", label=_("发现"), max_len=TEXT_MAX, required=True),
        "participants": clean.text("participants", label=_("参与对象"), max_len=PARTICIPANTS_MAX),
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
    label=lambda row: {"kind": row.get_kind_display()},
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
    label=lambda row: {"method": row.get_method_display()},
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
    if event.pk in ids:
        return [], {"history_event_ids": [_("不能选择本活动作为历史参考。")]}
    found = set(
        Event.objects.filter(pk__in=ids, event_type_id=event.event_type_id, step=Step.CLOSED).values_list(
            "pk", flat=True
        )
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
    elif len(people) > 20:
        errors["requesters"] = [_("需求提出人最多 20 位。")]
    return people


def _replace_rows(
    report: NeedsReport, model: type[NeedsInput] | type[NeedsMethod], rows: list[dict[str, Any]]
) -> None:
    model.objects.filter(report=report).delete()
    model.objects.bulk_create([model(report=report, position=i, **row) for i, row in enumerate(rows)])  # type: ignore[misc]


@transaction.atomic
def needs_report_update(
    *,
    actor: User,
    event: Event,
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
) -> NeedsReport:
    """Change the parts of the report given (DOC-1); ``inputs``/``methods`` lists replace the existing rows.

    Fields left ``UNSET`` keep their value. Everything is validated first; one audit row records the
    report before and after.
    """
    event = _editable_event(actor, event)
    errors: dict[str, list[Any]] = {}
    texts = {
        "background": background,
        "audience_persona": audience_persona,
        "core_needs": core_needs,
        "initial_goals": initial_goals,
    }
    changes: dict[str, Any] = {
        name: _clean_text(errors, name, value, label=REPORT_TEXT_LABELS[name], max_len=TEXT_MAX)
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

    report = _report_for(event)
    before = _report_state(report)
    for name, value in changes.items():
        setattr(report, name, value)
    report.save()
    if people is not None:
        report.requesters.set(people)
    if new_inputs is not None:
        _replace_rows(report, NeedsInput, new_inputs)
    if new_methods is not None:
        _replace_rows(report, NeedsMethod, new_methods)
    after = _report_state(report)
    audit_record(
        actor=actor,
        action="needs.report.update",
        target=report,
        event_id=event.pk,
        summary=_("修改需求调研报告"),  # type: ignore[arg-type]
        before=before,
        after=after,
    )
    return report


# ---------------------------------------------------------------- inputs (NI-1) and methods (NI-2)
def _next_position(qs: Any) -> int:
    last = qs.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _row_get(spec: _RowKind[M], event: Event, row_id: Any) -> M:
    return row_of(spec.model._default_manager.filter(report__event=event), row_id, spec.missing)


def _row_add(spec: _RowKind[M], *, actor: User, event: Event, given: dict[str, Any]) -> M:
    """Validate a new row, add it after the report's other rows of its kind, audit it."""
    event = _editable_event(actor, event)
    data, errors = spec.validate(given)
    if errors:
        raise DomainError(errors)
    report = _report_for(event)
    position = _next_position(getattr(report, spec.related))
    row = spec.model._default_manager.create(report=report, position=position, **data)
    spec.record_add(actor=actor, event=event, row=row)
    return row


def _row_update(spec: _RowKind[M], *, actor: User, event: Event, row_id: Any, given: dict[str, Any]) -> M:
    """Change the fields given (the others are ``UNSET``); the row as a whole must still be valid."""
    event = _editable_event(actor, event)
    row = _row_get(spec, event, row_id)
    merged = {name: getattr(row, name) if value is UNSET else value for name, value in given.items()}
    data, errors = spec.validate(merged)
    if errors:
        raise DomainError(errors)
    spec.save(actor=actor, event=event, row=row, data=data)
    return row


def _row_remove(spec: _RowKind[M], *, actor: User, event: Event, row_id: Any) -> None:
    event = _editable_event(actor, event)
    spec.delete(actor=actor, event=event, row=_row_get(spec, event, row_id))


@transaction.atomic
def needs_input_add(*, actor: User, event: Event, kind: Any, content: Any, source: Any = "") -> NeedsInput:
    """Record one input of the needs (NI-1): business goal, market trend, customer feedback or other."""
    return _row_add(
        _INPUT, actor=actor, event=event, given={"kind": kind, "content": content, "source": source}
    )


@transaction.atomic
def needs_input_update(
    *, actor: User, event: Event, input_id: int, kind: Any = UNSET, content: Any = UNSET, source: Any = UNSET
) -> NeedsInput:
    given = {"kind": kind, "content": content, "source": source}
    return _row_update(_INPUT, actor=actor, event=event, row_id=input_id, given=given)


@transaction.atomic
def needs_input_remove(*, actor: User, event: Event, input_id: int) -> None:
    _row_remove(_INPUT, actor=actor, event=event, row_id=input_id)


@transaction.atomic
def needs_method_add(
    *, actor: User, event: Event, method: Any, findings: Any, conducted_on: Any = None, participants: Any = ""
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
    actor: User,
    event: Event,
    method_id: int,
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
    return _row_update(_METHOD, actor=actor, event=event, row_id=method_id, given=given)


@transaction.atomic
def needs_method_remove(*, actor: User, event: Event, method_id: int) -> None:
    _row_remove(_METHOD, actor=actor, event=event, row_id=method_id)
