"""Issue 10 point 6 in a real browser: the check-in supervisor walks the hall with the live page open on a
phone (Chromium, 390×844). A guest is checked in at 入口 B meanwhile; within a few seconds the page —
polling its regions every 2 s with htmx — shows the new total, the gate's count and the scan at the top
of the recent list, without a reload. Then an offline conflict arrives and shows up the same way. The
layout checks of ``test_phone_layout`` run on the page (nothing past the right edge, nothing clipped)."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.utils import timezone
from playwright.sync_api import expect

from huodong.checkin.services import redeem
from huodong.checkin.tests.support import door_event, gate, guests_of, token_of

from .test_phone_layout import LAYOUT_PROBLEMS_JS


def test_the_live_page_on_a_phone_follows_check_ins_within_seconds(
    phone_page, login_as, organiser, artifacts
):
    # REQ: EX-2
    event = door_event(organiser, 3)
    g1, g2, _g3 = guests_of(event)
    tokens = {g.pk: token_of(g) for g in (g1, g2)}
    pg = phone_page
    login_as(pg, organiser)
    pg.goto(f"/events/{event.pk}/checkin/live/")
    expect(pg.get_by_test_id("live-checked-in")).to_have_text("0")
    assert not pg.evaluate(LAYOUT_PROBLEMS_JS)

    began = time.monotonic()
    assert redeem.scan(
        actor=organiser, event=event.pk, token=tokens[g1.pk], gate_id=gate(event, "入口 B").pk
    ).ok
    expect(pg.get_by_test_id("live-checked-in")).to_have_text("1", timeout=4000)
    assert time.monotonic() - began < 4  # updated within 2 s polling (plus a request)
    gate_b = pg.locator(f'[data-gate="{gate(event, "入口 B").pk}"] [data-testid="gate-count"]')
    expect(gate_b).to_have_text("1")
    expect(pg.locator('[data-testid="live-recent"] tbody tr').first).to_contain_text(g1.name)

    # Two gates, one offline: the later scan of g2 is a conflict the supervisor sees without a reload.
    now = timezone.now()
    redeem.scan(actor=organiser, event=event.pk, token=tokens[g2.pk], gate_id=gate(event, "入口 A").pk)
    redeem.sync(
        actor=organiser,
        event=event.pk,
        device=uuid.uuid4(),
        entries=[{"client_id": "x1", "scanned_at": now + dt.timedelta(seconds=5), "token": tokens[g2.pk]}],
    )
    expect(pg.get_by_test_id("live-conflict-count")).to_have_text("1", timeout=4000)
    expect(pg.locator("[data-conflict]")).to_contain_text(g2.name)
    assert not pg.evaluate(LAYOUT_PROBLEMS_JS)
    pg.screenshot(path=str(artifacts / "checkin-live-phone.png"), full_page=True)
