"""Chinese first, with an English switch (Django i18n): the mechanics of the switch."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_are_in_simplified_chinese_by_default(client):
    resp = client.get("/login/")
    html = resp.content.decode()
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_django_messages_are_chinese_by_default(client):
    html = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "这个字段是必填项。" in html


def test_switching_to_english_sets_the_cookie_and_the_html_lang(client):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert resp.status_code == 302 and resp.url == "/login/"
    assert resp.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/login/").content.decode()
    assert '<html lang="en">' in html
    assert 'data-testid="lang-zh"' in html  # the switch now offers the way back


def test_after_the_switch_django_messages_come_out_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "This field is required." in html
    assert "这个字段是必填项。" not in html


def test_switching_back_to_chinese(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert '<html lang="zh-CN">' in client.get("/login/").content.decode()


def test_an_unknown_language_is_ignored(client):
    resp = client.post("/i18n/setlang/", {"language": "xx", "next": "/login/"})
    assert settings.LANGUAGE_COOKIE_NAME not in resp.cookies
    assert '<html lang="zh-CN">' in client.get("/login/").content.decode()


def test_the_switch_works_for_a_signed_in_person(as_organiser, event):
    as_organiser.post("/i18n/setlang/", {"language": "en", "next": f"/events/{event.pk}/"})
    assert '<html lang="en">' in as_organiser.get(f"/events/{event.pk}/").content.decode()


def test_pages_open_in_chinese_even_for_an_english_browser_until_switched(client, organiser):
    from tests.factories import login

    login(client, organiser)
    page = client.get("/events/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/events/"})
    page = client.get("/events/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in page


def test_the_api_answers_in_the_language_the_client_asks_for(client):
    body = client.get("/api/events", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "Sign in" in body["message"]
    body = client.get("/api/events").json()
    assert "需要登录" in body["message"]
