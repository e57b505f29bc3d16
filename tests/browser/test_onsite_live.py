"""EX-6 in a real browser: the dashboard of 现场监控 on a big screen (1920×1080, ``?screen=1``, Chinese) and
on a phone (390×844, switched to English) while guests are checked in through the check-in service: each
page polls the snapshot (If-None-Match) every 2 s and shows the new figures without a reload — the totals,
the gate's count and the chart drawn by Chart.js. The phone then records a lead from a ticket code."""

from __future__ import annotations

from playwright.sync_api import expect

from huodong.checkin.services import redeem
from huodong.checkin.tests.support import door_event, gate, guests_of, token_of
from huodong.onsite.live.models import Lead
from huodong.outreach.models import Guest

from .test_phone_layout import LAYOUT_PROBLEMS_JS

SCREEN = {"width": 1920, "height": 1080}


def test_the_dashboard_follows_check_ins_on_a_big_screen_and_a_phone(
    browser, live_server, phone_page, login_as, organiser, artifacts
):
    # REQ: EX-6
    event = door_event(organiser, 3)
    g1, g2, g3 = guests_of(event)
    Guest.objects.filter(pk=g3.pk).update(category="media")
    tokens = {g.pk: token_of(g) for g in (g1, g2, g3)}

    big = browser.new_context(locale="zh-CN", viewport=SCREEN, base_url=live_server.url)
    big.set_default_timeout(15_000)
    screen = big.new_page()
    login_as(screen, organiser)
    screen.goto(f"/events/{event.pk}/live/?screen=1")
    expect(screen.get_by_test_id("live-checked-in")).to_have_text("0")
    expect(screen.get_by_text("报名与签到(每 5 分钟)")).to_be_visible()
    screen.wait_for_function(
        "() => !!window.Chart && !!Chart.getChart(document.getElementById('dash-chart'))"
    )

    phone = phone_page
    login_as(phone, organiser)
    phone.goto(f"/events/{event.pk}/live/")
    phone.get_by_test_id("lang-en").click()
    expect(phone.locator("html")).to_have_attribute(
        "lang", "en"
    )  # the words come from /tmp/po (compiled by the lead)
    expect(phone.get_by_test_id("live-checked-in")).to_have_text("0")

    from huodong.onsite.incidents.services import incidents as incident_services

    incident_services.incident_report(
        actor=organiser, event=event.pk, category="equipment", title="投影仪无信号"
    )
    assert redeem.scan(
        actor=organiser, event=event.pk, token=tokens[g1.pk], gate_id=gate(event, "入口 B").pk
    ).ok
    assert redeem.scan(
        actor=organiser, event=event.pk, token=tokens[g3.pk], gate_id=gate(event, "入口 A").pk
    ).ok
    for pg in (screen, phone):
        expect(pg.get_by_test_id("live-checked-in")).to_have_text("2", timeout=8000)
        expect(pg.get_by_test_id("live-media")).to_have_text("1 / 1")
        gate_b = pg.locator(f'[data-gate="{gate(event, "入口 B").pk}"] [data-testid="gate-count"]')
        expect(gate_b).to_have_text("1")
    # The equipment incident's 15-minute SLA clock counts down on the screen (ticked by the page itself).
    expect(screen.get_by_test_id("sla-clock")).to_contain_text("剩余")
    last = screen.evaluate(
        "() => { const c = Chart.getChart(document.getElementById('dash-chart')); "
        "return c.data.datasets[1].data[c.data.datasets[1].data.length - 1]; }"
    )
    assert last == 2
    assert not phone.evaluate(LAYOUT_PROBLEMS_JS)
    screen.screenshot(path=str(artifacts / "onsite-live-screen.png"))
    phone.screenshot(path=str(artifacts / "onsite-live-phone-en.png"), full_page=True)

    # A lead from the phone: the badge's ticket code, interest A, a note.
    code = g2.ticket.code
    phone.goto(f"/events/{event.pk}/live/leads/")
    phone.get_by_test_id("lead-q").fill(code)
    phone.get_by_test_id("lead-q").press("Enter")
    phone.get_by_role("link", name=g2.name).click()
    phone.locator("input[name=interest][value=a]").check()
    phone.get_by_test_id("lead-save").click()
    expect(phone.get_by_test_id("lead-mine")).to_contain_text(g2.name)
    assert Lead.objects.get().guest_id == g2.pk
    assert not phone.evaluate(LAYOUT_PROBLEMS_JS)
    big.close()
