"""Issue 9 point 2 in a real browser: a guest registers on a phone inside WeChat's in-app browser.

Chromium at 390×844 with WeChat's user agent (``MicroMessenger/8.0.47``), JavaScript switched off as a
strict in-app browser may have it: the registration page is filled and submitted in Chinese and in English,
the guest lands on the ticket page and sees the QR code, which — screenshotted from the page and decoded
with zxing-cpp — is a token signed with the event's key. Every request the pages make is recorded: none
leaves 127.0.0.1. The layout checks of ``test_phone_layout`` run on each page (nothing past the right
edge, nothing clipped). Then the guest cancels from the ticket page and the next on the waiting list moves
up. Screenshots go to test-artifacts/phone-registration-*.png.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import zxingcpp
from django.urls import reverse
from PIL import Image

from huodong.outreach import tickets
from huodong.outreach.models import Consent, Guest, GuestStatus
from huodong.outreach.tests.test_registration_support import QUESTIONS, open_event, reg_of, sign_up

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS, _screenshots

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN"
)


def _wechat(browser, live_server, *, javascript: bool = False):  # noqa: ANN001, ANN202
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        user_agent=WECHAT_UA,
        java_script_enabled=javascript,
        # The address itself, so "nothing leaves 127.0.0.1" is what the recorded requests say.
        base_url=live_server.url.replace("localhost", "127.0.0.1"),
    )
    context.set_default_timeout(15_000)
    return context


def _hosts(requests: list[str]) -> set[str]:
    return {urlsplit(u).hostname or "" for u in requests if not u.startswith(("data:", "about:"))}


def _decode_qr_on_page(pg) -> str:  # noqa: ANN001
    shot = pg.get_by_test_id("ticket-qr").locator("svg").screenshot()
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    return found.text


def _register(pg, *, name: str, phone: str, email: str, english: bool) -> None:  # noqa: ANN001
    pg.fill("#id_name", name)
    pg.fill("#id_phone", phone)
    pg.fill("#id_email", email)
    pg.fill("#id_company", "Acme" if english else "华东制造")
    pg.fill("#id_title", "CTO" if english else "技术总监")
    pg.get_by_label("金融", exact=True).check()
    pg.get_by_label("AI", exact=True).check()
    pg.locator("#id_consent_operation").check()
    pg.locator("#id_consent_marketing").check()
    pg.get_by_test_id("register-submit").click()
    pg.wait_for_load_state()


def test_a_guest_registers_on_a_phone_in_wechat_in_chinese_and_english(
    browser, live_server, organiser, artifacts
):
    # REQ: NT-2 (registration with the reminder behind it), issue 9 points 2, 3 and 7 on a phone
    event = open_event(
        organiser,
        capacity=2,
        questions=QUESTIONS,
        highlights="新品首发与现场体验\n行业圆桌:制造业数字化转型的下一步",
        notes="请携带名片;会场提供午餐。",
        cohosts="上海某某科技有限公司",
    )
    register_url = reverse("outreach:register", args=[reg_of(event).slug])
    context = _wechat(browser, live_server)
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda request: requests.append(request.url))
    failures: dict[str, list[str]] = {}

    def check(name: str) -> None:
        _screenshots(pg, artifacts / f"phone-registration-{name}")
        # The layout probe is our script, run by the test harness (the page itself has none).
        problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
        if problems:
            failures[name] = problems[:8]

    # In Chinese
    response = pg.goto(register_url)
    assert response is not None and response.status == 200
    assert pg.locator("html").get_attribute("lang") == "zh-CN"
    assert pg.get_by_test_id("pipl-notice").is_visible()
    check("form-zh")
    pg.get_by_test_id("register-submit").click()  # nothing filled: errors beside the fields
    pg.wait_for_load_state()
    assert (
        pg.locator('[data-field="phone"]').is_visible()
        and pg.locator('[data-field="consent_operation"]').count()
    )
    check("errors-zh")
    _register(pg, name="张三", phone="138 0013 8000", email="zhang@example.com", english=False)
    assert "/t/" in pg.url and pg.get_by_test_id("welcome").is_visible()
    zhang = Guest.objects.get(event=event, phone="+8613800138000")
    assert zhang.status == GuestStatus.REGISTERED and zhang.language == "zh-hans"
    assert zhang.answers == {"industry": "金融", "topics": ["AI"]}
    assert set(Consent.objects.filter(guest=zhang, granted=True).values_list("purpose", flat=True)) == {
        "operation",
        "marketing",
    }
    assert pg.get_by_test_id("ticket-code").inner_text() == zhang.ticket.code
    token = _decode_qr_on_page(pg)
    key = tickets.event_key(event.pk)
    claims = tickets.verify(token, bytes(key.public_key))
    assert (claims.event_id, claims.guest_id) == (event.pk, zhang.pk)
    check("ticket-zh")

    # In English, through the page's own switch
    pg.goto(register_url)
    pg.get_by_test_id("lang-switch").click()
    pg.wait_for_load_state()
    assert pg.locator("html").get_attribute("lang") == "en"
    check("form-en")
    _register(pg, name="Alice Smith", phone="+44 7911 123456", email="alice@example.com", english=True)
    assert pg.locator("html").get_attribute("lang") == "en"
    alice = Guest.objects.get(event=event, phone="+447911123456")
    assert alice.status == GuestStatus.REGISTERED and alice.language == "en"
    assert tickets.verify(_decode_qr_on_page(pg), bytes(key.public_key)).guest_id == alice.pk
    check("ticket-en")

    # The event is full now: a third guest waits; Alice cancels from her ticket page and the third moves up
    waiting = sign_up(event, 7)
    assert waiting.status == GuestStatus.WAITLISTED
    pg.get_by_test_id("cancel-link").click()
    pg.wait_for_load_state()
    check("cancel-en")
    pg.get_by_test_id("cancel-submit").click()
    pg.wait_for_load_state()
    assert pg.get_by_test_id("done").is_visible() and pg.locator(".qr svg").count() == 0
    waiting.refresh_from_db()
    assert waiting.status == GuestStatus.REGISTERED
    pg.get_by_test_id("privacy-link").click()
    pg.wait_for_load_state()
    check("privacy-en")

    context.close()
    assert requests, "no request recorded"
    assert _hosts(requests) == {"127.0.0.1"}, sorted(_hosts(requests))
    assert not failures, "\n".join(f"{page}: " + "; ".join(p) for page, p in failures.items())


def test_the_registration_page_with_javascript_on_makes_no_outside_request(browser, live_server, organiser):
    """WeChat usually runs scripts: the page still loads nothing from anywhere but the server."""
    event = open_event(organiser, questions=QUESTIONS)
    context = _wechat(browser, live_server, javascript=True)
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda request: requests.append(request.url))
    pg.goto(reverse("outreach:register", args=[reg_of(event).slug]) + "?lang=en")
    pg.wait_for_load_state("networkidle")
    widths = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    context.close()
    assert _hosts(requests) == {"127.0.0.1"}


def test_the_organisers_registration_tab_fits_a_phone(browser, live_server, organiser, artifacts):
    """The organiser checks the counts and the poster QR on a phone, in Chinese and in English."""
    from .test_phone_layout import LANGUAGES, _login, _phone, _set_language

    event = open_event(organiser, capacity=2, questions=QUESTIONS, cohosts="上海某某科技有限公司")
    sign_up(event, 1)
    context = _phone(browser, live_server)
    pg = context.new_page()
    _login(pg, organiser)
    failures = {}
    for lang in LANGUAGES:
        _set_language(pg, lang)
        response = pg.goto(reverse("outreach:registration", args=[event.pk]))
        assert response is not None and response.status == 200
        assert pg.get_by_test_id("count-registered").inner_text() == "1"
        _screenshots(pg, artifacts / f"phone-registration-tab-{lang}")
        problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
        if problems:
            failures[lang] = problems[:8]
    context.close()
    assert not failures, failures
