"""SMART goals (GO-1): every refusal reason, achievability against history, the plan touch, the gate (LC-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import AuditEntry, User
from huodong.events.lifecycle import GateBlocked, event_advance, gate_evaluate
from huodong.events.steps import Step
from huodong.planning import versioning
from huodong.planning.gates.needs_goals import goals_are_smart
from huodong.planning.models import Goal
from huodong.planning.services import goals as services

from .conftest import complete_needs, make_event, move, smart_goal, smart_goal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_goals(event):
    return move(event, Step.GOALS)


def _valid(by: User, /, **overrides):
    return smart_goal_data(by, **{"description": "收集有效线索150条", **overrides})


def test_a_smart_goal_is_added_and_audited(at_goals, organiser):
    # REQ: GO-1
    goal = services.goal_add(actor=organiser, event=at_goals, **_valid(organiser))
    assert goal.target_value == Decimal("150.00") and goal.owner == organiser
    entry = AuditEntry.objects.get(action="goal.add")
    assert entry.after["target_value"] == "150.00" and entry.event_id == at_goals.pk


@pytest.mark.parametrize(
    ("overrides", "field", "letter_text"),
    [
        ({"metric": ""}, "metric", "具体"),
        ({"metric": "happiness"}, "metric", "具体"),
        ({"metric": "custom", "custom_metric": "  "}, "custom_metric", "具体"),
        ({"target_value": None}, "target_value", "衡量"),
        ({"target_value": ""}, "target_value", "衡量"),
        ({"target_value": "很多"}, "target_value", "衡量"),
        ({"target_value": Decimal("0")}, "target_value", "衡量"),
        ({"target_value": Decimal("-150")}, "target_value", "衡量"),
        ({"target_value": Decimal("NaN")}, "target_value", "衡量"),
        ({"target_value": Decimal("1e15")}, "target_value", "最大"),
        ({"due_date": None}, "due_date", "时限"),
        ({"due_date": "下个月"}, "due_date", "时限"),
        ({"due_date": dt.date(2028, 3, 19)}, "due_date", "时限"),
        ({"owner": None}, "owner", "负责人"),
        ({"objective": ""}, "objective", "相关"),
        ({"objective": "   "}, "objective", "相关"),
        ({"baseline": Decimal("-1")}, "baseline", "基线"),
        ({"unit": "单" * 21}, "unit", "单位"),
    ],
)
def test_a_goal_that_is_not_smart_is_refused_with_the_reason_and_nothing_is_written(
    at_goals, organiser, monkeypatch, overrides, field, letter_text
):
    # REQ: GO-1
    touched: list[str] = []
    monkeypatch.setattr(versioning, "plan_touch", lambda **kw: touched.append(kw["what"]))
    with pytest.raises(DomainError) as exc:
        services.goal_add(actor=organiser, event=at_goals, **_valid(organiser, **overrides))
    assert field in exc.value.errors
    assert letter_text in " ".join(str(m) for m in exc.value.errors[field])
    assert not Goal.objects.exists()
    assert not AuditEntry.objects.filter(action="goal.add").exists()
    assert touched == []


def test_every_reason_is_given_at_once(at_goals, organiser):
    # REQ: GO-1
    with pytest.raises(DomainError) as exc:
        services.goal_add(
            actor=organiser,
            event=at_goals,
            metric="valid_leads",
            target_value=None,
            due_date=None,
            owner=None,
            objective="",
        )
    assert {"target_value", "due_date", "owner", "objective"} <= set(exc.value.errors)


def test_a_due_date_up_to_a_year_after_the_event_is_accepted(at_goals, organiser):
    # REQ: GO-1
    last = at_goals.local_end().date() + dt.timedelta(days=services.GOAL_DUE_MAX_DAYS_AFTER_EVENT)
    services.goal_add(actor=organiser, event=at_goals, **_valid(organiser, due_date=last))
    assert Goal.objects.count() == 1


def test_a_custom_metric_with_a_name_is_specific(at_goals, organiser):
    # REQ: GO-1
    goal = services.goal_add(
        actor=organiser, event=at_goals, **_valid(organiser, metric="custom", custom_metric="直播观看人数")
    )
    assert goal.metric_label == "直播观看人数"


def test_the_same_metric_twice_is_refused(at_goals, organiser):
    services.goal_add(actor=organiser, event=at_goals, **_valid(organiser))
    with pytest.raises(DomainError) as exc:
        services.goal_add(actor=organiser, event=at_goals, **_valid(organiser, target_value=Decimal("160")))
    assert "metric" in exc.value.errors
    assert Goal.objects.count() == 1


def test_an_update_must_keep_the_goal_smart(at_goals, organiser):
    # REQ: GO-1
    goal = services.goal_add(actor=organiser, event=at_goals, **_valid(organiser))
    with pytest.raises(DomainError) as exc:
        services.goal_update(
            actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision, due_date=None
        )
    assert "due_date" in exc.value.errors
    goal.refresh_from_db()
    assert goal.due_date == dt.date(2027, 4, 1)
    services.goal_update(
        actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision, target_value=Decimal("180")
    )
    goal.refresh_from_db()
    assert goal.target_value == Decimal("180.00") and goal.due_date == dt.date(2027, 4, 1)
    assert AuditEntry.objects.get(action="goal.update").before["target_value"] == "150.00"


def test_every_goal_change_touches_the_plan(at_goals, organiser, monkeypatch):
    # REQ: GO-1
    touched: list[tuple[int, str]] = []
    monkeypatch.setattr(
        versioning, "plan_touch", lambda *, event, actor, what: touched.append((event.pk, what))
    )
    goal = services.goal_add(actor=organiser, event=at_goals, **_valid(organiser))
    goal = services.goal_update(
        actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision, unit="个"
    )
    services.goal_remove(actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision)
    assert touched == [(at_goals.pk, "goals")] * 3
    assert not Goal.objects.exists()
    assert AuditEntry.objects.filter(action="goal.remove").count() == 1


def test_a_goal_of_another_event_is_not_found(at_goals, organiser):
    other = move(make_event(organiser, name="另一场"), Step.GOALS)
    goal = services.goal_add(actor=organiser, event=other, **_valid(organiser))
    with pytest.raises(NotFound):
        services.goal_update(actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision, unit="个")
    with pytest.raises(NotFound):
        services.goal_remove(actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision)
    assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize("action", ["add", "update", "remove"])
def test_an_outsider_may_not_change_goals(at_goals, organiser, outsider, action):
    goal = smart_goal(at_goals, organiser)
    with pytest.raises(NotAllowed) as exc:
        if action == "add":
            services.goal_add(actor=outsider, event=at_goals, **_valid(outsider, metric="attendees"))
        elif action == "update":
            services.goal_update(
                actor=outsider, event=at_goals, goal_id=goal.pk, seen=goal.revision, unit="个"
            )
        else:
            services.goal_remove(actor=outsider, event=at_goals, goal_id=goal.pk, seen=goal.revision)
    assert exc.value.status == 403
    goal.refresh_from_db()
    assert Goal.objects.count() == 1 and goal.unit == "条"


@pytest.mark.parametrize("step", [Step.RESOURCES, Step.SETUP, Step.CLOSED])
def test_goals_cannot_change_after_the_planning_phase(event, organiser, step):
    # REQ: LC-2
    move(event, step)
    with pytest.raises(DomainError) as exc:
        services.goal_add(actor=organiser, event=event, **_valid(organiser))
    assert exc.value.code == "wrong_step"
    assert not Goal.objects.exists()


# ---------------------------------------------------------------- achievable (GO-1 "A")
def _archived_with_target(
    organiser, target, *, metric=Goal.Metric.VALID_LEADS, type_code="product-launch", name="2025 新品发布会"
):
    past = move(
        make_event(
            organiser, name=name, type_code=type_code, starts=dt.datetime(2025, 3, 18, 13, 30, tzinfo=dt.UTC)
        ),
        Step.CLOSED,
    )
    return smart_goal(
        past, organiser, metric=metric, target_value=Decimal(target), due_date=dt.date(2025, 4, 1)
    )


def test_with_no_history_achievability_is_not_judged(at_goals, organiser):
    # REQ: GO-1
    goal = smart_goal(at_goals, organiser)
    status, message = services.goal_achievability(goal)
    assert status == services.Achievability.NO_HISTORY
    assert "暂无" in message
    assert services.goal_smart_status(goal)["A"]["ok"] is None


def test_a_target_far_above_the_best_past_result_is_flagged_but_saved(at_goals, organiser):
    # REQ: GO-1
    _archived_with_target(organiser, "100")
    _archived_with_target(organiser, "80", name="2024 新品发布会")
    goal = services.goal_add(
        actor=organiser, event=at_goals, **_valid(organiser, target_value=Decimal("151"))
    )
    status, message = services.goal_achievability(goal)
    assert status == services.Achievability.FLAGGED
    assert "100" in message and "1.5" in message
    assert Goal.objects.filter(pk=goal.pk).exists()
    criteria = {c.code: c for c in goals_are_smart(at_goals)}
    assert criteria[f"goals.achievable.{goal.pk}"].met


def test_a_target_within_the_factor_of_the_best_past_result_is_achievable(at_goals, organiser):
    # REQ: GO-1
    _archived_with_target(organiser, "100")
    goal = smart_goal(at_goals, organiser, target_value=Decimal("150"))
    assert services.goal_achievability(goal)[0] == services.Achievability.OK


@pytest.mark.parametrize("which", ["other_metric", "other_type", "not_archived"])
def test_only_archived_events_of_the_same_type_and_metric_count_as_history(at_goals, organiser, which):
    # REQ: GO-1
    if which == "other_metric":
        _archived_with_target(organiser, "10", metric=Goal.Metric.ATTENDEES)
    elif which == "other_type":
        _archived_with_target(organiser, "10", type_code="customer-appreciation")
    else:
        past = make_event(organiser, name="未归档")
        smart_goal(past, organiser, target_value=Decimal("10"))
    goal = smart_goal(at_goals, organiser, target_value=Decimal("150"))
    assert services.goal_achievability(goal)[0] == services.Achievability.NO_HISTORY


# ---------------------------------------------------------------- the gate (LC-2, GO-1)
def test_leaving_goals_needs_at_least_one_goal(at_goals, organiser):
    # REQ: LC-2
    # REQ: GO-1
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=at_goals, actor=organiser, from_step=at_goals.step)
    assert "goals.present" in {c.code for c in exc.value.unmet}


def test_the_gate_names_each_goal_and_what_it_is_missing(at_goals, organiser):
    # REQ: GO-1
    leads = smart_goal(at_goals, organiser, due_date=None)
    people = smart_goal(at_goals, organiser, metric=Goal.Metric.ATTENDEES, owner=None, objective="")
    smart_goal(at_goals, organiser, metric=Goal.Metric.MEDIA_EXPOSURE)
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=at_goals, actor=organiser, from_step=at_goals.step)
    unmet = {c.code: c for c in exc.value.unmet}
    assert str(unmet[f"goals.smart.{leads.pk}"].detail) == "目标「有效线索」缺少截止日期"
    assert "缺少负责人" in str(unmet[f"goals.smart.{people.pk}"].detail)
    assert "缺少服务的业务目标" in str(unmet[f"goals.smart.{people.pk}"].detail)
    assert len([c for c in exc.value.unmet if c.code.startswith("goals.smart.")]) == 2
    assert "目标「有效线索」缺少截止日期" in exc.value.message


def test_a_goal_gone_stale_when_the_event_moved_blocks_the_gate(at_goals, organiser):
    # REQ: GO-1
    smart_goal(at_goals, organiser, due_date=dt.date(2028, 6, 1))
    unmet = [c for c in gate_evaluate(at_goals, Step.GOALS) if not c.met]
    assert any("截止日期晚于活动结束" in str(c.detail) for c in unmet)


def test_smart_goals_let_the_event_move_from_goals_to_plan(at_goals, organiser):
    # REQ: LC-2
    # REQ: GO-1
    goal = smart_goal(at_goals, organiser, due_date=None)
    with pytest.raises(GateBlocked):
        event_advance(event=at_goals, actor=organiser, from_step=at_goals.step)
    services.goal_update(
        actor=organiser, event=at_goals, goal_id=goal.pk, seen=goal.revision, due_date=dt.date(2027, 4, 1)
    )
    at_goals.refresh_from_db()
    result = event_advance(event=at_goals, actor=organiser, from_step=at_goals.step)
    assert result.event.step == Step.PLAN


def test_from_needs_through_goals_to_plan(event, organiser, reviewer_sales):
    # REQ: LC-2
    complete_needs(event, [reviewer_sales])
    assert event_advance(event=event, actor=organiser, from_step=Step.NEEDS).event.step == Step.GOALS
    services.goal_add(actor=organiser, event=event, **_valid(organiser))
    assert event_advance(event=event, actor=organiser, from_step=Step.GOALS).event.step == Step.PLAN
