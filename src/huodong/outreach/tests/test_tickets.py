"""Tickets and the ticket page (issue 9 point 3): the QR of a registered guest decodes (zxing-cpp) to a token
whose Ed25519 signature verifies with the event's public key (as a scanner downloads it from the API);
a forged or tampered token is refused; a cancelled ticket is told apart; the page, the PNG and the .ics.
"""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.urls import reverse
from icalendar import Calendar
from PIL import Image

from huodong.outreach import tickets
from huodong.outreach.services import registration as services
from tests.factories import login

from .test_registration_support import open_event, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return open_event(organiser, capacity=1)


def _public_key(client, event) -> bytes:
    answer = client.get(f"/api/events/{event.pk}/registration/public-key").json()
    assert answer["algorithm"] == "Ed25519"
    text = answer["public_key"]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _decode_png(data: bytes) -> str:
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    return found.text


def _verify(client, event, token):
    return client.post(
        f"/api/events/{event.pk}/tickets/verify", json.dumps({"token": token}), "application/json"
    )


def test_the_qr_png_decodes_to_a_token_signed_with_the_events_key(client, organiser, event):
    guest = sign_up(event)
    png = client.get(reverse("outreach:ticket_qr", args=[guest.access_key]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    token = _decode_png(png.content)
    login(client, organiser)
    claims = tickets.verify(token, _public_key(client, event))
    assert (claims.event_id, claims.guest_id, claims.version) == (event.pk, guest.pk, 1)
    state = _verify(client, event, token).json()
    assert state["valid"] and state["code"] == guest.ticket.code and state["phone"] == "138****0001"


def test_the_inline_svg_is_the_same_token(client, event):
    """The SVG on the page is drawn by segno from the same token; render its modules and decode them."""
    guest = sign_up(event)
    html = client.get(reverse("outreach:ticket", args=[guest.access_key])).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)  # type: ignore[union-attr]
    assert _decode_png(_raster(svg)) == tickets.token_for(guest.ticket)


def _raster(svg: str) -> bytes:
    """segno's SVG path (``M x y h n m dx dy h n …`` at half-module offsets) painted into a PNG."""
    from PIL import ImageDraw

    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1)) if "viewBox" in svg else None  # type: ignore[union-attr]
    width = int(float(re.search(r'width="([\d.]+)"', svg).group(1)))  # type: ignore[union-attr]
    scale = int(re.search(r"scale\((\d+)\)", svg).group(1)) if "scale(" in svg else 1  # type: ignore[union-attr]
    modules = (size or width) // scale
    path = re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    img = Image.new("L", (modules * 8, modules * 8), 255)
    draw = ImageDraw.Draw(img)
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if op in "Mm":
            x, y = (float(a), float(b)) if op == "M" else (x + float(a), y + float(b))
        elif op in "Hh":
            nx = float(a) if op == "H" else x + float(a)
            row = int(y)
            draw.rectangle([min(x, nx) * 8, row * 8, max(x, nx) * 8 - 1, row * 8 + 7], fill=0)
            x = nx
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_a_forged_token_is_refused(client, organiser, event):
    guest = sign_up(event)
    other = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key = tickets.event_key(event.pk)
    forged = tickets.sign(
        tickets.TokenClaims(key_id=key.key_id, event_id=event.pk, guest_id=guest.pk, version=1), other
    )
    with pytest.raises(tickets.InvalidTicket):
        tickets.verify(forged, bytes(key.public_key))
    login(client, organiser)
    response = _verify(client, event, forged)
    assert response.status_code == 400 and "token" in response.json()["errors"]
    assert "伪造" in response.json()["message"]


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_token_with_one_byte_flipped_is_refused(client, organiser, event, where):
    guest = sign_up(event)
    token = tickets.token_for(guest.ticket)
    prefix, payload, signature = token.split(".")
    part = payload if where == "payload" else signature
    raw = bytearray(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    raw[3] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    tampered = ".".join([prefix, flipped, signature] if where == "payload" else [prefix, payload, flipped])
    with pytest.raises(tickets.InvalidTicket):
        tickets.verify(tampered, bytes(tickets.event_key(event.pk).public_key))
    login(client, organiser)
    assert _verify(client, event, tampered).status_code == 400


@pytest.mark.parametrize("token", ["", "HD1.abc", "not a token", "HD1.%%%.%%%"])
def test_malformed_tokens_are_400_naming_the_token(client, organiser, event, token):
    login(client, organiser)
    response = _verify(client, event, token)
    assert response.status_code == 400 and "token" in response.json()["errors"]


def test_another_events_ticket_is_refused(client, organiser, event):
    other = open_event(organiser)
    guest = sign_up(other)
    login(client, organiser)
    response = _verify(client, event, tickets.token_for(guest.ticket))
    assert response.status_code == 400


def test_a_cancelled_ticket_verifies_but_is_not_valid(client, organiser, event):
    guest = sign_up(event)
    token = tickets.token_for(guest.ticket)
    services.registration_cancel(access_key=guest.access_key)
    login(client, organiser)
    state = _verify(client, event, token).json()
    assert state["valid"] is False and state["revoked"] and state["status"] == "cancelled"


def test_verifying_is_for_editors(client, outsider, event):
    guest = sign_up(event)
    login(client, outsider)
    assert _verify(client, event, tickets.token_for(guest.ticket)).status_code == 403
    assert client.get(f"/api/events/{event.pk}/registration/public-key").status_code == 403


# ---------------------------------------------------------------- the page, the PNG, the calendar
def test_the_ticket_page_shows_the_qr_code_name_masked_phone_time_and_place(client, event):
    guest = sign_up(event)
    response = client.get(reverse("outreach:ticket", args=[guest.access_key]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and guest.ticket.code in html and "嘉宾1" in html and "138****0001" in html
    assert "13800000001" not in html and "<script" not in html
    assert "已报名" in html and response["Referrer-Policy"] == "same-origin"


def test_the_page_of_a_waiting_guest_says_their_place(client, event):
    sign_up(event, 1)
    sign_up(event, 2)
    third = sign_up(event, 3)
    html = client.get(reverse("outreach:ticket", args=[third.access_key])).content.decode()
    assert "候补第 2 位" in html and "<svg" not in html
    assert client.get(reverse("outreach:ticket_qr", args=[third.access_key])).status_code == 400


def test_the_calendar_entry_requests_and_after_cancelling_cancels(client, event):
    guest = sign_up(event)
    response = client.get(reverse("outreach:ticket_ics", args=[guest.access_key]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    (vevent,) = [c for c in cal.walk("VEVENT")]
    assert str(cal["METHOD"]) == "REQUEST" and str(vevent["SUMMARY"]) == event.name
    assert reverse("outreach:ticket", args=[guest.access_key]) in str(vevent["URL"])
    sequence = int(vevent["SEQUENCE"])
    services.registration_cancel(access_key=guest.access_key)
    cancelled = Calendar.from_ical(
        client.get(reverse("outreach:ticket_ics", args=[guest.access_key])).content
    )
    (vcancel,) = [c for c in cancelled.walk("VEVENT")]
    assert str(cancelled["METHOD"]) == "CANCEL" and vcancel["UID"] == vevent["UID"]
    assert int(vcancel["SEQUENCE"]) > sequence


@pytest.mark.parametrize("name", ["outreach:ticket", "outreach:ticket_qr", "outreach:ticket_ics"])
def test_a_wrong_key_is_404(client, event, name):
    sign_up(event)
    response = client.get(reverse(name, args=["not-a-key"]))
    assert response.status_code == 404


def test_the_ticket_page_in_english(client, event):
    guest = sign_up(event, language="en")
    html = client.get(reverse("outreach:ticket", args=[guest.access_key]) + "?lang=en").content.decode()
    assert '<html lang="en">' in html and "Mar 2027" in html
