"""The scanner's camera path (issue 10 point 1): Chromium's fake camera plays a ticket's QR code, the page
reads it with getUserMedia + canvas frames + jsQR, verifies it and asks the staff member to confirm.

Its own Chromium (the flags of the fake camera are set at launch), one guest, one scan: a couple of seconds.
"""

from __future__ import annotations

import io

from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

from huodong.checkin.models import Result, Scan
from huodong.outreach import tickets

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE


def _mjpeg(png: bytes) -> bytes:
    """A few JPEG frames of the QR code on a 640×480 white picture: an MJPEG file for the fake camera."""
    qr = Image.open(io.BytesIO(png)).convert("RGB")
    frame = Image.new("RGB", (640, 480), "white")
    qr.thumbnail((440, 440))
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=90)
    return out.getvalue() * 5


def test_the_camera_reads_a_ticket_and_the_staff_member_confirms(live_server, organiser, tmp_path, browser):
    # REQ: EX-2 — the camera reads the ticket QR; staff verify the guest before the check-in is recorded
    from huodong.checkin.tests.support import door_event, guests_of, token_of

    event = door_event(organiser, 1)
    (guest,) = guests_of(event)
    video = tmp_path / "qr.mjpeg"
    video.write_bytes(_mjpeg(tickets.qr_png(token_of(guest))))
    client = Client()
    client.force_login(organiser)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    # The session's Playwright launches a second Chromium: the fake camera's flags are set at launch.
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = chromium.new_context(
            locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
        )
        context.grant_permissions(["camera"])
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        context.set_default_timeout(30_000)  # generous: CI runs two test processes on two cores
        pg = context.new_page()
        pg.goto(f"/events/{event.pk}/checkin/scan/")
        pg.wait_for_selector("#scanner[data-offline-ready='1']", state="attached")
        pg.get_by_test_id("gate-1").click()
        pg.wait_for_selector("#scanner[data-ready='1'][data-registered='1']", state="attached")
        pg.get_by_test_id("camera-button").click()
        pg.get_by_test_id("confirm").wait_for()
        assert pg.get_by_test_id("confirm-name").inner_text() == guest.name
        assert pg.get_by_test_id("camera").is_hidden()  # the camera stops once it has read a code
        pg.get_by_test_id("confirm-button").click()
        assert guest.name in pg.locator("[data-testid='result'][data-kind='ok']").inner_text()
    finally:
        chromium.close()
    scan = Scan.objects.get(guest=guest)
    assert scan.result == Result.ACCEPTED and scan.method == "qr" and scan.gate.name == "入口 A"
