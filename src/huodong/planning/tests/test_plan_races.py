"""Plan edits racing a lifecycle move and each other, in threads on PostgreSQL (issue 6, findings 1 and 2).

Finding 1: a plan edit in flight while the event left 审批定稿 was accepted after the move, superseded the
approved version and voided both signatures. Now every plan write locks the event row first and checks
the step on it, and the move locks the same row before its gate: an edit lands before the move (whose gate
then refuses, the version being superseded) or is refused because the event has left the step.

Finding 2: concurrent edits were lost silently and concurrent adds shared positions; PostgreSQL deadlocks
answered 500. Now one edit of a revision wins and the others are 409, adds get distinct positions, and
nothing answers 500.

SQLite runs these serially: its writers take the database lock at BEGIN (IMMEDIATE transactions), and
threads against the in-memory test database do not run concurrently. The same rules are proven on
SQLite, one request after the other, in ``test_plan_revisions.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from huodong.core.errors import DomainError
from huodong.events import lifecycle
from huodong.events.lifecycle import Criterion, GateBlocked, event_advance, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning import versioning
from huodong.planning.models import BudgetLine, PlanVersion, Risk, Signature
from huodong.planning.services.budget import budget_line_update

from .conftest import build_plan_event, reviewed_version, sign

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="threads against the in-memory SQLite test database do not run concurrently, and SQLite's "
        "IMMEDIATE transactions serialise writers; the same rules are proven one request after the other "
        "in test_plan_revisions.py",
    ),
]
TRIES = 5
JSON = "application/json"


def run_threads(*targets: tuple[str, Callable[[], str]]) -> dict[str, str]:
    """Run each target in its own thread (its own database connection); name → outcome."""
    outcomes: dict[str, str] = {}

    def wrap(name: str, target: Callable[[], str]) -> None:
        try:
            outcomes[name] = target()
        except Exception as exc:  # noqa: BLE001 — reported by the caller's assertions
            outcomes[name] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(n, t), name=n) for n, t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (a lock never released?)"
    return outcomes


def approved_event(organiser, reviewers, approver_exec, approver_gm, n: int) -> Event:
    """An event at 审批定稿 whose latest version is reviewed and signed by both approvers (AP-1)."""
    event = build_plan_event(organiser, name=f"并发发布会 {n}")
    version = reviewed_version(event, organiser, reviewers)
    sign(version, approver_exec)
    sign(version, approver_gm)
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.APPROVED
    return event


def advance(event_id: int, organiser) -> Callable[[], str]:
    def go() -> str:
        try:
            event_advance(event=Event.objects.get(pk=event_id), actor=organiser, from_step=Step.APPROVAL)
        except GateBlocked:
            return "gate_blocked"
        return "moved"

    return go


def edit_line(event_id: int, organiser, line: BudgetLine, before: Callable[[], None]) -> Callable[[], str]:
    def go() -> str:
        before()
        try:
            budget_line_update(
                actor=organiser, event=event_id, line_id=line.pk, seen=line.revision, note="并发修改"
            )
        except DomainError as exc:
            return exc.code if exc.code == "wrong_step" else f"refused: {exc.code} {exc.message}"
        return "saved"

    return go


def check_try(event: Event, outcomes: dict[str, str], line: BudgetLine) -> str:
    """The two allowed endings of one try; returns which one happened."""
    event.refresh_from_db()
    latest = PlanVersion.objects.filter(plan__event=event).order_by("-number").first()
    assert latest is not None
    voided = Signature.objects.filter(version=latest, voided_at__isnull=False).count()
    note = BudgetLine.objects.get(pk=line.pk).note
    if event.step == Step.RESOURCES:
        # The move won: the approved version stands, both signatures count, the edit was refused.
        assert outcomes == {"advance": "moved", "edit": "wrong_step"}, outcomes
        assert latest.status == PlanVersion.Status.APPROVED and voided == 0 and note == ""
        return "move first"
    # The edit won: the approved version is superseded, and the gate refused the move.
    assert event.step == Step.APPROVAL
    assert outcomes == {"advance": "gate_blocked", "edit": "saved"}, outcomes
    assert latest.status == PlanVersion.Status.SUPERSEDED and voided == 2 and note == "并发修改"
    return "edit first"


def test_an_edit_holding_the_lock_makes_the_move_out_of_approval_wait_and_fail_its_gate(
    organiser, reviewers, approver_exec, approver_gm, monkeypatch
):
    # Issue 6, finding 1 — REQ: LC-2, AP-1: the edit is in flight (it has written the line) when the
    # move starts; the move waits for it and then sees the superseded version.
    event = approved_event(organiser, reviewers, approver_exec, approver_gm, 0)
    line = BudgetLine.objects.filter(plan__event=event).first()
    barrier = threading.Barrier(2, timeout=20)
    touch = versioning.plan_touch

    def touch_after_the_move_started(**kwargs: Any) -> None:
        if threading.current_thread().name == "edit":
            barrier.wait()  # the advance thread is about to move the event
        touch(**kwargs)

    monkeypatch.setattr(versioning, "plan_touch", touch_after_the_move_started)

    def advance_after_the_edit_wrote() -> str:
        barrier.wait()
        return advance(event.pk, organiser)()

    outcomes = run_threads(
        ("edit", edit_line(event.pk, organiser, line, lambda: None)),
        ("advance", advance_after_the_edit_wrote),
    )
    assert check_try(event, outcomes, line) == "edit first"


def test_a_move_holding_the_lock_makes_the_edit_wait_and_refuses_it_after(
    organiser, reviewers, approver_exec, approver_gm, monkeypatch
):
    # Issue 6, finding 1 — REQ: LC-2, AP-1: the move has evaluated its gate when the edit starts; the edit
    # waits for it and is refused with the wrong-step message, the signatures stand.
    event = approved_event(organiser, reviewers, approver_exec, approver_gm, 0)
    line = BudgetLine.objects.filter(plan__event=event).first()
    barrier = threading.Barrier(2, timeout=20)
    monkeypatch.setattr(lifecycle, "_GATES", {k: list(v) for k, v in lifecycle._GATES.items()})

    @register_gate(Step.APPROVAL, key="test.race.edit_starts")
    def _the_edit_starts_now(ev: Event) -> list[Criterion]:
        if threading.current_thread().name == "advance":
            barrier.wait()
        return []

    outcomes = run_threads(
        ("advance", advance(event.pk, organiser)),
        ("edit", edit_line(event.pk, organiser, line, barrier.wait)),
    )
    assert check_try(event, outcomes, line) == "move first"


@pytest.mark.parametrize("n", range(TRIES))
def test_an_edit_racing_the_move_out_of_approval_never_voids_the_signatures_of_a_moved_event(
    organiser, reviewers, approver_exec, approver_gm, n
):
    # Issue 6, finding 1 — REQ: LC-2, AP-1: free-running; either ending is allowed, nothing in between.
    event = approved_event(organiser, reviewers, approver_exec, approver_gm, n)
    line = BudgetLine.objects.filter(plan__event=event).first()
    start = threading.Barrier(2, timeout=20)
    outcomes = run_threads(
        ("advance", lambda: (start.wait(), advance(event.pk, organiser)())[1]),
        ("edit", edit_line(event.pk, organiser, line, start.wait)),
    )
    check_try(event, outcomes, line)


# ---------------------------------------------------------------- edits racing edits (HTTP, as people do)
def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_edits_of_different_rows_of_one_plan_at_once_are_all_answered_never_500(
    organiser, event_at_plan_step, plan
):
    # Issue 6, findings 1 and 2: five HTTP 500 (deadlocks) were seen while editing concurrently.
    event = event_at_plan_step
    client = signed_in(organiser)
    data = client.get(f"/api/events/{event.pk}/plan").json()
    start = threading.Barrier(len(data["segments"]) + len(data["risks"]) + 4, timeout=20)

    def patch(tail: str, body: dict[str, Any]) -> Callable[[], str]:
        def go() -> str:
            c = signed_in(organiser)
            start.wait()
            return str(c.patch(f"/api/events/{event.pk}/plan{tail}", body, content_type=JSON).status_code)

        return go

    def post(tail: str, body: dict[str, Any]) -> Callable[[], str]:
        def go() -> str:
            c = signed_in(organiser)
            start.wait()
            return str(c.post(f"/api/events/{event.pk}/plan{tail}", body, content_type=JSON).status_code)

        return go

    targets = [
        (f"seg{s['id']}", patch(f"/segments/{s['id']}", {"key_actions": "并发", "revision": s["revision"]}))
        for s in data["segments"]
    ]
    targets += [
        (f"risk{r['id']}", patch(f"/risks/{r['id']}", {"response": "并发预案", "revision": r["revision"]}))
        for r in data["risks"]
    ]
    targets += [
        (
            f"line{i}",
            post("/budget-lines", {"category": "venue", "item": f"项{i}", "quantity": 1, "unit_price": 10}),
        )
        for i in range(3)
    ]
    targets += [("plan", lambda: _put(event, organiser, data["revision"], start))]
    outcomes = run_threads(*targets)
    assert all(v in {"200", "201", "409"} for v in outcomes.values()), outcomes
    # Different rows do not conflict: every one of these edits lands.
    assert set(outcomes.values()) <= {"200", "201"}, outcomes
    positions = list(BudgetLine.objects.filter(plan__event=event).values_list("position", flat=True))
    assert sorted(positions) == [1, 2, 3]


def _put(event: Event, organiser, revision: int, start: threading.Barrier) -> str:
    c = signed_in(organiser)
    start.wait()
    return str(
        c.put(
            f"/api/events/{event.pk}/plan",
            {"background": "并发背景", "revision": revision},
            content_type=JSON,
        ).status_code
    )


@pytest.mark.parametrize("people", [4])
def test_edits_of_one_risk_from_the_same_revision_at_once_keep_exactly_one(
    organiser, event_at_plan_step, plan, people
):
    # Issue 6, finding 2: 23 of 60 concurrent edits were lost silently (all answered 200).
    event = event_at_plan_step
    client = signed_in(organiser)
    risk = client.get(f"/api/events/{event.pk}/plan").json()["risks"][0]
    start = threading.Barrier(people, timeout=20)

    def edit(i: int) -> Callable[[], str]:
        def go() -> str:
            c = signed_in(organiser)
            start.wait()
            resp = c.patch(
                f"/api/events/{event.pk}/plan/risks/{risk['id']}",
                {"response": f"预案 {i}", "revision": risk["revision"]},
                content_type=JSON,
            )
            return f"{resp.status_code} {i}"

        return go

    outcomes = run_threads(*[(f"p{i}", edit(i)) for i in range(people)])
    codes = sorted(v.split()[0] for v in outcomes.values())
    assert codes == ["200"] + ["409"] * (people - 1), outcomes
    winner = next(v.split()[1] for v in outcomes.values() if v.startswith("200"))
    row = Risk.objects.get(pk=risk["id"])
    assert row.response == f"预案 {winner}" and row.revision == risk["revision"] + 1


def test_adds_at_once_get_distinct_positions(organiser, event_at_plan_step):
    # Issue 6, finding 2: concurrent adds shared a position.
    event = event_at_plan_step
    signed_in(organiser).get(f"/api/events/{event.pk}/plan")
    people = 5
    start = threading.Barrier(people, timeout=20)

    def add(i: int) -> Callable[[], str]:
        def go() -> str:
            c = signed_in(organiser)
            start.wait()
            body = {"risk": f"风险 {i}", "likelihood": "low", "impact": "low"}
            return str(c.post(f"/api/events/{event.pk}/plan/risks", body, content_type=JSON).status_code)

        return go

    outcomes = run_threads(*[(f"a{i}", add(i)) for i in range(people)])
    assert set(outcomes.values()) == {"201"}, outcomes
    positions = list(Risk.objects.filter(plan__event=event).values_list("position", flat=True))
    assert len(positions) == len(set(positions))
