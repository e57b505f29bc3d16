"""Issue 11 point 4 on a phone (390×844), in Chinese and in English (EX-5): a check-in staff member reports
an equipment incident in a few taps, sees the playbook from the plan's risk register at once, nobody comes;
the test moves the clock past 15 minutes and turns the worker once; the stage manager finds the escalation
in 我的待办 and on the incident's page, where the clock says it ran out. Nothing sleeps.
Screenshots go to test-artifacts/onsite-incidents-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huodong.checkin.models import Gate, GateStaff
from huodong.core.models import Notification
from huodong.onsite.incidents.models import Incident
from huodong.onsite.incidents.services.sla import ESCALATION_KIND
from huodong.onsite.incidents.tests.support import show_event, stage_manager
from huodong.outreach.models import Message
from huodong.outreach.tests.test_delivery_fixtures import deliverer, start_http

from .conftest import PHONE
from .test_phone_layout import LAYOUT_PROBLEMS_JS, _screenshots


@pytest.fixture
def robot_stub():  # noqa: ANN201
    """A local HTTP server standing in for the 企业微信 robot (``HUODONG_WECOM_BASE_URL``)."""
    stub = start_http()
    yield stub
    stub.stop()


def _context(browser, live_server, user, *, english: bool):  # noqa: ANN001, ANN202
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
    context.set_default_timeout(30_000)
    return context


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_an_equipment_incident_escalates_on_a_phone(
    browser,
    live_server,
    organiser,
    checkin_staff,
    artifacts,
    settings,
    robot_stub,
    monkeypatch,
    english,
):
    # REQ: EX-5
    from huodong.outreach import worker as worker_module
    from huodong.outreach.worker import HuodongWorker

    settings.HUODONG_WECOM_BASE_URL = robot_stub.base
    event = show_event(organiser)
    gate = Gate.objects.create(event=event, name="入口 A", name_en="Gate A")
    GateStaff.objects.create(event=event, person=checkin_staff, gate=gate)
    lang = "en" if english else "zh"

    reporter = _context(browser, live_server, checkin_staff, english=english)
    pg = reporter.new_page()
    pg.goto(reverse("onsite_incidents:list", kwargs={"event_id": event.pk}))
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.get_by_test_id("report-submit").click()  # no category, no title: the phone says so before sending
    assert pg.locator("#id_title:invalid").count() == 1 and Incident.objects.count() == 0
    pg.locator("#id_category_0").check()  # 设备 / Equipment
    pg.locator("#id_severity_2").check()  # 高 / High
    pg.fill("#id_title", "主会场投影无信号")
    pg.get_by_test_id("report-submit").click()
    pg.wait_for_load_state()
    incident = Incident.objects.get()
    assert pg.get_by_test_id("playbook-backup").inner_text() == "备用投影仪、备用麦克风"
    assert "15" in pg.get_by_test_id("playbook-response").inner_text()
    assert pg.get_by_test_id("sla-running").is_visible()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    _screenshots(pg, artifacts / f"onsite-incidents-report-{lang}")
    reporter.close()

    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    worker = HuodongWorker(worker_id="sla-browser", once=True, deliverer=deliverer("sla-browser"))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        worker.step()
    incident.refresh_from_db()
    assert incident.escalated_at is not None
    assert Notification.objects.filter(kind=ESCALATION_KIND, recipient=stage_manager()).count() == 1
    assert Message.objects.get(event=event, channel="robot").status == Message.Status.SENT

    supervisor = _context(browser, live_server, stage_manager(), english=english)
    pg = supervisor.new_page()
    pg.goto(reverse("planning:inbox"))
    assert "主会场投影无信号" in pg.content()
    pg.goto(reverse("onsite_incidents:detail", kwargs={"event_id": event.pk, "incident_id": incident.pk}))
    assert pg.get_by_test_id("sla-breached").is_visible()
    assert pg.locator('[data-testid="action"][data-kind="escalation"]').count() == 1
    assert ('lang="en"' in pg.content()) is english
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    _screenshots(pg, artifacts / f"onsite-incidents-escalated-{lang}")
    supervisor.close()
