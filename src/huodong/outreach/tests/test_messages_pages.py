"""The event's tab 消息 (the delivery log) and one message's page: counts by status, dead letters and
messages in doubt first with their buttons, filters, the attempts; retry and resolve through the pages;
bad filters answered 400 naming the field; English. The organiser uses it at a desk (the tables stack on
a phone all the same: ``class="stack"``)."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from huodong.outreach.models import DeliveryAttempt, Message
from huodong.outreach.tests.test_delivery_fixtures import add_guest, outbox_event, queue  # noqa: F401
from tests.factories import login

pytestmark = pytest.mark.django_db
S = Message.Status


@pytest.fixture
def log(outbox_event):
    guest = add_guest(outbox_event)
    (sent,) = queue(guest, "invitation")
    (dead,) = queue(guest, "reminder")
    (doubt,) = queue(guest, "confirmation")
    Message.objects.filter(pk=sent.pk).update(status=S.SENT, sent_at=timezone.now(), attempts=1)
    Message.objects.filter(pk=dead.pk).update(status=S.DEAD, attempts=5, last_error="550 5.1.1 User unknown")
    Message.objects.filter(pk=doubt.pk).update(
        status=S.IN_DOUBT,
        last_error="发送过程中断(发送进程退出或连接中断),无法确定对方是否已收到;请确认后标记为已送达或重新发送。",
    )
    DeliveryAttempt.objects.create(message=dead, outcome="failed", error="550 5.1.1 User unknown")
    return {"guest": guest, "sent": sent, "dead": dead, "doubt": doubt}


def test_the_log_shows_counts_and_the_letters_waiting_for_a_person_first(
    client, organiser, outbox_event, log
):  # REQ: NT-2
    login(client, organiser)
    response = client.get(reverse("outreach:messages", args=[outbox_event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="attention"' in html
    attention = html.split('data-testid="attention"')[1].split("</section>")[0]
    assert (
        f'data-message="{log["dead"].pk}"' in attention and f'data-message="{log["doubt"].pk}"' in attention
    )
    assert f'data-message="{log["sent"].pk}"' not in attention
    assert "550 5.1.1 User unknown" in attention
    assert 'data-testid="retry"' in attention and 'data-testid="mark-delivered"' in attention
    assert 'data-status="sent">已发送 1' in html
    assert 'class="stack"' in html


def test_filters_narrow_the_log_and_a_bad_filter_is_400_naming_it(client, organiser, outbox_event, log):
    login(client, organiser)
    url = reverse("outreach:messages", args=[outbox_event.pk])
    html = client.get(url, {"status": "dead"}).content.decode()
    log_part = html.split('data-testid="message-log"')[1]
    assert (
        f'data-message="{log["dead"].pk}"' in log_part and f'data-message="{log["sent"].pk}"' not in log_part
    )
    assert f'data-message="{log["sent"].pk}"' in client.get(url, {"q": "guest1@"}).content.decode()
    response = client.get(url, {"channel": "fax"})
    assert response.status_code == 400 and "未知的渠道「fax」" in response.content.decode()


def test_one_message_shows_its_attempts(client, organiser, outbox_event, log):
    login(client, organiser)
    response = client.get(reverse("outreach:message_detail", args=[outbox_event.pk, log["dead"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="attempts"' in html and "550 5.1.1 User unknown" in html
    assert client.get(reverse("outreach:message_detail", args=[outbox_event.pk, 99999])).status_code == 404


def test_retry_and_resolve_from_the_page(client, organiser, outbox_event, log):
    login(client, organiser)
    r = client.post(reverse("outreach:message_retry", args=[outbox_event.pk, log["dead"].pk]))
    assert r.status_code == 302
    r = client.post(
        reverse("outreach:message_resolve", args=[outbox_event.pk, log["doubt"].pk]),
        {"outcome": "delivered", "next": "detail"},
    )
    assert r.status_code == 302 and r["Location"].endswith(f"/messages/{log['doubt'].pk}/")
    log["dead"].refresh_from_db()
    log["doubt"].refresh_from_db()
    assert log["dead"].status == S.PENDING and log["doubt"].status == S.SENT


def test_a_bad_outcome_or_a_second_retry_changes_nothing_and_says_why(client, organiser, outbox_event, log):
    login(client, organiser)
    url = reverse("outreach:message_resolve", args=[outbox_event.pk, log["doubt"].pk])
    r = client.post(url, {"outcome": "maybe"}, follow=True)
    assert "请选择「已送达」" in r.content.decode()
    log["doubt"].refresh_from_db()
    assert log["doubt"].status == S.IN_DOUBT
    r = client.post(reverse("outreach:message_retry", args=[outbox_event.pk, log["sent"].pk]), follow=True)
    assert "只有发送失败的消息可以重新发送" in r.content.decode()


def test_the_page_is_for_editors_only(client, outsider, marketing_mgr, outbox_event, log):
    login(client, outsider)
    assert client.get(reverse("outreach:messages", args=[outbox_event.pk])).status_code == 403


def test_the_page_works_in_english(client, organiser, outbox_event, log):
    login(client, organiser)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("outreach:messages", args=[outbox_event.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_the_guest_page_partial_renders_the_log_masked(outbox_event, log):
    from django.template.loader import render_to_string

    from huodong.outreach.delivery_log import guest_log

    rows = guest_log(log["guest"])
    assert [m.pk for m in rows] and all(hasattr(m, "attempt_log") for m in rows)
    html = render_to_string("outreach/_message_log.html", {"messages_log": rows, "full": False})
    assert "guest1@example.com" not in html and "@example.com" in html
    assert (
        render_to_string("outreach/_message_log.html", {"messages_log": rows, "full": True}).count(
            "guest1@example.com"
        )
        == 3
    )
