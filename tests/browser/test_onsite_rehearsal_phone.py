"""Issue 11 point 1 (EX-1) on a phone (390×844) on the venue floor: a team member opens the tab 彩排, ticks
items with one tap, fails the projection test with a note and a photo; the follow-up appears with its
owner and due time and the gate of 场地布置 reports it — then the same page in English. The page fits
the screen (``test_phone_layout``'s checks). Screenshots go to test-artifacts/rehearsal-*.png."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from huodong.onsite.rehearsal.models import FollowUp, ItemPhoto, Result
from huodong.onsite.rehearsal.tests.support import day_before, item, team_member
from huodong.planning.tests.conftest import media_root  # noqa: F401  (uploads to a temporary folder)

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS, _screenshots


@pytest.fixture
def photo_file(tmp_path):
    import segno

    path = tmp_path / "projection.png"
    segno.make("左侧投影偏色").save(str(path), scale=12, border=2)
    return path


def _card(pg, code: str):  # noqa: ANN001, ANN202
    return pg.locator(f'[data-testid="item"][data-code="{code}"]')


def _criterion(pg, code: str):  # noqa: ANN001, ANN202
    return pg.locator(f'[data-testid="gate-criterion"][data-code="{code}"]')


def _english_context(browser, live_server, user):  # noqa: ANN001, ANN202
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    cookies = [
        {
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        },
        {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en"},
    ]
    context.add_cookies([{**c, "url": live_server.url} for c in cookies])
    context.set_default_timeout(30_000)
    return context


@pytest.mark.usefixtures("media_root")
def test_the_team_ticks_the_checklist_on_a_phone(
    phone_page,
    browser,
    live_server,
    login_as,
    organiser,
    photo_file,
    artifacts,
):
    # REQ: EX-1
    crew = team_member()
    event = day_before(organiser, team=[crew])
    url = reverse("onsite_rehearsal:checklist", kwargs={"event_id": event.pk})
    pg = phone_page
    login_as(pg, crew)
    pg.goto(url)
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    assert _criterion(pg, "rehearsal.all_checked").get_attribute("data-met") == "0"

    # one tap each: the backdrop and the stage pass
    for code in ("backdrop", "stage"):
        _card(pg, code).get_by_test_id("item-ok").click()
        pg.wait_for_load_state()
        assert _card(pg, code).get_attribute("data-result") == "ok"
        assert crew.name in _card(pg, code).get_by_test_id("item-checked").inner_text()

    # the projection fails, with a note and a photo taken on the phone
    card = _card(pg, "projection")
    card.get_by_test_id("item-more").click()
    form = card.get_by_test_id("check-form")
    form.locator('input[type="radio"][value="failed"]').check()
    form.locator("textarea").fill("左侧投影偏色,需更换灯泡")
    form.locator('input[type="file"]').set_input_files(str(photo_file))
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    form.get_by_test_id("check-submit").click()
    pg.wait_for_load_state()

    row = item(event, "projection")
    assert row.result == Result.FAILED and row.checked_by == crew
    assert ItemPhoto.objects.filter(item=row, result=Result.FAILED).count() == 1
    follow = FollowUp.objects.get(item=row)
    assert follow.owner == crew and not follow.done
    # the follow-up appears, the photo shows, and the gate says what is left
    box = pg.locator(f"#follow-up-{follow.pk}")
    assert box.is_visible() and crew.name in box.get_by_test_id("follow-up-owner").inner_text()
    shot = _card(pg, "projection").get_by_test_id("item-photo")
    shot.scroll_into_view_if_needed()
    assert shot.is_visible()
    pg.wait_for_function(  # the photo is served (a real PNG through the permission-checked view)
        "() => [...document.querySelectorAll('[data-testid=item-photo]')].every(i => i.complete && i.naturalWidth > 0)"
    )
    failures = _criterion(pg, "rehearsal.failures_resolved")
    assert failures.get_attribute("data-met") == "0"
    assert "投影" in failures.inner_text() and "尚未完成" in failures.inner_text()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    _screenshots(pg, artifacts / "rehearsal-phone-zh")

    # the same page in English
    context = _english_context(browser, live_server, crew)
    try:
        en = context.new_page()
        en.goto(url)
        assert en.locator("html").get_attribute("lang") == "en"
        assert "Projection / LED test" in _card(en, "projection").inner_text()
        failures_en = _criterion(en, "rehearsal.failures_resolved")
        assert failures_en.get_attribute("data-met") == "0"
        assert "Projection / LED test" in failures_en.inner_text()  # the item named in the reader's language
        assert en.locator(f"#follow-up-{follow.pk}").is_visible()
        assert en.evaluate(LAYOUT_PROBLEMS_JS) == []
        _screenshots(en, artifacts / "rehearsal-phone-en")
    finally:
        context.close()

    # the projection is fixed and passes on a re-check: the follow-up closes, the failures criterion is met
    _card(pg, "projection").get_by_test_id("item-ok").click()
    pg.wait_for_load_state()
    follow.refresh_from_db()
    assert follow.done and follow.closed_by_recheck
    assert _criterion(pg, "rehearsal.failures_resolved").get_attribute("data-met") == "1"
