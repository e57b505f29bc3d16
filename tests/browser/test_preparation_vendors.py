"""VD-1, VD-2 in a real browser: on a desktop an organiser adds a vendor need, enters three quotes, compares
them, chooses one with a reason and records the contract with its signed file; on a 390 px phone the needs
page (and the need and comparison pages) fit the screen."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from huodong.events.steps import Step
from huodong.planning.tests.conftest import build_plan_event, move
from huodong.preparation.models import Contract, Vendor, VendorNeed, VendorQualification
from tests.browser.conftest import PHONE
from tests.browser.test_phone_layout import LAYOUT_PROBLEMS_JS
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def _sign_in(pg, user, url: str) -> None:  # noqa: ANN001
    pg.goto(f"/login/?next={url}")
    pg.fill("#id_username", user.username)
    pg.fill("#id_password", PASSWORD)
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_url(f"**{url}")


def _register() -> list[Vendor]:
    vendors = [
        Vendor.objects.create(name="星光舞美", categories=["stage"], contact_name="张三"),
        Vendor.objects.create(name="华彩搭建", categories=["stage"]),
        Vendor.objects.create(name="东方演艺工程", categories=["stage", "av"]),
    ]
    VendorQualification.objects.create(
        vendor=vendors[1], name="舞台搭建资质证书", expires_on=dt.date(2020, 1, 1)
    )
    return vendors


def test_an_organiser_enters_three_quotes_compares_chooses_and_records_the_contract(
    page, organiser, tmp_path, settings
) -> None:
    # REQ: VD-1, VD-2
    settings.MEDIA_ROOT = tmp_path / "media"
    event = move(build_plan_event(organiser), Step.RESOURCES)
    vendors = _register()
    needs_url = f"/events/{event.pk}/preparation/vendors/"
    pg = page
    _sign_in(pg, organiser, needs_url)

    pg.get_by_test_id("need-add").locator("summary").click()
    pg.fill("#id_n-title", "主舞台与 LED 屏搭建")
    pg.select_option("#id_n-category", "stage")
    pg.select_option("#id_n-budget_line", label="设备租赁 · LED 屏")
    pg.fill("#id_n-needed_by", "2027-03-17")
    pg.get_by_test_id("need-add").get_by_role("button", name="添加").click()
    expect(pg.get_by_test_id("need-status")).to_have_text("询价中")
    need = VendorNeed.objects.get(event=event)

    for vendor, amount, scores in [
        (vendors[0], "150000", ("90", "80", "70")),
        (vendors[1], "120000", ("60", "90", "80")),
        (vendors[2], "100000", ("70", "60", "90")),
    ]:
        pg.get_by_test_id("quote-add").locator("summary").click()
        form = pg.get_by_test_id("quote-add-form")
        form.locator("#id_qt-vendor").select_option(label=vendor.name)
        form.locator("#id_qt-amount").fill(amount)
        form.locator("#id_qt-includes").fill("搭建、调试、拆除")
        form.locator("#id_qt-delivery_on").fill("2027-03-17")
        form.locator("#id_qt-qualification_score").fill(scores[0])
        form.locator("#id_qt-cases_score").fill(scores[1])
        form.locator("#id_qt-delivery_score").fill(scores[2])
        if vendor == vendors[0]:
            form.locator("#id_qt-file").set_input_files(
                files=[{"name": "报价单.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
        form.get_by_role("button", name="添加报价").click()
        pg.wait_for_load_state()
    expect(pg.get_by_test_id("quote-row")).to_have_count(3)
    expect(pg.get_by_test_id("quote-table").get_by_text("报价单.pdf")).to_be_visible()
    expect(pg.get_by_test_id("quote-table").get_by_test_id("expired")).to_have_count(1)

    pg.get_by_test_id("compare-link").click()
    rows = pg.get_by_test_id("comparison-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("东方演艺工程")
    expect(rows.nth(0).get_by_test_id("weighted")).to_contain_text("83.00")
    expect(rows.nth(1)).to_contain_text("已过期")
    choose = pg.get_by_test_id("choose-form")
    choose.get_by_label("东方演艺工程 · 100,000.00").check()
    choose.locator("#id_ch-reason").fill("加权得分最高,价格最低")
    choose.get_by_role("button", name="选定").click()
    expect(pg.get_by_test_id("need-status")).to_have_text("已选定")

    contract = pg.get_by_test_id("contract-form")
    expect(contract.locator("#id_ct-amount")).to_have_value("100000.00")
    contract.locator("#id_ct-number").fill("HT-2027-018")
    contract.locator("#id_ct-service_content").fill("主舞台 12m×8m 搭建、LED 屏安装调试及活动后拆除")
    contract.locator("#id_ct-liability").fill("逾期交付每日按合同金额 1% 支付违约金")
    # Without a delivery time the contract is not sent (the server refuses it too: test_vendor_pages).
    contract.get_by_role("button", name="登记合同").click()
    assert contract.locator("#id_ct-delivery_at").evaluate("e => e.validity.valueMissing")
    assert not Contract.objects.exists()
    contract.locator("#id_ct-delivery_at").fill("2027-03-17T18:00")
    contract.locator("#id_ct-signed_file").set_input_files(
        files=[{"name": "合同扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    contract.get_by_role("button", name="登记合同").click()
    expect(pg.get_by_test_id("need-status")).to_have_text("已签合同")
    expect(pg.get_by_test_id("contract")).to_contain_text("HT-2027-018")
    expect(pg.get_by_test_id("contract")).to_contain_text("合同扫描件.pdf")
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CONTRACTED and need.contract.vendor == vendors[2]

    pg.goto(needs_url)
    expect(pg.get_by_test_id("need-row")).to_contain_text("已签合同")
    expect(pg.get_by_test_id("budget-line-row")).to_contain_text("在预算内")


def test_the_vendor_pages_fit_a_390px_phone(
    browser, live_server, organiser, tmp_path, settings, artifacts
) -> None:
    # REQ: VD-1 — the needs page on a phone
    from huodong.preparation.services import vendors as services

    settings.MEDIA_ROOT = tmp_path / "media"
    event = move(build_plan_event(organiser), Step.RESOURCES)
    vendors = _register()
    need = services.need_add(
        actor=organiser, event=event, title="主舞台与 LED 屏搭建(含两块侧屏及舞台灯光的整体搭建)", category="stage",
        budget_line=event.plan.budget_lines.get(item="LED 屏"), owner=organiser,
    )  # fmt: skip
    for vendor, amount in zip(vendors, ("150000", "120000", "100000"), strict=True):
        services.quote_add(
            actor=organiser, event=event, need_id=need.pk, vendor=vendor, amount=amount,
            includes="搭建、调试、拆除、运输、保险及现场值守人员两名", qualification_score=80,
        )  # fmt: skip
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        urls = {
            "needs": f"/events/{event.pk}/preparation/vendors/",
            "need": f"/events/{event.pk}/preparation/vendors/{need.pk}/",
            "comparison": f"/events/{event.pk}/preparation/vendors/{need.pk}/comparison/",
            "register": "/vendors/",
        }
        _sign_in(pg, organiser, urls["needs"])
        failures = {}
        for name, url in urls.items():
            response = pg.goto(url)
            assert response is not None and response.status == 200, name
            pg.screenshot(path=str(artifacts / f"phone-vendors-{name}.png"), full_page=True)
            problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
            if problems:
                failures[name] = problems[:8]
        assert not failures, failures
    finally:
        context.close()
