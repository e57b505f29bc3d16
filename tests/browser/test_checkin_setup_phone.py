"""Issue 10 points 2–3 on a phone (390×844): a check-in staff member registers a walk-in at the door (the
PIPL notice shown, the consent ticked) and the guest is checked in at once; then records their own
arrival with "我已到场" on the tab 签到. Both pages fit the screen (``test_phone_layout``'s checks).
Screenshots go to test-artifacts/checkin-setup-*.png."""

from __future__ import annotations

from django.urls import reverse

from huodong.checkin.models import Method, Scan, StaffArrival
from huodong.checkin.services import setup as setup_services
from huodong.checkin.tests.support import door_event, gate
from huodong.outreach.models import Guest, GuestStatus

from .test_phone_layout import LAYOUT_PROBLEMS_JS, _screenshots


def test_a_walk_in_and_a_staff_arrival_on_a_phone(phone_page, login_as, organiser, checkin_staff, artifacts):
    # REQ: EX-2, EX-3
    event = door_event(organiser, 1)
    setup_services.staff_add(actor=organiser, event=event, people=[checkin_staff], gate_id=gate(event).pk)
    pg = phone_page
    login_as(pg, checkin_staff)
    pg.goto(reverse("checkin:walkin", kwargs={"event_id": event.pk}))
    assert pg.get_by_test_id("pipl-notice").is_visible()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.fill("#id_phone", "13912345678")
    pg.fill("#id_name", "张现场")
    pg.get_by_test_id("walkin-submit").click()
    pg.wait_for_load_state()
    assert "现场登记须嘉宾同意" in pg.content()  # the consent was not ticked: refused, nothing written
    assert not Guest.objects.filter(event=event, phone="+8613912345678").exists()
    pg.locator("#id_consent_operation").check()
    pg.get_by_test_id("walkin-submit").click()
    pg.wait_for_load_state()
    assert "签到成功:张现场" in pg.content()
    guest = Guest.objects.get(event=event, phone="+8613912345678")
    assert guest.status == GuestStatus.CHECKED_IN
    assert Scan.objects.get(guest=guest).method == Method.WALKIN
    _screenshots(pg, artifacts / "checkin-setup-walkin")
    pg.goto(reverse("checkin:setup", kwargs={"event_id": event.pk}))
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.get_by_test_id("arrive-me").click()
    pg.wait_for_load_state()
    assert StaffArrival.objects.filter(event=event, person=checkin_staff).exists()
    assert "您已于" in pg.get_by_test_id("arrive-form").inner_text()
    _screenshots(pg, artifacts / "checkin-setup-tab")
