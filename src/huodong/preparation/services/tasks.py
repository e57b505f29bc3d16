"""Tasks of the project and their RACI assignment (TM-1) on the T-minus schedule.

A task's deadline is relative to the event's start (``offset_minutes``) unless it is pinned; moving the
event moves every relative deadline (``tasks_follow_event``, called by the ``event_updated`` receiver
inside the transaction that moved the event).
"""

from __future__ import annotations

import datetime as dt

from huodong.events.models import Event

from ..models import Task


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
