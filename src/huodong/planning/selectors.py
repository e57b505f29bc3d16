"""Reads of the needs insight and goals (NI-1, NI-2, GO-1, DOC-1), and the historical review (LC-3).

The historical review reads archived events (``Step.CLOSED``) of the same event type. Their results
come from the review phase, which a later issue adds; until then a candidate carries its name, date
and attendance, and ``results`` stays empty. ``goal_history_targets`` is the seam the review issue
replaces with actual results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from huodong.core.schemas import MAX_ID
from huodong.events.models import Event
from huodong.events.steps import Step

from .models import Goal, NeedsInput, NeedsMethod, NeedsReport


def needs_report_get(event: Event) -> NeedsReport | None:
    """The event's needs report with its inputs, methods and requesters, or None before the first edit."""
    return (
        NeedsReport.objects.select_related("requesting_department")
        .prefetch_related("inputs", "methods", "requesters")
        .filter(event=event)
        .first()
    )


def needs_report_or_blank(event: Event) -> NeedsReport:
    """The saved report, or an unsaved blank one to display (reading never creates rows)."""
    return needs_report_get(event) or NeedsReport(event=event)


def needs_row_get(
    event: Event, model: type[NeedsInput] | type[NeedsMethod], row_id: int
) -> NeedsInput | NeedsMethod | None:
    """One input or method of the event's report, or None (also for an id no row can have)."""
    if not _valid_id(row_id):
        return None
    return model.objects.filter(report__event=event, pk=row_id).first()


def _valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def archived_events_of_type(event: Event) -> QuerySet[Event]:
    """Closed (archived) events of ``event``'s type, newest first, never ``event`` itself (LC-3)."""
    return (
        Event.objects.select_related("event_type")
        .filter(event_type_id=event.event_type_id, step=Step.CLOSED)
        .exclude(pk=event.pk)
        .order_by("-starts_at", "-id")
    )


@dataclass
class HistoryCandidate:
    """An archived event of the same type the organiser may compare with."""

    event_id: int
    name: str
    date: dt.date
    venue: str
    expected_attendance: int
    # Filled by the review phase (attendance, KPI actuals, ROI); empty until that issue lands.
    actual_attendance: int | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    selected: bool = False


def needs_history_candidates(event: Event) -> list[HistoryCandidate]:
    """Archived events of the same type with what is known of them, marking those already chosen.

    ``results`` is empty for now: the review phase will provide the actual results of each archived
    event (LC-3). The goals each event set are listed so the organiser sees what was aimed for.
    """
    chosen = set(_chosen_history_ids(event))
    out: list[HistoryCandidate] = []
    events = list(archived_events_of_type(event).prefetch_related("goals"))
    for past in events:
        out.append(
            HistoryCandidate(
                event_id=past.pk,
                name=past.name,
                date=past.local_start().date(),
                venue=past.venue,
                expected_attendance=past.expected_attendance,
                goals=[
                    {"metric": g.metric_label, "target_value": g.target_value, "unit": g.unit}
                    for g in past.goals.all()
                ],
                selected=past.pk in chosen,
            )
        )
    return out


def _chosen_history_ids(event: Event) -> list[int]:
    ids = NeedsReport.objects.filter(event=event).values_list("history_event_ids", flat=True).first()
    return [i for i in (ids or []) if isinstance(i, int)]


def needs_history_selected(event: Event) -> list[HistoryCandidate]:
    """The archived events the organiser chose for the historical review, in display order."""
    return [c for c in needs_history_candidates(event) if c.selected]


def goals_for_event(event: Event) -> QuerySet[Goal]:
    return Goal.objects.select_related("owner").filter(event=event).order_by("position", "id")


def goal_get(event: Event, goal_id: int) -> Goal | None:
    """One goal of the event, or None (also for an id no row can have)."""
    if not _valid_id(goal_id):
        return None
    return goals_for_event(event).filter(pk=goal_id).first()


def goal_history_targets(
    *, event: Event, metric: str, custom_metric: str = ""
) -> list[tuple[Event, Decimal]]:
    """What archived events of the same type achieved on the same metric, best first.

    Seam for the review issue: there are no review actuals yet, so this returns the *targets* those
    events set. When the review phase records actual results, it replaces this with the actuals.
    """
    qs = (
        Goal.objects.select_related("event")
        .filter(
            event__event_type_id=event.event_type_id,
            event__step=Step.CLOSED,
            metric=metric,
            target_value__isnull=False,
        )
        .exclude(event_id=event.pk)
    )
    if metric == Goal.Metric.CUSTOM:
        qs = qs.filter(custom_metric__iexact=(custom_metric or "").strip())
    return [
        (g.event, g.target_value) for g in qs.order_by("-target_value", "id") if g.target_value is not None
    ]
