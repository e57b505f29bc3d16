"""The readiness page and ``GET /api/events/{id}/readiness`` (issue 8, point 8): the three gates and
every open point, for the team and for the executive in charge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huodong.core.services import token_create
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.preparation.models import MaterialItem, ResourceRequest, Task, TeamMember
from tests.factories import login

from .test_readiness import prepared_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(organiser, marketing_mgr):
    return prepared_event(organiser, marketing_mgr)


def page_url(event_id: int) -> str:
    return reverse("preparation:readiness", kwargs={"event_id": event_id})


def test_the_page_is_under_the_events_preparation_path_and_a_tab(as_organiser, prepared):
    # REQ: TM-1
    event = prepared.event
    assert page_url(event.pk) == f"/events/{event.pk}/preparation/"
    html = as_organiser.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert f'href="{page_url(event.pk)}"' in html and "准备就绪" in html


def test_the_page_shows_every_gate_met_for_a_prepared_event(as_organiser, prepared):
    # REQ: TM-1
    # REQ: MT-1
    # REQ: TR-1
    response = as_organiser.get(page_url(prepared.event.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for step, label in (("resources", "资源协调"), ("materials", "物料筹备"), ("training", "人员培训")):
        assert f'data-testid="gate-{step}" data-met="true"' in html
        assert label in html
    assert 'data-testid="ready"' in html and 'data-testid="no-open-points"' in html
    assert f'href="{page_url(prepared.event.pk)}" aria-current="page"' in html


def test_the_page_lists_unmet_criteria_and_warnings_as_open_points(as_organiser, prepared):
    # REQ: TM-1
    # REQ: IR-1
    # REQ: MT-1
    event = prepared.event
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=False)
    ResourceRequest.objects.filter(pk=prepared.request.pk).update(status=ResourceRequest.Status.DECLINED)
    # A task already late today (the event is in 2027; the task was due yesterday).
    Task.objects.create(
        event=event, title="确认主持人", due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    html = as_organiser.get(page_url(event.pk)).content.decode()
    assert 'data-testid="gate-resources" data-met="false"' in html
    assert 'data-testid="gate-materials" data-met="true"' in html
    assert 'data-code="preparation.team_leader" data-severity="bad"' in html
    assert 'data-code="preparation.internal_resources" data-severity="bad"' in html
    assert 'data-code="task_overdue" data-severity="warn"' in html
    assert "任务「确认主持人」已逾期" in html
    assert "已被拒绝" in html and "技术部" in html
    assert 'data-testid="not-ready"' in html


def test_the_executive_in_charge_and_a_team_member_can_read_it(client, prepared, approver_exec):
    # REQ: TM-1
    event = prepared.event
    for user in (approver_exec, prepared.people["member"]):
        login(client, user)
        response = client.get(page_url(event.pk))
        assert response.status_code == 200
        assert "资源协调" in response.content.decode()
        # Reading it offers no move: only those who may move the event are sent to the overview to do so.
        assert "去活动概览推进" not in response.content.decode()


def test_the_organiser_is_sent_to_the_overview_to_move_the_event(as_organiser, prepared):
    # REQ: TM-1
    assert "去活动概览推进" in as_organiser.get(page_url(prepared.event.pk)).content.decode()


def test_the_page_needs_sign_in_and_an_existing_event(client, as_organiser, prepared):
    # REQ: TM-1
    assert as_organiser.get(page_url(999999)).status_code == 404
    client.logout()
    response = client.get(page_url(prepared.event.pk))
    assert response.status_code == 302 and reverse("core:login") in response["Location"]


def test_the_page_of_an_event_still_in_planning_shows_the_gates_ahead(as_organiser, organiser):
    # REQ: TM-1
    from huodong.planning.tests.conftest import build_plan_event

    event = build_plan_event(organiser, name="尚在策划的活动")
    html = as_organiser.get(page_url(event.pk)).content.decode()
    assert 'data-testid="gate-resources" data-met="false"' in html
    assert "去活动概览推进" not in html  # none of these gates is at stake yet


def test_the_page_fits_a_phone_no_table_wider_than_the_screen(as_organiser, prepared):
    # REQ: TM-1
    html = as_organiser.get(page_url(prepared.event.pk)).content.decode()
    assert "<table" not in html  # lists and cards only: nothing to scroll sideways at 390 px


# ---------------------------------------------------------------- API
def api_url(event_id: int | str) -> str:
    return f"/api/events/{event_id}/readiness"


def test_api_returns_the_gates_and_open_points(client, organiser, prepared):
    # REQ: TM-1
    # REQ: MT-1
    event = prepared.event
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ORDERED)
    _token, secret = token_create(user=organiser)
    response = client.get(api_url(event.pk), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["event_id"] == event.pk and body["step"] == "resources" and body["ready"] is False
    assert [(g["step"], g["label"], g["state"], g["met"]) for g in body["gates"]] == [
        ("resources", "资源协调", "current", True),
        ("materials", "物料筹备", "upcoming", False),
        ("training", "人员培训", "upcoming", True),
    ]
    materials = {c["code"]: c for c in body["gates"][1]["criteria"]}
    assert materials["preparation.materials_listed"] == {
        "code": "preparation.materials_listed",
        "label": "已编制《活动物料明细表》(MT-1)",
        "met": True,
        "detail": "",
        "url": "",
    }
    assert materials["preparation.materials_accepted"]["met"] is False
    assert "「易拉宝」" in materials["preparation.materials_accepted"]["detail"]
    assert [(p["code"], p["severity"], p["step"]) for p in body["open_points"]] == [
        ("preparation.materials_accepted", "bad", "materials")
    ]


def test_api_answers_the_same_as_the_gate_after_the_event_moved(as_organiser, prepared):
    # REQ: TM-1
    event = prepared.event
    Event.objects.filter(pk=event.pk).update(step=Step.TRAINING)
    body = as_organiser.get(api_url(event.pk)).json()
    assert [g["state"] for g in body["gates"]] == ["passed", "passed", "current"]
    assert body["ready"] is True and body["open_points"] == []


def test_api_for_the_executive_in_charge(client, prepared, approver_exec):
    # REQ: TM-1
    login(client, approver_exec)
    assert client.get(api_url(prepared.event.pk)).status_code == 200


@pytest.mark.parametrize(
    ("event_id", "status"),
    [("999999", 404), ("0", 400), ("abc", 400), ("99999999999", 400)],
)
def test_api_refuses_an_unknown_or_malformed_event_id(as_organiser, event_id, status):
    # REQ: TM-1
    response = as_organiser.get(api_url(event_id))
    assert response.status_code == status
    body = response.json()
    assert body["message"]
    if status == 400:
        assert list(body["errors"]) == ["event_id"]
    else:
        assert "活动不存在" in body["message"]


def test_api_needs_authentication(client, prepared):
    # REQ: TM-1
    response = client.get(api_url(prepared.event.pk))
    assert response.status_code == 401


def test_each_open_point_links_to_the_page_that_fixes_it(as_organiser, prepared):
    # REQ: TM-1
    # REQ: IR-1
    from huodong.preparation.models import Raci, TaskAssignment

    event = prepared.event
    TaskAssignment.objects.filter(task=prepared.task, role=Raci.ACCOUNTABLE).delete()
    ResourceRequest.objects.filter(pk=prepared.request.pk).update(status=ResourceRequest.Status.PENDING)
    body = as_organiser.get(api_url(event.pk)).json()
    links = {p["code"]: p["url"] for p in body["open_points"]}
    assert links == {
        "preparation.raci": reverse("preparation:raci", kwargs={"event_id": event.pk}),
        "preparation.internal_resources": reverse("preparation:resources", kwargs={"event_id": event.pk}),
    }
    html = as_organiser.get(page_url(event.pk)).content.decode()
    assert f'href="{links["preparation.raci"]}"' in html
