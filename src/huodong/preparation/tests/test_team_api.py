"""API of the team (TM-1, TM-2), tasks and RACI (TM-1), 我的任务: valid and invalid for each operation."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from huodong.preparation.models import Task, TeamGroup, TeamMember
from tests.factories import login

from .test_team_fixtures import *  # noqa: F403  (the fixtures: prep_event, staff, engineer)
from .test_team_fixtures import task_with_raci

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(event, tail: str = "") -> str:
    return f"/api/events/{event.pk}{tail}"


def test_team_round_trip(client, prep_event, organiser, staff, engineer):
    # REQ: TM-1, TM-2
    login(client, organiser)
    resp = client.post(api(prep_event, "/team/defaults"))
    assert resp.status_code == 200 and [g["name"] for g in resp.json()["groups"]] == [
        "执行组",
        "宣传组",
        "后勤组",
    ]
    assert resp.json()["groups"][1]["name_en"] == "Publicity"
    resp = client.post(
        api(prep_event, "/team/groups"), {"name": "技术组", "duties": "网络"}, content_type=JSON
    )
    assert resp.status_code == 201 and resp["ETag"] == '"r1"'
    group = resp.json()
    resp = client.post(api(prep_event, "/team/groups"), {"name": ""}, content_type=JSON)
    assert resp.status_code == 400 and "name" in resp.json()["errors"]
    resp = client.patch(
        api(prep_event, f"/team/groups/{group['id']}"),
        {"duties": "网络与直播"},
        content_type=JSON,
        HTTP_IF_MATCH='"r1"',
    )
    assert resp.status_code == 200 and resp.json()["revision"] == 2
    resp = client.patch(
        api(prep_event, f"/team/groups/{group['id']}"), {"duties": "x", "revision": 1}, content_type=JSON
    )
    assert resp.status_code == 409 and resp.json()["current"]["duties"] == "网络与直播"
    resp = client.patch(api(prep_event, f"/team/groups/{group['id']}"), {"duties": "x"}, content_type=JSON)
    assert resp.status_code == 428

    resp = client.post(
        api(prep_event, "/team/members"),
        {"person": "engineer", "group_id": group["id"], "duties": "现场网络"},
        content_type=JSON,
    )
    assert resp.status_code == 201 and resp.json()["department"] == "tech"
    member = resp.json()
    resp = client.post(
        api(prep_event, "/team/members"), {"person": "staff", "is_leader": True}, content_type=JSON
    )
    assert resp.status_code == 400 and "TM-1" in resp.json()["errors"]["is_leader"][0]
    resp = client.post(api(prep_event, "/team/members"), {"person": "nobody"}, content_type=JSON)
    assert resp.status_code == 400 and "person" in resp.json()["errors"]
    # The owner is on the roster from the start (the event's planning team): named leader by an update.
    resp = client.post(
        api(prep_event, "/team/members"), {"person": "organiser", "is_leader": True}, content_type=JSON
    )
    assert resp.status_code == 400 and "已在团队中" in resp.json()["errors"]["person"][0]
    owner = TeamMember.objects.get(event=prep_event, person__username="organiser")
    resp = client.patch(
        api(prep_event, f"/team/members/{owner.pk}"),
        {"is_leader": True, "revision": owner.revision},
        content_type=JSON,
    )
    assert resp.status_code == 200
    assert client.get(api(prep_event, "/team")).json()["leader"] == "organiser"
    resp = client.patch(
        api(prep_event, f"/team/members/{member['id']}"), {"group_id": None, "revision": 1}, content_type=JSON
    )
    assert resp.status_code == 200 and resp.json()["group_id"] is None
    resp = client.patch(
        api(prep_event, f"/team/members/{member['id']}"),
        {"is_leader": True, "revision": 2},
        content_type=JSON,
    )
    assert resp.status_code == 400 and TeamMember.objects.get(pk=member["id"]).is_leader is False
    assert client.delete(api(prep_event, f"/team/members/{member['id']}?revision=1")).status_code == 409
    assert client.delete(api(prep_event, f"/team/members/{member['id']}?revision=2")).status_code == 204
    assert (
        client.delete(api(prep_event, f"/team/groups/{group['id']}"), HTTP_IF_MATCH='"r2"').status_code == 204
    )
    assert TeamGroup.objects.filter(event=prep_event).count() == 3


def test_tasks_round_trip_with_raci_and_status(client, prep_event, organiser, staff, engineer):
    # REQ: TM-1
    login(client, organiser)
    resp = client.post(api(prep_event, "/tasks/from-template"))
    assert resp.status_code == 200 and resp.json()["created"] >= 5
    codes = {t["template_code"]: t for t in resp.json()["tasks"]}
    assert (
        codes["collaboration_letter"]["offset"] == "T-7d" and codes["collaboration_letter"]["rule"] == "NT-1"
    )
    assert client.post(api(prep_event, "/tasks/from-template")).json()["created"] == 0

    resp = client.post(
        api(prep_event, "/tasks"), {"title": "场地踩点", "offset_minutes": -14400}, content_type=JSON
    )
    assert resp.status_code == 201, resp.content
    task = resp.json()
    assert task["offset"] == "T-10d" and task["raci_problems"] == ["没有 A(负责人)", "没有 R(执行人)"]
    for bad, field in (
        ({"title": "", "offset_minutes": -60}, "title"),
        ({"title": "x"}, "offset_minutes"),
        ({"title": "x", "pinned": True}, "due_at"),
        ({"title": "x", "offset_minutes": "七天"}, "offset_minutes"),
        ({"title": "x", "offset_minutes": -60, "status": "over"}, "status"),
        ({"title": "x", "pinned": True, "due_at": "2027-05-01T10:00:00"}, "due_at"),
    ):
        resp = client.post(api(prep_event, "/tasks"), bad, content_type=JSON)
        assert resp.status_code == 400, bad
        assert any(field in k for k in resp.json()["errors"]), (bad, resp.json())
    resp = client.patch(
        api(prep_event, f"/tasks/{task['id']}"),
        {"pinned": True, "due_at": "2027-03-05T10:00:00", "revision": 1},
        content_type=JSON,
    )
    assert (
        resp.status_code == 200 and resp.json()["pinned"] and resp.json()["local_due"] == "2027-03-05T10:00"
    )
    assert resp["ETag"] == '"r2"'
    resp = client.patch(
        api(prep_event, f"/tasks/{task['id']}"), {"title": "旧", "revision": 1}, content_type=JSON
    )
    assert resp.status_code == 409

    resp = client.put(
        api(prep_event, f"/tasks/{task['id']}/raci"),
        {"raci": {"organiser": "A", "staff": "R", "engineer": "I"}, "revision": 2},
        content_type=JSON,
    )
    assert resp.status_code == 200, resp.content
    assert {r["person"]: r["role"] for r in resp.json()["raci"]} == {
        "organiser": "A",
        "staff": "R",
        "engineer": "I",
    }
    for bad in (
        {"organiser": "A", "staff": "A"},
        {"staff": "R"},
        {"organiser": "A"},
        {"organiser": "A", "staff": "X"},
        {"ghost": "A"},
    ):
        resp = client.put(
            api(prep_event, f"/tasks/{task['id']}/raci"), {"raci": bad, "revision": 3}, content_type=JSON
        )
        assert resp.status_code == 400 and "raci" in resp.json()["errors"], bad
    resp = client.put(
        api(prep_event, f"/tasks/{task['id']}/raci"),
        {"raci": {"organiser": "A", "staff": "R"}, "revision": 2},
        content_type=JSON,
    )
    assert resp.status_code == 409
    resp = client.put(
        api(prep_event, f"/tasks/{task['id']}/raci"),
        {"raci": {"organiser": "A", "staff": "R"}},
        content_type=JSON,
    )
    assert resp.status_code == 428

    login(client, staff)
    resp = client.get("/api/my/tasks")
    assert resp.status_code == 200 and [t["title"] for t in resp.json()] == ["场地踩点"]
    resp = client.post(
        api(prep_event, f"/tasks/{task['id']}/status"), {"status": "done", "revision": 3}, content_type=JSON
    )
    assert resp.status_code == 200 and resp.json()["completed_at"]
    resp = client.post(
        api(prep_event, f"/tasks/{task['id']}/status"), {"status": "nope", "revision": 4}, content_type=JSON
    )
    assert resp.status_code == 400
    assert client.get("/api/my/tasks").json() == []
    login(client, engineer)
    resp = client.post(
        api(prep_event, f"/tasks/{task['id']}/status"), {"status": "todo", "revision": 4}, content_type=JSON
    )
    assert resp.status_code == 403

    login(client, organiser)
    resp = client.get(api(prep_event, "/tasks/raci.xlsx"))
    assert resp.status_code == 200
    assert load_workbook(io.BytesIO(resp.content)).sheetnames == ["RACI"]
    assert client.delete(api(prep_event, f"/tasks/{task['id']}"), HTTP_IF_MATCH='"r3"').status_code == 409
    assert client.delete(api(prep_event, f"/tasks/{task['id']}"), HTTP_IF_MATCH='"r4"').status_code == 204
    assert not Task.objects.filter(pk=task["id"]).exists()
    assert client.get(api(prep_event, f"/tasks/{task['id']}")).status_code == 404


def test_a_colleague_reads_but_cannot_write(client, prep_event, organiser, outsider):
    # REQ: TM-1
    task = task_with_raci(prep_event, "媒体邀约", {organiser: "A"})
    login(client, outsider)
    assert client.get(api(prep_event, "/tasks")).status_code == 200
    assert client.get(api(prep_event, "/team")).status_code == 200
    resp = client.post(api(prep_event, "/tasks"), {"title": "x", "offset_minutes": -60}, content_type=JSON)
    assert resp.status_code == 403
    resp = client.put(
        api(prep_event, f"/tasks/{task.pk}/raci"),
        {"raci": {"outsider": "A"}, "revision": 1},
        content_type=JSON,
    )
    assert resp.status_code == 403


def test_wrong_step_and_unknown_records_are_refused_not_500(client, prep_event, organiser):
    # REQ: TM-1, TM-2 — writes only in the preparation steps; unknown events and tasks are 404
    from huodong.events.steps import Step
    from huodong.planning.tests.conftest import move

    login(client, organiser)
    move(prep_event, Step.APPROVAL)
    for path, data in (
        ("/team/defaults", None),
        ("/tasks/from-template", None),
        ("/tasks", {"title": "x", "offset_minutes": -60}),
        ("/team/groups", {"name": "技术组"}),
    ):
        resp = client.post(api(prep_event, path), data or {}, content_type=JSON)
        assert resp.status_code == 400 and resp.json()["code"] == "wrong_step", path
    assert not Task.objects.exists() and not TeamGroup.objects.exists()
    assert client.get("/api/events/999999/team").status_code == 404
    assert client.get(api(prep_event, "/tasks/999999")).status_code == 404
    resp = client.post(
        api(prep_event, "/tasks"), {"title": "x" * 300, "offset_minutes": -60}, content_type=JSON
    )
    assert resp.status_code == 400
    resp = client.post(api(prep_event, "/tasks"), {"title": "x", "offset_minutes": 2**40}, content_type=JSON)
    assert resp.status_code == 400
    resp = client.put(
        api(prep_event, "/tasks/1/raci"), {"raci": {"organiser": 5}, "revision": 1}, content_type=JSON
    )
    assert resp.status_code in (400, 404)


def test_my_tasks_api_needs_a_sign_in(client):
    assert client.get("/api/my/tasks").status_code == 401
