"""The notice schedule, invitations and reminders (NT-1, NT-2): seeded from the event type (letters T-7,
reminder T-3, invitation T-14); changing the reminder moves, cancels and queues the waiting reminders;
"remind everyone now" is idempotent; invitations go out per channel, marketing only as asked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huodong.core.concurrency import Stale
from huodong.core.errors import DomainError
from huodong.outreach.models import GuestStatus, Message, MessageKind, NoticeSchedule
from huodong.outreach.services import schedule

from .test_letters_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BEFORE = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
DAY = 24 * 60


def test_schedule_is_seeded_from_the_event_type(notices_world):
    # REQ: NT-1
    # REQ: NT-2
    rows = {r.kind: r for r in schedule.schedule_of(notices_world.event)}
    assert rows["collaboration_letter"].offset_minutes == -7 * DAY
    assert rows["reminder"].offset_minutes == -3 * DAY
    assert rows["invitation"].offset_minutes == -14 * DAY  # the type has none: the default
    assert rows["collaboration_letter"].channels == ["email", "robot"]
    assert rows["reminder"].channels == ["email", "sms", "wechat"]
    assert not NoticeSchedule.objects.filter(event=notices_world.event).exists()  # reading writes nothing


@time_machine.travel(BEFORE, tick=False)
def test_changing_the_reminder_moves_cancels_and_queues_waiting_reminders(notices_world):
    # REQ: NT-2
    w = notices_world
    guests = guest_factory(w.event, 2, status=GuestStatus.REGISTERED)  # noqa: F405
    guest_factory(w.event, 1, status=GuestStatus.CANCELLED, prefix="c")  # noqa: F405
    row = schedule.schedule_of(w.event)[2]
    schedule.schedule_update(
        actor=w.organiser, event=w.event, kind="reminder", seen=row.revision, channels=["email"]
    )
    assert schedule.reminders_queue(actor=w.organiser, event=w.event) == 2  # two registered, e-mail only
    assert schedule.reminders_queue(actor=w.organiser, event=w.event) == 0  # idempotent
    reminders = Message.objects.filter(event=w.event, kind=MessageKind.REMINDER)
    assert {m.guest_id for m in reminders} == {g.pk for g in guests}
    assert all(m.due_at == w.event.starts_at - dt.timedelta(days=3) for m in reminders)
    row = NoticeSchedule.objects.get(event=w.event, kind="reminder")
    schedule.schedule_update(
        actor=w.organiser,
        event=w.event,
        kind="reminder",
        seen=row.revision,
        offset_minutes=-2 * DAY,
        channels=["sms"],
    )
    email = reminders.filter(channel="email")
    assert all(m.status == Message.Status.CANCELLED for m in email)
    sms = reminders.filter(channel="sms")
    assert sms.count() == 2
    assert all(
        m.due_at == w.event.starts_at - dt.timedelta(days=2) and m.offset_minutes == -2 * DAY for m in sms
    )
    row.refresh_from_db()
    schedule.schedule_update(
        actor=w.organiser, event=w.event, kind="reminder", seen=row.revision, offset_minutes=-1 * DAY
    )
    assert all(m.due_at == w.event.starts_at - dt.timedelta(days=1) for m in reminders.filter(channel="sms"))
    # switched off: cancelled; on again: revived
    row.refresh_from_db()
    schedule.schedule_update(
        actor=w.organiser, event=w.event, kind="reminder", seen=row.revision, enabled=False
    )
    assert not reminders.filter(status__in=("pending", "retry")).exists()
    row.refresh_from_db()
    schedule.schedule_update(
        actor=w.organiser, event=w.event, kind="reminder", seen=row.revision, enabled=True
    )
    assert reminders.filter(channel="sms", status="pending").count() == 2


def test_schedule_changes_are_checked_and_need_the_revision_seen(notices_world):
    w = notices_world
    with pytest.raises(DomainError) as exc:
        schedule.schedule_update(
            actor=w.organiser, event=w.event, kind="reminder", seen=1, offset_minutes=60, channels=["robot"]
        )
    assert set(exc.value.errors) == {"offset_minutes", "channels"}
    with pytest.raises(DomainError) as exc:
        schedule.schedule_update(actor=w.organiser, event=w.event, kind="nope", seen=1)
    assert "kind" in exc.value.errors
    schedule.schedule_update(actor=w.organiser, event=w.event, kind="reminder", seen=1, offset_minutes=-DAY)
    with pytest.raises(Stale):
        schedule.schedule_update(
            actor=w.organiser, event=w.event, kind="reminder", seen=1, offset_minutes=-2 * DAY
        )


@time_machine.travel(BEFORE, tick=False)
def test_invitations_go_to_the_chosen_guests_on_the_chosen_channels(notices_world):
    # REQ: NT-2
    w = notices_world
    invited = guest_factory(w.event, 3)  # noqa: F405
    guest_factory(w.event, 1, status=GuestStatus.REGISTERED, prefix="r")  # noqa: F405
    result = schedule.invitations_send(actor=w.organiser, event=w.event, channels=["email", "sms"])
    assert result.guests == 3 and result.created == 6
    rows = Message.objects.filter(event=w.event, kind=MessageKind.INVITATION)
    assert {m.guest_id for m in rows} == {g.pk for g in invited}
    assert all(m.purpose == Message.Purpose.OPERATION for m in rows)
    assert "新品首发" in rows.filter(channel="email").first().body  # the highlights
    again = schedule.invitations_send(actor=w.organiser, event=w.event, channels=["email", "sms"])
    assert again.created == 0  # nothing twice
    stats = {c.channel: c for c in schedule.message_stats(w.event, MessageKind.INVITATION)}
    assert stats["email"].queued == 3 and stats["sms"].waiting == 3 and stats["wechat"].queued == 0


@time_machine.travel(BEFORE, tick=False)
def test_a_scheduled_marketing_campaign_is_marked_so_and_follows_the_event(notices_world):
    # REQ: NT-2
    w = notices_world
    guest_factory(w.event, 2, prefix="m")  # noqa: F405
    schedule.invitations_send(
        actor=w.organiser, event=w.event, channels=["email"], when="scheduled", marketing=True
    )
    rows = Message.objects.filter(event=w.event, kind=MessageKind.INVITATION)
    assert all(m.purpose == Message.Purpose.MARKETING for m in rows)
    assert all(
        m.offset_minutes == -14 * DAY and m.due_at == w.event.starts_at - dt.timedelta(days=14) for m in rows
    )


def test_bad_invitation_input_names_the_field_and_writes_nothing(notices_world):
    w = notices_world
    guest_factory(w.event, 1)  # noqa: F405
    with pytest.raises(DomainError) as exc:
        schedule.invitations_send(
            actor=w.organiser,
            event=w.event,
            channels=["fax"],
            statuses=["maybe"],
            categories=["x"],
            when="later",
        )
    assert set(exc.value.errors) == {"channels", "statuses", "categories", "when"}
    assert not Message.objects.filter(event=w.event).exists()
