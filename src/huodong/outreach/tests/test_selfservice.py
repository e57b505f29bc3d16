"""The guest's self-service from the ticket page (issue 9 point 7), with the access key as authority and
the CSRF token: cancel (a confirmation page, then the ticket revoked and the waiting list moving up),
update details (duplicates refused), withdraw a consent per purpose (recorded; the outbox then sends
nothing for it). A wrong key is 404; valid and invalid data for each form.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from huodong.outreach.models import Consent, GuestStatus, Message, MessageKind, Ticket

from .test_registration_support import open_event, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return open_event(organiser, capacity=1, cohosts="合作伙伴甲")


def _url(name, guest):
    return reverse(name, args=[guest.access_key])


def test_cancelling_asks_first_then_cancels_and_the_next_guest_moves_up(client, event):
    guest, waiting = sign_up(event, 1), sign_up(event, 2)
    confirm = client.get(_url("outreach:ticket_cancel", guest))
    assert confirm.status_code == 200 and "确认取消报名" in confirm.content.decode()
    guest.refresh_from_db()
    assert guest.status == GuestStatus.REGISTERED  # opening the page changed nothing
    response = client.post(_url("outreach:ticket_cancel", guest), {"revision": guest.revision})
    assert response.status_code == 302 and response["Location"].endswith("?done=cancelled")
    guest.refresh_from_db(), waiting.refresh_from_db()
    assert guest.status == GuestStatus.CANCELLED and Ticket.objects.get(guest=guest).revoked_at
    assert waiting.status == GuestStatus.REGISTERED and Ticket.objects.get(guest=waiting).revoked_at is None
    assert Message.objects.filter(guest=waiting, kind=MessageKind.PROMOTED).exists()
    page = client.get(response["Location"]).content.decode()
    assert "已取消" in page and "<svg" not in page


def test_cancelling_twice_or_with_an_old_revision_is_refused(client, event):
    guest = sign_up(event)
    old = guest.revision
    client.post(_url("outreach:ticket_cancel", guest), {"revision": old})
    again = client.post(_url("outreach:ticket_cancel", guest), {"revision": old})
    assert again.status_code == 409
    guest.refresh_from_db()
    third = client.post(_url("outreach:ticket_cancel", guest), {"revision": guest.revision})
    assert third.status_code == 400 and "无需取消" in third.content.decode()


def test_cancelling_needs_the_csrf_token(event):
    guest = sign_up(event)
    browser = Client(enforce_csrf_checks=True)
    assert (
        browser.post(_url("outreach:ticket_cancel", guest), {"revision": guest.revision}).status_code == 403
    )
    html = browser.get(_url("outreach:ticket_cancel", guest)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(
        _url("outreach:ticket_cancel", guest), {"revision": guest.revision, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_the_guest_updates_their_details(client, event):
    guest = sign_up(event)
    page = client.get(_url("outreach:ticket_details", guest))
    assert page.status_code == 200 and 'value="13800000001"' in page.content.decode()
    data = {
        "revision": guest.revision,
        "name": "张三丰",
        "phone": "13900001111",
        "email": "zhang@example.com",
        "company": "武当",
        "title": "掌门",
    }
    response = client.post(_url("outreach:ticket_details", guest), data)
    assert response.status_code == 302 and response["Location"].endswith("?done=details")
    guest.refresh_from_db()
    assert (guest.name, guest.phone, guest.email, guest.title) == (
        "张三丰",
        "+8613900001111",
        "zhang@example.com",
        "掌门",
    )


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"phone": "13800000002"}, "phone", "另一份报名"),
        ({"email": "guest2@example.com"}, "email", "另一份报名"),
        ({"phone": "123"}, "phone", "手机号「123」"),
        ({"email": "a@"}, "email", "邮箱「a@」"),
        ({"name": ""}, "name", "姓名不能为空"),
        ({"revision": ""}, "revision", "修订号"),
    ],
)
def test_bad_details_are_400_naming_the_field(client, event, changes, field, words):
    guest = sign_up(event, 1)
    sign_up(event, 2)
    data = {
        "revision": guest.revision,
        "name": "嘉宾1",
        "phone": "13800000001",
        "email": "guest1@example.com",
    }
    response = client.post(_url("outreach:ticket_details", guest), {**data, **changes})
    html = response.content.decode()
    assert response.status_code == 400 and words in html
    if field != "revision":
        assert f'data-field="{field}"' in html
    assert "嘉宾2" not in html
    guest.refresh_from_db()
    assert guest.name == "嘉宾1"


def test_the_guest_withdraws_one_consent_and_it_is_recorded(client, event):
    guest = sign_up(event, consents={"operation": True, "marketing": True, "cohost": True})
    page = client.get(_url("outreach:ticket_privacy", guest)).content.decode()
    assert 'data-testid="withdraw-marketing"' in page and 'data-testid="withdraw-cohost"' in page
    assert "合作伙伴甲" in page
    response = client.post(
        _url("outreach:ticket_privacy", guest), {"purpose": "cohost"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302
    rows = {c.purpose: c for c in Consent.objects.filter(guest=guest)}
    assert rows["cohost"].withdrawn_at is not None and rows["cohost"].address == "10.9.9.9"
    assert rows["marketing"].standing and rows["operation"].standing
    after = client.get(response["Location"]).content.decode()
    assert "已撤回" in after and 'data-testid="withdraw-cohost"' not in after


def test_withdrawing_the_operation_consent_says_what_it_means_and_stops_the_messages(client, event):
    guest = sign_up(event)
    page = client.get(_url("outreach:ticket_privacy", guest)).content.decode()
    assert "不再向您发送与本次活动相关的任何消息" in page
    client.post(_url("outreach:ticket_privacy", guest), {"purpose": "operation"})
    assert not Message.objects.filter(guest=guest, status=Message.Status.PENDING).exists()
    assert not Consent.objects.get(guest=guest, purpose="operation").standing


@pytest.mark.parametrize("purpose", ["", "sales", "marketing"])
def test_withdrawing_a_consent_not_given_or_unknown_is_400(client, event, purpose):
    guest = sign_up(event)  # only the operation consent was given
    response = client.post(_url("outreach:ticket_privacy", guest), {"purpose": purpose})
    assert response.status_code == 400 and 'data-testid="form-errors"' in response.content.decode()


@pytest.mark.parametrize(
    "name", ["outreach:ticket_cancel", "outreach:ticket_details", "outreach:ticket_privacy"]
)
def test_a_wrong_key_is_404_for_every_self_service_page(client, event, name):
    sign_up(event)
    assert client.get(reverse(name, args=["wrong-key"])).status_code == 404
    assert client.post(reverse(name, args=["wrong-key"]), {"purpose": "marketing"}).status_code == 404


def test_self_service_pages_in_english(client, event):
    guest = sign_up(event)
    for name in ("outreach:ticket_cancel", "outreach:ticket_details", "outreach:ticket_privacy"):
        html = client.get(_url(name, guest) + "?lang=en").content.decode()
        assert '<html lang="en">' in html
    assert "Personal information notice" in html
