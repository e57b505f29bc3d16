"""《活动物料明细表》 (MT-1) in a real browser: the organiser builds the list from the event type's template
and takes one item to 已验收 with the quick buttons; on a 390 px phone the list stacks and nothing sticks
out past the screen. Screenshots go to test-artifacts/materials-*.png."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation import excel_materials as xl
from huodong.preparation.models import MaterialItem
from huodong.preparation.services import materials as svc
from huodong.preparation.tests.test_materials import xlsx

from .test_phone_layout import LAYOUT_PROBLEMS_JS


def test_organiser_creates_items_from_the_template_and_accepts_one(page, login_as, organiser, artifacts):
    # REQ: MT-1
    event = make_event(organiser, step=Step.MATERIALS)
    login_as(page, organiser)
    page.goto(reverse("preparation:materials", args=[event.pk]))
    expect(page.get_by_test_id("material-row")).to_have_count(0)
    page.get_by_test_id("materials-from-template").click()
    expected = len(event.event_type.materials)
    expect(page.get_by_test_id("material-row")).to_have_count(expected)
    expect(page.locator(".messages")).to_contain_text(f"{expected} 项物料")

    row = page.locator('[data-testid=material-row][data-name="海报"]')
    for status in ("已下单", "已到货", "已验收"):
        row.get_by_test_id("material-next-status").click()
        expect(row.get_by_test_id("material-status")).to_have_text(status)
    expect(row.get_by_test_id("material-next-status")).to_have_count(0)
    assert MaterialItem.objects.get(event=event, name="海报").status == MaterialItem.Status.ACCEPTED

    # the template button again creates nothing
    page.get_by_test_id("materials-from-template").click()
    expect(page.get_by_test_id("material-row")).to_have_count(expected)
    page.screenshot(path=str(artifacts / "materials-desktop.png"), full_page=True)


def test_the_materials_page_fits_a_phone(phone_page, login_as, organiser, artifacts):
    # REQ: MT-1 — on a phone the list stacks
    event = make_event(organiser, step=Step.MATERIALS)
    svc.materials_from_template(actor=organiser, event=event)
    late = MaterialItem.objects.get(event=event, name="易拉宝")
    svc.material_update(
        actor=organiser,
        event=event,
        material_id=late.pk,
        seen=late.revision,
        owner=organiser,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        spec="80×200 cm,含铝合金展架与运输包装袋,画面为本次发布会主视觉",
        note="画面终稿已确认;到货后在签到区左右各放三个,撤场时回收。",
    )
    login_as(phone_page, organiser)
    phone_page.goto(reverse("preparation:materials", args=[event.pk]))
    row = phone_page.locator('[data-testid=material-row][data-name="易拉宝"]')
    expect(row.get_by_test_id("material-overdue")).to_be_visible()
    # stacked: the cells of a row sit one under the other, each with its label
    boxes = [row.locator("td").nth(i).bounding_box() for i in range(3)]
    assert boxes[0] and boxes[1] and boxes[2]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert abs(boxes[0]["x"] - boxes[1]["x"]) < 2
    problems = phone_page.evaluate(LAYOUT_PROBLEMS_JS)
    phone_page.screenshot(path=str(artifacts / "materials-phone.png"), full_page=True)
    assert not problems, problems
    # the quick button works on the phone too
    row.get_by_test_id("material-next-status").click()
    expect(row.get_by_test_id("material-status")).to_have_text("已下单")

    # an import with bad rows is refused, every bad row listed, and the list still fits the phone
    bad = xlsx(
        [["礼品", "伴手礼", -1, "", "", "", "", "", ""], ["礼品", "杯", 1, "", "", "", "", "丢了", ""]]
    )
    phone_page.set_input_files(
        'input[name="imp-file"]',
        files=[{"name": "物料.xlsx", "mimeType": xl.EXCEL_CONTENT_TYPE, "buffer": bad}],
    )
    phone_page.get_by_test_id("material-import-form").get_by_role("button", name="导入").click()
    expect(phone_page.get_by_test_id("import-problem")).to_have_count(2)
    expect(phone_page.get_by_test_id("import-problems")).to_contain_text("2 行有错误")
    assert MaterialItem.objects.get(event=event, name="伴手礼").quantity == 220
    problems = phone_page.evaluate(LAYOUT_PROBLEMS_JS)
    phone_page.screenshot(path=str(artifacts / "materials-phone-import.png"), full_page=True)
    assert not problems, problems
