"""The run of show (PL-2): segments with planned start, duration, owner and key actions.

A segment must start and end inside the event's time and must not overlap another segment unless one
of them is marked parallel. A refusal names the field, the allowed window in the event's time zone, or
the segment it overlaps; nothing is written. Every write locks first (``plan.plan_lock``: event, plan,
open version, then the rows it changes) and an update or removal says which revision it saw.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.services import owner_check
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.planning.models import Plan, RunOfShowSegment
from huodong.planning.selectors_plan import (
    event_minutes,
    segment_overlap_message,
    segment_window_problem,
    segments_overlap,
)

from .plan import next_position, plan_lock, row_locked, touch, unknown_fields

SEGMENT_FIELDS = ("title", "starts_at", "duration_minutes", "owner", "key_actions", "parallel")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the times the application stores (core.schemas.Moment)
WHAT = _("活动流程")


def _aware(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive planned start is a wall-clock time in the event's time zone."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _validate(
    *, event: Event, plan: Plan, data: dict[str, Any], exclude_pk: int | None = None
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    clean["title"] = text_clean(
        data.get("title"),
        field="title",
        label=_("环节名称"),
        limit=200,
        required=True,
        errors=errors,
        multiline=False,
    )
    starts = data.get("starts_at")
    if isinstance(starts, str):
        try:
            starts = dt.datetime.fromisoformat(starts.strip())
        except ValueError:
            starts = None
            errors["starts_at"] = [_("计划开始时间格式应为 YYYY-MM-DD HH:MM。")]
    if not isinstance(starts, dt.datetime):
        errors.setdefault("starts_at", [_("请填写计划开始时间。")])
        starts = None
    elif not FIRST_YEAR <= starts.year <= LAST_YEAR:
        errors["starts_at"] = [_("计划开始时间须在 2000 年至 2099 年之间。")]
        starts = None
    else:
        starts = _aware(starts, event.tz)
    clean["starts_at"] = starts
    duration = data.get("duration_minutes")
    limit = event_minutes(event)
    if isinstance(duration, bool):
        duration = None
    if isinstance(duration, str) and duration.strip().isdigit():
        duration = int(duration.strip())
    if not isinstance(duration, int) or duration <= 0:
        errors["duration_minutes"] = [_("时长须为大于 0 的整数分钟。")]
        duration = None
    elif duration > limit:
        errors["duration_minutes"] = [
            _("时长 %(d)s 分钟超过活动总时长 %(n)s 分钟。") % {"d": duration, "n": limit}
        ]
        duration = None
    clean["duration_minutes"] = duration
    clean["owner"] = owner_check(data.get("owner"), field="owner", errors=errors)
    clean["key_actions"] = text_clean(
        data.get("key_actions"), field="key_actions", label=_("关键动作"), limit=5000, errors=errors
    )
    clean["parallel"] = bool(data.get("parallel", False))
    if starts is not None and duration is not None and "title" not in errors:
        for field, message in segment_window_problem(event, clean["title"], starts, duration).items():
            errors.setdefault(field, []).append(message)
        if not errors and not clean["parallel"]:
            ends = starts + dt.timedelta(minutes=duration)
            others = plan.segments.filter(parallel=False).order_by("starts_at", "position")
            if exclude_pk is not None:
                others = others.exclude(pk=exclude_pk)
            for other in others:
                if segments_overlap(starts, ends, other.starts_at, other.ends_at):
                    errors.setdefault("starts_at", []).append(
                        segment_overlap_message(event, clean["title"], other)
                    )
                    break
    return clean, errors


def _renumber(plan: Plan) -> None:
    for i, seg in enumerate(plan.segments.order_by("starts_at", "position", "id"), start=1):
        if seg.position != i:
            RunOfShowSegment.objects.filter(pk=seg.pk).update(position=i)


def segment_get(*, event: Event, segment_id: int) -> RunOfShowSegment:
    seg = RunOfShowSegment.objects.filter(pk=segment_id, plan__event=event).select_related("plan").first()
    if seg is None:
        raise NotFound(_missing(segment_id))
    return seg


def _missing(segment_id: int) -> Any:
    return _("流程环节 %(id)s 不存在。") % {"id": segment_id}


def _label(seg: RunOfShowSegment) -> Any:
    return _("流程环节「%(t)s」") % {"t": seg.title}


@transaction.atomic
def segment_add(
    *,
    actor: User | None,
    event: Event | int,
    title: str,
    starts_at: dt.datetime | str | None,
    duration_minutes: int | None,
    owner: User | None = None,
    key_actions: str = "",
    parallel: bool = False,
    system: bool = False,
) -> RunOfShowSegment:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    data = dict(
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        owner=owner,
        key_actions=key_actions,
        parallel=parallel,
    )
    clean, errors = _validate(event=locked, plan=plan, data=data)
    if errors:
        raise DomainError(errors)
    seg = RunOfShowSegment.objects.create(plan=plan, position=next_position(plan.segments), **clean)
    _renumber(plan)
    seg.refresh_from_db()
    audit_record(actor=actor, action="plan.segment.add", target=seg, event_id=locked.pk, after=snapshot(seg))
    touch(event=locked, actor=actor, what="segment")
    return seg


@transaction.atomic
def segment_update(
    *,
    actor: User | None,
    event: Event | int,
    segment_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> RunOfShowSegment:
    """Change some fields of a segment seen at revision ``seen``; the whole segment is checked again."""
    unknown_fields(changes, SEGMENT_FIELDS)
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    seg = row_locked(RunOfShowSegment, plan=plan, pk=segment_id, missing=_missing(segment_id))
    revision_require(seg, seen, label=_label(seg), system=system, fields=SEGMENT_FIELDS)
    data = {f: getattr(seg, f) for f in SEGMENT_FIELDS}
    data.update(changes)
    clean, errors = _validate(event=locked, plan=plan, data=data, exclude_pk=seg.pk)
    if errors:
        raise DomainError(errors)
    written = row_update(
        seg,
        changes=clean,
        seen=seg.revision,
        actor=actor,
        action="plan.segment.update",
        label=_label(seg),
        event_id=locked.pk,
    )
    if written:
        _renumber(plan)
        seg.refresh_from_db()
        touch(event=locked, actor=actor, what="segment")
    return seg


@transaction.atomic
def segment_remove(
    *, actor: User | None, event: Event | int, segment_id: int, seen: int | None, system: bool = False
) -> None:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    seg = row_locked(RunOfShowSegment, plan=plan, pk=segment_id, missing=_missing(segment_id))
    revision_require(seg, seen, label=_label(seg), system=system, fields=SEGMENT_FIELDS)
    audit_record(
        actor=actor, action="plan.segment.remove", target=seg, event_id=locked.pk, before=snapshot(seg)
    )
    seg.delete()
    _renumber(plan)
    touch(event=locked, actor=actor, what="segment")


def _locked_in_order(plan: Plan) -> list[RunOfShowSegment]:
    """Every segment of ``plan``, locked by ascending id (the lock order), in timeline order."""
    rows = list(RunOfShowSegment.objects.select_for_update().filter(plan=plan).order_by("id"))
    return sorted(rows, key=lambda s: (s.starts_at, s.position, s.id))


def _times_set(moves: list[tuple[RunOfShowSegment, dt.datetime, int]]) -> None:
    """Write new starts (and positions) of segments, each a new revision (an open edit form is now stale)."""
    for seg, start, position in moves:
        RunOfShowSegment.objects.filter(pk=seg.pk).update(
            starts_at=start, position=position, revision=F("revision") + 1
        )


@transaction.atomic
def segment_move(
    *,
    actor: User | None,
    event: Event | int,
    segment_id: int,
    direction: str,
    seen: int | None = None,
    system: bool = False,
) -> RunOfShowSegment:
    """Swap a segment with its neighbour ("up" or "down") in the timeline.

    The pair keeps the time span it had: the one moved earlier starts where the earlier one started,
    and the gap between them is kept, so no other segment is touched. ``seen``, when given, is the
    revision of the segment the caller saw.
    """
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    segment = row_locked(RunOfShowSegment, plan=plan, pk=segment_id, missing=_missing(segment_id))
    if seen is not None:
        revision_require(segment, seen, label=_label(segment), fields=SEGMENT_FIELDS)
    if direction not in ("up", "down"):
        raise DomainError({"direction": [_("移动方向须为 up(上移)或 down(下移)。")]})
    ordered = _locked_in_order(plan)
    i = next(idx for idx, s in enumerate(ordered) if s.pk == segment.pk)
    j = i - 1 if direction == "up" else i + 1
    if j < 0 or j >= len(ordered):
        raise DomainError(
            {
                "direction": [
                    _("「%(t)s」已是第一个环节。") % {"t": segment.title}
                    if direction == "up"
                    else _("「%(t)s」已是最后一个环节。") % {"t": segment.title}
                ]
            }
        )
    first, second = (ordered[j], ordered[i]) if direction == "up" else (ordered[i], ordered[j])
    gap = second.starts_at - first.ends_at
    before = {"first": snapshot(first), "second": snapshot(second)}
    new_second_start = first.starts_at
    new_first_start = (
        first.starts_at + dt.timedelta(minutes=second.duration_minutes) + max(gap, dt.timedelta(0))
    )
    second.starts_at, first.starts_at = new_second_start, new_first_start
    second.position, first.position = (
        min(first.position, second.position),
        max(first.position, second.position),
    )
    errors: dict[str, list[Any]] = {}
    for seg in (second, first):
        for message in segment_window_problem(
            locked, seg.title, seg.starts_at, seg.duration_minutes
        ).values():
            errors.setdefault("direction", []).append(message)
    if errors:
        raise DomainError(errors)
    _times_set([(second, second.starts_at, second.position), (first, first.starts_at, first.position)])
    _renumber(plan)
    segment.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    audit_record(
        actor=actor,
        action="plan.segment.move",
        target=segment,
        event_id=locked.pk,
        summary=Message(
            "环节「%(t)s」%(d)s", t=segment.title, d=_("上移") if direction == "up" else _("下移")
        ),
        before=before,
        after={"first": snapshot(second), "second": snapshot(first)},
    )
    touch(event=locked, actor=actor, what="segment")
    return segment


@transaction.atomic
def segments_relayout(*, actor: User | None, event: Event | int, system: bool = False) -> int:
    """Lay the non-parallel segments out back to back from the event's start, in their current order.

    Parallel segments keep their times. Refused (nothing moved) when the result would end after the event.
    """
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    ordered = [s for s in _locked_in_order(plan) if not s.parallel]
    cursor = locked.starts_at
    moves: list[tuple[RunOfShowSegment, dt.datetime, int]] = []
    for seg in ordered:
        if seg.starts_at != cursor:
            moves.append((seg, cursor, seg.position))
        cursor += dt.timedelta(minutes=seg.duration_minutes)
    if cursor > locked.ends_at:
        raise DomainError(
            {
                "__all__": [
                    _("各环节总时长 %(n)s 分钟超过活动总时长 %(m)s 分钟,无法首尾相接排布。")
                    % {
                        "n": int((cursor - locked.starts_at).total_seconds() // 60),
                        "m": event_minutes(locked),
                    }
                ]
            }
        )
    if moves:
        _times_set(moves)
        _renumber(plan)
        audit_record(
            actor=actor,
            action="plan.segment.relayout",
            target=plan,
            event_id=locked.pk,
            summary=Message("按顺序首尾相接重新排布 %(n)s 个环节。", n=len(moves)),
        )
        touch(event=locked, actor=actor, what="segment")
    return len(moves)
