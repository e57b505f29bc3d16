"""Concurrent writes to the needs report and the goals, as threads on PostgreSQL (issue 6, findings 1 and 2).

Every write takes the event's row lock first, the lock the lifecycle move takes before it evaluates a
gate: concurrent adds get distinct positions, an edit racing a move out of the editable steps never lands
after the move, and the gate sees an edit that was in flight when the move began.

The threads wait for each other by watching PostgreSQL's lock table (``pg_locks``), not by sleeping.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from huodong.core.errors import DomainError
from huodong.core.models import AuditEntry
from huodong.events import lifecycle
from huodong.events.lifecycle import GateBlocked, event_advance, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.gates.needs_goals import goals_are_smart
from huodong.planning.models import Goal, NeedsInput
from huodong.planning.services import goals as goal_services
from huodong.planning.services import needs as needs_services

from .conftest import make_event, move, smart_goal, smart_goal_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="threads against an in-memory SQLite database do not run concurrently; "
        "the locks are proven threaded on PostgreSQL",
    ),
]

WAIT_ROUNDS = 2000  # × 5 ms at most, while waiting for the other thread to block on a lock


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_a_lock(pid: int) -> bool:
    """Whether the backend ``pid`` is blocked on a lock (pg_locks is read live, not from a snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid])
        return bool(cursor.fetchone()[0])


def _until_blocked_or_done(pid: list[int], done: threading.Event) -> None:
    """Wait until the other thread (its backend ``pid[0]``) waits for a lock, or has finished."""
    for _round in range(WAIT_ROUNDS):
        if done.is_set() or (pid and _waits_for_a_lock(pid[0])):
            return
        done.wait(0.005)


def _in_threads(*work: Callable[[], Any]) -> list[str]:
    """Run each callable in its own thread and connection; what each one did, in order of the callables."""
    outcomes: list[str] = ["not run"] * len(work)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            job()
            outcomes[i] = "done"
        except DomainError as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # noqa: BLE001 — reported by the assertions
            outcomes[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


# ---------------------------------------------------------------- concurrent adds
def test_concurrent_goal_adds_get_distinct_positions(organiser):
    # REQ: GO-1 — issue 6 finding 2: concurrent adds get distinct positions.
    event = move(make_event(organiser), Step.GOALS)
    metrics = [Goal.Metric.ATTENDEES, Goal.Metric.VALID_LEADS, Goal.Metric.MEDIA_EXPOSURE, Goal.Metric.DEALS]
    start = threading.Barrier(len(metrics), timeout=30)

    def add(metric: str) -> Callable[[], Any]:
        def job() -> None:
            start.wait()
            goal_services.goal_add(
                actor=organiser, event=event.pk, **smart_goal_data(organiser, metric=metric)
            )

        return job

    assert _in_threads(*[add(m) for m in metrics]) == ["done"] * len(metrics)
    positions = sorted(Goal.objects.filter(event=event).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4]


def test_concurrent_input_adds_get_distinct_positions(organiser):
    # REQ: NI-1
    event = make_event(organiser)
    start = threading.Barrier(4, timeout=30)

    def add(n: int) -> Callable[[], Any]:
        def job() -> None:
            start.wait()
            needs_services.needs_input_add(actor=organiser, event=event.pk, kind="other", content=f"输入 {n}")

        return job

    assert _in_threads(*[add(n) for n in range(4)]) == ["done"] * 4
    positions = sorted(NeedsInput.objects.filter(report__event=event).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4]
    assert event.needs_report.revision == 5  # created at 1, one bump per input, none lost


# ---------------------------------------------------------------- an edit racing a move
def _edit(kind: str, event: Event, organiser) -> Callable[[], Any]:
    """An edit of a goal or of a needs input of ``event`` (made before the race)."""
    if kind == "goal":
        goal = smart_goal(event, organiser)
        return lambda: goal_services.goal_update(
            actor=organiser, event=event.pk, goal_id=goal.pk, seen=1, unit="个"
        )
    row = needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="旧")
    return lambda: needs_services.needs_input_update(
        actor=organiser, event=event.pk, input_id=row.pk, seen=1, content="新"
    )


@pytest.mark.parametrize("kind", ["goal", "input"])
def test_an_edit_racing_a_move_out_of_the_editable_steps_never_lands_after_the_move(
    organiser, monkeypatch, kind
):
    # REQ: LC-2 — issue 6 finding 1: an edit in flight while the event left 审批定稿 was accepted after the move.
    monkeypatch.setattr(lifecycle, "_GATES", {})
    event = move(make_event(organiser), Step.APPROVAL)
    edit = _edit(kind, event, organiser)
    edit_pid: list[int] = []
    in_gate, edit_done = threading.Event(), threading.Event()

    @register_gate(Step.APPROVAL, key="test.race.edit")
    def _while_the_edit_is_tried(ev: Event) -> list:
        in_gate.set()
        _until_blocked_or_done(edit_pid, edit_done)  # the edit waits for our lock (or, unlocked, is done)
        return []

    def advance() -> None:
        event_advance(event=Event.objects.get(pk=event.pk), actor=organiser, from_step=Step.APPROVAL)

    def try_edit() -> None:
        in_gate.wait(timeout=30)
        edit_pid.append(_backend_pid())
        try:
            edit()
        finally:
            edit_done.set()

    moved, edited = _in_threads(advance, try_edit)
    assert moved == "done"
    assert edited == "wrong_step"  # it waited for the move, then saw the step it may not change in
    assert Event.objects.get(pk=event.pk).step == Step.RESOURCES
    assert not AuditEntry.objects.filter(action__in=["goal.update", "needs.input.update"]).exists()
    assert (
        not Goal.objects.filter(unit="个").exists() and not NeedsInput.objects.filter(content="新").exists()
    )


def test_a_goal_removal_in_flight_when_the_event_moves_on_is_seen_by_the_gate(organiser, monkeypatch):
    # REQ: GO-1 — issue 6 finding 1: a gate must be evaluated on what it locks.
    monkeypatch.setattr(lifecycle, "_GATES", {})
    register_gate(Step.GOALS, key="planning.goals")(goals_are_smart)
    event = move(make_event(organiser), Step.GOALS)
    goal = smart_goal(event, organiser, due_date=dt.date(2027, 4, 1), target_value=Decimal("150"))
    removed, advance_pid = threading.Event(), []
    advance_done = threading.Event()

    def remove_and_hold() -> None:
        with transaction.atomic():
            goal_services.goal_remove(actor=organiser, event=event.pk, goal_id=goal.pk, seen=1)
            removed.set()
            _until_blocked_or_done(advance_pid, advance_done)  # the move waits for the event lock we hold

    def advance() -> None:
        removed.wait(timeout=30)
        advance_pid.append(_backend_pid())
        try:
            event_advance(event=Event.objects.get(pk=event.pk), actor=organiser, from_step=Step.GOALS)
        finally:
            advance_done.set()

    outcomes = _in_threads(remove_and_hold, advance)
    assert outcomes == ["done", GateBlocked.code]
    assert Event.objects.get(pk=event.pk).step == Step.GOALS
    assert not Goal.objects.filter(event=event).exists()
