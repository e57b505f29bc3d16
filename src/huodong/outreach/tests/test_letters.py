"""《活动协作函》 (NT-1): each collaborating department's letter lists its RACI tasks and quota; queued at
T-7 days (now when that has passed) by e-mail to the contact and markdown to the department's robots;
idempotent; moved when the event moves; a failed delivery acknowledged with a reason; the Word/PDF
document opens and names every department."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine

from huodong.core.errors import DomainError
from huodong.documents.render import document_render
from huodong.events.models import Event
from huodong.events.signals import event_updated
from huodong.outreach.models import Channel, CollaborationLetter, Message, MessageKind
from huodong.outreach.services import letters

from .test_letters_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
WEEK = dt.timedelta(days=7)
BEFORE = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)  # well before T-7 of 2027-03-18


def test_collaborating_departments_are_raci_people_and_quotas(notices_world):
    # REQ: NT-1
    w = notices_world
    names = [d.code for d in letters.collaborating_departments(w.event)]
    assert names == ["marketing", "sales", "legal"]  # departments' order; legal by its quota only


def test_each_letter_lists_its_departments_tasks_quota_and_contact(notices_world):
    # REQ: NT-1
    w = notices_world
    data = {c.department.code: c for c in letters.letters_data(w.event)}
    sales = data["sales"]
    assert [line.task.title for line in sales.tasks] == ["邀请重点客户"]
    assert [(p.name, r) for p, r in sales.tasks[0].people] == [("李销售", "R"), ("王销售", "C")]
    assert sales.quota.quota == 3 and sales.contact == w.seller
    marketing = data["marketing"]
    assert {line.task.title for line in marketing.tasks} == {"邀请重点客户", "设计活动海报"}
    assert marketing.contact == w.designer  # no quota: the department's R person
    assert data["legal"].tasks == []  # the cancelled task is not in a letter
    context = letters.letter_context(sales, "zh-hans")
    assert "邀请重点客户" in context["tasks"] and "李销售(R)" in context["tasks"]
    assert context["quota"] == "3 位嘉宾" and "13900001111" in context["contact"]
    assert (
        "Invite" not in letters.letter_context(sales, "en")["quota"]
        and letters.letter_context(sales, "en")["quota"] == "3 guests"
    )


@time_machine.travel(BEFORE, tick=False)
def test_letters_are_queued_at_t_minus_7_days_to_contact_and_robots(notices_world):
    # REQ: NT-1
    w = notices_world
    created = letters.letters_queue(actor=w.organiser, event=w.event)
    rows = Message.objects.filter(event=w.event, kind=MessageKind.COLLABORATION_LETTER)
    sales_letter = CollaborationLetter.objects.get(event=w.event, department=w.sales)
    sales_rows = {m.channel: m for m in rows.filter(letter=sales_letter)}
    assert set(sales_rows) == {"email", "robot"}  # the switched-off robot gets nothing
    email, robot = sales_rows["email"], sales_rows["robot"]
    assert email.recipient == w.seller.email and email.purpose == Message.Purpose.INTERNAL
    assert robot.recipient == "销售部群" and robot.robot == w.robot and robot.body.startswith("### ")
    assert (
        "邀请重点客户" in email.body and "3 位嘉宾" in email.body and "销售部" in email.subject + email.body
    )
    for m in rows:
        assert m.due_at == w.event.starts_at - WEEK and m.offset_minutes == -7 * 24 * 60
        assert m.idempotency_key.startswith(f"letter:{m.letter_id}:{m.channel}:")
    assert created == rows.count() == 4  # marketing e-mail, sales e-mail + robot, legal e-mail
    # again: nothing new, nothing twice
    assert letters.letters_queue(actor=w.organiser, event=w.event) == 0
    assert rows.count() == 4


@time_machine.travel(BEFORE, tick=False)
def test_moving_the_event_moves_the_waiting_letters(notices_world):
    # REQ: NT-1
    w = notices_world
    letters.letters_queue(actor=w.organiser, event=w.event)
    event = w.event
    new_start = event.starts_at + dt.timedelta(days=2)
    # An approved plan's time changes only after going back to 方案设计; the move itself, then the signal
    # every move sends (the lead's ``messages_follow_event`` listens to it).
    Event.objects.filter(pk=event.pk).update(starts_at=new_start, ends_at=new_start + dt.timedelta(hours=4))
    event.refresh_from_db()
    event_updated.send(sender=Event, event=event, actor=w.organiser, before={})
    for m in Message.objects.filter(event=event, kind=MessageKind.COLLABORATION_LETTER):
        assert m.due_at == new_start - WEEK and m.not_before == new_start - WEEK


def test_a_letter_queued_after_t_minus_7_goes_now(notices_world):
    # REQ: NT-1
    w = notices_world
    late = w.event.starts_at - dt.timedelta(days=2)
    with time_machine.travel(late, tick=False):
        letters.letters_queue(actor=w.organiser, event=w.event)
        m = Message.objects.filter(event=w.event, channel=Channel.EMAIL).first()
        assert m.due_at == late


@time_machine.travel(BEFORE, tick=False)
def test_a_new_contact_cancels_the_old_waiting_message(notices_world):
    w = notices_world
    letters.letters_queue(actor=w.organiser, event=w.event)
    w.quota.contact = w.seller2
    w.quota.save()
    letters.letters_queue(actor=w.organiser, event=w.event)
    mails = Message.objects.filter(letter__department=w.sales, channel=Channel.EMAIL)
    assert {(m.recipient, m.status) for m in mails} == {
        (w.seller.email, Message.Status.CANCELLED),
        (w.seller2.email, Message.Status.PENDING),
    }


@time_machine.travel(BEFORE, tick=False)
def test_letter_state_follows_its_messages_and_a_failure_is_acknowledged(notices_world):
    # REQ: NT-1
    w = notices_world
    letters.letters_queue(actor=w.organiser, event=w.event)
    letter = CollaborationLetter.objects.get(event=w.event, department=w.sales)
    assert letters.letter_state(letter) == letters.WAITING_STATE
    mark(Message.objects.filter(letter=letter, channel=Channel.EMAIL), Message.Status.SENT)  # noqa: F405
    assert letters.letter_state(letter) == letters.WAITING_STATE
    mark(Message.objects.filter(letter=letter, channel=Channel.ROBOT), Message.Status.DEAD)  # noqa: F405
    assert letters.letter_state(letter) == letters.DEAD
    letter.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        letters.letter_failure_acknowledge(
            actor=w.organiser, event=w.event, letter_id=letter.pk, reason="  ", seen=letter.revision
        )
    assert "reason" in exc.value.errors
    letters.letter_failure_acknowledge(
        actor=w.organiser,
        event=w.event,
        letter_id=letter.pk,
        reason="机器人失效,已电话通知",
        seen=letter.revision,
    )
    letter.refresh_from_db()
    assert (
        letter.failure_acknowledged_reason == "机器人失效,已电话通知"
        and letter.failure_acknowledged_by == w.organiser
    )
    row = next(r for r in letters.letters_overview(w.event) if r.content.department == w.sales)
    assert row.done and row.acknowledged


@time_machine.travel(BEFORE, tick=False)
def test_a_letter_still_waiting_cannot_be_acknowledged(notices_world):
    w = notices_world
    letters.letters_queue(actor=w.organiser, event=w.event)
    letter = CollaborationLetter.objects.get(event=w.event, department=w.sales)
    with pytest.raises(DomainError) as exc:
        letters.letter_failure_acknowledge(
            actor=w.organiser, event=w.event, letter_id=letter.pk, reason="理由", seen=letter.revision
        )
    assert "等待发送" in exc.value.message


def test_the_document_opens_in_word_and_pdf_with_every_department(notices_world):
    # REQ: NT-1
    import docx
    import pypdf

    w = notices_world
    word = document_render(event=w.event, doc="collaboration-letter", fmt="docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    cells = "\n".join(
        c.text for t in docx.Document(io.BytesIO(word.content)).tables for r in t.rows for c in r.cells
    )
    for name in ("市场部", "销售部", "法务部"):
        assert name in text
    assert "邀请重点客户" in cells and "李销售(R)" in cells
    assert "文档编号" in text or "HD-" in text + cells
    pdf = document_render(event=w.event, doc="collaboration-letter", fmt="pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    for name in ("市场部", "销售部", "法务部"):
        assert name in pdf_text
    english = document_render(event=w.event, doc="collaboration-letter", fmt="docx", lang="en")
    en_text = "\n".join(p.text for p in docx.Document(io.BytesIO(english.content)).paragraphs)
    assert "Sales" in en_text and "Document no." in en_text
