"""Staff themselves check in (issue 10 point 2; EX-3): a segment owner is due 30 minutes before their first
segment; a late arrival alerts the stage manager at once, and the worker's sweep alerts for an owner not on
site by then — once per owner and event."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from huodong.checkin.models import LateAlert, StaffArrival
from huodong.checkin.services import arrivals as services
from huodong.checkin.services import setup as setup_services
from huodong.checkin.services.redeem import settings_for
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import Notification
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import Plan, RunOfShowSegment
from tests.factories import login

from .support import door_event, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser, marketing_mgr, checkin_staff):
    """Doors open; the plan's first segment (owned by marketing_mgr) starts with the event, in an hour; the
    checkin_staff owns a segment two hours later."""
    ev = door_event(organiser, 1)
    ev.team_members.add(marketing_mgr)
    plan = Plan.objects.create(event=ev)
    RunOfShowSegment.objects.create(
        plan=plan, position=1, title="开场", starts_at=ev.starts_at, duration_minutes=30, owner=marketing_mgr
    )
    RunOfShowSegment.objects.create(
        plan=plan,
        position=2,
        title="产品演示",
        starts_at=ev.starts_at + dt.timedelta(hours=2),
        duration_minutes=30,
        owner=checkin_staff,
    )
    RunOfShowSegment.objects.create(
        plan=plan,
        position=3,
        title="答疑",
        starts_at=ev.starts_at + dt.timedelta(hours=3),
        duration_minutes=30,
        owner=marketing_mgr,
    )
    return ev


def test_an_owner_is_due_30_minutes_before_their_first_segment(event, marketing_mgr, checkin_staff):
    # REQ: EX-3
    dues = services.owner_dues(event)
    assert dues[marketing_mgr.pk].at == event.starts_at - dt.timedelta(minutes=30)
    assert dues[marketing_mgr.pk].segment == "开场"
    assert dues[checkin_staff.pk].at == event.starts_at + dt.timedelta(minutes=90)


def test_an_owner_on_time_is_not_late_and_nobody_is_told(event, marketing_mgr):
    # REQ: EX-3
    row, new = services.arrival_record(actor=marketing_mgr, event=event)
    assert new and not row.late and row.due_at == event.starts_at - dt.timedelta(minutes=30)
    assert (
        not LateAlert.objects.exists() and not Notification.objects.filter(kind=services.LATE_KIND).exists()
    )


def test_a_late_owner_alerts_the_stage_manager_at_once_and_only_once(
    event, organiser, marketing_mgr, admin_user
):
    # REQ: EX-3
    conf = settings_for(event)
    setup_services.settings_update(actor=organiser, event=event, seen=conf.revision, stage_manager=admin_user)
    with time_machine.travel(event.starts_at - dt.timedelta(minutes=10), tick=False):
        row, new = services.arrival_record(actor=marketing_mgr, event=event)
        again, second = services.arrival_record(actor=marketing_mgr, event=event)
    assert new and row.late and not second and again.pk == row.pk
    assert LateAlert.objects.filter(event=event, person=marketing_mgr).count() == 1
    told = Notification.objects.get(kind=services.LATE_KIND)
    assert told.recipient == admin_user
    assert marketing_mgr.name in told.message and "晚于应到时间" in told.message
    assert told.message_key.startswith("「%(event)s」") and told.event_id == event.pk


def test_without_a_stage_manager_the_event_owner_is_told(event, organiser, marketing_mgr):
    # REQ: EX-3
    with time_machine.travel(event.starts_at, tick=False):
        services.arrival_record(actor=marketing_mgr, event=event)
    assert Notification.objects.get(kind=services.LATE_KIND).recipient == organiser


def test_the_sweep_alerts_for_owners_not_on_site_by_their_due_time_once(
    event, organiser, marketing_mgr, checkin_staff
):
    # REQ: EX-3
    before_due = event.starts_at - dt.timedelta(minutes=31)
    assert services.late_owner_sweep(before_due) == 0
    past_first = event.starts_at - dt.timedelta(minutes=29)
    assert services.late_owner_sweep(past_first) == 1  # marketing_mgr; checkin_staff not due yet
    assert services.late_owner_sweep(past_first) == 0
    alert = LateAlert.objects.get()
    assert alert.person == marketing_mgr and alert.due_at == event.starts_at - dt.timedelta(minutes=30)
    told = Notification.objects.get(kind=services.LATE_KIND)
    assert told.recipient == organiser and "尚未到场" in told.message
    # an owner who arrived is not swept; the arrival after the sweep raises no second alert
    with time_machine.travel(past_first, tick=False):
        services.arrival_record(actor=checkin_staff, event=event)
    assert services.late_owner_sweep(event.starts_at + dt.timedelta(hours=3)) == 0
    with time_machine.travel(past_first + dt.timedelta(minutes=5), tick=False):
        late, _new = services.arrival_record(actor=marketing_mgr, event=event)
    assert late.late and LateAlert.objects.count() == 1
    assert Notification.objects.filter(kind=services.LATE_KIND).count() == 1


def test_the_sweep_leaves_ended_events_and_events_not_on_the_day_alone(event):
    # REQ: EX-3
    assert services.late_owner_sweep(event.ends_at + dt.timedelta(minutes=1)) == 0
    Event.objects.filter(pk=event.pk).update(step=Step.PLAN)
    assert services.late_owner_sweep(event.starts_at) == 0
    assert not LateAlert.objects.exists()


def test_who_may_record_an_arrival(event, organiser, marketing_mgr, checkin_staff, outsider, reviewer_sales):
    # REQ: EX-3
    with pytest.raises(NotAllowed):
        services.arrival_record(actor=outsider, event=event)
    with pytest.raises(NotAllowed):  # not an editor: only oneself
        services.arrival_record(actor=checkin_staff, event=event, person=marketing_mgr.pk)
    with pytest.raises(DomainError) as refused:  # not one of the event's people
        services.arrival_record(actor=organiser, event=event, person=reviewer_sales.pk)
    assert "person" in refused.value.errors
    with pytest.raises(DomainError) as bad_gate:
        services.arrival_record(actor=organiser, event=event, gate_id=999999)
    assert "gate" in bad_gate.value.errors
    row, new = services.arrival_record(actor=organiser, event=event, person=checkin_staff.pk)
    assert new and row.person == checkin_staff and row.recorded_by == organiser
    Event.objects.filter(pk=event.pk).update(step=Step.DATA)
    with pytest.raises(DomainError) as wrong_step:
        services.arrival_record(actor=marketing_mgr, event=event)
    assert wrong_step.value.code == "wrong_step"


def test_gate_staff_who_own_no_segment_record_their_arrival_too(event, organiser, admin_user):
    # REQ: EX-3
    setup_services.staff_add(actor=organiser, event=event, people=[admin_user])
    row, _new = services.arrival_record(actor=admin_user, event=event)
    assert row.due_at is None and not row.late


def test_the_button_on_the_tab_and_the_roster(client, event, marketing_mgr, organiser):
    # REQ: EX-3
    login(client, marketing_mgr)
    url = reverse("checkin:arrival", kwargs={"event_id": event.pk})
    with time_machine.travel(event.starts_at - dt.timedelta(minutes=5), tick=False):
        assert client.post(url).status_code == 302
    assert StaffArrival.objects.get(person=marketing_mgr).late
    login(client, organiser)
    page = client.get(reverse("checkin:setup", kwargs={"event_id": event.pk})).content.decode()
    assert page.count('data-testid="roster-row"') == 3 and "迟到" in page
    refused = client.post(url, {"person": "999999"})
    assert refused.status_code == 302  # back to the tab with the message
    assert StaffArrival.objects.count() == 1


def test_the_arrival_api(client, event, marketing_mgr, organiser, outsider, checkin_staff):
    # REQ: EX-3
    url = f"/api/events/{event.pk}/checkin/arrivals"
    login(client, outsider)
    assert post(client, url, {}).status_code == 403
    login(client, checkin_staff)  # a segment owner, not on the team
    made = post(client, url, {})
    assert made.status_code == 201 and made.json()["person"]["id"] == checkin_staff.pk
    assert not made.json()["late"] and made.json()["due_at"] is not None
    assert post(client, url, {}).status_code == 200
    assert post(client, url, {"person_id": marketing_mgr.pk}).status_code == 403
    login(client, organiser)
    assert post(client, url, {"person_id": 999999}).status_code == 400
    assert post(client, url, {"person_id": "x"}).status_code in (400, 422)
    other = post(client, url, {"person_id": marketing_mgr.pk})
    assert other.status_code == 201 and other.json()["person"]["id"] == marketing_mgr.pk


def test_the_worker_sweeps_late_owners_once_a_minute(event, monkeypatch):
    # REQ: EX-3
    from huodong.outreach import worker as worker_module
    from huodong.outreach.tests.test_delivery_fixtures import deliverer
    from huodong.outreach.worker import HuodongWorker

    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    calls: list[int] = []
    real = services.late_owner_sweep

    def counted(now=None):  # noqa: ANN001, ANN202
        calls.append(1)
        return real(now)

    monkeypatch.setattr(services, "late_owner_sweep", counted)
    worker = HuodongWorker(worker_id="late", once=True, deliverer=deliverer("late"))
    with time_machine.travel(event.starts_at - dt.timedelta(minutes=20), tick=False):
        worker.step()
        worker.step()  # within the minute: not swept again
    assert len(calls) == 1
    assert LateAlert.objects.filter(event=event).count() == 1
    worker.late_swept_at -= 61
    with time_machine.travel(event.starts_at - dt.timedelta(minutes=19), tick=False):
        worker.step()
    assert len(calls) == 2 and LateAlert.objects.count() == 1
