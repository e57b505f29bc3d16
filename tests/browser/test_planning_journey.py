"""Issue 3 "Done when", in a real browser: the demo personas take the demo launch from needs to an approved plan.

The organiser advances 需求洞察 → 目标设定 → 方案设计 → 审批定稿 on the event page (the gate checklist all
met each time) and submits the plan for review; the four department reviewers each sign in on their own
desktop browser, open 我的待办 and give their opinions; the executive in charge and then the general
manager sign on a phone; the organiser advances to 资源协调, step 5 of the 16-step map.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

from huodong.core.models import User
from huodong.core.money import format_money
from huodong.demo.loader import DEMO_EVENT_NAME, DEMO_PASSWORD, demo_load
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import DepartmentReview, PlanVersion, Signature
from huodong.planning.versioning import plan_snapshot, plan_summary

DESKTOP = {"width": 1280, "height": 900}

# username → (department code, decision label on the form, opinions by field label)
REVIEWS: dict[str, tuple[str, str, dict[str, str]]] = {
    "reviewer_sales": (
        "sales",
        "通过",
        {"可行性意见": "洽谈区安排合理,可支撑线索目标。", "预算合理性意见": "推广费用合理。", "风险控制意见": "同意预案。"},
    ),
    "reviewer_product": (
        "product",
        "通过",
        {"可行性意见": "体验区须提前一天联调。", "预算合理性意见": "设备报价合理。", "风险控制意见": "备用投影仪到场测试。"},
    ),
    "reviewer_legal": (
        "legal",
        "有条件通过",
        {"可行性意见": "流程可行。", "风险控制意见": "直播须取得嘉宾肖像授权。", "附加条件": "签约文本须经法务审核定稿。"},
    ),
    "reviewer_finance": (
        "finance",
        "通过",
        {"可行性意见": "可行。", "预算合理性意见": "总额在审批额度内,备用金约 8%。", "风险控制意见": "备用金动用须报备。"},
    ),
}  # fmt: skip

ADVANCES = [(Step.NEEDS, Step.GOALS), (Step.GOALS, Step.PLAN), (Step.PLAN, Step.APPROVAL)]


@contextmanager
def desktop(browser, live_server) -> Iterator[Page]:  # noqa: ANN001
    """A reviewer's own desktop browser: a fresh context, as the ``page`` fixture makes it."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def current_step(pg: Page):  # noqa: ANN201
    return pg.get_by_test_id("lifecycle-map").locator("[aria-current=step]")


def open_inbox(pg: Page) -> None:
    """我的待办 from the main navigation; on a phone the menu is behind ☰ first."""
    toggle = pg.locator("label[for=nav-toggle]")
    if toggle.is_visible():
        if _touch(pg):
            toggle.tap()
        else:
            toggle.click()
    pg.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("我的待办")).click()
    expect(pg.get_by_role("heading", name="我的待办", level=1)).to_be_visible()


def _touch(pg: Page) -> bool:
    return bool(pg.evaluate("() => navigator.maxTouchPoints > 0"))


def sign_on_phone(
    pg: Page,
    user: User,
    *,
    level: str,
    comment: str,
    login_as,  # noqa: ANN001
    summary: dict,
    shots: Path | None = None,
) -> None:
    """An approver signs from the phone: 我的待办 → the plan's summary → 批准并签字.

    With ``shots`` (a path without suffix), saves what the phone shows on arrival and the whole page.
    """
    pg.context.clear_cookies()
    login_as(pg, user, DEMO_PASSWORD)
    open_inbox(pg)
    pg.get_by_test_id("pending-approvals").get_by_role(
        "link", name=re.compile(re.escape(DEMO_EVENT_NAME))
    ).tap()
    form = pg.get_by_test_id("sign-form")
    expect(form).to_be_visible()
    if shots is not None:
        pg.screenshot(path=f"{shots}-arrival.png")

    facts = form.get_by_test_id("plan-summary")
    expect(facts.get_by_test_id("budget-total")).to_contain_text(summary["total"])
    expect(facts).to_contain_text(summary["reserve_share"])
    expect(facts).to_contain_text(summary["starts"])  # the schedule: when it runs
    expect(facts).to_contain_text(f"{summary['segments']} 个环节")

    button = form.get_by_test_id("sign-approve")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()
    expect(button).to_be_in_viewport()
    widths = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the approval page scrolls sideways on a phone: {widths}"
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= widths[1]
    assert box["height"] >= 40, f"the sign button is too small to tap: {box}"
    if shots is not None:
        pg.screenshot(path=f"{shots}-page.png", full_page=True)

    form.get_by_label("审批意见").fill(comment)
    button.tap()
    row = pg.get_by_test_id("signature-table").locator(f"tr[data-level={level}]")
    expect(row).to_contain_text(user.name)
    expect(row).to_contain_text("批准")


def test_the_demo_launch_is_taken_to_an_approved_plan_in_a_browser(
    browser, live_server, page, phone_page, login_as, artifacts
):
    # REQ: LC-2, RV-1, AP-1
    loaded = demo_load()
    event: Event = loaded["event"]
    people = {p.username: p for p in loaded["people"]}

    # The organiser opens the demo launch from the event list and advances through planning.
    login_as(page, people["organiser"], DEMO_PASSWORD)
    page.get_by_role("link", name=DEMO_EVENT_NAME).first.click()
    page.wait_for_url(re.compile(rf".*/events/{event.pk}/$"))
    for frm, to in ADVANCES:
        expect(current_step(page)).to_contain_text(str(Step(frm).label))
        gate = page.get_by_test_id("gate")
        expect(gate.locator("li.met").first).to_be_visible()
        expect(gate.locator("li.unmet")).to_have_count(0)
        page.get_by_test_id("advance").click()
        expect(current_step(page)).to_contain_text(str(Step(to).label))
    assert Event.objects.get(pk=event.pk).step == Step.APPROVAL

    # At 审批定稿 the gate still waits for the review and the signatures.
    expect(page.get_by_test_id("gate").locator("li.unmet")).not_to_have_count(0)
    page.get_by_role("navigation", name="活动页面").get_by_role("link", name="评审与审批").click()
    page.get_by_test_id("submit-review").click()
    latest = page.get_by_test_id("latest-version")
    expect(latest).to_contain_text("v1")
    for dept in ("sales", "product", "legal", "finance"):
        expect(latest.locator(f"tr[data-department={dept}]")).to_contain_text(
            str(DepartmentReview.Decision.PENDING.label)
        )

    # Each reviewer, in their own browser: 我的待办 → the plan → opinions → submit.
    for username, (dept, decision, opinions) in REVIEWS.items():
        with desktop(browser, live_server) as pg:
            login_as(pg, people[username], DEMO_PASSWORD)
            open_inbox(pg)
            pending = pg.get_by_test_id("pending-reviews")
            pending.get_by_role("link", name=re.compile(re.escape(DEMO_EVENT_NAME))).click()
            form = pg.get_by_test_id("review-form")
            expect(form).to_be_visible()
            form.get_by_role("radio", name=decision, exact=True).check()
            for label, text in opinions.items():
                form.get_by_label(label, exact=True).fill(text)
            form.get_by_test_id("review-submit").click()
            row = pg.get_by_test_id("review-table").locator(f"tr[data-department={dept}]")
            expect(row).to_contain_text(decision)
            expect(row).to_contain_text(people[username].name)
            expect(pg.get_by_test_id("review-form")).to_have_count(0)
    version = PlanVersion.objects.get(plan__event=event, number=1)
    assert version.status == PlanVersion.Status.REVIEWED
    assert set(version.reviews.values_list("decision", flat=True)) == {
        DepartmentReview.Decision.APPROVE,
        DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
    }

    # The approvers sign on a phone: first the executive in charge, then the general manager.
    numbers = plan_summary(plan_snapshot(event))
    local_start = event.local_start()
    summary = {
        "total": format_money(numbers["budget_total"], numbers["currency"]),
        "reserve_share": f"{numbers['reserve_share']}%",
        "starts": local_start.strftime("%Y-%m-%d %H:%M"),
        "segments": numbers["segment_count"],
    }
    sign_on_phone(
        phone_page, people["approver_exec"], level="executive", comment="同意,注意现场安全。",
        login_as=login_as, summary=summary,
    )  # fmt: skip
    sign_on_phone(
        phone_page, people["approver_gm"], level="general_manager", comment="同意执行。",
        login_as=login_as, summary=summary,
        shots=artifacts / "planning-gm-sign-phone",
    )  # fmt: skip
    phone_page.screenshot(path=str(artifacts / "planning-gm-signed-phone.png"), full_page=True)
    signatures = Signature.objects.filter(version=version, voided_at__isnull=True).order_by("signed_at")
    assert [(s.level, s.approver.username) for s in signatures] == [
        ("executive", "approver_exec"),
        ("general_manager", "approver_gm"),
    ]

    # The organiser sees the finished round, then advances to 资源协调: step 5 of 16 is current.
    page.reload()
    expect(page.get_by_test_id("approval-gate").locator("li.unmet")).to_have_count(0)
    expect(page.get_by_test_id("latest-version")).to_contain_text(str(PlanVersion.Status.APPROVED.label))
    page.screenshot(path=str(artifacts / "planning-approval-desktop.png"), full_page=True)
    page.get_by_role("navigation", name="活动页面").get_by_role("link", name="概览").click()
    gate = page.get_by_test_id("gate")
    expect(gate.locator("li.unmet")).to_have_count(0)
    page.get_by_test_id("advance").click()
    expect(current_step(page)).to_have_text(re.compile(r"^\s*5\.\s*资源协调\s*$"))
    expect(page.get_by_test_id("lifecycle-map").locator("li")).to_have_count(16)
    assert Event.objects.get(pk=event.pk).step == Step.RESOURCES
