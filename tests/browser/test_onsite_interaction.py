"""Issue 11 point 3 (EX-4) in a real browser: on the show day a guest opens interaction from their ticket
page on a phone (390×844) and asks a question; the stage manager approves it on their phone; the big
screen — polling its data with If-None-Match — shows it without a reload. The guest answers the survey
and the results screen counts it. The stage manager prepares the lottery (the commitment shown), draws,
and the replay command recomputes the same winners. The layout checks of ``test_phone_layout`` run on the
guest's and the moderator's pages."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from huodong.onsite.interaction.models import Draw
from huodong.onsite.interaction.rules import settings_of
from huodong.onsite.interaction.tests.support import all_guests, show_event

from .conftest import DESKTOP, PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS


def _context(browser, live_server, *, phone: bool):  # noqa: ANN001, ANN202
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE if phone else DESKTOP, base_url=live_server.url, **extra
    )
    context.set_default_timeout(15_000)
    return context


def test_question_survey_and_lottery_on_the_show_day(browser, live_server, login_as, organiser, artifacts):
    # REQ: EX-4
    event = show_event(organiser, 3)
    guest = all_guests(event)[0]
    key = settings_of(event).key
    guest_ctx = _context(browser, live_server, phone=True)
    stage_ctx = _context(browser, live_server, phone=True)
    screen_ctx = _context(browser, live_server, phone=False)
    try:
        screen = screen_ctx.new_page()
        screen.goto(f"/x/{key}/screen/?view=questions")
        expect(screen.get_by_test_id("screen-questions")).to_contain_text("审核通过的问题会显示在这里")

        # the guest, from the ticket page
        g = guest_ctx.new_page()
        g.goto(f"/t/{guest.access_key}/")
        g.get_by_test_id("interaction-link").click()
        expect(g.get_by_test_id("guest-hello")).to_contain_text(guest.name)
        assert not g.evaluate(LAYOUT_PROBLEMS_JS)
        g.get_by_test_id("ask-text").fill("新品什么时候在华东上市?")
        g.get_by_test_id("ask-name").fill("王先生")
        g.get_by_test_id("ask-submit").click()
        expect(g.get_by_test_id("done")).to_contain_text("问题已提交")
        expect(g.get_by_test_id("my-questions")).to_contain_text("待审核")

        # the stage manager approves it on a phone
        s = stage_ctx.new_page()
        login_as(s, organiser)
        s.goto(f"/events/{event.pk}/interaction/questions/")
        expect(s.get_by_test_id("pending")).to_contain_text("新品什么时候在华东上市?")
        assert not s.evaluate(LAYOUT_PROBLEMS_JS)
        s.get_by_test_id("pending").get_by_test_id("q-approve").click()
        expect(s.get_by_test_id("on-screen")).to_contain_text("新品什么时候在华东上市?")

        # the screen follows without a reload
        expect(screen.get_by_test_id("screen-questions")).to_contain_text(
            "新品什么时候在华东上市?", timeout=8000
        )
        expect(screen.get_by_test_id("screen-questions")).to_contain_text("王先生")

        # the survey, and the results screen
        results = screen_ctx.new_page()
        results.goto(f"/x/{key}/screen/?view=survey")
        expect(results.get_by_test_id("screen-survey-count")).to_have_text("0")
        g.get_by_test_id("survey-link").click()
        for field, value in (
            ("rating", "5"),
            ("rating_content", "4"),
            ("rating_organisation", "4"),
            ("nps", "10"),
        ):
            g.get_by_test_id(f"field-{field}").locator(f'label.pick:has(input[value="{value}"])').click()
        assert not g.evaluate(LAYOUT_PROBLEMS_JS)
        g.get_by_test_id("survey-submit").click()
        expect(g.get_by_test_id("done")).to_contain_text("感谢您的反馈")
        expect(results.get_by_test_id("screen-survey-count")).to_have_text("1", timeout=8000)
        expect(results.get_by_test_id("screen-survey-avg")).to_have_text("5.0")
        expect(results.get_by_test_id("screen-survey-nps")).to_have_text("100")

        # the lottery: prepared (commitment shown), drawn, replayed
        s.goto(f"/events/{event.pk}/interaction/lottery/")
        expect(s.get_by_test_id("eligible-count")).to_have_text("3")
        s.get_by_test_id("draw-title").fill("一等奖")
        s.get_by_test_id("draw-count").fill("1")
        s.get_by_test_id("draw-prepare").click()
        draw = Draw.objects.get(event=event)
        expect(s.get_by_test_id("draw")).to_contain_text(draw.seed_commitment)
        expect(s.get_by_test_id("draw")).not_to_contain_text(draw.seed)
        s.get_by_test_id("draw-run").click()
        expect(s.get_by_test_id("draw-seed")).to_have_text(draw.seed)
        s.screenshot(path=str(artifacts / "interaction-lottery-phone.png"), full_page=True)
        out = StringIO()
        call_command("lottery_replay", "--draw", str(draw.pk), stdout=out)
        assert out.getvalue().strip().endswith("match")
        g.goto(f"/x/{key}/lottery/{draw.pk}/")
        expect(g.get_by_test_id("draw-seed")).to_have_text(draw.seed)
        screen.screenshot(path=str(artifacts / "interaction-screen.png"))
    finally:
        for ctx in (guest_ctx, stage_ctx, screen_ctx):
            ctx.close()
