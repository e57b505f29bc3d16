"""Tasks with a RACI assignment (TM-1) on the T-minus schedule: services, valid and invalid."""

from __future__ import annotations

import datetime as dt

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.services import event_update
from huodong.events.steps import Step
from huodong.planning.tests.conftest import move
from huodong.preparation.models import Task, TaskAssignment
from huodong.preparation.selectors import my_tasks
from huodong.preparation.services import tasks as svc
from huodong.preparation.services.team import member_add
from tests.factories import SHANGHAI

from .test_team_fixtures import *  # noqa: F403  (the fixtures: prep_event, staff, engineer)
from .test_team_fixtures import task_with_raci

pytestmark = pytest.mark.django_db
DAY = 24 * 60


def test_offsets_read_and_write_the_t_minus_notation():
    assert svc.offset_parse("T-7d") == -7 * DAY
    assert svc.offset_parse("-3天") == -3 * DAY
    assert svc.offset_parse("T-1d2h") == -DAY - 120
    assert svc.offset_parse("T-30min") == -30
    assert svc.offset_parse("T+2h") == 120
    assert svc.offset_parse("T") == 0
    assert svc.offset_parse("seven days") is None and svc.offset_parse("T-7x") is None
    assert svc.offset_label(-7 * DAY) == "T-7d" and svc.offset_label(-30) == "T-30min"
    assert svc.offset_label(-DAY - 120) == "T-1d2h" and svc.offset_label(None) == ""


def test_the_template_creates_the_standard_tasks_once(prep_event, organiser):
    # REQ: TM-1, TM-2 — T-7d letters (NT-1), T-3d meeting (TR-1), T-1d setup (EX-1), T-30min owners (EX-3)
    created = svc.tasks_from_template(prep_event, organiser)
    tasks = {t.template_code: t for t in Task.objects.filter(event=prep_event)}
    assert created == len(tasks) == 5 + len(svc.TYPE_TASKS["product-launch"])
    start = prep_event.starts_at
    assert tasks["collaboration_letter"].due_at == start - dt.timedelta(days=7)
    assert tasks["collaboration_letter"].rule == "NT-1"
    assert tasks["execution_meeting"].due_at == start - dt.timedelta(days=3)
    assert tasks["execution_meeting"].rule == "TR-1"
    assert tasks["setup_rehearsal"].due_at == start - dt.timedelta(days=1)
    assert tasks["owners_on_site"].due_at == start - dt.timedelta(minutes=30)
    assert tasks["owners_on_site"].rule == "EX-3"
    assert tasks["media_invitation"].title == "媒体邀约"
    assert tasks["media_invitation"].offset_minutes == -14 * DAY
    assert tasks["media_invitation"].group.code == "publicity"
    assert all(not t.pinned for t in tasks.values())
    assert svc.tasks_from_template(prep_event, organiser) == 0
    assert Task.objects.filter(event=prep_event).count() == created


def test_moving_the_event_moves_relative_deadlines_not_pinned_ones(prep_event, organiser):
    # REQ: TM-1 — moving the event moves every relative deadline; a pinned task keeps its date
    svc.tasks_from_template(prep_event, organiser)
    pinned = Task.objects.get(event=prep_event, template_code="collaboration_letter")
    fixed = dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI)
    svc.task_update(
        actor=organiser, event=prep_event, task_id=pinned.pk, seen=pinned.revision, pinned=True, due_at=fixed
    )
    # The approved plan holds the date: the event is sent back to 方案设计 to move it.
    move(prep_event, Step.PLAN)
    new_start = prep_event.starts_at + dt.timedelta(days=5)
    event_update(
        actor=organiser,
        event=prep_event,
        revision=prep_event.revision,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=4),
    )
    meeting = Task.objects.get(event=prep_event, template_code="execution_meeting")
    assert meeting.due_at == new_start - dt.timedelta(days=3)
    assert Task.objects.get(
        event=prep_event, template_code="owners_on_site"
    ).due_at == new_start - dt.timedelta(minutes=30)
    pinned.refresh_from_db()
    assert pinned.due_at == fixed and pinned.pinned


def test_a_task_is_added_relative_or_pinned(prep_event, organiser):
    # REQ: TM-1
    task = svc.task_add(actor=organiser, event=prep_event, title="场地踩点", offset_minutes=-10 * DAY)
    assert task.due_at == prep_event.starts_at - dt.timedelta(days=10) and not task.pinned
    moment = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
    pinned = svc.task_add(actor=organiser, event=prep_event, title="合同盖章", due_at=moment, pinned=True)
    assert pinned.due_at == moment and pinned.pinned
    # Unpinning makes it relative again, at the offset it is at.
    pinned = svc.task_update(actor=organiser, event=prep_event, task_id=pinned.pk, seen=1, pinned=False)
    assert pinned.offset_minutes == int((moment - prep_event.starts_at).total_seconds() // 60)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "任务"}, "offset_minutes"),  # no deadline at all
        ({"title": "任务", "pinned": True}, "due_at"),
        ({"title": "任务", "offset_minutes": 10 * DAY}, "offset_minutes"),  # after the event
        ({"title": "任务", "offset_minutes": -400 * DAY}, "offset_minutes"),
        ({"title": "任务", "offset_minutes": "-7d"}, "offset_minutes"),
        ({"title": "任务", "offset_minutes": -DAY, "status": "finished"}, "status"),
        ({"title": "任务", "offset_minutes": -DAY, "group": 999_999}, "group"),
        (
            {"title": "任务", "pinned": True, "due_at": dt.datetime(2027, 4, 1, 9, 0, tzinfo=SHANGHAI)},
            "due_at",
        ),
        (
            {"title": "任务", "pinned": True, "due_at": dt.datetime(2001, 1, 1, 9, 0, tzinfo=SHANGHAI)},
            "due_at",
        ),
    ],
)
def test_a_bad_task_is_refused_naming_the_field(prep_event, organiser, fields, field):
    # REQ: TM-1
    with pytest.raises(DomainError) as exc:
        svc.task_add(actor=organiser, event=prep_event, **fields)
    assert field in exc.value.errors
    assert not Task.objects.exists()


def test_stale_and_missing_revisions_are_refused(prep_event, organiser):
    # REQ: TM-1
    task = svc.task_add(actor=organiser, event=prep_event, title="场地踩点", offset_minutes=-DAY)
    svc.task_update(actor=organiser, event=prep_event, task_id=task.pk, seen=1, note="带卷尺")
    with pytest.raises(Stale):
        svc.task_update(actor=organiser, event=prep_event, task_id=task.pk, seen=1, title="x")
    with pytest.raises(PreconditionRequired):
        svc.task_remove(actor=organiser, event=prep_event, task_id=task.pk, seen=None)
    with pytest.raises(DomainError):
        svc.task_update(actor=organiser, event=prep_event, task_id=task.pk, seen=2, owner=organiser)
    svc.task_remove(actor=organiser, event=prep_event, task_id=task.pk, seen=2)
    assert not Task.objects.exists()


# ---------------------------------------------------------------- RACI
def test_raci_is_set_as_a_whole(prep_event, organiser, staff, engineer):
    # REQ: TM-1 — exactly one A, at least one R; C and I optional
    task = svc.task_add(actor=organiser, event=prep_event, title="媒体邀约", offset_minutes=-14 * DAY)
    svc.task_raci_set(
        task, {organiser.pk: "A", staff.pk: "r", engineer.pk: "C"}, actor=organiser, seen=task.revision
    )
    assert svc.raci_of(Task.objects.get(pk=task.pk)) == {organiser.pk: "A", staff.pk: "R", engineer.pk: "C"}
    task.refresh_from_db()
    svc.task_raci_set(task, {organiser.pk: "A", engineer.pk: "R"}, actor=organiser, seen=task.revision)
    assert svc.raci_of(Task.objects.get(pk=task.pk)) == {organiser.pk: "A", engineer.pk: "R"}


@pytest.mark.parametrize(
    ("letters", "reason"),
    [
        (lambda o, s, e: {o: "A", s: "A", e: "R"}, "只能有一个"),
        (lambda o, s, e: {s: "R", e: "C"}, "没有 A"),
        (lambda o, s, e: {o: "A", e: "C"}, "没有 R"),
        (lambda o, s, e: {o: "A", s: "R", e: "X"}, "只能是 R(执行)"),
        (lambda o, s, e: {o: "A", s: "R", 999_999: "I"}, "不存在"),
        (lambda o, s, e: {o: "A", s: "R", "abc": "I"}, "无效"),
        (lambda o, s, e: {o: "A", str(o): "R"}, "只能有一个字母"),
        (lambda o, s, e: {}, "没有 A"),
        (lambda o, s, e: ["A", "R"], "对应表"),
    ],
)
def test_a_bad_raci_is_refused_with_the_reason_and_nothing_written(
    prep_event, organiser, staff, engineer, letters, reason
):
    # REQ: TM-1 — anything but one A and at least one R is refused, nothing half-written
    task = task_with_raci(prep_event, "物料设计", {organiser: "A", staff: "R"})
    with pytest.raises(DomainError) as exc:
        svc.task_raci_set(task, letters(organiser.pk, staff.pk, engineer.pk), actor=organiser, seen=1)
    assert reason in " ".join(str(m) for m in exc.value.errors["raci"])
    assert svc.raci_of(Task.objects.get(pk=task.pk)) == {organiser.pk: "A", staff.pk: "R"}
    assert Task.objects.get(pk=task.pk).revision == 1


def test_an_inactive_person_cannot_be_assigned(prep_event, organiser, engineer):
    # REQ: TM-1
    task = task_with_raci(prep_event, "网络", {organiser: "A", engineer: "R"})
    engineer.is_active = False
    engineer.save()
    with pytest.raises(DomainError) as exc:
        svc.task_raci_set(task, {organiser.pk: "A", engineer.pk: "R"}, actor=organiser, seen=1)
    assert "已停用" in str(exc.value.errors["raci"][0])


def test_raci_needs_an_editor_and_the_revision(prep_event, organiser, staff):
    # REQ: TM-1
    task = task_with_raci(prep_event, "物料设计", {organiser: "A", staff: "R"})
    with pytest.raises(NotAllowed):
        svc.task_raci_set(task, {staff.pk: "A", organiser.pk: "R"}, actor=staff, seen=1)
    with pytest.raises(PreconditionRequired):
        svc.task_raci_set(task, {staff.pk: "A", organiser.pk: "R"}, actor=organiser)
    svc.task_raci_set(task, {staff.pk: "A", organiser.pk: "R"}, actor=organiser, seen=1)
    with pytest.raises(Stale):
        svc.task_raci_set(task, {organiser.pk: "A", staff.pk: "R"}, actor=organiser, seen=1)
    assert TaskAssignment.objects.get(task=task, role="A").person == staff


# ---------------------------------------------------------------- status, 我的任务
def test_r_and_a_people_mark_their_own_task_done(prep_event, organiser, staff, engineer):
    # REQ: TM-1 — a team member marks their task done; others may not
    task = task_with_raci(prep_event, "海报设计", {organiser: "A", staff: "R", engineer: "I"})
    with pytest.raises(NotAllowed):
        svc.task_status_set(actor=engineer, event=prep_event, task_id=task.pk, status="done", seen=1)
    done = svc.task_status_set(actor=staff, event=prep_event, task_id=task.pk, status="done", seen=1)
    assert done.status == "done" and done.completed_at is not None
    with pytest.raises(DomainError) as exc:
        svc.task_status_set(actor=staff, event=prep_event, task_id=task.pk, status="over", seen=2)
    assert "status" in exc.value.errors
    reopened = svc.task_status_set(actor=organiser, event=prep_event, task_id=task.pk, status="doing", seen=2)
    assert reopened.completed_at is None


def test_my_tasks_are_open_r_or_a_tasks_across_events_overdue_first(prep_event, organiser, staff):
    # REQ: TM-1
    from huodong.planning.tests.conftest import make_event

    later = make_event(
        organiser, step=Step.RESOURCES, name="第二场", starts=prep_event.starts_at + dt.timedelta(days=30)
    )
    overdue = task_with_raci(prep_event, "已逾期", {organiser: "A", staff: "R"}, offset_minutes=-400 * DAY)
    soon = task_with_raci(later, "下一场", {organiser: "A", staff: "R"})
    task_with_raci(prep_event, "只知会", {organiser: "A", staff: "I"})
    task_with_raci(prep_event, "已完成", {organiser: "A", staff: "R"}, status="done")
    member_add(actor=organiser, event=prep_event, person=staff)
    assert list(my_tasks(staff)) == [overdue, soon]
    assert overdue.is_overdue()
