"""Issue 7, point 1 "Errors out of sight": after a refused save the first error is in view and focused.

Three forms far down their pages — a reviewer's 有条件通过 without conditions on the approval page, the
needs page's requester form, a goal that is not SMART — at phone (390×844) and desktop (1280×900) sizes,
with JavaScript (``huodong.js`` centres and focuses the first error) and without it (the server puts
``autofocus`` on the first field to fix: ``core.pageflow.form_focus``). The field says ``aria-invalid`` and
``aria-describedby`` names its message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from huodong.events.steps import Step
from huodong.planning.tests.conftest import build_plan_event, make_event, smart_goal, submit
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD

# What the page shows about its first error: the element that has the focus, its box, the viewport.
FIRST_ERROR = """() => {
  const form = document.querySelector('form [aria-invalid=true]')?.form;
  const field = form && form.querySelector('[aria-invalid=true]');
  const message = field && document.getElementById((field.getAttribute('aria-describedby') || '').split(' ').pop());
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  return {
    field: field && field.id,
    focused: document.activeElement && document.activeElement.id,
    fieldBox: box(field), messageBox: box(message), message: message && message.textContent.trim(),
    width: window.innerWidth, height: window.innerHeight, scrollY: window.scrollY,
  };
}"""


@dataclass
class Case:
    name: str
    url: Callable[[], str]
    refuse: Callable[[Page], None]  # fill the form so that it is refused, and submit it
    message: str  # part of the first error's text


def in_view(box: dict | None, info: dict) -> bool:
    return box is not None and box["top"] >= 0 and box["bottom"] <= info["height"] and box["left"] >= 0


def cases(organiser, reviewer_legal) -> list[tuple[object, Case]]:
    approval = build_plan_event(organiser)
    submit(approval, organiser)
    needs = make_event(organiser, name="需求调研中的发布会")
    goals = make_event(organiser, step=Step.GOALS, name="目标设定中的发布会")
    for target in (150, 200, 250, 300, 350, 400):  # a table of goals above the form, as a real event has
        smart_goal(goals, organiser, target_value=target)

    def review(pg: Page) -> None:
        form = pg.get_by_test_id("review-form")
        form.get_by_role("radio", name="有条件通过", exact=True).check()
        form.get_by_label("可行性意见", exact=True).fill("可行。")
        form.get_by_test_id("review-submit").click()

    def request(pg: Page) -> None:
        form = pg.get_by_test_id("request-form")
        form.locator("#id_requested_on").fill(
            (approval.starts_at + dt.timedelta(days=400)).strftime("%Y-%m-%d")
        )
        form.get_by_role("button", name="保存").click()

    def goal(pg: Page) -> None:
        form = pg.get_by_test_id("goal-form")
        form.get_by_label("具体描述").fill("很多人来")  # no target, no date, no owner, no objective
        form.get_by_role("button", name="添加").click()

    return [
        (reviewer_legal, Case("approval", lambda: f"/events/{approval.pk}/planning/approval/", review, "附加条件")),
        (organiser, Case("needs", lambda: f"/events/{needs.pk}/planning/needs/", request, "提出日期")),
        (organiser, Case("goal", lambda: f"/events/{goals.pk}/planning/goals/", goal, "目标值")),
    ]  # fmt: skip


def sign_in(pg: Page, user, next_url: str) -> None:
    pg.context.clear_cookies()
    pg.goto(f"/login/?next={next_url}")
    pg.fill("#id_username", user.username)
    pg.fill("#id_password", PASSWORD)
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_url(
        lambda url: "/login/" not in url and url.endswith(next_url)
    )  # not the login page's ?next=


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_first_error_of_a_refused_save_is_in_view_and_focused(
    browser, live_server, organiser, reviewers, approver_exec, approver_gm, size, javascript
):
    viewport = PHONE if size == "phone" else DESKTOP
    context = browser.new_context(
        locale="zh-CN",
        viewport=viewport,
        base_url=live_server.url,
        java_script_enabled=javascript,
        is_mobile=size == "phone",
        has_touch=size == "phone",
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        for user, case in cases(organiser, reviewers["legal"]):
            sign_in(pg, user, case.url())
            # A page that was not refused opens at its top, nothing focused (flags in tables do not count).
            assert pg.evaluate("() => [window.scrollY, document.activeElement === document.body]") == [
                0,
                True,
            ]
            case.refuse(pg)
            pg.wait_for_load_state()
            field = pg.locator("form [aria-invalid=true]").first
            expect(field).to_be_focused()  # autofocus (no JS) or huodong.js
            expect(field).to_be_in_viewport()
            info = pg.evaluate(FIRST_ERROR)
            where = f"{case.name} at {size}, {'with' if javascript else 'without'} JavaScript: {info}"
            assert info["focused"] == info["field"], where
            assert case.message in (info["message"] or ""), where  # aria-describedby names the message
            assert in_view(info["fieldBox"], info), where
            if javascript:  # centred: the message below the field is in view too
                assert in_view(info["messageBox"], info), where
            assert info["scrollY"] > 0, f"the form is not far down the page, the test proves nothing: {where}"
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_form_refused_through_htmx_brings_its_first_error_into_view(browser, live_server, organiser, size):
    """The plan page's sections are swapped by htmx: the refused 添加环节 comes back (400) and its first error
    is centred and focused without a page load."""
    event = make_event(organiser, step=Step.PLAN, name="方案设计中的发布会")
    phone = size == "phone"
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE if phone else DESKTOP, base_url=live_server.url, is_mobile=phone, has_touch=phone
    )  # fmt: skip
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        url = f"/events/{event.pk}/planning/plan/"
        sign_in(pg, organiser, url)
        section = pg.locator("#segments")
        section.locator("details summary").last.click()
        form = section.locator("form[hx-post$='/add/']")
        form.locator("input[name$=title]").fill("新增环节")
        form.locator("input[name$=duration_minutes]").fill("0")
        pg.evaluate("() => window.scrollTo(0, 0)")  # as if the person had scrolled back up meanwhile
        with pg.expect_response(lambda r: r.request.method == "POST" and r.status == 400):
            form.get_by_role("button", name="添加").click()
        field = pg.locator("#segments form [aria-invalid=true]").first
        expect(field).to_be_focused()
        expect(field).to_be_in_viewport()
        info = pg.evaluate(FIRST_ERROR)
        assert info["focused"] == info["field"] and in_view(info["messageBox"], info), info
        assert pg.url.endswith(url), "htmx swapped the section: no page load"
    finally:
        context.close()


def test_a_reviewer_on_a_phone_lands_on_the_inbox_and_the_menu_button_shows_the_count(
    phone_page, organiser, reviewers, approver_exec, approver_gm
):
    """Issue 7, point 3: signing in with work waiting opens 我的待办; ☰ carries the count and says it."""
    submit(build_plan_event(organiser), organiser)
    pg = phone_page
    pg.goto("/login/")
    pg.fill("#id_username", reviewers["legal"].username)
    pg.fill("#id_password", PASSWORD)
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_url("**/inbox/")
    expect(pg.get_by_role("heading", name="我的待办", level=1)).to_be_visible()
    badge = pg.get_by_test_id("menu-pending")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    expect(pg.get_by_role("checkbox", name="菜单,1 项待办")).to_have_count(1)
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
