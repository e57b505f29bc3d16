"""The staff's interaction pages (EX-4): the tab 互动 for the team on the day, opening and closing Q&A and
the survey for the stage (valid, stale and refused), exclusions by ticket code, the wrong step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.checkin.models import GateStaff
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.outreach.models import Ticket
from tests.factories import login

from ..models import Exclusion, InteractionSettings
from .support import all_guests, guest_url, phone, show_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return show_event(organiser, 2)


def test_the_tab_shows_the_addresses_and_counts_to_the_team_on_the_day(client, checkin_staff, event):
    # REQ: EX-4
    GateStaff.objects.create(event=event, person=checkin_staff)
    login(client, checkin_staff)
    page = client.get(reverse("onsite_interaction:manage", args=[event.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert guest_url(event) in body and 'data-testid="count-answers">0<' in body
    assert "moderate-link" not in body  # gate staff do not moderate
    r = client.post(reverse("onsite_interaction:settings_save", args=[event.pk]), {"revision": "1"})
    assert r.status_code == 403


def test_opening_and_closing(client, organiser, event):
    # REQ: EX-4
    login(client, organiser)
    url = reverse("onsite_interaction:settings_save", args=[event.pk])
    client.get(reverse("onsite_interaction:manage", args=[event.pk]))
    assert client.post(url, {"qa_open": "on"}).status_code == 400  # no revision
    r = client.post(url, {"qa_open": "on", "revision": "1"})  # survey_open unticked: closed
    assert r.status_code == 302
    conf = InteractionSettings.objects.get(event=event)
    assert conf.qa_open and not conf.survey_open and conf.revision == 2
    stale = client.post(url, {"qa_open": "", "survey_open": "on", "revision": "1"})
    assert stale.status_code == 409
    assert "满意度调查尚未开放或已结束" in phone().get(guest_url(event, "guest_survey")).content.decode()


def test_exclusions_on_the_page(client, organiser, event):
    # REQ: EX-4
    login(client, organiser)
    guest = all_guests(event)[0]
    code = Ticket.objects.get(guest=guest).code
    r = client.post(
        reverse("onsite_interaction:exclusion_add", args=[event.pk]), {"code": code, "reason": "家属"}
    )
    assert r.status_code == 302
    x = Exclusion.objects.get()
    bad = client.post(
        reverse("onsite_interaction:exclusion_add", args=[event.pk]), {"code": "QQQQQQ", "reason": "x"}
    )
    assert bad.status_code == 400 and "找不到票号" in bad.content.decode()
    r = client.post(reverse("onsite_interaction:exclusion_remove", args=[event.pk, x.pk]))
    assert r.status_code == 302 and not Exclusion.objects.exists()


def test_outside_the_show_day_writes_are_refused(client, organiser, event):
    # REQ: EX-4
    Event.objects.filter(pk=event.pk).update(step=Step.NOTIFICATION)
    login(client, organiser)
    r = client.post(
        reverse("onsite_interaction:lottery_prepare", args=[event.pk]),
        {"title": "一等奖", "winners_count": "1"},
    )
    assert r.status_code == 400 and "不能修改" in r.content.decode()
    home = phone().get(guest_url(event))
    assert 'data-testid="not-live"' in home.content.decode()
    assert phone().post(guest_url(event, "guest_ask"), {"text": "现在能问吗"}).status_code == 400
