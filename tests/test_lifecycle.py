"""The lifecycle engine (LC-1, LC-2): order, gates, permissions, history, and concurrent moves."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.events import lifecycle
from huodong.events.lifecycle import (
    Criterion,
    GateBlocked,
    event_advance,
    event_move_back,
    gate_checks,
    gate_evaluate,
    register_gate,
    unregister_gate,
)
from huodong.events.models import Event, StepTransition
from huodong.events.steps import LIFECYCLE, PHASE_OF, Phase, Step, allowed_back_steps, next_step

from .factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

STEPS = [s.value for s in LIFECYCLE]


@pytest.fixture
def temporary_gate():
    """Register gates under unique keys for one test and remove them afterwards."""
    registered: list[tuple[str, str]] = []

    def add(step: str, key: str, criteria: list[Criterion]) -> None:
        @register_gate(step, key=key)
        def _check(event):
            return list(criteria)

        registered.append((step, key))

    yield add
    for step, key in registered:
        unregister_gate(step, key=key)


def _at(event: Event, step: str) -> Event:
    Event.objects.filter(pk=event.pk).update(step=step)
    event.refresh_from_db()
    return event


def test_the_lifecycle_has_four_phases_of_four_steps_in_the_spec_order():
    # REQ: LC-1
    assert STEPS == [
        "needs", "goals", "plan", "approval",
        "resources", "materials", "training", "notification",
        "setup", "run", "monitoring", "incidents",
        "data", "evaluation", "lessons", "archive",
    ]  # fmt: skip
    assert [Step(s).label for s in STEPS[:4]] == ["需求洞察", "目标设定", "方案设计", "审批定稿"]
    for i, step in enumerate(STEPS):
        assert PHASE_OF[step] == list(Phase)[i // 4]


@pytest.mark.parametrize("step", STEPS)
def test_advance_moves_exactly_one_step_forward_in_lc1_order(no_gates, organiser, step):
    # REQ: LC-1
    event = _at(EventFactory(owner=organiser), step)
    result = event_advance(event=event, actor=organiser, from_step=step)
    expected = STEPS[STEPS.index(step) + 1] if step != "archive" else "closed"
    event.refresh_from_db()
    assert event.step == expected == result.event.step
    assert next_step(step) == expected


def test_a_closed_event_cannot_advance_further(no_gates, organiser):
    # REQ: LC-1
    event = _at(EventFactory(owner=organiser), "closed")
    with pytest.raises(DomainError) as exc:
        event_advance(event=event, actor=organiser, from_step="closed")
    assert "step" in exc.value.errors
    assert not StepTransition.objects.filter(event=event).exists()


@pytest.mark.parametrize("step", STEPS[:-1])
def test_no_step_can_be_skipped_the_only_forward_move_is_to_the_next_step(no_gates, organiser, step):
    # REQ: LC-1, LC-2 — the engine has no "to" argument forward; two advances are two recorded moves.
    event = _at(EventFactory(owner=organiser), step)
    event_advance(event=event, actor=organiser, from_step=step)
    moves = list(StepTransition.objects.filter(event=event).values_list("from_step", "to_step"))
    assert moves == [(step, STEPS[STEPS.index(step) + 1])]


def test_walking_the_whole_lifecycle_records_sixteen_forward_moves(no_gates, organiser):
    # REQ: LC-1
    event = EventFactory(owner=organiser)
    for _ in STEPS:
        event_advance(event=event, actor=organiser, from_step=event.step)
    assert event.step == "closed"
    history = list(
        StepTransition.objects.filter(event=event).order_by("id").values_list("from_step", flat=True)
    )
    assert history == STEPS


@pytest.mark.parametrize("step", STEPS[1:] + ["closed"])
def test_moving_back_to_any_earlier_step_with_a_reason_is_allowed(organiser, step):
    # REQ: LC-1
    event = _at(EventFactory(owner=organiser), step)
    target = allowed_back_steps(step)[0].value
    result = event_move_back(
        event=event, actor=organiser, to_step=target, reason="方案需重做", from_step=step
    )
    event.refresh_from_db()
    assert event.step == target == result.event.step
    t = StepTransition.objects.get(event=event)
    assert (t.from_step, t.to_step, t.direction, t.reason) == (step, target, "back", "方案需重做")


@pytest.mark.parametrize("reason", ["", "   "])
def test_moving_back_without_a_reason_is_refused_and_changes_nothing(organiser, reason):
    event = _at(EventFactory(owner=organiser), "plan")
    with pytest.raises(DomainError) as exc:
        event_move_back(event=event, actor=organiser, to_step="needs", reason=reason, from_step="plan")
    assert "reason" in exc.value.errors
    event.refresh_from_db()
    assert event.step == "plan"
    assert not StepTransition.objects.filter(event=event).exists()


@pytest.mark.parametrize("to_step", ["plan", "approval", "archive", "closed", "nonsense"])
def test_moving_back_to_the_same_or_a_later_step_is_refused(organiser, to_step):
    # REQ: LC-1
    event = _at(EventFactory(owner=organiser), "plan")
    with pytest.raises(DomainError) as exc:
        event_move_back(event=event, actor=organiser, to_step=to_step, reason="试试", from_step="plan")
    assert "to_step" in exc.value.errors
    event.refresh_from_db()
    assert event.step == "plan"
    assert not StepTransition.objects.filter(event=event).exists()


def test_the_first_step_has_nowhere_to_move_back_to(organiser):
    event = EventFactory(owner=organiser)
    assert allowed_back_steps("needs") == []
    with pytest.raises(DomainError):
        event_move_back(event=event, actor=organiser, to_step="needs", reason="x", from_step="needs")


@pytest.mark.parametrize("seen", ["needs", "plan", "archive"])
def test_advancing_from_a_stale_step_is_a_conflict_and_writes_nothing(no_gates, organiser, seen):
    event = _at(EventFactory(owner=organiser), "goals")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Conflict):
        event_advance(event=event, actor=organiser, from_step=seen)
    event.refresh_from_db()
    assert event.step == "goals"
    assert not StepTransition.objects.filter(event=event).exists()
    assert AuditEntry.objects.count() == audit_before


def test_advancing_from_an_unknown_step_is_refused_naming_the_field(no_gates, organiser, event):
    with pytest.raises(DomainError) as exc:
        event_advance(event=event, actor=organiser, from_step="warp")
    assert "from_step" in exc.value.errors
    event.refresh_from_db()
    assert event.step == "needs"


def test_moving_back_from_a_stale_step_is_a_conflict(organiser):
    event = _at(EventFactory(owner=organiser), "approval")
    with pytest.raises(Conflict):
        event_move_back(event=event, actor=organiser, to_step="needs", reason="重来", from_step="plan")
    event.refresh_from_db()
    assert event.step == "approval"


def test_an_unmet_gate_blocks_the_move_and_lists_every_unmet_criterion(no_gates, organiser, temporary_gate):
    # REQ: LC-2
    temporary_gate(
        "goals",
        "test.gate.a",
        [
            Criterion("t.one", "第一项", met=False, detail="缺少"),
            Criterion("t.two", "第二项", met=True),
        ],
    )
    temporary_gate("goals", "test.gate.b", [Criterion("t.three", "第三项", met=False)])
    event = _at(EventFactory(owner=organiser), "goals")
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step="goals")
    assert [c.code for c in exc.value.unmet] == ["t.one", "t.three"]
    assert exc.value.status == 409
    text = exc.value.message
    assert "第一项" in text and "缺少" in text and "第三项" in text and "第二项" not in text
    event.refresh_from_db()
    assert event.step == "goals"
    assert not StepTransition.objects.filter(event=event).exists()


def test_a_gate_only_applies_to_the_step_it_was_registered_for(no_gates, organiser, temporary_gate):
    # REQ: LC-2
    temporary_gate("plan", "test.gate.plan", [Criterion("t.plan", "方案", met=False)])
    event = _at(EventFactory(owner=organiser), "goals")
    event_advance(event=event, actor=organiser, from_step="goals")
    assert event.step == "plan"
    with pytest.raises(GateBlocked):
        event_advance(event=event, actor=organiser, from_step="plan")


def test_a_met_gate_lets_the_event_through_and_returns_the_criteria(no_gates, organiser, temporary_gate):
    # REQ: LC-2
    temporary_gate("goals", "test.gate.ok", [Criterion("t.ok", "已完成", met=True)])
    event = _at(EventFactory(owner=organiser), "goals")
    result = event_advance(event=event, actor=organiser, from_step="goals")
    assert [c.code for c in result.criteria] == ["t.ok"]
    assert event.step == "plan"


def test_unregister_gate_removes_only_the_named_check(temporary_gate):
    temporary_gate("training", "test.gate.keep", [])
    temporary_gate("training", "test.gate.drop", [])
    assert unregister_gate("training", key="test.gate.drop") is True
    assert unregister_gate("training", key="test.gate.drop") is False
    assert "test.gate.keep" in gate_checks("training")
    assert "test.gate.drop" not in gate_checks("training")


def test_re_registering_a_key_replaces_the_earlier_check(no_gates, temporary_gate, event):
    temporary_gate("needs", "test.gate.same", [Criterion("old", "旧", met=False)])
    temporary_gate("needs", "test.gate.same", [Criterion("new", "新", met=True)])
    assert [c.code for c in gate_evaluate(event, "needs")] == ["new"]


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("venue", "", "event.venue"),
        ("expected_attendance", 0, "event.expected_attendance"),
        ("requesting_department", None, "event.requesting_department"),
    ],
)
def test_the_foundation_gate_refuses_to_leave_needs_without_the_basic_facts(organiser, field, value, code):
    # REQ: LC-2 — the real gate registered by the events app.
    assert "events.basics" in gate_checks("needs")
    event = EventFactory(owner=organiser, **{field: value})
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step="needs")
    assert code in [c.code for c in exc.value.unmet]
    event.refresh_from_db()
    assert event.step == "needs"


def test_the_foundation_gate_reports_all_three_missing_facts_at_once(organiser):
    # REQ: LC-2
    event = EventFactory(owner=organiser, venue="", expected_attendance=0, requesting_department=None)
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step="needs")
    codes = {c.code for c in exc.value.unmet}
    assert {"event.venue", "event.expected_attendance", "event.requesting_department"} <= codes


# --- who may move an event ---------------------------------------------------------------------------


@pytest.fixture
def team_organiser(db):
    return UserFactory(username="team_org", role=Role.ORGANISER)


@pytest.fixture
def team_staff(db):
    return UserFactory(username="team_staff", role=Role.STAFF)


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("organiser", True),  # the owner
        ("team_organiser", True),
        ("admin_user", True),
        ("reviewer_finance", False),
        ("approver_gm", False),
        ("outsider", False),
        ("team_staff", False),  # on the team but not an organiser
    ],
)
def test_only_the_owner_a_team_organiser_or_an_admin_may_move_an_event(
    no_gates, request, organiser, team_organiser, team_staff, who, allowed
):
    event = EventFactory(owner=organiser)
    event.team_members.set([team_organiser, team_staff])
    actor = request.getfixturevalue(who)
    if allowed:
        event_advance(event=event, actor=actor, from_step="needs")
        event_move_back(event=event, actor=actor, to_step="needs", reason="再确认需求", from_step="goals")
        assert StepTransition.objects.filter(event=event).count() == 2
    else:
        with pytest.raises(NotAllowed):
            event_advance(event=event, actor=actor, from_step="needs")
        with pytest.raises(NotAllowed):
            event_move_back(event=event, actor=actor, to_step="needs", reason="x", from_step="needs")
        event.refresh_from_db()
        assert event.step == "needs"
        assert not StepTransition.objects.filter(event=event).exists()


def test_an_anonymous_caller_may_not_move_an_event(no_gates, event):
    with pytest.raises(NotAllowed):
        event_advance(event=event, actor=None, from_step="needs")


def test_a_system_move_skips_the_permission_check_but_not_the_gate(no_gates, event, temporary_gate):
    # REQ: LC-2
    temporary_gate("needs", "test.gate.sys", [Criterion("t.sys", "系统", met=False)])
    with pytest.raises(GateBlocked):
        event_advance(event=event, actor=None, from_step="needs", system=True)
    unregister_gate("needs", key="test.gate.sys")
    event_advance(event=event, actor=None, from_step="needs", system=True)
    assert event.step == "goals"


# --- every move is recorded -------------------------------------------------------------------------


def test_each_forward_move_writes_a_transition_and_an_audit_entry(no_gates, organiser, event):
    event_advance(event=event, actor=organiser, from_step="needs")
    t = StepTransition.objects.get(event=event)
    assert (t.from_step, t.to_step, t.direction, t.actor) == ("needs", "goals", "forward", organiser)
    entry = AuditEntry.objects.filter(action="event.forward", event_id=event.pk).get()
    assert entry.actor == organiser
    assert entry.before == {"step": "needs"} and entry.after == {"step": "goals"}


def test_each_backward_move_writes_a_transition_and_an_audit_entry_with_the_reason(organiser):
    event = _at(EventFactory(owner=organiser), "approval")
    event_move_back(event=event, actor=organiser, to_step="plan", reason="预算超标", from_step="approval")
    entry = AuditEntry.objects.filter(action="event.back", event_id=event.pk).get()
    assert entry.before == {"step": "approval"} and entry.after == {"step": "plan"}
    assert "预算超标" in entry.summary


# --- two people advancing at once move the event once -------------------------------------------------


def test_a_second_advance_from_the_same_seen_step_is_a_conflict(no_gates, organiser, event):
    event_advance(event=event, actor=organiser, from_step="needs")
    stale = Event.objects.get(pk=event.pk)
    stale.step = "needs"  # what the second user's page still shows
    with pytest.raises(Conflict):
        event_advance(event=stale, actor=organiser, from_step="needs")
    assert Event.objects.get(pk=event.pk).step == "goals"
    assert StepTransition.objects.filter(event=event).count() == 1


def test_the_conditional_update_refuses_when_the_event_moves_during_the_gate_check(
    no_gates, organiser, event
):
    """Another writer commits between our read and our update: zero rows updated means Conflict."""

    @register_gate("needs", key="test.gate.race")
    def _someone_else_moves_it(ev):
        Event.objects.filter(pk=ev.pk).update(step="goals")
        return [Criterion("t.race", "并发", met=True)]

    with pytest.raises(Conflict):
        event_advance(event=event, actor=organiser, from_step="needs")
    assert not StepTransition.objects.filter(event=event).exists()
    assert not AuditEntry.objects.filter(action="event.forward").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads against an in-memory SQLite database do not run concurrently; "
    "the conditional update is proven on SQLite by the two tests above, and threaded on PostgreSQL",
)
def test_two_threads_advancing_the_same_event_at_once_move_it_exactly_once(organiser, monkeypatch):
    # REQ: LC-2 — conditional update: two users advancing the same event at once move it once.
    from django.db import connections

    monkeypatch.setattr(lifecycle, "_GATES", {})
    event = EventFactory(owner=organiser)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def advance() -> None:
        try:
            ev = Event.objects.get(pk=event.pk)
            barrier.wait()  # both threads have read step == needs before either moves it
            event_advance(event=ev, actor=organiser, from_step="needs")
            outcomes.append("moved")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=advance) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "moved"]
    assert Event.objects.get(pk=event.pk).step == "goals"
    assert StepTransition.objects.filter(event_id=event.pk).count() == 1
