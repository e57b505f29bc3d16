"""The public registration page (no sign-in, phone-first, WeChat's in-app browser) and the organiser's
registration tab and API (issue 9 point 2, NT-2).

- The page: the event, the questions, the PIPL notice with a checkbox per purpose; ``lang`` attribute;
  Chinese by default, English with ``?lang=en`` (and then the cookie); no script and no external asset;
  a CSRF token that works (a post without it is refused).
- Submissions: valid → the ticket page; bad phone/e-mail → 400 naming the field (in English when
  switched); closed or past the deadline → the closed page, nothing written; too many from one address
  → 429.
- The organiser: the tab with the counts, the link and its QR; saving (a bad question line named);
  cancelling the event for guests; the API with valid and invalid data, 428 and 409.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from huodong.outreach.models import Consent, Guest, GuestStatus, RegistrationAttempt
from huodong.outreach.services import registration as services
from tests.factories import login

from .test_registration_support import QUESTIONS, form_data, open_event, reg_of, sign_up, submit

pytestmark = pytest.mark.django_db

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)


@pytest.fixture
def event(organiser):
    return open_event(organiser, questions=QUESTIONS, highlights="新品首发\n圆桌论坛", cohosts="合作伙伴甲")


def _url(event, **params):
    url = reverse("outreach:register", args=[reg_of(event).slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# ---------------------------------------------------------------- the page
def test_the_page_needs_no_sign_in_and_shows_the_event_questions_and_notice(client, event):
    response = client.get(_url(event), HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and event.name in html and "新品首发" in html
    assert "所属行业" in html and "个人信息处理告知" in html and "合作伙伴甲" in html
    for purpose in ("operation", "marketing", "cohost"):
        assert f'name="consent_{purpose}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "an external asset"
    assert response["Cache-Control"] == "no-store, private"


def test_the_page_in_english_sets_the_language_cookie(client, event):
    response = client.get(_url(event, lang="en"))
    html = response.content.decode()
    assert '<html lang="en">' in html and "Industry" in html and "Personal information notice" in html
    with translation.override("en"):
        assert gettext("提交报名") in html
    assert response.cookies["django_language"].value == "en"
    again = client.get(_url(event))
    assert '<html lang="en">' in again.content.decode()
    back = client.get(_url(event, lang="zh"))
    assert '<html lang="zh-CN">' in back.content.decode()


def test_cohost_sharing_is_not_asked_without_cohosts(client, organiser):
    event = open_event(organiser)
    html = client.get(_url(event)).content.decode()
    assert 'name="consent_operation"' in html and 'name="consent_cohost"' not in html


def test_an_unknown_link_is_404(client):
    response = client.get(reverse("outreach:register", args=["no-such-page"]))
    assert response.status_code == 404 and "报名页面不存在" in response.content.decode()


# ---------------------------------------------------------------- submitting
def test_a_valid_submission_lands_on_the_ticket_page(client, event):
    response = submit(
        client, event, form_data(q_topics=["AI", "安全"], q_lunch="yes", consent_marketing="on")
    )
    assert response.status_code == 302
    guest = Guest.objects.get(event=event)
    assert response["Location"] == reverse("outreach:ticket", args=[guest.access_key]) + "?welcome=1"
    assert guest.answers == {"industry": "制造", "topics": ["AI", "安全"], "lunch": True}
    assert {c.purpose: c.granted for c in Consent.objects.filter(guest=guest)} == {
        "operation": True,
        "marketing": True,
        "cohost": False,
    }
    page = client.get(response["Location"]).content.decode()
    assert "报名成功" in page and "<svg" in page and guest.ticket.code in page


def test_csrf_is_enforced_and_works_with_the_pages_token(event):
    browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=WECHAT_UA)
    assert submit(browser, event, form_data()).status_code == 403
    html = browser.get(_url(event)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert submit(browser, event, {**form_data(), "csrfmiddlewaretoken": token}).status_code == 302


@pytest.mark.parametrize(
    "data, field, words",
    [
        (form_data(phone="12345"), "phone", "手机号「12345」"),
        (form_data(email="zhang@"), "email", "邮箱「zhang@」"),
        (form_data(name=""), "name", "姓名不能为空"),
        (form_data(q_industry=None), "q_industry", "请回答「所属行业」"),
        (form_data(q_industry="航天"), "q_industry", "选项"),
        (form_data(consent_operation=None), "consent_operation", "报名须同意"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(client, event, data, field, words):
    response = submit(client, event, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html and words in html
    assert not Guest.objects.filter(event=event).exists() and not Consent.objects.exists()


def test_bad_input_in_english(client, event):
    response = submit(client, event, {**form_data(phone="12345"), "lang": "en"})
    html = response.content.decode()
    assert response.status_code == 400 and '<html lang="en">' in html
    assert 'data-field="phone"' in html and "12345" in html
    with translation.override("en"):  # the words of the English catalogue (the msgid until it is filled)
        assert gettext("提交报名") in html and gettext("您的信息") in html


def test_a_duplicate_says_so_without_the_other_registration(client, event):
    sign_up(event, 1, name="王秘密")
    response = submit(client, event, form_data(1, name="冒名者"))
    html = response.content.decode()
    assert response.status_code == 400 and "该手机号已报名本活动" in html and "王秘密" not in html
    assert Guest.objects.filter(event=event).count() == 1


def test_a_full_event_offers_the_waiting_list(client, organiser):
    event = open_event(organiser, capacity=1)
    sign_up(event, 1)
    assert "加入候补名单" in client.get(_url(event)).content.decode()
    response = submit(client, event, form_data(2))
    guest = Guest.objects.get(event=event, phone="+8613800000002")
    assert guest.status == GuestStatus.WAITLISTED
    page = client.get(response["Location"]).content.decode()
    assert "候补名单" in page and "候补第 1 位" in page and "<svg" not in page


@pytest.mark.parametrize("closed", ["closed", "deadline", "step"])
def test_a_closed_registration_shows_a_clear_page_and_writes_nothing(client, organiser, closed):
    from huodong.events.steps import Step
    from huodong.planning.tests.conftest import move

    event = open_event(organiser)
    if closed == "closed":
        reg_of(event).__class__.objects.filter(event=event).update(is_open=False)
    elif closed == "deadline":
        reg_of(event).__class__.objects.filter(event=event).update(
            deadline=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    else:
        move(event, Step.APPROVAL)
    page = client.get(_url(event))
    assert page.status_code == 200 and 'data-testid="closed"' in page.content.decode()
    assert 'name="consent_operation"' not in page.content.decode()
    response = submit(client, event, form_data())
    assert response.status_code == 400 and 'data-testid="closed"' in response.content.decode()
    assert not Guest.objects.filter(event=event).exists()
    assert not RegistrationAttempt.objects.exists()


def test_the_flood_limit_answers_429(client, event, settings):
    settings.HUODONG_REGISTRATIONS_PER_ADDRESS = 3
    for n in range(3):
        assert submit(client, event, form_data(n + 1, phone="bad")).status_code == 400
    response = submit(client, event, form_data(9))
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert not Guest.objects.filter(event=event).exists()


def test_the_flood_limit_reads_the_proxys_header_when_configured(client, event, settings):
    settings.HUODONG_REGISTRATIONS_PER_ADDRESS = 1
    settings.HUODONG_CLIENT_IP_HEADER = "X-Real-IP"
    assert submit(client, event, form_data(1), HTTP_X_REAL_IP="198.51.100.1").status_code == 302
    assert submit(client, event, form_data(2), HTTP_X_REAL_IP="198.51.100.2").status_code == 302
    assert submit(client, event, form_data(3), HTTP_X_REAL_IP="198.51.100.1").status_code == 429


# ---------------------------------------------------------------- the organiser's tab
def test_the_tab_shows_counts_the_link_and_a_qr_that_decodes_to_it(client, organiser, event):
    sign_up(event, 1)
    login(client, organiser)
    response = client.get(reverse("outreach:registration", args=[event.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-registered">1<' in html and "/r/" + reg_of(event).slug in html
    png = client.get(reverse("outreach:registration_qr", args=[event.pk]))
    assert png["Content-Type"] == "image/png"
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert found.text.endswith(f"/r/{reg_of(event).slug}/")


def test_the_organiser_saves_the_settings_from_the_page(client, organiser, event):
    login(client, organiser)
    reg = reg_of(event)
    data = {
        "revision": reg.revision,
        "is_open": "on",
        "deadline": "2027-03-17T18:00",
        "capacity": "50",
        "questions": "industry | 所属行业 | Industry | choice | 制造/金融 | 必填\nlunch | 是否用餐 | Lunch | yesno",
        "notes": "请携带名片",
        "cohosts": "",
    }
    response = client.post(reverse("outreach:registration_save", args=[event.pk]), data)
    assert response.status_code == 302
    reg.refresh_from_db()
    assert (
        reg.capacity == 50
        and reg.questions[0]["choices"] == ["制造", "金融"]
        and reg.questions[0]["required"]
    )
    assert reg.questions[1] == {
        "code": "lunch",
        "label": "是否用餐",
        "label_en": "Lunch",
        "kind": "yesno",
        "choices": [],
        "required": False,
    }


@pytest.mark.parametrize(
    "questions, words",
    [
        ("ok | 甲\nbad | 乙 | B | text | | 也许", "第 2 行"),
        ("a|b|c|d|e|f|g", "第 1 行"),
        ("9x | 行业", "第 1 个问题"),
    ],
)
def test_a_bad_question_line_is_named(client, organiser, event, questions, words):
    login(client, organiser)
    reg = reg_of(event)
    response = client.post(
        reverse("outreach:registration_save", args=[event.pk]),
        {"revision": reg.revision, "capacity": "0", "questions": questions},
    )
    assert response.status_code == 400 and words in response.content.decode()
    assert reg_of(event).revision == reg.revision


def test_the_organiser_cancels_the_event_for_guests_from_the_page(client, organiser, event):
    guest = sign_up(event, 1)
    login(client, organiser)
    url = reverse("outreach:registration_cancel_event", args=[event.pk])
    response = client.post(url, {"revision": reg_of(event).revision})
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.status == GuestStatus.CANCELLED and not reg_of(event).is_open


def test_the_tab_in_english(client, organiser, event):
    login(client, organiser)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("outreach:registration", args=[event.pk]))
    assert response.status_code == 200


# ---------------------------------------------------------------- the API
def _api(client, method, url, data=None, **headers):
    import json

    return client.generic(method, url, json.dumps(data or {}), "application/json", **headers)


def test_the_api_reads_and_changes_the_settings(client, organiser, event):
    login(client, organiser)
    url = f"/api/events/{event.pk}/registration"
    got = client.get(url)
    assert got.status_code == 200 and got.json()["open_now"] and got.json()["counts"]["registered"] == 0
    etag = got["ETag"]
    assert _api(client, "PUT", url, {"capacity": 5}).status_code == 428
    changed = _api(client, "PUT", url, {"capacity": 5, "questions": QUESTIONS[:1]}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["capacity"] == 5
    assert _api(client, "PUT", url, {"capacity": 6}, HTTP_IF_MATCH=etag).status_code == 409


@pytest.mark.parametrize(
    "data, field",
    [
        ({"capacity": -1}, "capacity"),
        ({"questions": [{"code": "ok", "label": "甲", "kind": "radio"}]}, "questions"),
        ({"questions": [{"code": "a b", "label": "甲"}]}, "questions"),
        ({"cohosts": "x" * 301}, "cohosts"),
        ({"deadline": "2027-03-30T10:00:00+08:00"}, "deadline"),
    ],
)
def test_the_api_refuses_bad_settings_naming_the_field(client, organiser, event, data, field):
    login(client, organiser)
    url = f"/api/events/{event.pk}/registration"
    response = _api(client, "PUT", url, {**data, "revision": reg_of(event).revision})
    assert response.status_code == 400
    assert any(field in key for key in response.json()["errors"]), response.json()


def test_the_api_in_english(client, organiser, event):
    login(client, organiser)
    url = f"/api/events/{event.pk}/registration"
    response = _api(client, "PUT", url, {"capacity": 5}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 428


def test_the_api_cancels_the_event_for_guests(client, organiser, event):
    sign_up(event, 1)
    login(client, organiser)
    url = f"/api/events/{event.pk}/registration/cancel-event"
    assert _api(client, "POST", url, {}).status_code == 428
    response = _api(client, "POST", url, {"revision": reg_of(event).revision})
    assert response.status_code == 200 and response.json()["cancelled"] == 1
    assert not response.json()["registration"]["is_open"]


def test_the_api_is_for_editors(client, outsider, event):
    login(client, outsider)
    assert client.get(f"/api/events/{event.pk}/registration").status_code == 403
    assert services.counts(event)["registered"] == 0
