"""The technician's 15-minute clock of an equipment incident (EX-5): it starts with the report, a
technician's arrival stops it, and when it runs out the worker escalates to the supervisor (the stage
manager and the event owner in-app, the event's robot through the outbox) exactly once. The clock is moved
with time-machine and the worker turned with ``step()``; nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huodong.core.errors import DomainError
from huodong.core.models import Notification
from huodong.onsite.incidents import selectors
from huodong.onsite.incidents.models import TECHNICIAN_SLA, Incident, IncidentAction
from huodong.onsite.incidents.services import incidents as services
from huodong.onsite.incidents.services.sla import ESCALATION_KIND, incident_escalate, incident_sla_sweep
from huodong.outreach.models import Message
from huodong.outreach.tests.test_delivery_fixtures import deliverer, start_http

from .support import show_event, stage_manager

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def robot_stub():  # noqa: ANN201
    """A local HTTP server standing in for the 企业微信 robot (``HUODONG_WECOM_BASE_URL``)."""
    stub = start_http()
    yield stub
    stub.stop()


@pytest.fixture
def event(organiser, marketing_mgr, checkin_staff):
    return show_event(organiser, [marketing_mgr, checkin_staff])


@pytest.fixture
def equipment(event, checkin_staff):
    with time_machine.travel(START, tick=False):
        return services.incident_report(
            actor=checkin_staff, event=event, category="equipment", title="音响啸叫"
        )


@pytest.fixture
def worker(monkeypatch, settings, robot_stub):
    from huodong.outreach import worker as worker_module
    from huodong.outreach.worker import HuodongWorker

    settings.HUODONG_WECOM_BASE_URL = robot_stub.base
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    return HuodongWorker(worker_id="sla", once=True, deliverer=deliverer("sla"))


def test_the_sla_is_fifteen_minutes():
    # REQ: EX-5
    assert dt.timedelta(minutes=15) == TECHNICIAN_SLA


def test_an_equipment_incident_starts_the_technicians_clock(equipment, event, organiser):
    # REQ: EX-5
    assert equipment.sla_due_at == START + TECHNICIAN_SLA
    assert selectors.sla_state(equipment, START + dt.timedelta(minutes=14)) == "running"
    other = services.incident_report(actor=organiser, event=event, category="personnel", title="礼仪缺人")
    assert other.sla_due_at is None and selectors.sla_state(other) is None


def test_when_the_clock_runs_out_the_worker_escalates_to_the_supervisor_once(
    equipment, event, organiser, worker, robot_stub
):
    # REQ: EX-5
    with time_machine.travel(START + dt.timedelta(minutes=14, seconds=59), tick=False):
        worker.step()
    equipment.refresh_from_db()
    assert equipment.escalated_at is None
    assert not Notification.objects.filter(kind=ESCALATION_KIND).exists()
    with time_machine.travel(START + dt.timedelta(minutes=15, seconds=1), tick=False):
        worker.step()
        worker.step()
    with time_machine.travel(START + dt.timedelta(minutes=40), tick=False):
        worker.step()
    equipment.refresh_from_db()
    assert equipment.escalated_at == START + dt.timedelta(minutes=15, seconds=1)
    told = Notification.objects.filter(kind=ESCALATION_KIND)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [organiser.username, "stage_mgr"]
    )
    assert all("音响啸叫" in n.message and "15" in n.message for n in told)
    robot = Message.objects.get(event=event, channel="robot")
    assert robot.status == Message.Status.SENT and "音响啸叫" in robot.body
    assert len(robot_stub.requests) == 1 and "音响啸叫" in robot_stub.requests[0].body["markdown"]["content"]
    assert equipment.actions.filter(kind=IncidentAction.Kind.ESCALATION).count() == 1
    assert selectors.open_incidents(event.pk)[0]["escalated"] is True


def test_a_technician_on_site_in_time_stops_the_clock(equipment, event, marketing_mgr, worker):
    # REQ: EX-5
    with time_machine.travel(START + dt.timedelta(minutes=9), tick=False):
        done = services.incident_arrive(actor=marketing_mgr, event=event, incident_id=equipment.pk)
    assert done.technician == marketing_mgr and done.technician_arrived_at == START + dt.timedelta(minutes=9)
    assert selectors.sla_state(done, START + dt.timedelta(hours=1)) == "met"
    assert selectors.minutes_to_respond(done) == 9.0
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        worker.step()
    done.refresh_from_db()
    assert done.escalated_at is None and not Notification.objects.filter(kind=ESCALATION_KIND).exists()
    assert selectors.incident_stats(event.pk)["sla_met"] == 1


def test_a_late_technician_is_a_breach(equipment, event, marketing_mgr):
    # REQ: EX-5
    with time_machine.travel(START + dt.timedelta(minutes=20), tick=False):
        done = services.incident_arrive(actor=marketing_mgr, event=event, incident_id=equipment.pk)
    assert selectors.sla_state(done) == "breached"
    assert "已超过 15 分钟" in done.actions.get(kind="arrival").text
    assert selectors.incident_stats(event.pk)["sla_breached"] == 1


def test_arrival_is_recorded_once_and_only_for_equipment(
    equipment, event, organiser, marketing_mgr, reviewer_sales
):
    services.incident_arrive(
        actor=organiser, event=event, incident_id=equipment.pk, technician=marketing_mgr.pk
    )
    with pytest.raises(DomainError) as caught:
        services.incident_arrive(actor=organiser, event=event, incident_id=equipment.pk)
    assert caught.value.code == "already_arrived"
    other = services.incident_report(actor=organiser, event=event, category="safety", title="地滑")
    with pytest.raises(DomainError):
        services.incident_arrive(actor=organiser, event=event, incident_id=other.pk)
    third = services.incident_report(actor=organiser, event=event, category="equipment", title="灯光")
    with pytest.raises(DomainError) as caught:
        services.incident_arrive(
            actor=organiser, event=event, incident_id=third.pk, technician=reviewer_sales.pk
        )
    assert "technician" in caught.value.errors


def test_a_resolved_incident_is_not_escalated(equipment, event, organiser):
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        services.incident_move(
            actor=organiser,
            event=event,
            incident_id=equipment.pk,
            seen=1,
            move="resolve",
            resolution="重启好了",
        )
    assert incident_sla_sweep(START + dt.timedelta(hours=1)) == 0
    assert selectors.sla_state(Incident.objects.get(pk=equipment.pk)) == "met"


def test_two_sweeps_at_once_escalate_once(equipment):
    # REQ: EX-5
    later = START + dt.timedelta(minutes=16)
    assert incident_escalate(incident_id=equipment.pk, now=later) is True
    assert incident_escalate(incident_id=equipment.pk, now=later) is False
    assert incident_sla_sweep(later) == 0
    assert Notification.objects.filter(kind=ESCALATION_KIND).count() == 2  # the stage manager and the owner
    assert stage_manager().pk in Notification.objects.filter(kind=ESCALATION_KIND).values_list(
        "recipient", flat=True
    )


def test_the_sweep_is_one_query_when_nothing_is_due(db):
    with CaptureQueriesContext(connection) as queries:
        assert incident_sla_sweep() == 0
    assert len(queries) == 1
