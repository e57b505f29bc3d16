"""EX-3 in a real browser: the stage manager, on a phone (390×844), starts the opening 10 minutes late
with the one big button; the big screen beside the stage — already open, polling every 2 s with
If-None-Match — shows the opening running and the show 10 minutes late without a reload; a segment
owner's page on their phone shows their segment's shifted time and takes "我已到位"; then the same pages
in English. The phone pages fit the screen (``test_phone_layout``'s checks). Screenshots go to
test-artifacts/show-*.png."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from huodong.checkin.models import CheckinSettings, StaffArrival
from huodong.checkin.rules import local_time
from huodong.core.models import Notification, Role
from huodong.events.steps import Step
from huodong.onsite.show.models import SegmentRun
from huodong.planning.models import Plan, RunOfShowSegment
from huodong.planning.tests.conftest import make_event
from tests.factories import person

from .test_phone_layout import LAYOUT_PROBLEMS_JS


def _late_label(n: int, language: str) -> str:
    with translation.override(language):
        return gettext("晚 %(n)s 分钟") % {"n": n}


def test_a_late_opening_on_the_phone_the_big_screen_and_an_owners_page(
    browser, live_server, login_as, organiser, checkin_staff, artifacts
):
    # REQ: EX-3
    planned = timezone.now() - dt.timedelta(minutes=10)
    event = make_event(organiser, step=Step.RUN, starts=planned, name="智启未来·现场流程")
    plan = Plan.objects.create(event=event)
    speaker = person("show_speaker_b", Role.STAFF, "product", name="讲者老李")
    opening = RunOfShowSegment.objects.create(
        plan=plan, position=1, title="开场", starts_at=planned, duration_minutes=10, owner=organiser
    )
    keynote = RunOfShowSegment.objects.create(
        plan=plan, position=2, title="主题演讲", starts_at=planned + dt.timedelta(minutes=10),
        duration_minutes=30, owner=speaker,
    )  # fmt: skip
    CheckinSettings.objects.create(event=event, stage_manager=checkin_staff)

    def context(viewport, locale="zh-CN", mobile=True):
        ctx = browser.new_context(
            locale=locale, viewport=viewport, is_mobile=mobile, has_touch=mobile, base_url=live_server.url
        )
        ctx.set_default_timeout(15_000)
        return ctx

    screen_ctx = context({"width": 1920, "height": 1080}, mobile=False)
    screen = screen_ctx.new_page()
    login_as(screen, organiser)
    screen.goto(reverse("onsite_show:screen", kwargs={"event_id": event.pk}))
    expect(screen.get_by_test_id("screen-current")).to_have_text("—")
    expect(screen.get_by_test_id("screen-next")).to_have_text("开场")

    phone_ctx = context({"width": 390, "height": 844})
    phone = phone_ctx.new_page()
    login_as(phone, checkin_staff)
    phone.goto(reverse("onsite_show:run", kwargs={"event_id": event.pk}))
    big = phone.get_by_test_id("show-big-button")
    expect(big).to_contain_text("开始「开场」")
    assert phone.evaluate(LAYOUT_PROBLEMS_JS) == []
    big.click()
    phone.wait_for_load_state()
    expect(phone.get_by_test_id("show-big-button")).to_contain_text("结束「开场」")
    run = SegmentRun.objects.get(segment=opening)
    assert run.started_by_id == checkin_staff.pk
    late = int((run.started_at - planned).total_seconds() // 60)
    assert late == 10
    expect(phone.get_by_test_id("show-late")).to_contain_text(_late_label(late, "zh-hans"))
    assert phone.evaluate(LAYOUT_PROBLEMS_JS) == []
    phone.screenshot(path=str(artifacts / "show-stage-phone.png"), full_page=True)

    # The big screen follows by itself (polling with If-None-Match), no reload.
    expect(screen.get_by_test_id("screen-current")).to_have_text("开场", timeout=6000)
    expect(screen.get_by_test_id("screen-late")).to_contain_text(_late_label(late, "zh-hans"))
    shifted = run.started_at + dt.timedelta(minutes=10)
    expect(screen.get_by_test_id("screen-next-time")).to_contain_text(local_time(shifted, event))
    screen.screenshot(path=str(artifacts / "show-big-screen.png"))

    # The keynote's owner was told, and their page shows the shifted time.
    assert Notification.objects.filter(recipient=speaker, kind="show_shift").count() == 1
    owner_ctx = context({"width": 390, "height": 844})
    owner = owner_ctx.new_page()
    login_as(owner, speaker)
    owner.goto(reverse("onsite_show:mine", kwargs={"event_id": event.pk}))
    expect(owner.locator(f'[data-segment="{keynote.pk}"] [data-testid="mine-projected"]')).to_contain_text(
        local_time(shifted, event)
    )
    assert owner.evaluate(LAYOUT_PROBLEMS_JS) == []
    owner.get_by_test_id("mine-confirm").click()
    owner.wait_for_load_state()
    expect(owner.get_by_test_id("mine-arrived")).to_be_visible()
    assert StaffArrival.objects.filter(event=event, person=speaker).exists()
    owner.screenshot(path=str(artifacts / "show-owner-phone.png"), full_page=True)

    # English: the owner switches language; the big screen in an English browser.
    owner.get_by_test_id("lang-en").click()
    owner.wait_for_load_state()
    assert owner.locator("html").get_attribute("lang") == "en"
    expect(owner.locator(f'[data-segment="{keynote.pk}"] [data-testid="mine-projected"]')).to_contain_text(
        local_time(shifted, event)
    )
    assert owner.evaluate(LAYOUT_PROBLEMS_JS) == []
    screen.get_by_test_id("screen-board")  # still polling in Chinese
    en_ctx = context({"width": 1920, "height": 1080}, locale="en-US", mobile=False)
    en = en_ctx.new_page()
    login_as(en, organiser)
    en.goto("/")
    en.get_by_test_id("lang-en").click()
    en.wait_for_load_state()
    en.goto(reverse("onsite_show:screen", kwargs={"event_id": event.pk}))
    assert en.locator("html").get_attribute("lang") == "en"
    expect(en.get_by_test_id("screen-late")).to_contain_text(_late_label(late, "en"))
    expect(en.get_by_test_id("screen-current")).to_have_text("开场")
    en.screenshot(path=str(artifacts / "show-big-screen-en.png"))
    for ctx in (screen_ctx, phone_ctx, owner_ctx, en_ctx):
        ctx.close()
