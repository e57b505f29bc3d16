"""Issue 9 as its people use it, in Chinese, in one journey through Chromium.

1. The organiser (desktop, 1280 px) opens registration with two questions, adds a guest by hand (a bad
   phone first), imports a small .xlsx with one bad row (the report names it; the counter says 2 / 2),
   sends the invitations, looks at 消息, edits the invitation with an unknown placeholder (refused) then a
   good one and previews it, prepares and queues the collaboration letters, and reads the gate of 通知发布.
2. The contact named on 销售部's quota (a 390 px phone) sees the quota and adds a guest for 销售部.
3. A guest in WeChat's in-app browser (390 px, MicroMessenger) registers, opens the ticket, adds it to the
   calendar, corrects the e-mail (a bad one first), withdraws the marketing consent, cancels, and finds the
   way back to the registration form. Nothing on the phone pages runs past the right edge.
Screenshots: test-artifacts/outreach-journey-*.png.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from huodong.outreach.models import Consent, Guest, GuestStatus, RegistrationSettings
from huodong.outreach.tests.test_letters_fixtures import notices_world  # noqa: F401  (a fixture)

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows: list[tuple[str, ...]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "公司", "职务", "手机", "邮箱", "类别", "邀请部门"])
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _submit(pg, testid: str) -> None:  # noqa: ANN001
    pg.get_by_test_id(testid).locator("button[type=submit]").first.click()
    pg.wait_for_load_state()


def _phone(browser, live_server, **extra):  # noqa: ANN001, ANN003, ANN202
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
        base_url=live_server.url, **extra,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    return context


def _fits(pg) -> None:  # noqa: ANN001
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == [], pg.url


def test_the_organiser_a_department_contact_and_a_guest_in_wechat(
    page,
    browser,
    live_server,
    login_as,
    notices_world,  # noqa: F811
    artifacts,
):
    # REQ: NT-1, NT-2 — issue 9 points 1, 2, 3, 5, 6, 7 and 8 as the people use them
    w = notices_world
    e = w.event.pk
    pg = page

    def shot(p, name: str) -> None:  # noqa: ANN001
        p.screenshot(path=str(artifacts / f"outreach-journey-{name}.png"), full_page=True)

    # 1. the organiser, on a desktop
    login_as(pg, w.organiser)
    pg.goto(f"/events/{e}/outreach/registration/")
    pg.check("#id_is_open")
    pg.fill(
        "#id_questions",
        "industry | 所属行业 | Industry | choice | 制造/金融 | 必填\nlunch | 是否用餐 | Lunch | yesno",
    )
    _submit(pg, "registration-form")
    assert "报名设置已保存" in pg.content() and "是否用餐" in pg.get_by_test_id("questions").inner_text()

    pg.goto(f"/events/{e}/outreach/guests/")
    pg.fill("#add_name", "陈嘉宾")
    pg.fill("#add_phone", "12345")
    _submit(pg, "guest-form")
    assert "不是有效号码" in pg.get_by_test_id("guest-form").inner_text()
    pg.fill("#add_phone", "13812345678")
    pg.fill("#add_email", "chen@example.com")
    _submit(pg, "guest-form")
    assert "嘉宾已添加" in pg.content()

    data = _xlsx([("王小明", "星辰", "CTO", "13900001234", "wang@example.com", "VIP", "销售部"),
                  ("坏行", "", "", "12345", "bad", "老板", "")])  # fmt: skip
    pg.set_input_files("#imp_file", files=[{"name": "名单.xlsx", "mimeType": XLSX, "buffer": data}])
    _submit(pg, "import-form")
    job = pg.get_by_test_id("job")
    assert "已处理 2 / 2" in job.inner_text()
    assert (
        pg.get_by_test_id("imported").inner_text() == "1" and pg.get_by_test_id("refused").inner_text() == "1"
    )
    assert "「12345」不是有效号码" in pg.get_by_test_id("import-problems").inner_text()
    shot(pg, "1-import")

    pg.goto(f"/events/{e}/outreach/notices/")
    pg.get_by_text("发送邀请函", exact=True).click()
    pg.get_by_test_id("invitation-form").locator("input[value=email]").first.check()
    _submit(pg, "invitation-form")
    assert re.search(r"邀请函已排入发件箱:2 位嘉宾", pg.content())
    pg.goto(f"/events/{e}/outreach/messages/")
    assert pg.get_by_role("cell", name="chen@example.com").count() == 1

    pg.goto(f"/events/{e}/outreach/templates/invitation/email/zh-hans/")
    pg.fill("#id_body", "您好 {guest_nme},欢迎参加 {event}")
    pg.get_by_test_id("save-button").click()
    pg.wait_for_load_state()
    assert "未知的占位符「{guest_nme}」" in pg.get_by_test_id("template-form").inner_text()
    pg.fill("#id_body", "您好 {guest_name},欢迎参加 {event}。{ticket_link}")
    pg.get_by_test_id("save-button").click()
    pg.wait_for_load_state()
    assert "模板已保存" in pg.content()
    pg.get_by_test_id("preview-button").click()
    pg.wait_for_load_state()
    assert "欢迎参加 智启未来" in pg.get_by_test_id("preview-body").inner_text()

    pg.goto(f"/events/{e}/outreach/notices/")
    pg.get_by_role("button", name="生成/更新协作函").click()
    pg.wait_for_load_state()
    pg.once("dialog", lambda d: d.accept())
    pg.get_by_test_id("letters-queue").click()
    pg.wait_for_load_state()
    assert "等待发送" in pg.get_by_test_id("letters-table").inner_text()
    gate = pg.get_by_test_id("notification-gate").inner_text()
    assert "报名已开放" in gate and "销售部 缺" in gate and "尚未送达" in gate
    shot(pg, "1-gate")

    # 2. the contact of 销售部's quota, on a phone
    context = _phone(browser, live_server)
    ph = context.new_page()
    login_as(ph, w.seller)
    ph.goto(f"/events/{e}/outreach/guests/")
    assert "销售部" in ph.get_by_test_id("quotas").inner_text()
    ph.fill("#add_name", "销售客户")
    ph.fill("#add_phone", "13912340000")
    _submit(ph, "guest-form")
    assert "嘉宾已添加" in ph.content()
    assert Guest.objects.get(event=w.event, name="销售客户").department == w.sales
    _fits(ph)
    shot(ph, "2-contact")
    context.close()

    # 3. a guest in WeChat
    slug = RegistrationSettings.objects.get(event=w.event).slug
    context = _phone(browser, live_server, user_agent=WECHAT_UA, accept_downloads=True)
    ph = context.new_page()
    ph.goto(f"/r/{slug}/")
    _fits(ph)
    ph.fill("#id_name", "访客")
    ph.fill("#id_phone", "13911110001")
    ph.fill("#id_email", "visitor@example.com")
    ph.get_by_label("金融", exact=True).check()
    ph.locator("#id_consent_operation").check()
    ph.locator("#id_consent_marketing").check()
    ph.get_by_test_id("register-submit").click()
    ph.wait_for_load_state()
    assert ph.get_by_test_id("ticket-code").inner_text().strip()
    _fits(ph)
    with ph.expect_download() as download:
        ph.get_by_test_id("ics-link").click()
    assert download.value.suggested_filename.endswith(".ics")
    ph.get_by_test_id("details-link").click()
    ph.fill("#id_email", "bad")
    ph.get_by_test_id("details-submit").click()
    ph.wait_for_load_state()
    assert "格式不正确" in ph.content()
    ph.fill("#id_email", "new@example.com")
    ph.get_by_test_id("details-submit").click()
    ph.wait_for_load_state()
    ph.get_by_test_id("privacy-link").click()
    ph.get_by_test_id("withdraw-marketing").locator("button").click()
    ph.wait_for_load_state()
    guest = Guest.objects.get(event=w.event, phone="+8613911110001")
    assert guest.email == "new@example.com"
    assert Consent.objects.get(guest=guest, purpose="marketing").withdrawn_at is not None
    ph.goto(f"/t/{guest.access_key}/")
    ph.get_by_test_id("cancel-link").click()
    ph.get_by_test_id("cancel-submit").click()
    ph.wait_for_load_state()
    guest.refresh_from_db()
    assert guest.status == GuestStatus.CANCELLED
    ph.get_by_test_id("register-again").click()  # the way back while registration is open
    ph.wait_for_load_state()
    assert ph.get_by_test_id("register-submit").is_visible()
    shot(ph, "3-guest")
    context.close()
