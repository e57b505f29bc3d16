"""Registration's rules (issue 9 point 2, NT-2), service by service, with valid and invalid data.

- Settings: questions checked row by row (the bad row named), capacity, deadline, revision (428/409), the
  step and the person's right.
- Registering: a ticket, the confirmation and the T-3-day reminder (or the event's reminder schedule);
  closed or past the deadline → nothing written; full → the waiting list; a duplicate phone or e-mail →
  refused without the other person's data, nothing written; an invited guest registers on the same row;
  bad phone/e-mail named; the operation consent required; each purpose a separate Consent row.
- The flood limit per address; the waiting list moving up first in, first out; cancelling the event for
  its guests; the event's time or place changing → an UPDATE to each registered guest.
- Concurrency: on PostgreSQL, threads registering for the last seats never exceed the capacity.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from huodong.core.audit import snapshot
from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.outreach import pipl
from huodong.outreach.models import (
    Consent,
    Guest,
    GuestStatus,
    Message,
    MessageKind,
    NoticeSchedule,
    RegistrationAttempt,
    Ticket,
)
from huodong.outreach.services import registration as services
from huodong.planning.tests.conftest import make_event, move

from .test_registration_support import QUESTIONS, open_event, reg_of, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return open_event(organiser, questions=QUESTIONS)


def _messages(guest, kind=None):
    rows = Message.objects.filter(guest=guest)
    return list(rows.filter(kind=kind) if kind else rows)


# ---------------------------------------------------------------- settings
def test_the_organiser_saves_settings_and_opening_is_recorded(organiser):
    event = make_event(organiser, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    saved = services.settings_update(
        actor=organiser,
        event=event,
        seen=reg.revision,
        is_open=True,
        capacity=100,
        deadline=dt.datetime(2027, 3, 17, 18, 0),
        questions=QUESTIONS,
        highlights="新品首发",
        cohosts="合作伙伴甲",
    )
    assert saved.is_open and saved.capacity == 100 and saved.opened_at is not None
    assert saved.deadline == dt.datetime(2027, 3, 17, 10, 0, tzinfo=dt.UTC)  # read in the event's zone
    assert [q["code"] for q in saved.questions] == ["industry", "topics", "lunch", "note"]
    assert saved.revision == reg.revision + 1


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"code": "1x", "label": "A"}, "第 1 个问题"),
        ({"code": "ok", "label": ""}, "中文标题"),
        ({"code": "ok", "label": "行业", "kind": "radio"}, "radio"),
        ({"code": "ok", "label": "行业", "kind": "choice", "choices": ["只有一个"]}, "至少需要 2 个选项"),
        ({"code": "ok", "label": "行业", "kind": "multi", "choices": ["a", "a"]}, "不能重复"),
        ({"code": "ok", "label": "行业", "required": "yes"}, "必填"),
    ],
)
def test_a_bad_question_row_is_refused_naming_the_row(organiser, bad, words):
    event = make_event(organiser, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    with pytest.raises(DomainError) as caught:
        services.settings_update(actor=organiser, event=event, seen=reg.revision, questions=[bad])
    assert words in caught.value.as_dict()["questions"][0]
    assert reg_of(event).questions == []


def test_a_duplicate_question_code_names_the_second_row(organiser):
    event = make_event(organiser, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    rows = [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}]
    with pytest.raises(DomainError) as caught:
        services.settings_update(actor=organiser, event=event, seen=reg.revision, questions=rows)
    assert caught.value.as_dict()["questions"] == ["第 2 个问题:代码「a」重复。"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"capacity": -1}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"deadline": dt.datetime(2027, 3, 19, 9, 0)}, "deadline"),
        ({"deadline": "tomorrow"}, "deadline"),
        ({"cohosts": "甲\n乙"}, "cohosts"),
        ({"is_open": "yes"}, "is_open"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(organiser, changes, field):
    event = make_event(organiser, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    with pytest.raises(DomainError) as caught:
        services.settings_update(actor=organiser, event=event, seen=reg.revision, **changes)
    assert field in caught.value.errors
    assert reg_of(event).revision == reg.revision


def test_settings_need_the_revision_seen_and_a_fresh_one(organiser):
    event = make_event(organiser, step=Step.NOTIFICATION)
    reg = services.settings_of(event)
    with pytest.raises(PreconditionRequired):
        services.settings_update(actor=organiser, event=event, seen=None, capacity=5)
    services.settings_update(actor=organiser, event=event, seen=reg.revision, capacity=5)
    with pytest.raises(Stale):
        services.settings_update(actor=organiser, event=event, seen=reg.revision, capacity=6)
    assert reg_of(event).capacity == 5


def test_settings_are_for_the_editors_and_the_outreach_steps(organiser, outsider):
    event = make_event(organiser, step=Step.APPROVAL)
    reg = services.settings_of(event)
    with pytest.raises(DomainError) as caught:
        services.settings_update(actor=organiser, event=event, seen=reg.revision, capacity=5)
    assert caught.value.code == "wrong_step"
    move(event, Step.NOTIFICATION)
    with pytest.raises(NotAllowed):
        services.settings_update(actor=outsider, event=event, seen=reg.revision, capacity=5)


# ---------------------------------------------------------------- registering
def test_a_guest_registers_with_a_ticket_a_confirmation_and_a_reminder_three_days_before(event):
    guest = sign_up(event, consents={"operation": True, "marketing": True})
    assert guest.status == GuestStatus.REGISTERED and guest.registered_at is not None
    assert guest.source == Guest.Source.REGISTRATION and guest.phone == "+8613800000001"
    assert guest.answers == {"industry": "制造"}
    assert Ticket.objects.get(guest=guest).revoked_at is None
    confirmations = _messages(guest, MessageKind.CONFIRMATION)
    assert {m.channel for m in confirmations} == {"email", "sms"}
    reminders = _messages(guest, MessageKind.REMINDER)
    assert reminders and all(m.offset_minutes == -3 * 24 * 60 for m in reminders)  # REQ: NT-2
    assert all(m.due_at == event.starts_at - dt.timedelta(days=3) for m in reminders)  # REQ: NT-2


def test_the_reminder_follows_the_events_reminder_schedule(event):  # REQ: NT-2
    NoticeSchedule.objects.create(
        event=event, kind=MessageKind.REMINDER, offset_minutes=-2 * 24 * 60, channels=["sms"]
    )
    guest = sign_up(event)
    reminders = _messages(guest, MessageKind.REMINDER)
    assert [(m.channel, m.offset_minutes) for m in reminders] == [("sms", -2 * 24 * 60)]


def test_a_reminder_switched_off_in_the_schedule_is_not_queued(event):  # REQ: NT-2
    NoticeSchedule.objects.create(
        event=event, kind=MessageKind.REMINDER, offset_minutes=-3 * 24 * 60, enabled=False
    )
    guest = sign_up(event)
    assert _messages(guest, MessageKind.CONFIRMATION) and not _messages(guest, MessageKind.REMINDER)


def test_the_reminder_has_the_schedules_key_so_queueing_reminders_adds_none(event):  # REQ: NT-2
    guest = sign_up(event)
    keys = {m.idempotency_key for m in _messages(guest, MessageKind.REMINDER)}
    assert keys == {f"reminder:{guest.pk}:email", f"reminder:{guest.pk}:sms"}


def test_no_reminder_when_registering_after_its_moment(event):  # REQ: NT-2
    guest = sign_up(event, now=event.starts_at - dt.timedelta(days=1))
    assert _messages(guest, MessageKind.CONFIRMATION)
    assert not _messages(guest, MessageKind.REMINDER)


def test_each_purpose_is_a_separate_consent_with_the_notice_version_time_source_and_address(organiser):
    event = open_event(organiser, cohosts="合作伙伴甲")
    guest = sign_up(event, consents={"operation": True, "cohost": True}, address="203.0.113.9")
    rows = {c.purpose: c for c in Consent.objects.filter(guest=guest)}
    assert set(rows) == {"operation", "marketing", "cohost"}
    assert rows["operation"].granted and rows["cohost"].granted and not rows["marketing"].granted
    assert rows["marketing"].granted_at is None and rows["operation"].granted_at is not None
    notice = services.notice_for_event(event, reg_of(event), "zh-hans")
    assert {c.notice_version for c in rows.values()} == {notice.version}
    assert {c.source for c in rows.values()} == {"registration"}
    assert {c.address for c in rows.values()} == {"203.0.113.9"}


def test_sharing_with_cohosts_is_asked_only_when_there_are_cohosts(event):
    guest = sign_up(event, consents={"operation": True, "cohost": True})
    assert set(Consent.objects.filter(guest=guest).values_list("purpose", flat=True)) == {
        "operation",
        "marketing",
    }


def test_the_notice_version_changes_with_the_cohosts_and_the_language(organiser):
    a = pipl.notice_for(language="zh-hans", organiser="甲公司", event="发布会")
    b = pipl.notice_for(language="zh-hans", organiser="甲公司", event="发布会", cohosts="乙公司")
    c = pipl.notice_for(language="en", organiser="甲公司", event="发布会")
    assert len({a.version, b.version, c.version}) == 3
    assert "cohost" in b.purposes and "cohost" not in a.purposes


def test_without_the_operation_consent_nothing_is_written(event):
    with pytest.raises(DomainError) as caught:
        sign_up(event, consents={"marketing": True})
    assert "consent_operation" in caught.value.errors
    assert not Guest.objects.filter(event=event).exists() and not Consent.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"phone": "+86 010 6552 9988"}, "phone"),
        ({"email": "zhang@"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"company": "a\x00b"}, "company"),
        ({"answers": {}}, "q_industry"),
        ({"answers": {"industry": "航天"}}, "q_industry"),
        ({"answers": {"industry": "制造", "topics": ["AI", "量子"]}}, "q_topics"),
        ({"answers": {"industry": "制造", "lunch": "maybe"}}, "q_lunch"),
        ({"answers": {"industry": "制造", "note": "x" * 501}}, "q_note"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(event, overrides, field):
    with pytest.raises(DomainError) as caught:
        sign_up(event, **overrides)
    assert field in caught.value.errors
    assert not Guest.objects.filter(event=event).exists()


def test_a_phone_number_with_a_country_code_is_accepted(event):
    guest = sign_up(event, phone="+44 7911 123456")
    assert guest.phone == "+447911123456"


def test_answers_are_stored_by_kind(event):
    guest = sign_up(
        event, answers={"industry": "金融", "topics": ["安全", "AI"], "lunch": "yes", "note": " 素食 "}
    )
    assert guest.answers == {"industry": "金融", "topics": ["AI", "安全"], "lunch": True, "note": "素食"}


def test_closed_registration_writes_nothing(organiser):
    event = open_event(organiser, is_open=False)
    with pytest.raises(services.RegistrationClosed):
        sign_up(event)
    assert not Guest.objects.filter(event=event).exists() and not Message.objects.exists()


def test_registration_after_the_deadline_writes_nothing(organiser):
    deadline = dt.datetime(2027, 3, 10, 18, 0, tzinfo=dt.UTC)
    event = open_event(organiser, deadline=deadline)
    with pytest.raises(services.RegistrationClosed) as caught:
        sign_up(event, now=deadline + dt.timedelta(minutes=1))
    assert "截止" in caught.value.message
    assert not Guest.objects.filter(event=event).exists()
    assert sign_up(event, now=deadline - dt.timedelta(minutes=1)).status == GuestStatus.REGISTERED


def test_registration_outside_the_outreach_steps_is_closed(organiser):
    event = open_event(organiser)
    move(event, Step.APPROVAL)
    with pytest.raises(services.RegistrationClosed):
        sign_up(event)


def test_a_full_event_puts_the_guest_on_the_waiting_list(organiser):
    event = open_event(organiser, capacity=1)
    first = sign_up(event, 1)
    second = sign_up(event, 2)
    assert first.status == GuestStatus.REGISTERED
    assert second.status == GuestStatus.WAITLISTED and second.waitlisted_at is not None
    assert not Ticket.objects.filter(guest=second).exists()
    assert _messages(second, MessageKind.WAITLISTED) and not _messages(second, MessageKind.CONFIRMATION)
    assert services.waitlist_position(second) == 1
    assert services.counts(event) == {
        "registered": 1,
        "waitlisted": 1,
        "cancelled": 0,
        "capacity": 1,
        "left": 0,
    }


@pytest.mark.parametrize(
    "again, field",
    [({"email": "other@example.com"}, "phone"), ({"phone": "13900000009"}, "email")],
)
def test_a_duplicate_registration_is_refused_without_the_other_persons_data(event, again, field):
    sign_up(event, 1, name="王秘密", company="机密公司")
    guests, consents, messages = Guest.objects.count(), Consent.objects.count(), Message.objects.count()
    with pytest.raises(services.DuplicateRegistration) as caught:
        sign_up(event, 1, name="李四", **again)
    text = caught.value.message
    assert field in caught.value.errors and "已报名" in text
    assert "王秘密" not in text and "机密公司" not in text and "http" not in text
    assert (Guest.objects.count(), Consent.objects.count(), Message.objects.count()) == (
        guests,
        consents,
        messages,
    )


def test_a_waitlisted_guest_registering_again_is_a_duplicate(organiser):
    event = open_event(organiser, capacity=1)
    sign_up(event, 1)
    sign_up(event, 2)
    with pytest.raises(services.DuplicateRegistration):
        sign_up(event, 2)


def test_an_invited_guest_becomes_registered_on_the_same_row(event, organiser):
    invited = Guest.objects.create(
        event=event, name="张总", phone="+8613800000001", email="", company="老客户", invited_by=organiser
    )
    guest = sign_up(event, 1, name="张三")
    assert guest.pk == invited.pk and Guest.objects.filter(event=event).count() == 1
    invited.refresh_from_db()
    assert invited.status == GuestStatus.REGISTERED and invited.email == "guest1@example.com"
    assert invited.source == Guest.Source.MANUAL and invited.invited_by == organiser
    assert invited.revision == 2


def test_a_phone_and_an_email_of_two_different_invited_rows_are_not_merged(event):
    Guest.objects.create(event=event, name="甲", phone="+8613800000001")
    Guest.objects.create(event=event, name="乙", email="guest1@example.com")
    with pytest.raises(services.DuplicateRegistration):
        sign_up(event, 1)


# ---------------------------------------------------------------- the flood limit
def test_the_flood_limit_counts_submissions_per_address(event, settings):
    settings.HUODONG_REGISTRATIONS_PER_ADDRESS = 2
    settings.HUODONG_REGISTRATION_WINDOW = dt.timedelta(minutes=10)
    now = timezone.now()
    services.flood_guard(event=event, address="10.0.0.1", now=now)
    services.flood_guard(event=event, address="10.0.0.1", now=now)
    with pytest.raises(services.RegistrationFlood) as caught:
        services.flood_guard(event=event, address="10.0.0.1", now=now)
    assert caught.value.status == 429 and "分钟" in caught.value.message
    services.flood_guard(event=event, address="10.0.0.2", now=now)  # another address is not held back
    services.flood_guard(event=event, address="10.0.0.1", now=now + dt.timedelta(minutes=11))  # window passed
    assert RegistrationAttempt.objects.filter(address="10.0.0.1").count() == 3


# ---------------------------------------------------------------- cancelling, the waiting list
def test_cancelling_revokes_the_ticket_cancels_the_reminder_and_sends_the_cancellation(event):
    guest = sign_up(event)
    services.registration_cancel(access_key=guest.access_key)
    guest.refresh_from_db()
    assert guest.status == GuestStatus.CANCELLED and guest.cancelled_at is not None
    assert Ticket.objects.get(guest=guest).revoked_at is not None
    assert {m.status for m in _messages(guest, MessageKind.REMINDER)} == {Message.Status.CANCELLED}
    cancellation = _messages(guest, MessageKind.CANCELLATION)
    assert {m.channel for m in cancellation} == {"email", "sms"}
    assert next(m for m in cancellation if m.channel == "email").extras == {"ics": "CANCEL"}
    with pytest.raises(DomainError):
        services.registration_cancel(access_key=guest.access_key)


def test_the_waiting_list_moves_up_first_in_first_out(organiser):
    event = open_event(organiser, capacity=2)
    a, b = sign_up(event, 1), sign_up(event, 2)
    c, d, e = (sign_up(event, n) for n in (3, 4, 5))
    assert [g.status for g in (c, d, e)] == [GuestStatus.WAITLISTED] * 3
    services.registration_cancel(access_key=b.access_key)
    c.refresh_from_db(), d.refresh_from_db()
    assert c.status == GuestStatus.REGISTERED and d.status == GuestStatus.WAITLISTED
    assert Ticket.objects.get(guest=c).revoked_at is None
    assert _messages(c, MessageKind.PROMOTED) and _messages(c, MessageKind.REMINDER)  # REQ: NT-2
    assert services.waitlist_position(d) == 1
    services.registration_cancel(access_key=d.access_key)  # a waiting guest leaving frees no seat
    e.refresh_from_db()
    assert e.status == GuestStatus.WAITLISTED and services.waitlist_position(e) == 1
    services.registration_cancel(access_key=a.access_key)
    e.refresh_from_db()
    assert e.status == GuestStatus.REGISTERED
    assert services.seated_count(event) == 2


def test_more_seats_move_the_waiting_list_up(organiser):
    event = open_event(organiser, capacity=1)
    sign_up(event, 1)
    waiting = sign_up(event, 2)
    reg = reg_of(event)
    services.settings_update(actor=organiser, event=event, seen=reg.revision, capacity=0)
    waiting.refresh_from_db()
    assert waiting.status == GuestStatus.REGISTERED


def test_a_cancelled_guest_may_register_again_on_the_same_row(event):
    guest = sign_up(event)
    services.registration_cancel(access_key=guest.access_key)
    again = sign_up(event)
    assert again.pk == guest.pk and again.status == GuestStatus.REGISTERED
    ticket = Ticket.objects.get(guest=guest)
    assert ticket.revoked_at is None and ticket.version == 2
    assert len(_messages(guest, MessageKind.CONFIRMATION)) == 4  # two registrations × e-mail and SMS
    reminders = _messages(guest, MessageKind.REMINDER)  # REQ: NT-2: the cancelled reminder comes back
    assert len(reminders) == 2 and {m.status for m in reminders} == {Message.Status.PENDING}


# ---------------------------------------------------------------- details and consents
def test_the_guest_updates_their_details(event):
    guest = sign_up(event)
    services.details_update(
        access_key=guest.access_key, seen=guest.revision, name="嘉宾一", phone="+86 139 0000 0001",
        email="NEW@example.com", company="新公司", title="总监",
    )  # fmt: skip
    guest.refresh_from_db()
    assert (guest.name, guest.phone, guest.email, guest.company) == (
        "嘉宾一",
        "+8613900000001",
        "new@example.com",
        "新公司",
    )


@pytest.mark.parametrize(
    "changes, field", [({"phone": "13800000002"}, "phone"), ({"email": "guest2@example.com"}, "email"),
                       ({"phone": "abc"}, "phone"), ({"name": ""}, "name")],
)  # fmt: skip
def test_details_refuse_a_duplicate_or_bad_value(event, changes, field):
    guest = sign_up(event, 1)
    sign_up(event, 2)
    data = {"name": guest.name, "phone": "13800000001", "email": guest.email, **changes}
    with pytest.raises(DomainError) as caught:
        services.details_update(access_key=guest.access_key, seen=guest.revision, **data)
    assert field in caught.value.errors
    assert "嘉宾2" not in caught.value.message


def test_details_over_a_change_seen_earlier_are_stale(event):
    guest = sign_up(event)
    services.details_update(access_key=guest.access_key, seen=guest.revision, name="甲", phone="13800000001")
    with pytest.raises(Stale):
        services.details_update(
            access_key=guest.access_key, seen=guest.revision, name="乙", phone="13800000001"
        )


def test_withdrawing_a_consent_is_recorded_and_its_waiting_messages_are_cancelled(event):
    guest = sign_up(event, consents={"operation": True, "marketing": True})
    from huodong.outreach.services import messaging

    (promo,) = messaging.queue_guest_message(
        guest, MessageKind.INVITATION, channels=["email"], purpose="marketing", key="next-event"
    )
    row = services.consent_withdraw(access_key=guest.access_key, purpose="marketing", address="10.0.0.9")
    assert row.withdrawn_at is not None and not row.standing and row.address == "10.0.0.9"
    promo.refresh_from_db()
    assert promo.status == Message.Status.CANCELLED
    assert Consent.objects.get(guest=guest, purpose="operation").standing
    with pytest.raises(DomainError) as caught:
        services.consent_withdraw(access_key=guest.access_key, purpose="marketing")
    assert "purpose" in caught.value.errors


def test_withdrawing_the_operation_consent_stops_every_message_about_the_event(event):
    guest = sign_up(event)
    services.consent_withdraw(access_key=guest.access_key, purpose="operation")
    waiting = Message.objects.filter(guest=guest, status__in=[Message.Status.PENDING, Message.Status.RETRY])
    assert not waiting.exists()


@pytest.mark.parametrize("purpose", ["", "sales", "cohost"])
def test_withdrawing_an_unknown_or_never_given_consent_is_refused(event, purpose):
    guest = sign_up(event)
    with pytest.raises(DomainError) as caught:
        services.consent_withdraw(access_key=guest.access_key, purpose=purpose)
    assert "purpose" in caught.value.errors


def test_a_wrong_key_is_not_found(event):
    from huodong.core.errors import NotFound

    for call in (
        lambda: services.registration_cancel(access_key="nope"),
        lambda: services.consent_withdraw(access_key="nope", purpose="marketing"),
        lambda: services.details_update(access_key="nope", seen=1, name="x", phone="13800000001"),
    ):
        with pytest.raises(NotFound):
            call()


# ---------------------------------------------------------------- the organiser cancels; the event changes
def test_cancelling_the_event_for_guests_cancels_everyone_and_closes_registration(organiser):
    event = open_event(organiser, capacity=1)
    a, b = sign_up(event, 1), sign_up(event, 2)
    invited = Guest.objects.create(event=event, name="只邀请", phone="+8613900000000")
    reg = reg_of(event)
    with pytest.raises(PreconditionRequired):
        services.event_cancel_for_guests(actor=organiser, event=event, seen=None)
    n = services.event_cancel_for_guests(actor=organiser, event=event, seen=reg.revision)
    assert n == 2
    for g in (a, b):
        g.refresh_from_db()
        assert g.status == GuestStatus.CANCELLED
        assert any(m.extras.get("ics") == "CANCEL" for m in _messages(g, MessageKind.CANCELLATION))
    invited.refresh_from_db()
    assert invited.status == GuestStatus.INVITED
    assert Ticket.objects.get(guest=a).revoked_at is not None
    assert not reg_of(event).is_open
    assert not Message.objects.filter(kind=MessageKind.REMINDER, status=Message.Status.PENDING).exists()


def test_cancelling_the_event_is_for_editors(organiser, outsider):
    event = open_event(organiser)
    with pytest.raises(NotAllowed):
        services.event_cancel_for_guests(actor=outsider, event=event, seen=reg_of(event).revision)


def test_a_new_time_or_place_sends_an_update_to_each_registered_guest(organiser):  # REQ: NT-2
    event = open_event(organiser, capacity=1)
    registered, waiting = sign_up(event, 1), sign_up(event, 2)
    before = snapshot(event)
    Event.objects.filter(pk=event.pk).update(venue="新会场", revision=event.revision + 1)
    event.refresh_from_db()
    assert services.event_changed(event, before) == 2  # e-mail and SMS
    updates = Message.objects.filter(kind=MessageKind.UPDATE)
    assert {m.guest_id for m in updates} == {registered.pk}
    assert all(m.idempotency_key.endswith(f"update:{event.revision}") for m in updates)
    assert next(m for m in updates if m.channel == "email").extras["ics"] == "REQUEST"
    assert services.event_changed(event, before) == 0  # the same revision queues nothing twice
    assert waiting.pk not in {m.guest_id for m in updates}


def test_the_same_time_in_another_zone_or_another_field_is_no_change(organiser):
    event = open_event(organiser)
    sign_up(event)
    before = snapshot(event)
    event.starts_at = event.starts_at.astimezone(event.tz)
    event.theme = "新主题"
    assert services.event_changed(event, before) == 0
    event.starts_at = event.starts_at + dt.timedelta(hours=1)
    assert services.event_changed(event, before) == 2


# ---------------------------------------------------------------- concurrency (PostgreSQL)
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_capacity(organiser):
    if connection.vendor != "postgresql":
        pytest.skip("threads registering at once need PostgreSQL (SQLite serialises every writer)")
    event = open_event(organiser, capacity=3)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            barrier.wait()
            from huodong.core.concurrency import retry_on_conflict

            retry_on_conflict(services.register)(
                event=event.pk, name=f"并发{n}", phone=f"1390000{n:04d}", consents={"operation": True},
                answers={}, address=f"10.1.0.{n}",
            )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    statuses = list(Guest.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(GuestStatus.REGISTERED) == 3
    assert statuses.count(GuestStatus.WAITLISTED) == 5
    assert Ticket.objects.filter(event=event).count() == 3
