"""The delivery-log API (issue 9, point 4): list with filters and pages, one message with its attempts,
retry a dead letter, resolve one in doubt; valid and invalid input (400 naming the field, in English with
``Accept-Language: en``), conflicts 409, editors only."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import pytest
from django.utils import timezone

from huodong.outreach.models import Message
from huodong.outreach.tests.test_delivery_fixtures import add_guest, outbox_event, queue  # noqa: F401
from tests.factories import login

pytestmark = pytest.mark.django_db
J = "application/json"
S = Message.Status


@pytest.fixture
def rows(outbox_event):
    guest = add_guest(outbox_event)
    (sent,) = queue(guest, "invitation")
    (dead,) = queue(guest, "reminder")
    (doubt,) = queue(guest, "reminder", channels=("sms",))
    Message.objects.filter(pk=sent.pk).update(status=S.SENT, sent_at=timezone.now())
    Message.objects.filter(pk=dead.pk).update(status=S.DEAD, attempts=5, last_error="550 no such user")
    Message.objects.filter(pk=doubt.pk).update(status=S.IN_DOUBT)
    return {"sent": sent, "dead": dead, "doubt": doubt}


def _m(event):
    return f"/api/events/{event.pk}/messages"


def test_the_log_lists_filters_and_pages(client, organiser, outbox_event, rows):  # REQ: NT-2
    login(client, organiser)
    body = client.get(_m(outbox_event)).json()
    assert body["count"] == 3 and {c["status"]: c["n"] for c in body["counts"]}["dead"] == 1
    body = client.get(_m(outbox_event), {"status": "dead"}).json()
    assert [r["id"] for r in body["results"]] == [rows["dead"].pk]
    assert body["results"][0]["last_error"] == "550 no such user"
    body = client.get(_m(outbox_event), {"channel": "sms", "page_size": 1, "page": 1}).json()
    assert body["count"] == 1 and body["pages"] == 1
    assert client.get(_m(outbox_event), {"q": "guest1@"}).json()["count"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "lost"}, "status"), ({"channel": "fax"}, "channel"), ({"kind": "x"}, "kind"),
     ({"q": "x" * 101}, "q"), ({"page": 0}, "page"), ({"page_size": 501}, "page_size")],
)  # fmt: skip
def test_bad_filters_are_400_naming_the_field(client, organiser, outbox_event, rows, params, field):
    login(client, organiser)
    response = client.get(_m(outbox_event), params)
    assert response.status_code == 400, response.content
    assert field in str(response.json())


def test_bad_filters_speak_english_when_asked(client, organiser, outbox_event, rows):
    login(client, organiser)
    response = client.get(_m(outbox_event), {"channel": "fax"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "channel" in response.json()["errors"]


def test_one_message_with_its_attempts(client, organiser, outbox_event, rows):
    login(client, organiser)
    body = client.get(f"{_m(outbox_event)}/{rows['dead'].pk}").json()
    assert body["status"] == "dead" and body["attempt_log"] == [] and "body" in body
    assert client.get(f"{_m(outbox_event)}/999999").status_code == 404


def test_retry_a_dead_letter_then_a_second_retry_is_409(client, organiser, outbox_event, rows):
    login(client, organiser)
    url = f"{_m(outbox_event)}/{rows['dead'].pk}/retry"
    response = client.post(url, {}, content_type=J)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert response.json()["attempts"] == 5
    again = client.post(url, {}, content_type=J)
    assert again.status_code == 409


def test_resolve_a_message_in_doubt(client, organiser, outbox_event, rows):
    login(client, organiser)
    url = f"{_m(outbox_event)}/{rows['doubt'].pk}/resolve"
    bad = client.post(url, {"outcome": "perhaps"}, content_type=J)
    assert bad.status_code == 400 and "outcome" in str(bad.json())
    assert Message.objects.get(pk=rows["doubt"].pk).status == S.IN_DOUBT
    assert client.post(url, {}, content_type=J).status_code == 400
    ok = client.post(url, {"outcome": "resend"}, content_type=J)
    assert ok.status_code == 200 and ok.json()["status"] == "pending"
    assert client.post(url, {"outcome": "delivered"}, content_type=J).status_code == 409


def test_the_log_is_for_editors_only(client, outsider, outbox_event, rows):
    login(client, outsider)
    assert client.get(_m(outbox_event)).status_code == 403
    assert client.post(f"{_m(outbox_event)}/{rows['dead'].pk}/retry", {}, content_type=J).status_code == 403
    assert Message.objects.get(pk=rows["dead"].pk).status == S.DEAD
