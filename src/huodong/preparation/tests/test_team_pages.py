"""The team page, tasks, 我的任务 and the timeline (TM-1, TM-2): valid and invalid posts of every form."""

from __future__ import annotations

import datetime as dt

import pytest

from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.planning.tests.conftest import move
from huodong.preparation.models import Task, TeamGroup, TeamMember
from huodong.preparation.services import team as team_services
from tests.factories import login

from .test_team_fixtures import *  # noqa: F403  (the fixtures: prep_event, staff, engineer)
from .test_team_fixtures import task_with_raci

pytestmark = pytest.mark.django_db


def url(event, tail: str = "") -> str:
    return f"/events/{event.pk}/preparation/{tail}"


def test_the_team_page_starts_with_the_default_groups(client, prep_event, organiser):
    # REQ: TM-2
    login(client, organiser)
    resp = client.get(url(prep_event, "team/"))
    assert resp.status_code == 200
    html = resp.content.decode()
    for name in ("执行组", "宣传组", "后勤组", "场地对接", "物料设计", "嘉宾接待"):
        assert name in html
    assert "团队与任务" in html and TeamGroup.objects.filter(event=prep_event).count() == 3
    assert 'href="/my/tasks/"' in html  # the navigation's 我的任务


def test_a_colleague_sees_the_team_read_only(client, prep_event, organiser, outsider):
    # REQ: TM-1
    login(client, outsider)
    resp = client.get(url(prep_event, "team/"))
    assert resp.status_code == 200 and "team-readonly" in resp.content.decode()
    assert not TeamGroup.objects.exists()  # nobody created defaults for a reader
    assert client.post(url(prep_event, "team/groups/add/"), {"grp-name": "x"}).status_code == 403


def test_group_forms_valid_and_invalid(client, prep_event, organiser):
    # REQ: TM-2
    login(client, organiser)
    resp = client.post(url(prep_event, "team/groups/add/"), {"grp-name": "技术组", "grp-duties": "网络"})
    assert resp.status_code == 302
    group = TeamGroup.objects.get(event=prep_event, name="技术组")
    resp = client.post(url(prep_event, "team/groups/add/"), {"grp-name": ""})
    assert resp.status_code == 400 and "组名" in resp.content.decode()
    resp = client.post(url(prep_event, "team/groups/add/"), {"grp-name": "技术组"})
    assert resp.status_code == 400 and "已有名为" in resp.content.decode()
    resp = client.post(url(prep_event, f"team/groups/{group.pk}/"), {"revision": 1, "name": "技术保障组"})
    assert resp.status_code == 302
    resp = client.post(url(prep_event, f"team/groups/{group.pk}/"), {"revision": 1, "name": "旧的"})
    assert resp.status_code == 409 and "已被" in resp.content.decode()
    resp = client.post(url(prep_event, f"team/groups/{group.pk}/delete/"), {"revision": 2})
    assert resp.status_code == 302 and not TeamGroup.objects.filter(pk=group.pk).exists()


def test_member_forms_and_the_leader_rule(client, prep_event, organiser, staff, engineer):
    # REQ: TM-1 — people of any department; the leader a marketing organiser, refused clearly otherwise
    login(client, organiser)
    client.get(url(prep_event, "team/"))
    execution = TeamGroup.objects.get(event=prep_event, code="execution")
    resp = client.post(
        url(prep_event, "team/members/add/"),
        {"mem-person": engineer.pk, "mem-group": execution.pk, "mem-duties": "现场网络"},
    )
    assert resp.status_code == 302
    resp = client.post(url(prep_event, "team/members/add/"), {"mem-person": staff.pk, "mem-is_leader": "on"})
    assert resp.status_code == 400
    assert "项目负责人须为市场部的活动策划/负责人或管理员" in resp.content.decode()
    assert not TeamMember.objects.filter(person=staff).exists()
    resp = client.post(url(prep_event, "team/members/add/"), {"mem-person": ""})
    assert resp.status_code == 400
    # The owner is on the roster from the start (the event's planning team): named leader by editing.
    owner = TeamMember.objects.get(event=prep_event, person=organiser)
    resp = client.post(
        url(prep_event, f"team/members/{owner.pk}/"), {"revision": owner.revision, "is_leader": "on"}
    )
    assert resp.status_code == 302
    assert TeamMember.objects.get(event=prep_event, is_leader=True).person == organiser
    member = TeamMember.objects.get(person=engineer)
    resp = client.post(url(prep_event, f"team/members/{member.pk}/"), {"revision": 1, "duties": "网络与直播"})
    assert resp.status_code == 302
    resp = client.post(url(prep_event, f"team/members/{member.pk}/"), {"revision": 1, "duties": "旧"})
    assert resp.status_code == 409
    resp = client.post(url(prep_event, f"team/members/{member.pk}/delete/"), {"revision": 2})
    assert resp.status_code == 302 and not TeamMember.objects.filter(pk=member.pk).exists()


def test_task_forms_relative_pinned_and_invalid(client, prep_event, organiser):
    # REQ: TM-1
    login(client, organiser)
    resp = client.post(
        url(prep_event, "tasks/add/"),
        {"task-title": "场地踩点", "task-pinned": "0", "task-offset": "T-10d", "task-status": "todo"},
    )
    assert resp.status_code == 302
    task = Task.objects.get(event=prep_event, title="场地踩点")
    assert task.due_at == prep_event.starts_at - dt.timedelta(days=10) and task.offset_minutes == -14400
    for data, message in (
        ({"task-title": "x", "task-pinned": "0", "task-offset": "七天前", "task-status": "todo"}, "无法识别"),
        ({"task-title": "x", "task-pinned": "0", "task-offset": "", "task-status": "todo"}, "T-7d"),
        (
            {"task-title": "x", "task-pinned": "1", "task-due_at": "", "task-status": "todo"},
            "固定日期的任务须填写截止时间",
        ),
        ({"task-title": "x", "task-pinned": "0", "task-offset": "T+3d", "task-status": "todo"}, "活动结束"),
        ({"task-title": "", "task-pinned": "0", "task-offset": "T-1d", "task-status": "todo"}, "任务"),
        ({"task-title": "x", "task-pinned": "0", "task-offset": "T-1d", "task-status": "over"}, "状态"),
    ):
        resp = client.post(url(prep_event, "tasks/add/"), data)
        assert resp.status_code == 400, data
        assert message in resp.content.decode(), data
    assert Task.objects.filter(event=prep_event).count() == 1
    resp = client.post(
        url(prep_event, f"tasks/{task.pk}/"),
        {"revision": 1, "title": "场地踩点", "pinned": "1", "due_at": "2027-03-05T10:00", "status": "doing"},
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.pinned and task.due_at == dt.datetime(2027, 3, 5, 2, 0, tzinfo=dt.UTC)
    resp = client.post(
        url(prep_event, f"tasks/{task.pk}/"),
        {"revision": 1, "title": "旧", "pinned": "0", "offset": "T-1d", "status": "todo"},
    )
    assert resp.status_code == 409
    resp = client.post(url(prep_event, f"tasks/{task.pk}/delete/"), {"revision": 2})
    assert resp.status_code == 302 and not Task.objects.filter(pk=task.pk).exists()


def test_the_template_button_creates_the_standard_tasks(client, prep_event, organiser):
    # REQ: TM-1
    login(client, organiser)
    assert client.post(url(prep_event, "tasks/template/")).status_code == 302
    n = Task.objects.filter(event=prep_event).count()
    assert n >= 5
    html = client.get(url(prep_event, "team/")).content.decode()
    assert "T-7d" in html and "T-30min" in html and "发送活动协作函" in html
    client.post(url(prep_event, "tasks/template/"))
    assert Task.objects.filter(event=prep_event).count() == n


def test_status_is_set_by_r_and_a_people_or_editors(client, prep_event, organiser, staff, engineer):
    # REQ: TM-1 — a team member marks their own task done
    task = task_with_raci(prep_event, "海报设计", {organiser: "A", staff: "R", engineer: "C"})
    login(client, engineer)
    assert (
        client.post(
            url(prep_event, f"tasks/{task.pk}/status/"), {"revision": 1, "status": "done"}
        ).status_code
        == 403
    )
    login(client, staff)
    resp = client.post(
        url(prep_event, f"tasks/{task.pk}/status/"), {"revision": 1, "status": "done", "next": "my"}
    )
    assert resp.status_code == 302 and resp["Location"] == "/my/tasks/"
    assert Task.objects.get(pk=task.pk).status == "done"
    resp = client.post(url(prep_event, f"tasks/{task.pk}/status/"), {"revision": 2, "status": "finished"})
    assert resp.status_code == 400
    resp = client.post(url(prep_event, f"tasks/{task.pk}/status/"), {"revision": 1, "status": "doing"})
    assert resp.status_code == 302  # a stale revision: back with the message, nothing written
    assert Task.objects.get(pk=task.pk).status == "done"
    assert AuditEntry.objects.filter(action="task.status").count() == 1


def test_my_tasks_overdue_first_with_the_count_in_the_navigation(client, prep_event, organiser, staff):
    # REQ: TM-1
    soon = task_with_raci(prep_event, "新闻通稿", {organiser: "A", staff: "R"})
    late = task_with_raci(prep_event, "场地合同", {organiser: "A", staff: "R"}, offset_minutes=-400 * 24 * 60)
    task_with_raci(prep_event, "别人的", {organiser: "R"})
    login(client, staff)
    resp = client.get("/my/tasks/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert html.index("场地合同") < html.index("新闻通稿") and "别人的" not in html
    assert "已逾期" in html and 'data-testid="nav-my-tasks"' in html
    assert '我的任务 <span class="badge">2</span>' in html
    assert soon.pk and late.pk


def test_my_tasks_needs_sign_in(client):
    resp = client.get("/my/tasks/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_the_timeline_is_an_inline_svg_with_today_and_the_start(client, prep_event, organiser, staff):
    # REQ: TM-1, TM-2
    team_services.team_defaults(prep_event, organiser)
    task_with_raci(
        prep_event,
        "媒体邀约",
        {organiser: "A"},
        group=TeamGroup.objects.get(event=prep_event, code="publicity"),
    )
    task_with_raci(prep_event, "无组任务", {organiser: "A"})
    login(client, staff)
    resp = client.get(url(prep_event, "timeline/"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<svg" in html and "tl-today" in html and "tl-start" in html and "tl-diamond" in html
    assert "宣传组" in html and "未分组" in html and "媒体邀约" in html
    assert '<script src="http' not in html and 'href="http' not in html


def test_pages_are_read_only_after_preparation(client, prep_event, organiser):
    # REQ: TM-1
    move(prep_event, Step.SETUP)
    login(client, organiser)
    html = client.get(url(prep_event, "team/")).content.decode()
    assert "team-readonly" in html
    resp = client.post(
        url(prep_event, "tasks/add/"),
        {"task-title": "x", "task-pinned": "0", "task-offset": "T-1d", "task-status": "todo"},
    )
    assert resp.status_code == 400 and "资源协调" in resp.content.decode()


def test_every_team_page_renders_in_english(client, prep_event, organiser, staff):
    # REQ: TM-1, TM-2 — the pages render for a reader who switched to English
    from django.conf import settings

    task_with_raci(prep_event, "媒体邀约", {organiser: "A", staff: "R"})
    login(client, organiser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for tail in ("team/", "raci/", "timeline/"):
        resp = client.get(url(prep_event, tail))
        assert resp.status_code == 200, tail
        assert '<html lang="en">' in resp.content.decode()
    assert client.get("/my/tasks/").status_code == 200
    resp = client.post(
        url(prep_event, "tasks/add/"), {"task-title": "x", "task-pinned": "0", "task-offset": "bad"}
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("tail", "data", "section"),
    [
        ("team/groups/add/", {"grp-name": ""}, "groups"),
        ("team/members/add/", {"mem-person": ""}, "members"),
        ("tasks/add/", {"task-title": "x", "task-pinned": "0", "task-offset": "?"}, "tasks"),
    ],
)
def test_an_htmx_refusal_swaps_only_its_section(client, prep_event, organiser, tail, data, section):
    # REQ: TM-1, TM-2
    login(client, organiser)
    resp = client.post(url(prep_event, tail), data, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 400
    assert html.lstrip().startswith(f'<section class="card" id="{section}"') and "<html" not in html
    assert "field-error" in html
    ok = client.post(
        url(prep_event, "team/groups/add/"), {"grp-name": f"新组{section}"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 204 and ok["HX-Redirect"].endswith("#groups")
