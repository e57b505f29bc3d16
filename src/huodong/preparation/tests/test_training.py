"""Trainings (TR-1): the execution meeting at T-3 days, special trainings, held and attendance, the gate.

The services: a training after the event starts, a bad kind or duration are refused naming the field and
nothing is written; the meeting is created on demand at T-3 days, once per event, drafted from the team's
duties and the plan's risks, the team expected; attendance is recorded for every expected person after the
meeting is held; a stale change is a 409; the gate of 人员培训 wants the meeting held and attendance recorded.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.events.steps import Step
from huodong.planning.models import Plan, Risk
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import TeamMember, Training, TrainingAttendance
from huodong.preparation.selectors import readiness
from huodong.preparation.services.training import (
    attendance_record,
    meeting_create,
    training_add,
    training_held,
    training_remove,
    training_update,
)
from tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep_event(organiser, marketing_mgr):
    """A launch at 人员培训 (2027-03-18 13:30 Shanghai) with a team of two and one risk."""
    event = make_event(organiser, step=Step.TRAINING)
    TeamMember.objects.create(event=event, person=organiser, is_leader=True, duties="统筹全场")
    TeamMember.objects.create(event=event, person=marketing_mgr, duties="嘉宾接待")
    plan = Plan.objects.create(event=event)
    Risk.objects.create(plan=plan, risk="投影设备故障", response="切换备用投影仪")
    return event


def _gate(event):
    return {c.code: c.met for c in readiness(event).criteria(Step.TRAINING)}


def _special(event, actor, **overrides):
    data = {
        "kind": "etiquette",
        "starts_at": event.starts_at - dt.timedelta(days=1),
        "duration_minutes": 90,
        "location": "3 号会议室",
    }
    data.update(overrides)
    return training_add(actor=actor, event=event, **data)


# ---------------------------------------------------------------- the execution meeting
def test_the_meeting_defaults_to_t_minus_3_days(prep_event, organiser, marketing_mgr):
    # REQ: TR-1
    meeting = meeting_create(actor=organiser, event=prep_event)
    assert meeting.kind == Training.Kind.EXECUTION_MEETING and meeting.title == "执行会议"
    assert meeting.starts_at == prep_event.starts_at - dt.timedelta(days=3)
    assert (
        timezone.localtime(meeting.starts_at, prep_event.tz).strftime("%Y-%m-%d %H:%M") == "2027-03-15 13:30"
    )
    assert "各岗位职责说明" in meeting.agenda
    assert "统筹全场" in meeting.roles_covered and "嘉宾接待" in meeting.roles_covered
    assert "投影设备故障:切换备用投影仪" in meeting.scripts_covered
    expected = set(meeting.attendance.values_list("person_id", flat=True))
    assert expected == {organiser.pk, marketing_mgr.pk}
    assert AuditEntry.objects.filter(action="preparation.training.add", event_id=prep_event.pk).exists()


def test_the_meeting_may_be_set_to_another_time_and_only_once(prep_event, organiser):
    # REQ: TR-1
    at = prep_event.starts_at - dt.timedelta(days=2)
    meeting = meeting_create(actor=organiser, event=prep_event, starts_at=at)
    assert meeting.starts_at == at
    with pytest.raises(DomainError) as exc:
        meeting_create(actor=organiser, event=prep_event)
    assert "kind" in exc.value.errors
    with pytest.raises(DomainError):
        _special(prep_event, organiser, kind="execution_meeting")
    assert Training.objects.filter(event=prep_event).count() == 1


def test_a_meeting_after_the_event_is_refused(prep_event, organiser):
    # REQ: TR-1
    with pytest.raises(DomainError) as exc:
        meeting_create(actor=organiser, event=prep_event, starts_at=prep_event.ends_at + dt.timedelta(days=1))
    assert "须早于活动开始(2027-03-18 13:30)" in str(exc.value.errors["starts_at"][0])
    assert not Training.objects.exists()


# ---------------------------------------------------------------- special trainings
def test_a_special_training_expects_the_team_plus_anyone_added(
    prep_event, organiser, marketing_mgr, reviewer_sales
):
    # REQ: TR-1
    host = _special(prep_event, organiser, kind="host", trainer=marketing_mgr)
    assert host.title == "主持人培训" and host.trainer == marketing_mgr
    assert host.attendance.count() == 2
    training_update(
        actor=organiser,
        event=prep_event,
        training_id=host.pk,
        seen=host.revision,
        attendees=[organiser, marketing_mgr, reviewer_sales],
    )
    host.refresh_from_db()
    assert host.attendance.count() == 3 and host.revision == 2
    guide = _special(prep_event, organiser, kind="guide", title="展区讲解员培训", attendees=[reviewer_sales])
    assert list(guide.attendance.values_list("person_id", flat=True)) == [reviewer_sales.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "明天"}, "starts_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"title": "长" * 201}, "title"),
        ({"location": "一\n二"}, "location"),
        ({"agenda": "a\x00b"}, "agenda"),
    ],
)
def test_a_bad_training_is_refused_naming_the_field(prep_event, organiser, overrides, field):
    # REQ: TR-1
    with pytest.raises(DomainError) as exc:
        _special(prep_event, organiser, **overrides)
    assert field in exc.value.errors
    assert not Training.objects.exists()


def test_a_training_after_the_event_is_refused(prep_event, organiser):
    # REQ: TR-1
    with pytest.raises(DomainError) as exc:
        _special(prep_event, organiser, starts_at=prep_event.ends_at + dt.timedelta(hours=1))
    assert "须早于活动开始" in str(exc.value.errors["starts_at"][0])


def test_an_inactive_trainer_or_attendee_is_refused(prep_event, organiser):
    gone = person("gone", Role.STAFF, "marketing")
    gone.is_active = False
    gone.save()
    with pytest.raises(DomainError) as exc:
        _special(prep_event, organiser, trainer=gone, attendees=[gone])
    assert set(exc.value.errors) == {"trainer", "attendees"}


def test_changes_need_the_revision_seen(prep_event, organiser):
    t = _special(prep_event, organiser)
    training_update(actor=organiser, event=prep_event, training_id=t.pk, seen=t.revision, location="报告厅")
    with pytest.raises(Stale):
        training_update(actor=organiser, event=prep_event, training_id=t.pk, seen=t.revision, location="旧")
    with pytest.raises(PreconditionRequired):
        training_update(actor=organiser, event=prep_event, training_id=t.pk, seen=None, location="无")
    with pytest.raises(DomainError) as exc:
        training_update(actor=organiser, event=prep_event, training_id=t.pk, seen=2, duration_minutes=-5)
    assert "duration_minutes" in exc.value.errors
    t.refresh_from_db()
    assert (t.location, t.duration_minutes, t.revision) == ("报告厅", 90, 2)
    with pytest.raises(Stale):
        training_remove(actor=organiser, event=prep_event, training_id=t.pk, seen=1)
    training_remove(actor=organiser, event=prep_event, training_id=t.pk, seen=2)
    assert not Training.objects.exists()


def test_people_who_may_not_edit_cannot_add(prep_event, reviewer_sales):
    with pytest.raises(NotAllowed):
        _special(prep_event, reviewer_sales)


# ---------------------------------------------------------------- held and attendance
def test_held_then_attendance_recorded_opens_the_gate(prep_event, organiser, marketing_mgr, reviewer_sales):
    # REQ: TR-1
    assert _gate(prep_event) == {"preparation.meeting_held": False, "preparation.meeting_attendance": False}
    m = meeting_create(actor=organiser, event=prep_event)
    held = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(DomainError):  # attendance before it was held
        attendance_record(actor=organiser, event=prep_event, training_id=m.pk, seen=m.revision, rows=[])
    training_held(
        actor=organiser, event=prep_event, training_id=m.pk, seen=m.revision, held_at=held, minutes="明确分工"
    )
    m.refresh_from_db()
    assert m.held_at == held and m.minutes == "明确分工"
    assert _gate(prep_event) == {"preparation.meeting_held": True, "preparation.meeting_attendance": False}
    attendance_record(
        actor=organiser,
        event=prep_event,
        training_id=m.pk,
        seen=m.revision,
        rows=[
            {"person": organiser, "attended": True},
            {"person": marketing_mgr, "attended": False, "note": "出差"},
            {"person": reviewer_sales, "attended": True, "note": "列席"},  # came without being expected
        ],
    )
    m.refresh_from_db()
    assert m.attendance_recorded_at is not None
    marks = {a.person_id: (a.attended, a.note) for a in TrainingAttendance.objects.filter(training=m)}
    assert marks == {
        organiser.pk: (True, ""),
        marketing_mgr.pk: (False, "出差"),
        reviewer_sales.pk: (True, "列席"),
    }
    assert all(_gate(prep_event).values())


def test_every_expected_person_must_be_marked(prep_event, organiser, marketing_mgr):
    # REQ: TR-1
    m = meeting_create(actor=organiser, event=prep_event)
    training_held(
        actor=organiser,
        event=prep_event,
        training_id=m.pk,
        seen=m.revision,
        held_at=timezone.now(),
        minutes="纪要",
    )
    m.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        attendance_record(
            actor=organiser,
            event=prep_event,
            training_id=m.pk,
            seen=m.revision,
            rows=[{"person": organiser, "attended": True}, {"person": marketing_mgr, "attended": None}],
        )
    assert "陈经理" in str(exc.value.errors["attendance"])
    m.refresh_from_db()
    assert m.attendance_recorded_at is None
    assert not TrainingAttendance.objects.filter(training=m, attended__isnull=False).exists()
    with pytest.raises(Stale):
        attendance_record(actor=organiser, event=prep_event, training_id=m.pk, seen=1, rows=[])


def test_held_needs_a_time_not_in_the_future_and_the_meetings_minutes(prep_event, organiser):
    # REQ: TR-1
    m = meeting_create(actor=organiser, event=prep_event)
    with pytest.raises(DomainError) as exc:
        training_held(
            actor=organiser,
            event=prep_event,
            training_id=m.pk,
            seen=m.revision,
            held_at=timezone.now() + dt.timedelta(days=1),
            minutes="",
        )
    assert set(exc.value.errors) == {"held_at", "minutes"}
    with pytest.raises(DomainError) as exc:
        training_held(
            actor=organiser, event=prep_event, training_id=m.pk, seen=m.revision, held_at=None, minutes="x"
        )
    assert "held_at" in exc.value.errors
    special = _special(prep_event, organiser)
    training_held(  # a special training's minutes are optional
        actor=organiser,
        event=prep_event,
        training_id=special.pk,
        seen=special.revision,
        held_at=timezone.now(),
    )
    m.refresh_from_db()
    assert m.held_at is None


def test_training_is_refused_before_the_plan_is_approved(organiser):
    event = make_event(organiser, step=Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        meeting_create(actor=organiser, event=event)
    assert exc.value.code == "wrong_step"
