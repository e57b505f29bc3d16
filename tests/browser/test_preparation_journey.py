"""Issue 8 "Done when", in a real browser: the demo personas prepare the demo roadshow and take it to 通知发布.

「智启未来·华东巡展(杭州站)」 is loaded by the demo at 资源协调, half prepared. As the user guide's walk-through
("用演示数据走一遍") goes: the organiser reads the readiness page (every gate unmet), completes the RACI of the
two tasks still without letters on a tablet (1024×768, touch), compares the venue quotes, chooses the best
score with a reason and records the contract; 技术部's ``admin`` confirms the network request on a phone; the
organiser brings every material to 已验收, records the execution meeting held with its minutes and who came;
``staff`` marks a task 完成 from 我的任务 on a phone; the readiness page says all three gates are met and the
organiser presses 推进 three times on the overview: 资源协调 → 物料筹备 → 人员培训 → 通知发布.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Locator, Page, expect

from huodong.demo.loader import DEMO_PASSWORD, demo_load
from huodong.demo.preparation_demo import PREP_EVENT_NAME
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.preparation.models import (
    MaterialItem,
    ResourceRequest,
    Task,
    Training,
    VendorNeed,
)

TABLET = {"width": 1024, "height": 768}
UNASSIGNED = ("演示样机到位调试", "环节负责人到位")  # the two tasks the demo leaves without RACI letters
ADVANCES = [
    (Step.RESOURCES, Step.MATERIALS),
    (Step.MATERIALS, Step.TRAINING),
    (Step.TRAINING, Step.NOTIFICATION),
]


@contextmanager
def tablet(browser, live_server) -> Iterator[Page]:  # noqa: ANN001
    """The organiser's tablet: 1024×768 with touch."""
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True, base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def tab(pg: Page, name: str) -> None:
    """One of the event's tabs (概览, 准备就绪, 供应商, 物料, 培训, …)."""
    pg.get_by_role("navigation", name="活动页面").get_by_role("link", name=name, exact=True).click()


def open_menu_link(pg: Page, test_id: str) -> None:
    """On a phone the main navigation is behind ☰: tap it, then the link."""
    pg.locator("label[for=nav-toggle]").tap()
    link = pg.get_by_test_id(test_id)
    expect(link).to_be_visible()
    link.tap()


def current_step(pg: Page):  # noqa: ANN201
    return pg.get_by_test_id("lifecycle-map").locator("[aria-current=step]")


def test_the_demo_roadshow_is_prepared_and_reaches_notification_in_a_browser(
    browser, live_server, page, phone_page, login_as, artifacts
):
    # REQ: TM-1, VD-1, VD-2, IR-1, MT-1, TR-1
    loaded = demo_load()
    people = {p.username: p for p in loaded["people"]}
    organiser, staff = people["organiser"], people["staff"]
    event = Event.objects.get(name=PREP_EVENT_NAME)
    assert event.step == Step.RESOURCES

    # 1. The organiser opens the roadshow's readiness page: the three gates are unmet, the open points say why.
    login_as(page, organiser, DEMO_PASSWORD)
    page.goto(f"/events/{event.pk}/preparation/")
    expect(page.get_by_test_id("not-ready")).to_be_visible()
    for step in ("resources", "materials", "training"):
        expect(page.get_by_test_id(f"gate-{step}")).to_have_attribute("data-met", "false")
    points = page.get_by_test_id("open-points")
    for text in (*UNASSIGNED, "主会场租赁"):
        expect(points).to_contain_text(text)
    page.screenshot(path=str(artifacts / "prep-journey-1-readiness.png"), full_page=True)

    # 2. On a tablet, the RACI matrix: each of the two tasks gets the organiser as A and staff as R. Each change
    #    posts the row (htmx) and the row comes back in place; count the settled swaps before the next change.
    with tablet(browser, live_server) as pg:
        login_as(pg, organiser, DEMO_PASSWORD)
        pg.goto(f"/events/{event.pk}/preparation/raci/")
        expect(pg.get_by_test_id("raci-problems")).to_contain_text("2 项任务的 RACI 分工不完整")
        pg.evaluate(
            "document.body.addEventListener('htmx:afterSettle', () => { window.settled = (window.settled || 0) + 1; })"
        )
        swaps = 0

        def cell(title: str, who) -> Locator:  # noqa: ANN001
            return pg.get_by_role("combobox", name=f"{title} {who.name}", exact=True)

        for title in UNASSIGNED:
            row = pg.get_by_test_id("raci-row").filter(has_text=title)
            expect(row).to_have_class(re.compile(r"\braci-bad\b"))
            # A alone is refused in place (no R yet), nothing written; adding the R saves the row.
            cell(title, organiser).select_option("A")
            swaps += 1
            pg.wait_for_function(f"window.settled === {swaps}")
            refused = pg.get_by_test_id("raci-row").filter(has_text=title).locator(".field-error")
            expect(refused).to_contain_text("没有 R")
            assert not Task.objects.get(event=event, title=title).assignments.exists()
            cell(title, staff).select_option("R")
            swaps += 1
            pg.wait_for_function(f"window.settled === {swaps}")
            row = pg.get_by_test_id("raci-row").filter(has_text=title)
            expect(row).to_have_class(re.compile(r"\braci-saved\b"))
            expect(row.locator(".field-error")).to_have_count(0)
        assert pg.url.endswith("/raci/")  # edited in place
        pg.screenshot(path=str(artifacts / "prep-journey-2-raci-tablet.png"), full_page=True)
        pg.reload()
        expect(pg.get_by_test_id("raci-problems")).to_have_count(0)
    for title in UNASSIGNED:
        letters = dict(
            Task.objects.get(event=event, title=title).assignments.values_list("person_id", "role")
        )
        assert letters == {organiser.pk: "A", staff.pk: "R"}

    # 3. 供应商 → 主会场租赁 → 比价: the best weighted score is chosen with a reason, then the contract recorded.
    page.goto(f"/events/{event.pk}/")
    tab(page, "供应商")
    page.get_by_test_id("need-table").get_by_role("link", name="主会场租赁").click()
    page.get_by_test_id("compare-link").click()
    rows = page.get_by_test_id("comparison-row")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="钱江新城会展服务有限公司")).to_contain_text("已过期")
    best = rows.nth(0)
    expect(best.locator("td").first).to_have_text(re.compile(r"^\s*1\b"))
    scores = [float(t.split()[0]) for t in rows.get_by_test_id("weighted").all_inner_texts()]
    assert scores[0] == max(scores), f"rank 1 is not the best weighted score: {scores}"
    need = VendorNeed.objects.get(event=event, title="主会场租赁")
    best_quote = need.quotes.select_related("vendor").get(pk=int(best.get_attribute("data-quote") or 0))
    choose = page.get_by_test_id("choose-form")
    choose.get_by_label(f"{best_quote.vendor.name} · {best_quote.amount:,.2f}").check()
    choose.get_by_label("选择理由").fill("加权得分最高:资质齐全、案例与交付最好,含 LED 屏与茶歇")
    page.screenshot(path=str(artifacts / "prep-journey-3-comparison.png"), full_page=True)
    choose.get_by_role("button", name="选定").click()
    expect(page.get_by_test_id("need-status")).to_have_text("已选定")
    contract = page.get_by_test_id("contract-form")
    expect(contract.get_by_label("合同金额(元)")).to_have_value(f"{best_quote.amount:.2f}")
    contract.get_by_label("合同编号").fill("HZ-2027-0422")
    contract.get_by_label("服务内容").fill(
        "主会场 201 厅 4 小时使用、音响灯光、LED 屏、150 人茶歇;会前一天下午布场"
    )
    contract.get_by_label("交付时间").fill("2027-04-21T14:00")
    contract.get_by_label("违约责任").fill("场地未按时交付的,按合同金额 20% 支付违约金并协助另寻场地")
    contract.get_by_role("button", name="登记合同").click()
    expect(page.get_by_test_id("need-status")).to_have_text("已签合同")
    expect(page.get_by_test_id("contract")).to_contain_text("HZ-2027-0422")
    expect(page.get_by_test_id("contract")).to_contain_text(best_quote.vendor.name)
    page.screenshot(path=str(artifacts / "prep-journey-3-contract.png"), full_page=True)
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CONTRACTED and need.chosen_quote_id == best_quote.pk

    # 4. 技术部's admin, on a phone: 协作请求 → the network request → 确认 with a comment.
    login_as(phone_page, people["admin"], DEMO_PASSWORD)
    open_menu_link(phone_page, "nav-requests")
    card = phone_page.get_by_test_id("pending-requests").locator("article").filter(has_text=PREP_EVENT_NAME)
    expect(card).to_contain_text("现场网络保障")
    card.get_by_label("答复意见").fill("已安排两名工程师,活动前一天完成专线与无线调试")
    card.get_by_test_id("confirm").tap()
    answered = phone_page.get_by_test_id("answered-requests").locator("tr").filter(has_text=PREP_EVENT_NAME)
    expect(answered).to_contain_text("已确认")
    expect(answered).to_contain_text("已安排两名工程师")
    phone_page.screenshot(path=str(artifacts / "prep-journey-4-request-phone.png"), full_page=True)
    request = ResourceRequest.objects.get(event=event)
    assert (request.status, request.responder_id) == (ResourceRequest.Status.CONFIRMED, people["admin"].pk)

    # 5. 物料: the first item through the quick buttons (已下单 → 已到货 → 已验收), the rest with 更改状态.
    page.goto(f"/events/{event.pk}/")
    tab(page, "物料")
    items = page.get_by_test_id("material-row")
    total = MaterialItem.objects.filter(event=event).count()
    assert total >= 2
    expect(items).to_have_count(total)
    first_name = items.first.get_attribute("data-name")
    first = page.locator(f'[data-testid=material-row][data-name="{first_name}"]')
    for label, status in (("标记已下单", "ordered"), ("标记已到货", "arrived"), ("标记已验收", "accepted")):
        first.get_by_role("button", name=label).click()
        expect(first).to_have_attribute("data-status", status)
    open_rows = page.locator("[data-testid=material-row]:not([data-status=accepted])")
    for left in range(total - 1, 0, -1):
        row = open_rows.first
        row.get_by_text("更改状态").click()
        row.get_by_label("状态", exact=True).select_option(label="已验收")
        row.get_by_role("button", name="更改").click()
        expect(open_rows).to_have_count(left - 1)
    expect(page.get_by_test_id("materials-summary")).to_contain_text(f"已验收 {total}")
    page.screenshot(path=str(artifacts / "prep-journey-5-materials.png"), full_page=True)
    assert set(MaterialItem.objects.filter(event=event).values_list("status", flat=True)) == {"accepted"}

    # 6. 培训 → 执行会议: record it held (the time the form suggests: now) with its minutes, then who came.
    tab(page, "培训")
    page.get_by_test_id("meeting-link").click()
    expect(page.get_by_test_id("held-at")).to_contain_text("尚未召开")
    held = page.get_by_test_id("held-form")
    held.get_by_label("会议纪要").fill("逐一确认各岗位职责与流程节点;演练断网、嘉宾迟到两项应急话术。")
    held.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("held-at")).not_to_contain_text("尚未召开")
    attendance = page.get_by_test_id("attendance-form")
    people_rows = attendance.locator("tr[data-person]")
    expected = people_rows.count()
    assert expected >= 2
    for i in range(expected):
        people_rows.nth(i).get_by_role("radio", name="出席").check()
    away = people["checkin_staff"]  # on the team (签到台); missed the meeting, with a note
    absent = attendance.locator(f'tr[data-person="{away.pk}"]')
    absent.get_by_role("radio", name="缺席").check()
    absent.locator(f'input[name="n_{away.pk}"]').fill("在签到台彩排")
    attendance.get_by_role("button", name="登记出席情况").click()
    expect(page.get_by_test_id("attendance-recorded")).to_be_visible()
    expect(page.get_by_test_id("training-gate").locator("li.unmet")).to_have_count(0)
    page.screenshot(path=str(artifacts / "prep-journey-6-training.png"), full_page=True)
    meeting = Training.objects.get(event=event, kind=Training.Kind.EXECUTION_MEETING)
    assert meeting.held_at is not None and meeting.attendance_recorded_at is not None
    assert not meeting.attendance.filter(attended__isnull=True).exists()
    assert list(meeting.attendance.filter(attended=False).values_list("person_id", flat=True)) == [away.pk]

    # 7. staff, on a phone: 我的任务 (with its count in the menu) shows the two tasks they now do; one is 完成.
    phone_page.context.clear_cookies()
    login_as(phone_page, staff, DEMO_PASSWORD)
    phone_page.locator("label[for=nav-toggle]").tap()
    expect(phone_page.get_by_test_id("nav-my-tasks")).to_have_text(re.compile(r"我的任务\s*2"))
    phone_page.get_by_test_id("nav-my-tasks").tap()
    mine = phone_page.get_by_test_id("my-task")
    expect(mine).to_have_count(2)
    for title in UNASSIGNED:
        expect(mine.filter(has_text=title)).to_have_count(1)
    phone_page.screenshot(path=str(artifacts / "prep-journey-7-my-tasks-phone.png"), full_page=True)
    done_title = UNASSIGNED[0]
    mine.filter(has_text=done_title).get_by_test_id("task-done").tap()
    expect(mine).to_have_count(1)
    expect(mine.filter(has_text=done_title)).to_have_count(0)
    assert Task.objects.get(event=event, title=done_title).status == Task.Status.DONE

    # 8. The readiness page: all three gates met. 去活动概览推进, and 推进 three times: 通知发布 is current.
    page.goto(f"/events/{event.pk}/")
    tab(page, "准备就绪")
    expect(page.get_by_test_id("ready")).to_have_text("三个关口均已满足")
    for step in ("resources", "materials", "training"):
        expect(page.get_by_test_id(f"gate-{step}")).to_have_attribute("data-met", "true")
    page.screenshot(path=str(artifacts / "prep-journey-8-ready.png"), full_page=True)
    page.get_by_role("link", name="去活动概览推进").click()
    for frm, to in ADVANCES:
        expect(current_step(page)).to_contain_text(str(Step(frm).label))
        gate = page.get_by_test_id("gate")
        expect(gate.locator("li.met").first).to_be_visible()
        expect(gate.locator("li.unmet")).to_have_count(0)
        page.get_by_test_id("advance").click()
        expect(current_step(page)).to_contain_text(str(Step(to).label))
    expect(current_step(page)).to_have_text(re.compile(r"^\s*\d+\.\s*通知发布\s*$"))
    page.screenshot(path=str(artifacts / "prep-journey-9-notification.png"), full_page=True)
    event.refresh_from_db()
    assert event.step == "notification"
