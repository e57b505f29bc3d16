"""Issue 7, point 5: several people are chosen with a searchable picker, not a Ctrl-click multi-select.

The needs page's 需求提出人 on a phone: typing pinyin initials or a name filters the list, the people
already chosen stay in it, the count says how many are chosen, Enter in the search box does not submit,
and the form saves the people ticked. Without JavaScript the same list is plain checkboxes.
"""

from __future__ import annotations

from playwright.sync_api import expect

from huodong.core.widgets import pinyin_keys
from huodong.planning.models import NeedsReport
from huodong.planning.tests.conftest import make_event
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD


def sign_in(pg, user, url: str) -> None:
    pg.goto(f"/login/?next={url}")
    pg.fill("#id_username", user.username)
    pg.fill("#id_password", PASSWORD)
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_url(f"**{url}")


def test_requesters_are_found_by_pinyin_and_chosen_on_a_phone(phone_page, organiser, reviewers):
    event = make_event(organiser, name="需求调研中的发布会")
    sales = reviewers["sales"]
    url = f"/events/{event.pk}/planning/needs/"
    pg = phone_page
    sign_in(pg, organiser, url)
    form = pg.get_by_test_id("request-form")
    picker = form.locator("[data-person-picker]")
    expect(form.locator("select[multiple]")).to_have_count(0)
    search = picker.locator("[data-picker-search]")
    expect(search).to_be_visible()
    options = picker.locator(".picker-option")
    total = options.count()
    assert total >= 5
    # The organiser ticks themselves, then finds the sales reviewer by pinyin initials.
    picker.locator(".picker-option", has_text=organiser.name).locator("input").check()
    initials = pinyin_keys(sales.name).split()[1]  # e.g. "lzj" for 李总监
    search.fill(initials)
    search.press("Enter")  # filters, does not submit
    assert pg.url.endswith(url)
    visible = picker.locator(".picker-option:visible")
    expect(visible.filter(has_text=sales.name)).to_have_count(1)
    expect(visible.filter(has_text=organiser.name)).to_have_count(1)  # chosen: stays in the list
    assert visible.count() < total
    visible.filter(has_text=sales.name).locator("input").check()
    expect(picker.locator("[data-picker-count]")).to_have_text("已选 2 人")
    search.fill("没有这个人zzz")
    expect(picker.locator("[data-picker-none]")).to_be_hidden()  # the two chosen still show
    search.fill("")
    expect(picker.locator(".picker-option:visible")).to_have_count(total)
    box = picker.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    form.get_by_role("button", name="保存").click()
    pg.wait_for_load_state()
    report = NeedsReport.objects.get(event=event)
    assert set(report.requesters.values_list("pk", flat=True)) == {organiser.pk, sales.pk}


def test_without_javascript_the_picker_is_a_checkbox_list(browser, live_server, organiser):
    event = make_event(organiser, name="需求调研中的发布会")
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, java_script_enabled=False)
    pg = context.new_page()
    try:
        url = f"/events/{event.pk}/planning/needs/"
        sign_in(pg, organiser, url)
        picker = pg.get_by_test_id("request-form").locator("[data-person-picker]")
        expect(picker.locator("[data-picker-search]")).to_be_hidden()
        picker.locator(".picker-option", has_text=organiser.name).locator("input").check()
        pg.get_by_test_id("request-form").get_by_role("button", name="保存").click()
        pg.wait_for_load_state()
        assert list(NeedsReport.objects.get(event=event).requesters.all()) == [organiser]
    finally:
        context.close()
