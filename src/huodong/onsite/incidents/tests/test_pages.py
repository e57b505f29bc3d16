"""The incident pages (tab 突发, EX-5): every form with valid and invalid data, the errors beside their
fields (400, 409 when stale), the playbook and the clock shown, both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.onsite.incidents.models import Incident, IncidentPost
from huodong.onsite.incidents.services import incidents as services
from tests.factories import login

from .support import show_event, stage_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser, marketing_mgr, checkin_staff):
    return show_event(organiser, [marketing_mgr, checkin_staff])


def url(name: str, event, *args) -> str:
    return reverse(f"onsite_incidents:{name}", args=[event.pk, *args])


def test_the_tab_lists_open_incidents_with_their_clock(client, event, checkin_staff):
    # REQ: EX-5
    services.incident_report(actor=checkin_staff, event=event, category="equipment", title="投影无信号")
    login(client, checkin_staff)
    page = client.get(url("list", event))
    text = page.content.decode()
    assert page.status_code == 200 and "投影无信号" in text and 'data-testid="sla-running"' in text
    assert 'data-testid="report-form"' in text and "突发" in text


def test_the_tab_opens_for_a_reviewer_without_the_log(client, event, reviewer_sales, organiser):
    services.incident_report(actor=organiser, event=event, category="other", title="秘密事件")
    login(client, reviewer_sales)
    page = client.get(url("list", event))
    assert page.status_code == 200 and "秘密事件" not in page.content.decode()
    assert 'data-testid="not-onsite"' in page.content.decode()


def test_reporting_from_the_page_opens_the_playbook(client, event, checkin_staff):
    # REQ: EX-5
    login(client, checkin_staff)
    r = client.post(url("report", event), {"category": "equipment", "severity": "high", "title": "音响啸叫"})
    incident = Incident.objects.get()
    assert r.status_code == 302 and r["Location"] == url("detail", event, incident.pk)
    page = client.get(r["Location"]).content.decode()
    assert "备用投影仪、备用麦克风" in page and 'data-testid="arrive"' in page


def test_a_report_without_a_category_is_shown_beside_the_field(client, event, checkin_staff):
    # REQ: EX-5
    login(client, checkin_staff)
    r = client.post(url("report", event), {"severity": "high", "title": "音响啸叫"})
    assert r.status_code == 400 and "请选择类别" in r.content.decode()
    r = client.post(url("report", event), {"category": "equipment", "title": ""})
    assert r.status_code == 400 and "请填写标题" in r.content.decode()
    r = client.post(url("report", event), {"category": "equipment", "title": "x", "risk": "999999"})
    assert r.status_code == 400
    assert Incident.objects.count() == 0


def test_the_report_error_in_english(client, event, checkin_staff):
    login(client, checkin_staff)
    client.cookies["django_language"] = "en"
    r = client.post(url("report", event), {"title": "Projector"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and 'lang="en"' in r.content.decode()


def test_moves_notes_assignees_and_arrival_from_the_page(client, event, organiser, marketing_mgr):
    # REQ: EX-5
    incident = services.incident_report(actor=organiser, event=event, category="equipment", title="投影")
    login(client, organiser)
    assert client.post(url("note", event, incident.pk), {"text": ""}).status_code == 400
    assert client.post(url("note", event, incident.pk), {"text": "已联系"}).status_code == 302
    assert client.post(url("move", event, incident.pk), {"move": "start"}).status_code == 400  # no revision
    assert client.post(url("move", event, incident.pk), {"move": "start", "revision": 1}).status_code == 302
    stale = client.post(
        url("move", event, incident.pk), {"move": "resolve", "revision": 1, "resolution": "好"}
    )
    assert stale.status_code == 409
    blank = client.post(url("move", event, incident.pk), {"move": "resolve", "revision": 2})
    assert blank.status_code == 400 and "处理结果" in blank.content.decode()
    assigned = client.post(url("assign", event, incident.pk), {"revision": 2, "people": [marketing_mgr.pk]})
    assert assigned.status_code == 302
    assert client.post(url("assign", event, incident.pk), {"revision": 3, "people": ["x"]}).status_code == 400
    assert client.post(url("arrive", event, incident.pk), {}).status_code == 302
    again = client.post(url("arrive", event, incident.pk), {}, follow=True)
    assert "技术人员已于" in again.content.decode()
    edited = client.post(
        url("edit", event, incident.pk), {"revision": 3, "severity": "critical", "title": "主投影"}
    )
    assert edited.status_code == 302 and Incident.objects.get().severity == "critical"
    assert (
        client.post(
            url("edit", event, incident.pk), {"revision": 4, "severity": "x", "title": ""}
        ).status_code
        == 400
    )
    done = client.post(
        url("move", event, incident.pk), {"move": "resolve", "revision": 4, "resolution": "已换"}
    )
    assert done.status_code == 302
    page = client.get(url("detail", event, incident.pk)).content.decode()
    assert "已换" in page and "已联系" in page and 'data-testid="sla-met"' in page


def test_opinion_posts_and_statement_from_the_page(client, event, organiser, checkin_staff):
    # REQ: EX-5
    login(client, organiser)
    assert client.post(url("statement_add", event), {"title": "", "text": ""}).status_code == 400
    assert (
        client.post(url("statement_add", event), {"title": "口径一", "text": "我们高度重视。"}).status_code
        == 302
    )
    incident = services.incident_report(actor=checkin_staff, event=event, category="opinion", title="负面")
    client.logout()
    login(client, checkin_staff)
    assert client.post(url("statement_add", event), {"title": "口径二", "text": "x"}).status_code == 403
    bad = client.post(
        url("post_add", event, incident.pk), {"url": "javascript:alert(1)", "platform": "weibo"}
    )
    assert bad.status_code == 400 and IncidentPost.objects.count() == 0
    ok = client.post(
        url("post_add", event, incident.pk), {"url": "https://weibo.com/1", "platform": "weibo", "text": "差"}
    )
    assert ok.status_code == 302 and IncidentPost.objects.count() == 1
    statement = services.statement_add(
        actor=stage_manager(), event=event, title="口径二", text="以公告为准。"
    )
    chosen = client.post(url("statement", event, incident.pk), {"revision": 1, "statement": statement.pk})
    assert chosen.status_code == 302
    assert (
        client.post(url("statement", event, incident.pk), {"revision": 2, "statement": "999"}).status_code
        == 400
    )
    page = client.get(url("detail", event, incident.pk)).content.decode()
    assert "以公告为准。" in page and "weibo.com/1" in page


def test_the_detail_of_another_events_incident_is_not_found(client, event, organiser):
    other = show_event(organiser)
    incident = services.incident_report(actor=organiser, event=other, category="other", title="x")
    login(client, organiser)
    assert client.get(url("detail", event, incident.pk)).status_code == 404
