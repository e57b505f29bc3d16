"""Team and tasks in a real browser (TM-1, TM-2): the RACI matrix edited in place on a tablet (1024×768),
我的任务 on a phone (390 px) with the navigation's count and the quick 完成, and the team and timeline pages
fitting a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from huodong.core.models import Role
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import Task, TaskAssignment, TeamGroup
from huodong.preparation.services.tasks import relative_due, tasks_from_template
from huodong.preparation.services.team import member_add
from tests.factories import demo_person, person

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS

TABLET = {"width": 1024, "height": 768}


def _task(event, title, letters, offset=-3 * 24 * 60):
    task = Task.objects.create(
        event=event, title=title, offset_minutes=offset, due_at=relative_due(event, offset)
    )
    for who, letter in letters.items():
        TaskAssignment.objects.create(task=task, person=who, role=letter)
    return task


@pytest.fixture
def team_world(db):
    organiser = demo_person("organiser")
    staff = demo_person("staff")
    engineer = person("engineer", Role.STAFF, "tech", "网络工程师", "孙工")
    event = make_event(organiser, step=Step.RESOURCES)
    member_add(actor=organiser, event=event, person=organiser, is_leader=True)
    member_add(actor=organiser, event=event, person=staff, duties="物料与签到")
    member_add(actor=organiser, event=event, person=engineer, duties="现场网络")
    return event, organiser, staff, engineer


@pytest.fixture
def tablet_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True, base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def _no_layout_problems(pg):
    problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
    assert not problems, problems


def test_the_raci_matrix_is_edited_in_place_on_a_tablet(tablet_page, login_as, team_world, artifacts):
    # REQ: TM-1 — the matrix edited in place, usable on a tablet (1024×768); bad letters refused with the reason
    event, organiser, staff, engineer = team_world
    incomplete = _task(event, "海报设计", {staff: "R"})
    _task(event, "媒体邀约", {organiser: "A", staff: "R", engineer: "I"})
    pg = tablet_page
    login_as(pg, organiser)
    pg.goto(f"/events/{event.pk}/preparation/raci/")
    row = pg.locator(f"#raci-row-{incomplete.pk}")
    assert "没有 A" in row.inner_text()
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page is {width}px wide on a 1024px tablet"
    box = row.locator(f'select[name="p{organiser.pk}"]').bounding_box()
    assert box and box["height"] >= 30, "a cell's select is too small to tap"
    pg.screenshot(path=str(artifacts / "raci-tablet.png"), full_page=True)

    # Each change saves the row (htmx); count the settled swaps so the next change goes to a live row.
    pg.evaluate(
        "document.body.addEventListener('htmx:afterSettle', () => { window.settled = (window.settled || 0) + 1; })"
    )

    def change(person, letter, swaps):
        pg.locator(f"#raci-row-{incomplete.pk}").locator(f'select[name="p{person.pk}"]').select_option(letter)
        pg.wait_for_function(f"window.settled === {swaps}")
        return pg.locator(f"#raci-row-{incomplete.pk}")

    # The engineer becomes A: one A and one R, so the row saves itself as soon as it changes.
    row = change(engineer, "A", 1)
    assert "raci-saved" in (row.get_attribute("class") or "")
    assert dict(TaskAssignment.objects.filter(task=incomplete).values_list("person_id", "role")) == {
        staff.pk: "R",
        engineer.pk: "A",
    }
    assert "没有 A" not in row.inner_text()
    # A second A: refused in place, with the reason, nothing written.
    row = change(organiser, "A", 2)
    assert "只能有一个" in row.inner_text()
    assert TaskAssignment.objects.filter(task=incomplete, role="A").count() == 1
    # Fix it: the engineer goes back to nothing; the organiser's A is saved.
    row = change(engineer, "", 3)
    assert "raci-saved" in (row.get_attribute("class") or "") and "只能有一个" not in row.inner_text()
    letters = dict(TaskAssignment.objects.filter(task=incomplete).values_list("person_id", "role"))
    assert letters == {organiser.pk: "A", staff.pk: "R"}
    assert pg.url.endswith("/raci/")  # in place: no page load


def test_my_tasks_on_a_phone_overdue_first_with_a_quick_done(phone_page, login_as, team_world, artifacts):
    # REQ: TM-1 — 我的任务 across events, overdue first, from the navigation with a count; fits 390 px
    event, organiser, staff, _engineer = team_world
    other = make_event(
        organiser, step=Step.RESOURCES, name="第二场活动", starts=event.starts_at + dt.timedelta(days=20)
    )
    _task(other, "下一场的签到物料", {organiser: "A", staff: "R"})
    late = _task(event, "场地合同盖章", {organiser: "A", staff: "R"}, offset=-400 * 24 * 60)
    _task(event, "只是知会我", {organiser: "A", staff: "I"})
    pg = phone_page
    login_as(pg, staff)
    pg.locator("label[for=nav-toggle]").click()
    link = pg.get_by_test_id("nav-my-tasks")
    assert re.search(r"我的任务\s*2", link.inner_text())
    link.click()
    pg.wait_for_url(re.compile(r".*/my/tasks/$"))
    rows = pg.get_by_test_id("my-task")
    assert rows.count() == 2
    assert "场地合同盖章" in rows.nth(0).inner_text() and "已逾期" in rows.nth(0).inner_text()
    assert "下一场的签到物料" in rows.nth(1).inner_text()
    assert "只是知会我" not in pg.content()
    _no_layout_problems(pg)
    pg.screenshot(path=str(artifacts / "my-tasks-phone.png"), full_page=True)
    rows.nth(0).get_by_test_id("task-done").click()
    pg.wait_for_url(re.compile(r".*/my/tasks/$"))
    assert pg.get_by_test_id("my-task").count() == 1
    assert Task.objects.get(pk=late.pk).status == "done"


@pytest.mark.parametrize("page_name", ["team", "timeline"])
def test_team_and_timeline_fit_a_phone(phone_page, login_as, team_world, artifacts, page_name):
    # REQ: TM-1, TM-2
    event, organiser, _staff, _engineer = team_world
    tasks_from_template(event, organiser)
    pg = phone_page
    assert pg.viewport_size == PHONE
    login_as(pg, organiser)
    pg.goto(f"/events/{event.pk}/preparation/{page_name}/")
    if page_name == "team":
        assert pg.get_by_test_id("group-row").count() == TeamGroup.objects.filter(event=event).count() == 3
        assert "发送活动协作函" in pg.content()
    else:
        assert pg.get_by_test_id("timeline-svg").is_visible()
    _no_layout_problems(pg)
    pg.screenshot(path=str(artifacts / f"{page_name}-phone.png"), full_page=True)


def test_a_leader_who_is_not_a_marketing_organiser_is_refused_on_the_page(page, login_as, team_world):
    # REQ: TM-1 — exactly one leader, a marketing supervisor; the refusal says so
    event, organiser, staff, _engineer = team_world
    pg = page
    login_as(pg, organiser)
    pg.goto(f"/events/{event.pk}/preparation/team/")
    member = pg.get_by_test_id("member-row").filter(has_text=staff.name)
    member.get_by_role("link", name="编辑").click()
    pg.locator("#edit_is_leader").check()
    pg.locator("#members").get_by_role("button", name="保存").click()
    pg.wait_for_selector("#members .field-error")
    assert "项目负责人须为市场部的活动策划/负责人或管理员" in pg.locator("#members").inner_text()
