"""The scanner page (EX-2; issue 10 points 1, 3 and 4): who may open it, what it carries for scanner.js (the
gates, the API addresses, the translated sentences), its service worker, and no inline script."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from huodong.checkin.views import scanner as scanner_views
from tests.factories import login

from .support import door_event, staff

pytestmark = pytest.mark.django_db

TEMPLATES = Path(scanner_views.__file__).resolve().parents[1] / "templates" / "checkin"
STATIC = Path(scanner_views.__file__).resolve().parents[1] / "static" / "checkin"


@pytest.fixture
def event(organiser):
    return door_event(organiser, 2)


def _data(resp, name: str) -> dict:
    found = re.search(rf'data-{name}="([^"]*)"', resp.content.decode())
    assert found, name
    return json.loads(html.unescape(found.group(1)))


def test_gate_staff_open_the_scanner_in_chinese_with_the_gates_and_what_the_script_needs(
    client, event, checkin_staff
):
    # REQ: EX-2 — the staff at the door (gate staff, not an editor of the event) use the scanner
    staff(event, checkin_staff, gate_name="入口 A")
    login(client, checkin_staff)
    resp = client.get(reverse("checkin:scanner", args=[event.pk]))
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "扫描图片" in text and "确认签到" in text and "入口 A" in text and "入口 B" in text
    assert 'type="module"' in text and "vendor/jsqr/jsQR.js" in text
    config = _data(resp, "config")
    assert config["event_id"] == event.pk
    assert config["pack_url"] == f"/api/events/{event.pk}/checkin/pack"
    assert config["sync_url"] == f"/api/events/{event.pk}/checkin/sync"
    assert config["sw_url"] == f"/events/{event.pk}/checkin/scan/sw.js"
    assert config["scope"] == f"/events/{event.pk}/checkin/scan/"
    assert config["ed25519"].endswith("vendor/noble-ed25519/index.js")
    strings = _data(resp, "strings")
    assert strings["offline"] == "离线模式:已暂存 %(n)s 条扫描,联网后自动一次性同步。"
    assert "%(kept_gate)s" in strings["conflict"]


def test_the_scanner_reads_in_english(client, event, organiser):
    client.cookies["django_language"] = "en"
    login(client, organiser)
    resp = client.get(reverse("checkin:scanner", args=[event.pk]))
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "Gate A" in text and "Gate B" in text
    assert _data(resp, "config")["lang"] == "en"


def test_a_colleague_not_on_the_staff_is_refused(client, event, outsider):
    # REQ: EX-2 — only the event's check-in staff, supervisors and editors scan
    login(client, outsider)
    assert client.get(reverse("checkin:scanner", args=[event.pk])).status_code == 403
    assert client.get(reverse("checkin:scanner_sw", args=[event.pk])).status_code == 403


def test_signed_out_goes_to_the_login_page(event):
    resp = Client().get(reverse("checkin:scanner", args=[event.pk]))
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_an_unknown_event_is_404(client, organiser):
    login(client, organiser)
    assert client.get(reverse("checkin:scanner", args=[999999])).status_code == 404


def test_the_scanner_answers_only_get(client, event, organiser):
    login(client, organiser)
    assert client.post(reverse("checkin:scanner", args=[event.pk])).status_code == 405


def test_the_walkin_link_shows_only_when_the_walkin_page_exists(client, event, organiser, monkeypatch):
    login(client, organiser)
    monkeypatch.setattr(scanner_views, "_walkin_url", lambda ev: "")
    assert (
        'data-testid="walkin-link"'
        not in client.get(reverse("checkin:scanner", args=[event.pk])).content.decode()
    )
    monkeypatch.setattr(scanner_views, "_walkin_url", lambda ev: f"/events/{ev.pk}/checkin/walkin/")
    text = client.get(reverse("checkin:scanner", args=[event.pk])).content.decode()
    assert 'data-testid="walkin-link"' in text and "现场登记" in text


def test_the_service_worker_is_served_under_the_page_with_what_it_keeps(client, event, checkin_staff):
    # REQ: EX-2 — a reload without the network still opens the scanner (issue 10 point 4)
    staff(event, checkin_staff)
    login(client, checkin_staff)
    resp = client.get(reverse("checkin:scanner_sw", args=[event.pk]))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/javascript")
    page = f"/events/{event.pk}/checkin/scan/"
    assert resp["Service-Worker-Allowed"] == page
    body = resp.content.decode()
    config = json.loads(re.search(r"self\.SCANNER = (\{.*\});", body).group(1))
    assert config["page"] == page
    assert config["cache"] == f"huodong-checkin-{event.pk}-v{scanner_views.SW_VERSION}"
    assert "/static/checkin/scanner.js" in config["assets"]
    assert "/static/vendor/jsqr/jsQR.js" in config["assets"]
    assert "/static/vendor/noble-ed25519/index.js" in config["assets"]
    assert 'importScripts("/static/checkin/scanner-sw.js")' in body


def test_every_asset_the_worker_keeps_is_served_locally(client, event, organiser):
    """No CDN: each file the page and its worker load is a static file of the app (npm's, under vendor/)."""
    from django.contrib.staticfiles import finders

    missing = [a for a in scanner_views.ASSETS if finders.find(a) is None]
    assert not missing, missing
    assert finders.find("checkin/scanner-sw.js") is not None


def test_the_scanner_templates_and_scripts_carry_no_inline_script():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    inline_handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    for path in TEMPLATES.glob("scanner*.html"):
        text = path.read_text(encoding="utf-8")
        assert not inline_script.search(text), path
        assert not inline_handler.search(text), path
        assert "style=" not in text, path
    # the script builds its elements without innerHTML (names come from the guest list)
    assert "innerHTML" not in (STATIC / "scanner.js").read_text(encoding="utf-8")
