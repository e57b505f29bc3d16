"""The guest list's services (issue 9, point 1; NT-2): add, edit with revisions, status, remove, bulk actions
and sends; duplicates by phone or e-mail refused with the guest named; a team member manages their own
department's guests only; phones and e-mails masked for other readers (PIPL); the pinyin sort key."""

from __future__ import annotations

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.events.steps import Step
from huodong.outreach.models import Guest, GuestStatus, Job, Message
from huodong.outreach.services import guests as services
from huodong.planning.tests.conftest import make_event
from tests.factories import department, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_event(organiser, marketing_mgr):
    event = make_event(organiser, step=Step.NOTIFICATION)
    event.team_members.add(marketing_mgr)
    return event


@pytest.fixture
def sales_member(guest_event):
    user = person("sales_staff", Role.STAFF, "sales", "销售经理", "销售小李")
    guest_event.team_members.add(user)
    return user


def run_queued_tasks() -> int:
    """What ``huodong worker`` does: run every task waiting in the django-tasks database queue."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        row.claim("test")
        row.task.call(*row.task_result.args, **row.task_result.kwargs)
        row.set_successful(None)
        ran += 1
    return ran


def add(event, actor, **kw):
    data = {"name": "王小明", "phone": "13812345678", "email": "Wang@Example.com", **kw}
    return services.guest_add(actor=actor, event=event, **data)


def test_a_guest_is_added_normalised_with_pinyin_and_audited(guest_event, organiser):
    # REQ: NT-2
    g = add(guest_event, organiser, company="星辰科技", category="vip")
    assert g.phone == "+8613812345678" and g.email == "wang@example.com"
    assert g.sort_key == "wangxiaoming wxm" and g.status == GuestStatus.INVITED
    assert AuditEntry.objects.filter(action="outreach.guest.add", target_id=str(g.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),
        ("phone", "010-12345678"),
        ("email", "not-an-email"),
        ("name", ""),
        ("category", "boss"),
    ],
)
def test_bad_input_is_refused_naming_the_field(guest_event, organiser, field, value):
    # REQ: NT-2
    with pytest.raises(DomainError) as exc:
        add(guest_event, organiser, **{field: value})
    assert field in exc.value.errors
    assert not Guest.objects.exists()


def test_an_international_number_is_accepted(guest_event, organiser):
    g = add(guest_event, organiser, phone="+44 20 7946 0958", email="")
    assert g.phone == "+442079460958"


def test_a_duplicate_phone_or_email_names_the_existing_guest(guest_event, organiser):
    # REQ: NT-2
    first = add(guest_event, organiser)
    with pytest.raises(DomainError) as exc:
        add(guest_event, organiser, name="另一位", email="other@example.com", phone="+86 138 1234 5678")
    assert "王小明" in str(exc.value.errors["phone"][0]) and str(first.pk) in str(
        exc.value.errors["phone"][0]
    )
    with pytest.raises(DomainError) as exc:
        add(guest_event, organiser, name="另一位", phone="", email="WANG@example.com")
    assert "email" in exc.value.errors
    assert Guest.objects.count() == 1


def test_update_needs_the_revision_seen(guest_event, organiser, marketing_mgr):
    g = add(guest_event, organiser)
    with pytest.raises(PreconditionRequired):
        services.guest_update(actor=organiser, event=guest_event, guest_id=g.pk, seen=None, company="新公司")
    services.guest_update(
        actor=organiser, event=guest_event, guest_id=g.pk, seen=1, name="李雷", company="新公司"
    )
    g.refresh_from_db()
    assert g.company == "新公司" and g.revision == 2 and g.sort_key == "lilei ll"
    with pytest.raises(Stale):
        services.guest_update(actor=marketing_mgr, event=guest_event, guest_id=g.pk, seen=1, company="旧")
    with pytest.raises(DomainError) as exc:
        services.guest_update(actor=organiser, event=guest_event, guest_id=g.pk, seen=2, bogus=1)
    assert "bogus" in exc.value.errors


def test_a_team_member_manages_only_their_departments_guests(guest_event, organiser, sales_member, outsider):
    # REQ: NT-1 (departments fill their quotas)
    mine = services.guest_add(actor=sales_member, event=guest_event, name="客户甲", phone="13900000001")
    assert mine.department.code == "sales" and mine.invited_by == sales_member
    theirs = add(guest_event, organiser, department=department("product"))
    with pytest.raises(NotAllowed):
        services.guest_update(actor=sales_member, event=guest_event, guest_id=theirs.pk, seen=1, note="x")
    with pytest.raises(NotAllowed):
        services.guest_add(
            actor=sales_member, event=guest_event, name="客户乙", department=department("product")
        )
    services.guest_update(actor=sales_member, event=guest_event, guest_id=mine.pk, seen=1, title="CTO")
    with pytest.raises(NotAllowed):
        services.guest_add(actor=outsider, event=guest_event, name="路人的客人")
    with pytest.raises(NotAllowed):
        services.guests_bulk(actor=sales_member, event=guest_event, action="remove", guest_ids=[mine.pk])


def test_contacts_are_masked_for_other_readers(guest_event, organiser, sales_member, checkin_staff):
    # PIPL: on-site staff see 138****5678
    from huodong.outreach import selectors

    g = add(guest_event, organiser)
    assert services.can_see_contact(organiser, guest_event, g)
    assert not services.can_see_contact(checkin_staff, guest_event, g)
    assert not services.can_see_contact(sales_member, guest_event, g)  # another department's guest
    assert selectors.shown_phone(g, False) == "138****5678"
    assert selectors.shown_email(g, False) == "w***@example.com"


def test_status_set_by_hand_and_its_effects(guest_event, organiser):
    g = add(guest_event, organiser)
    with pytest.raises(DomainError) as exc:
        services.guest_status_set(
            actor=organiser, event=guest_event, guest_id=g.pk, seen=1, status="registered"
        )
    assert "status" in exc.value.errors
    services.guest_status_set(
        actor=organiser, event=guest_event, guest_id=g.pk, seen=1, status="cancelled", reason="出差"
    )
    g.refresh_from_db()
    assert g.status == GuestStatus.CANCELLED and g.cancelled_at is not None
    assert AuditEntry.objects.filter(action="outreach.guest.status").exists()


def test_remove_and_the_step(guest_event, organiser):
    g = add(guest_event, organiser)
    services.guest_remove(actor=organiser, event=guest_event, guest_id=g.pk, seen=1)
    assert not Guest.objects.exists()
    closed = make_event(organiser, step=Step.APPROVAL, name="审批中的活动")
    with pytest.raises(DomainError) as exc:
        add(closed, organiser)
    assert exc.value.code == "wrong_step"


def test_bulk_actions_on_a_selection_and_on_a_filter(guest_event, organiser):
    a = add(guest_event, organiser, name="甲", phone="13900000001", email="")
    b = add(guest_event, organiser, name="乙", phone="13900000002", email="", company="星辰")
    c = add(guest_event, organiser, name="丙", phone="13900000003", email="")
    n = services.guests_bulk(
        actor=organiser, event=guest_event, action="category", guest_ids=[a.pk, b.pk], value="media"
    )
    assert n == 2 and set(Guest.objects.filter(category="media").values_list("pk", flat=True)) == {a.pk, b.pk}
    n = services.guests_bulk(
        actor=organiser,
        event=guest_event,
        action="department",
        filters={"q": "星辰"},
        value=department("sales"),
    )
    assert n == 1 and Guest.objects.get(pk=b.pk).department.code == "sales"
    services.guests_bulk(
        actor=organiser, event=guest_event, action="status", guest_ids=[c.pk], value="declined"
    )
    assert Guest.objects.get(pk=c.pk).status == "declined" and Guest.objects.get(pk=c.pk).revision == 2
    with pytest.raises(DomainError) as exc:
        services.guests_bulk(
            actor=organiser, event=guest_event, action="status", guest_ids=[c.pk], value="checked_in"
        )
    assert "value" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.guests_bulk(actor=organiser, event=guest_event, action="category", guest_ids=[], value="vip")
    assert "guest_ids" in exc.value.errors
    assert services.guests_bulk(actor=organiser, event=guest_event, action="remove", guest_ids=[a.pk]) == 1
    assert AuditEntry.objects.filter(action="outreach.guest.bulk_remove").exists()


def test_send_queues_each_guest_once_and_skips_those_who_declined(guest_event, organiser):
    # REQ: NT-2
    a = add(guest_event, organiser, name="甲", phone="13900000001", email="a@example.com")
    b = add(guest_event, organiser, name="乙", phone="13900000002", email="")
    services.guest_status_set(actor=organiser, event=guest_event, guest_id=b.pk, seen=1, status="declined")
    n = services.guests_send(
        actor=organiser,
        event=guest_event,
        guest_ids=[a.pk, b.pk],
        kind="invitation",
        channels=["email", "sms"],
    )
    assert n == 2 and set(Message.objects.values_list("channel", flat=True)) == {"email", "sms"}
    again = services.guests_send(
        actor=organiser, event=guest_event, guest_ids=[a.pk], kind="invitation", channels=None
    )
    assert again == 0  # nothing sent twice
    with pytest.raises(DomainError) as exc:
        services.guests_send(
            actor=organiser, event=guest_event, guest_ids=[a.pk], kind="bogus", channels=["fax"]
        )
    assert {"kind", "channels"} <= set(exc.value.errors)


def test_a_large_send_becomes_a_job(guest_event, organiser, monkeypatch, django_capture_on_commit_callbacks):
    # REQ: NT-2
    monkeypatch.setattr(services, "SEND_INLINE", 2)
    for i in range(3):
        add(guest_event, organiser, name=f"嘉宾{i}", phone=f"1390000000{i}", email="")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.guests_send(
            actor=organiser, event=guest_event, filters={}, kind="invitation", channels=["sms"]
        )
    assert isinstance(job, Job)
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.report["queued"] == 3 and job.done == 3 and job.total == 3
    assert Message.objects.filter(job=job).count() == 3
