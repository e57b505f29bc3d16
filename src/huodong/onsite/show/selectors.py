"""Reads of the live run of show (EX-3): the projection, the stage's state, punctuality, an owner's segments.

The segments are the event's plan's (``planning.selectors_plan.plan_of`` / ``segments_of``, the same
reading check-in's ``arrivals.owner_dues`` uses: the plan's working copy, frozen once it is approved).

**The projection** (``projection(event, now)``). Segments that may not run alongside others (not
``parallel``) form the main line, in planned order; each starts when both its planned time and the end
of the one before have come:

- started: its projected start is its actual start; its end is the actual end, or, while it runs, its
  planned duration after the start — or now, once it runs over (an overrun pushes what follows);
- skipped: it takes no time; the next one follows the one before it;
- waiting: ``max(planned start, projected end of the one before, now)`` with its planned duration — never
  earlier than planned.

A parallel segment follows its anchor, the main-line segment that was planned to be running (or last to
start) when it was planned to start: it moves by as much as its anchor's start moved, never earlier than
planned, and not before now while it waits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.checkin.rules import local_time
from huodong.events.access import event_load
from huodong.events.models import Event
from huodong.planning.models import RunOfShowSegment
from huodong.planning.selectors_plan import plan_of, segments_of

from .models import SegmentRun

ON_TIME = dt.timedelta(minutes=2)  # EX-3 punctuality: started within 2 minutes of the planned start

PENDING, RUNNING, ENDED, SKIPPED = "pending", "running", "ended", "skipped"
STATUS_LABELS = {
    PENDING: _("未开始"),
    RUNNING: _("进行中"),
    ENDED: _("已结束"),
    SKIPPED: _("已跳过"),
}


def minutes(delta: dt.timedelta) -> int:
    """Whole minutes of ``delta`` (rounded towards zero)."""
    return int(delta.total_seconds() / 60)


@dataclass
class Projected:
    """One segment: planned, actual and projected times."""

    segment: RunOfShowSegment
    run: SegmentRun | None
    status: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    start: dt.datetime  # projected (actual once started)
    end: dt.datetime  # projected (actual once ended)
    anchor_id: int | None = None

    @property
    def pk(self) -> int:
        return self.segment.pk

    @property
    def delay(self) -> dt.timedelta:
        """How much later than planned it starts (or started); never negative."""
        return max(self.start - self.planned_start, dt.timedelta(0))

    @property
    def late_minutes(self) -> int:
        return minutes(self.delay)


def _status(run: SegmentRun | None) -> str:
    if run is None:
        return PENDING
    if run.skipped_at is not None:
        return SKIPPED
    if run.ended_at is not None:
        return ENDED
    if run.started_at is not None:
        return RUNNING
    return PENDING


def _project_one(
    seg: RunOfShowSegment, run: SegmentRun | None, earliest: dt.datetime, now: dt.datetime
) -> Projected:
    duration = dt.timedelta(minutes=seg.duration_minutes)
    status = _status(run)
    planned_end = seg.starts_at + duration
    if status in (RUNNING, ENDED):
        assert run is not None and run.started_at is not None
        start = run.started_at
        end = run.ended_at if run.ended_at is not None else max(start + duration, now)
    elif status == SKIPPED:
        start = max(seg.starts_at, earliest)
        end = start
    else:
        start = max(seg.starts_at, earliest, now)
        end = start + duration
    return Projected(seg, run, status, seg.starts_at, planned_end, start, end)


def projection(event: Event, now: dt.datetime | None = None) -> list[Projected]:
    """Every segment of the event's plan, in planned order, with its projected times at ``now``."""
    now = now or timezone.now()
    segments = segments_of(plan_of(event))
    runs = {r.segment_id: r for r in SegmentRun.objects.filter(segment__in=[s.pk for s in segments])}
    out: dict[int, Projected] = {}
    cursor: dt.datetime | None = None
    main: list[Projected] = []
    for seg in segments:
        if seg.parallel:
            continue
        row = _project_one(seg, runs.get(seg.pk), cursor or seg.starts_at, now)
        if row.status != SKIPPED:
            cursor = row.end
        out[seg.pk] = row
        main.append(row)
    for seg in segments:
        if not seg.parallel:
            continue
        anchor = None
        for candidate in main:  # the last main-line segment planned to start by then
            if candidate.planned_start <= seg.starts_at:
                anchor = candidate
        shift = anchor.delay if anchor is not None else dt.timedelta(0)
        row = _project_one(seg, runs.get(seg.pk), seg.starts_at + shift, now)
        row.anchor_id = anchor.pk if anchor is not None else None
        out[seg.pk] = row
    return [out[s.pk] for s in segments]


def _event(event: Event | int) -> Event:
    return event if isinstance(event, Event) else event_load(event)


def _current(rows: list[Projected]) -> Projected | None:
    running = [r for r in rows if r.status == RUNNING]
    main = [r for r in running if not r.segment.parallel]
    pool = main or running
    return max(pool, key=lambda r: r.start) if pool else None


def _next(rows: list[Projected]) -> Projected | None:
    waiting = [r for r in rows if r.status == PENDING]
    main = [r for r in waiting if not r.segment.parallel]
    pool = main or waiting
    return min(pool, key=lambda r: (r.start, r.planned_start)) if pool else None


def segment_row(row: Projected, event: Event) -> dict[str, Any]:
    """One segment as the API, the pages and the ETag see it (times in UTC and as the event's clock)."""
    seg, run = row.segment, row.run
    return {
        "id": seg.pk,
        "title": seg.title,
        "owner_id": seg.owner_id,
        "owner": seg.owner.name if seg.owner_id and seg.owner else "",
        "parallel": seg.parallel,
        "anchor_id": row.anchor_id,
        "status": row.status,
        "status_label": str(STATUS_LABELS[row.status]),
        "planned_start": row.planned_start,
        "planned_end": row.planned_end,
        "projected_start": row.start,
        "projected_end": row.end,
        "started_at": run.started_at if run else None,
        "ended_at": run.ended_at if run else None,
        "skipped_at": run.skipped_at if run else None,
        "skip_reason": run.skip_reason if run else "",
        "late_minutes": row.late_minutes,
        "shifted": row.status == PENDING and row.start > row.planned_start,
        "planned_label": f"{local_time(row.planned_start, event)}–{local_time(row.planned_end, event)}",
        "projected_label": f"{local_time(row.start, event)}–{local_time(row.end, event)}",
        "projected_start_label": local_time(row.start, event),
        "projected_end_label": local_time(row.end, event),
        "started_label": local_time(run.started_at if run else None, event),
        "ended_label": local_time(run.ended_at if run else None, event),
    }


def _schedule_late(rows: list[Projected], current: Projected | None, nxt: Projected | None) -> int:
    """How late the show runs now, in minutes: the next segment's delay, else the current one's
    overrun, else how late the last one ended."""
    if nxt is not None:
        return nxt.late_minutes
    if current is not None:
        return max(0, minutes(current.end - current.planned_end))
    done = [r for r in rows if r.status == ENDED and not r.segment.parallel]
    if done:
        last = max(done, key=lambda r: r.end)
        return max(0, minutes(last.end - last.planned_end))
    return 0


def stage_state(event_id: Event | int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Now / next / projected end / how late, and every segment, at ``now`` (the stage view, the API)."""
    event = _event(event_id)
    now = now or timezone.now()
    rows = projection(event, now)
    current, nxt = _current(rows), _next(rows)
    ends = [r.end for r in rows if r.status != SKIPPED]
    projected_end = max(ends) if ends else None
    planned_ends = [r.planned_end for r in rows]
    planned_end = max(planned_ends) if planned_ends else None
    return {
        "event_id": event.pk,
        "event": event.name,
        "now": now,
        "now_label": local_time(now, event),
        "time_zone": event.time_zone,
        "current": segment_row(current, event) if current else None,
        "next": segment_row(nxt, event) if nxt else None,
        "late_minutes": _schedule_late(rows, current, nxt),
        "projected_end": projected_end,
        "projected_end_label": local_time(projected_end, event),
        "planned_end": planned_end,
        "planned_end_label": local_time(planned_end, event),
        "finished": bool(rows) and all(r.status in (ENDED, SKIPPED) for r in rows),
        "segments": [segment_row(r, event) for r in rows],
    }


def punctuality(event_id: Event | int) -> dict[str, Any]:
    """How punctually the show runs (for the live dashboard, EX-6): counts of segments, started, ended,
    skipped, on time (started within 2 minutes of the planned start), the largest and the total lateness
    of the started ones in minutes, and the title of the segment running now (None between segments)."""
    event = _event(event_id)
    rows = projection(event)
    started = [r for r in rows if r.status in (RUNNING, ENDED)]
    lates = [r.late_minutes for r in started]
    current = _current(rows)
    return {
        "segments": len(rows),
        "started": len(started),
        "ended": sum(1 for r in rows if r.status == ENDED),
        "skipped": sum(1 for r in rows if r.status == SKIPPED),
        "on_time": sum(1 for r in started if r.start - r.planned_start <= ON_TIME),
        "late_minutes_max": max(lates, default=0),
        "late_minutes_total": sum(lates),
        "current": current.segment.title if current else None,
    }


def owned_segment_ids(event: Event, person_id: int) -> list[int]:
    return list(
        RunOfShowSegment.objects.filter(plan__event=event, owner_id=person_id).values_list("pk", flat=True)
    )


def my_segments(event: Event, person_id: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The segments ``person_id`` owns, with their projected times (the owner's page)."""
    return [segment_row(r, event) for r in projection(event, now) if r.segment.owner_id == person_id]


def unfinished(event: Event) -> list[str]:
    """Titles of the segments neither ended nor skipped with a reason (the gate of 流程执行)."""
    out = []
    for row in projection(event):
        if row.status == ENDED:
            continue
        if row.status == SKIPPED and row.run is not None and row.run.skip_reason.strip():
            continue
        out.append(row.segment.title)
    return out
