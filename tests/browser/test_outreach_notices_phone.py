"""The organiser follows the notices on a phone (NT-1, NT-2): the tab 通知, the template list and editor fit
a 390 px screen in Chinese and English (nothing past the right edge, no clipped cell), in Chromium.
Screenshots go to test-artifacts/phone-notices-<page>-<lang>.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huodong.outreach.services import letters
from huodong.outreach.tests.test_letters_fixtures import *  # noqa: F403
from tests.browser.test_phone_layout import (
    LANGUAGES,
    LAYOUT_PROBLEMS_JS,
    _login,
    _phone,
    _screenshots,
    _set_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_notices_pages_fit_a_390px_phone(browser, live_server, notices_world, artifacts):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    guest_factory(w.event, 3, department=w.sales)  # noqa: F405
    w.invite.title = "邀请重点客户并确认出席、座次与接送安排" * 2
    w.invite.save()
    letters.letters_queue(actor=w.organiser, event=w.event, now=w.event.starts_at - dt.timedelta(days=20))
    e = w.event.pk
    pages = {
        "notices": reverse("outreach:notices", args=[e]),
        "templates": reverse("outreach:templates", args=[e]),
        "template-edit": reverse("outreach:template_edit", args=[e, "invitation", "sms", "zh-hans"]),
    }
    failures: dict[str, list[str]] = {}
    context = _phone(browser, live_server)
    pg = context.new_page()
    _login(pg, w.organiser)
    for lang in LANGUAGES:
        _set_language(pg, lang)
        for name, url in pages.items():
            response = pg.goto(url)
            assert response is not None and response.status == 200, f"{name} ({lang}): {response}"
            _screenshots(pg, artifacts / f"phone-notices-{name}-{lang}")
            problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
            if problems:
                failures[f"{name} ({lang})"] = problems[:8]
    context.close()
    assert not failures, "\n".join(f"{page}: " + "; ".join(p) for page, p in failures.items())
