"""Issue 10 "done when", in Chromium: two gates check guests in by QR image at once, one goes offline, scans,
reloads, comes back and syncs in one batch; the duplicate and the conflicts are reported (EX-2).

Two phone contexts (390×844), each its own device at its own gate: gate A (check-in staff, Chinese) and
gate B (the organiser, English), under the strict Content-Security-Policy. The QR codes are PNGs rendered by
``tickets.qr_png`` and fed through the page's "扫描图片" input, decoded in the page by jsQR and verified with
@noble/ed25519; the staff member sees the guest (masked phone) and the kit before confirming. Also: a ticket
code typed into the hardware scanner's field whose request is lost (queued, not lost), a guest without a
ticket found by phone tail and initials and checked in as 纸质签到. Gate A then goes offline
(``context.set_offline``), scans four guests — one that gate B checked in before, one that gate B checks in
after — and a forged ticket (refused on the phone), reloads (the service worker opens the page: the server
sees no request; the queue is still there), comes back online and sends the queue in one batch. A forged
ticket online is refused by the server. Screenshots: test-artifacts/checkin-scanner-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings as django_settings
from django.core.signals import request_started
from django.test import Client

from huodong.checkin.models import Conflict, Method, Reason, Result, Scan
from huodong.outreach import tickets
from huodong.outreach.models import Guest, GuestStatus
from huodong.outreach.services.guests import sort_key

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS

SCANNER = "/events/{}/checkin/scan/"


def _context(browser, live_server, user, *, english: bool = False):  # noqa: ANN001, ANN202
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale="en-US" if english else "zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    cookies = [
        {
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        }
    ]
    if english:
        cookies.append({"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en"})
    context.add_cookies([{**c, "url": live_server.url} for c in cookies])
    context.set_default_timeout(30_000)  # generous: CI runs two test processes on two cores
    return context


def _open(context, event, gate_testid: str, console: list[str]):  # noqa: ANN001, ANN202
    pg = context.new_page()
    pg.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: console.append(str(exc)))
    response = pg.goto(SCANNER.format(event.pk))
    assert "script-src 'self';" in response.headers["content-security-policy"]
    pg.wait_for_selector("#scanner[data-offline-ready='1']", state="attached")
    pg.get_by_test_id(gate_testid).click()
    pg.wait_for_selector("#scanner[data-ready='1'][data-registered='1']", state="attached")
    _quiet(pg)
    return pg


def _layout(pg, shot: Path) -> None:  # noqa: ANN001
    """Nothing past the right edge of the phone, nothing clipped (tests/browser/test_phone_layout.py)."""
    problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
    pg.screenshot(path=str(shot), full_page=True)
    assert not problems, "; ".join(problems)


def _quiet(pg) -> None:  # noqa: ANN001
    """No request of the page in flight: the live server's in-memory SQLite answers one writer at a time
    ("table is locked" otherwise), so the two phones take turns at the server."""
    pg.wait_for_selector("#scanner[data-busy='0']", state="attached")


def _scan_image(pg, png: Path) -> None:  # noqa: ANN001
    pg.get_by_test_id("image-input").set_input_files(str(png))


def _confirm(pg) -> None:  # noqa: ANN001
    pg.get_by_test_id("confirm-button").click()


def _result(pg, kind: str) -> str:  # noqa: ANN001
    box = pg.locator(f"[data-testid='result'][data-kind='{kind}']")
    box.wait_for()
    return box.inner_text()


def test_two_gates_check_guests_in_by_qr_image_one_goes_offline_and_syncs_back(
    browser, live_server, organiser, checkin_staff, tmp_path, settings, artifacts
):
    # REQ: EX-2 — staff verify the guest's details, a ticket is redeemed once, offline scans sync in one batch
    from huodong.checkin.tests.support import door_event, guests_of, staff, token_of

    settings.HUODONG_CSP = settings.DEFAULT_CSP  # the strict policy: no inline script, nothing from elsewhere

    event = door_event(organiser, 7)
    staff(event, checkin_staff, gate_name="入口 A")
    guests = guests_of(event)
    by_code = guests.pop()  # guest 7 shows the code of their ticket
    code = tickets.issue(by_code).code
    invited = Guest.objects.create(  # no ticket: found by phone or name, checked in as 纸质签到
        event=event,
        name="张三丰",
        sort_key=sort_key("张三丰"),
        phone="+8613900009999",
        status=GuestStatus.INVITED,
    )
    pngs = {}
    for i, guest in enumerate(guests, 1):
        pngs[i] = tmp_path / f"guest{i}.png"
        pngs[i].write_bytes(tickets.qr_png(token_of(guest)))
    head, payload, sig = token_of(guests[0]).split(".")
    forged = f"{head}.{payload}.{sig[:10]}{'A' if sig[10] != 'A' else 'B'}{sig[11:]}"
    pngs["forged"] = tmp_path / "forged.png"
    pngs["forged"].write_bytes(tickets.qr_png(forged))

    requested: list[str] = []
    console: list[str] = []

    def _seen(sender, environ, **kwargs):  # noqa: ANN001, ANN202
        requested.append(environ.get("PATH_INFO", ""))

    request_started.connect(_seen)
    gate_a = _context(browser, live_server, checkin_staff)
    gate_b = _context(browser, live_server, organiser, english=True)
    try:
        a = _open(gate_a, event, "gate-1", console)
        b = _open(gate_b, event, "gate-2", console)
        assert "入口 A" in a.get_by_test_id("device-gate").inner_text()
        assert "Gate B" in b.get_by_test_id("device-gate").inner_text()
        assert b.locator("html").get_attribute("lang") == "en"

        # Both gates at once: each shows the guest (masked phone) to confirm, then both confirm.
        _scan_image(a, pngs[1])
        _scan_image(b, pngs[2])
        a.get_by_test_id("confirm").wait_for()
        b.get_by_test_id("confirm").wait_for()
        assert a.get_by_test_id("confirm-name").inner_text() == guests[0].name
        assert a.get_by_test_id("confirm-phone").inner_text() == "138****0001"
        assert "13800000001" not in a.content()
        _layout(a, artifacts / "checkin-scanner-confirm.png")
        a.get_by_test_id("kit").get_by_role("checkbox").nth(1).uncheck()
        _confirm(a)
        assert guests[0].name in _result(a, "ok")
        _quiet(a)
        _confirm(b)
        assert guests[1].name in _result(b, "ok")

        # Gate B scans guest 1 again: amber, with when, where and by whom (the server's answer).
        _scan_image(b, pngs[1])
        _confirm(b)
        duplicate = _result(b, "warn")
        first = Scan.objects.get(guest=guests[0], result=Result.ACCEPTED)
        assert (
            re.search(r"\d\d:\d\d", duplicate) and "Gate A" in duplicate and str(checkin_staff) in duplicate
        )
        assert len(first.kit) == 2  # one item of three unchecked

        # Gate B checks guest 5 in before gate A goes offline.
        _scan_image(b, pngs[5])
        _confirm(b)
        _result(b, "ok")

        # A hardware scanner (or the code read aloud) types into the field and ends with Enter; the
        # request is lost on the way (the phone still thinks it is online): the scan is queued, not lost.
        a.route("**/checkin/scan", lambda route: route.abort("internetdisconnected"))
        a.get_by_test_id("scan-input").fill(code.lower())
        a.get_by_test_id("scan-input").press("Enter")
        assert a.get_by_test_id("confirm-name").inner_text() == by_code.name
        assert a.get_by_test_id("confirm").get_attribute("data-method") == "code"
        _confirm(a)
        assert by_code.name in _result(a, "queued")
        assert a.get_by_test_id("queue-count").inner_text() == "1"
        a.unroute("**/checkin/scan")

        # Gate B finds a guest without a ticket by the last four digits of the phone, then by the
        # initials of the name (masked phones only), and checks them in as 纸质签到.
        b.get_by_test_id("search-input").fill("9999")
        assert b.get_by_test_id("search-hit").all_inner_texts() == [
            b.get_by_test_id("search-hit").inner_text()
        ]
        assert "139****9999" in b.get_by_test_id("search-hit").inner_text()
        b.get_by_test_id("search-input").fill("zsf")
        b.get_by_test_id("search-hit").click()
        assert b.get_by_test_id("confirm").get_attribute("data-method") == "paper"
        assert b.get_by_test_id("confirm-name").inner_text() == "张三丰"
        _confirm(b)
        assert "张三丰" in _result(b, "ok")

        # Gate A loses the network: the banner says so; scans are verified on the phone and queued.
        gate_a.set_offline(True)
        a.get_by_test_id("offline-banner").wait_for()
        for n in (3, 4, 5, 6):
            _scan_image(a, pngs[n])
            _confirm(a)
            assert guests[n - 1].name in _result(a, "queued")
            a.wait_for_selector(f"#scanner[data-queued='{[3, 4, 5, 6].index(n) + 2}']", state="attached")
        # A forged ticket is refused on the phone, not queued.
        _scan_image(a, pngs["forged"])
        assert "签名不符" in _result(a, "bad")
        assert a.get_by_test_id("queue-count").inner_text() == "5"
        assert "离线" in a.get_by_test_id("offline-banner").inner_text()
        _layout(a, artifacts / "checkin-scanner-offline.png")

        # Meanwhile gate B checks guest 6 in online (later than gate A's offline scan).
        _scan_image(b, pngs[6])
        _confirm(b)
        _result(b, "ok")

        # Gate A reloads without the network: the page opens (from its service worker: the server sees no
        # request for it), the queue is still there.
        requested.clear()
        a.reload()
        a.wait_for_selector("#scanner[data-queued='5']", state="attached")
        assert a.get_by_test_id("queue-count").inner_text() == "5"
        assert "入口 A" in a.get_by_test_id("device-gate").inner_text()
        assert not Scan.objects.filter(offline=True).exists()  # nothing sent yet
        assert not [p for p in requested if p.startswith(SCANNER.format(event.pk))], requested

        # The network returns: one batch; the duplicate and the conflicts are reported.
        gate_a.set_offline(False)
        a.get_by_test_id("sync-report").wait_for()
        _quiet(a)
        assert requested.count(f"/api/events/{event.pk}/checkin/sync") == 1
        assert a.get_by_test_id("offline-banner").is_hidden()
        summary = a.get_by_test_id("sync-summary").inner_text()
        assert "成功 4 条" in summary and "重复 1 条" in summary
        conflicts = a.get_by_test_id("sync-conflict").all_inner_texts()
        assert len(conflicts) == 2
        assert any(guests[4].name in c and "入口 B" in c and "入口 A" in c for c in conflicts)
        assert a.get_by_test_id("sync-duplicate").count() == 1
        _layout(a, artifacts / "checkin-scanner-synced.png")
        _layout(b, artifacts / "checkin-scanner-english.png")

        # Online again, a forged ticket is refused by the server (and logged).
        _scan_image(b, pngs["forged"])
        _result(b, "bad")
        assert Scan.objects.filter(event=event, reason=Reason.FORGED).count() == 1
    finally:
        request_started.disconnect(_seen)
        gate_a.close()
        gate_b.close()

    # No error on either phone: no script refused by the policy, no failed request but the offline ones.
    assert not [m for m in console if "ERR_INTERNET_DISCONNECTED" not in m], console

    # Every scan recorded once; one accepted check-in per guest; the earliest wins.
    scans = list(Scan.objects.filter(event=event).exclude(reason=Reason.FORGED))
    assert len({s.client_id for s in scans}) == len(scans) == 11
    assert Scan.objects.get(guest=by_code).method == Method.CODE
    paper = Scan.objects.get(guest=invited)
    assert paper.method == Method.PAPER and paper.staff == organiser and paper.result == Result.ACCEPTED
    for guest in [*guests, by_code, invited]:
        guest.refresh_from_db()
        assert guest.status == GuestStatus.CHECKED_IN
        assert Scan.objects.filter(guest=guest, result=Result.ACCEPTED).count() == 1
    assert Scan.objects.filter(offline=True).count() == 5
    kept_6 = Scan.objects.get(guest=guests[5], result=Result.ACCEPTED)
    assert kept_6.offline and kept_6.gate.name == "入口 A"
    assert Scan.objects.get(guest=guests[5], result=Result.SUPERSEDED).gate.name == "入口 B"
    conflicts = {c.guest_id: c for c in Conflict.objects.filter(event=event).select_related("kept", "other")}
    assert set(conflicts) == {guests[4].pk, guests[5].pk}
    assert conflicts[guests[4].pk].kept.gate.name == "入口 B" and conflicts[guests[4].pk].other.offline
    assert (
        conflicts[guests[5].pk].kept.gate.name == "入口 A"
        and conflicts[guests[5].pk].other.gate.name == "入口 B"
    )
