"""The gate of 通知发布 (NT-1, NT-2): it says no with every missing item, in words, and yes when letters
are delivered (or a failure acknowledged), invitations sent, registration open and the quotas met (or the
shortfall accepted)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huodong.events.lifecycle import GateBlocked, event_advance, gate_evaluate
from huodong.events.steps import Step
from huodong.outreach.models import Channel, CollaborationLetter, GuestStatus, Message, MessageKind
from huodong.outreach.services import letters, schedule
from huodong.outreach.services.quotas import quota_shortfall_accept

from .test_letters_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BEFORE = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
CODES = ["outreach.letters", "outreach.invitations", "outreach.registration_open", "outreach.quotas"]


def _ours(event):
    return {c.code: c for c in gate_evaluate(event, Step.NOTIFICATION) if c.code.startswith("outreach.")}


def test_the_gate_lists_every_missing_item(notices_world):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    criteria = _ours(w.event)
    assert sorted(criteria) == sorted(CODES)
    assert not any(c.met for c in criteria.values())
    assert "市场部" in str(criteria["outreach.letters"].detail) and "销售部" in str(
        criteria["outreach.letters"].detail
    )
    assert "嘉宾名单为空" in str(criteria["outreach.invitations"].detail)
    assert "报名尚未开放" in str(criteria["outreach.registration_open"].detail)
    assert "销售部 缺 3 人" in str(criteria["outreach.quotas"].detail)
    with pytest.raises(GateBlocked) as exc:
        event_advance(actor=w.organiser, event=w.event, from_step=Step.NOTIFICATION)
    assert {c.code for c in exc.value.unmet} >= set(CODES)


@time_machine.travel(BEFORE, tick=False)
def test_the_gate_passes_with_delivered_letters_sent_invitations_open_registration_and_quotas(notices_world):
    # REQ: NT-1
    # REQ: NT-2
    w = notices_world
    guest_factory(w.event, 3, department=w.sales)  # noqa: F405  sales meets its quota of 3
    schedule.invitations_send(actor=w.organiser, event=w.event, channels=["email"])
    letters.letters_queue(actor=w.organiser, event=w.event)
    assert not _ours(w.event)["outreach.invitations"].met  # queued is not sent
    mark(Message.objects.filter(event=w.event), Message.Status.SENT)  # noqa: F405
    w.registration.is_open = True
    w.registration.save()
    criteria = _ours(w.event)
    assert all(c.met for c in criteria.values()), [c.as_dict() for c in criteria.values()]


@time_machine.travel(BEFORE, tick=False)
def test_an_acknowledged_failure_and_an_accepted_shortfall_pass_the_gate(notices_world):
    # REQ: NT-1
    w = notices_world
    guest_factory(w.event, 1, department=w.sales)  # noqa: F405  sales is 2 short
    guest_factory(w.event, 2, status=GuestStatus.REGISTERED, prefix="r")  # noqa: F405
    schedule.invitations_send(actor=w.organiser, event=w.event, channels=["email"])
    letters.letters_queue(actor=w.organiser, event=w.event)
    mark(Message.objects.filter(event=w.event), Message.Status.SENT)  # noqa: F405
    sales_letter = CollaborationLetter.objects.get(event=w.event, department=w.sales)
    mark(Message.objects.filter(letter=sales_letter, channel=Channel.ROBOT), Message.Status.DEAD)  # noqa: F405
    w.registration.is_open = True
    w.registration.save()
    criteria = _ours(w.event)
    assert not criteria["outreach.letters"].met and "销售部(发送失败)" in str(
        criteria["outreach.letters"].detail
    )
    assert not criteria["outreach.quotas"].met
    sales_letter.refresh_from_db()
    letters.letter_failure_acknowledge(
        actor=w.organiser,
        event=w.event,
        letter_id=sales_letter.pk,
        reason="群机器人已解散,已邮件送达",
        seen=sales_letter.revision,
    )
    w.quota.refresh_from_db()
    quota_shortfall_accept(
        actor=w.organiser,
        event=w.event,
        quota_id=w.quota.pk,
        reason="两位客户临时出差",
        revision=w.quota.revision,
    )
    assert all(c.met for c in _ours(w.event).values())


def test_no_invitation_is_needed_when_every_guest_registered(notices_world):
    # REQ: NT-2
    w = notices_world
    guest_factory(w.event, 2, status=GuestStatus.REGISTERED)  # noqa: F405
    assert _ours(w.event)["outreach.invitations"].met
    assert not Message.objects.filter(kind=MessageKind.INVITATION).exists()
