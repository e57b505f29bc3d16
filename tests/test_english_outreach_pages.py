"""Issue 7, point 4, for the pages of outreach (issue 9): in English, Chinese only in user data.

The reader switches to English and opens every outreach page of an event at 通知发布 that has lived a
little: registration open with questions, a registered guest with a ticket, a department quota, letters
prepared and queued, invitations sent, a dead letter, an import with a bad row (its report), an edited
template — as the owner, as an administrator for the robot register, and as a guest (no sign-in) for
the public registration page and the ticket pages (``?lang=en`` once, then the cookie). A Han character
fails the test unless it is something people typed: the text columns of every outreach record of the
event (guests, quotas, letters, messages, templates, robots, the registration settings and its
questions), and the planning user data of ``tests/test_english_pages.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from huodong.core.models import Department, Organisation, User
from huodong.outreach import excel_guests
from huodong.outreach import models as om
from huodong.outreach.services import letters, schedule
from huodong.outreach.services import registration as reg_services
from huodong.outreach.services.messaging import builtin_text
from huodong.outreach.services.templates import combinations, template_save
from huodong.outreach.tests.test_import import xlsx
from huodong.outreach.tests.test_letters_fixtures import notices_world  # noqa: F401  (a fixture)
from huodong.outreach.tests.test_registration_support import QUESTIONS, sign_up
from tests.factories import login
from tests.test_english_pages import ALWAYS_ALLOWED, HAN, english, english_leftovers, typed_fields, user_data

pytestmark = pytest.mark.django_db

IMPORT_ROWS = [
    ("王小明", "星辰科技", "CTO", "138 1234 5678", "wang@example.com", "VIP", "销售部", ""),
    ("韩梅梅", "", "", "12345", "bad-mail", "老板", "不存在的部门", ""),  # a bad row: four problems
]


@pytest.fixture
def world(notices_world):  # noqa: F811
    w = notices_world
    event = w.event
    om.RegistrationSettings.objects.filter(event=event).update(
        is_open=True, questions=QUESTIONS, cohosts="合作伙伴甲", how_to_register="扫码报名"
    )
    w.registered = sign_up(event, 1, consents={"operation": True, "marketing": True})
    w.invited = om.Guest.objects.create(
        event=event, name="周嘉宾", company="星辰科技", phone="+8613900002222", department=w.sales
    )
    w.job = excel_guests.guests_import(
        actor=w.organiser, event=event, data=xlsx(IMPORT_ROWS), filename="名单.xlsx"
    )
    letters.letters_prepare(actor=w.organiser, event=event)
    letters.letters_queue(actor=w.organiser, event=event)
    schedule.invitations_send(actor=w.organiser, event=event, channels=["email", "sms"])
    dead = om.Message.objects.filter(event=event).first()
    om.Message.objects.filter(pk=dead.pk).update(
        status=om.Message.Status.DEAD, attempts=3, last_error="SMTP 550 mailbox unavailable"
    )
    w.message = dead
    template_save(
        actor=w.organiser,
        event=event,
        kind="invitation",
        channel="email",
        language="en",
        seen=None,
        subject="Invitation: {event}",
        body="Dear {guest_name}, welcome to {event} at {place}.",
    )
    return w


def planning_user_data(event: Any) -> list[str]:
    """``user_data`` of the planning pages; an event made at 通知发布 by the fixtures may have no plan."""
    from huodong.planning.models import Plan

    if Plan.objects.filter(event=event).exists():
        return list(user_data(event))
    texts = [event.name, *ALWAYS_ALLOWED, *typed_fields(event)]
    for user in User.objects.all():
        texts += [user.name, user.title, user.username]
    texts += [o.name for o in Organisation.objects.all()]
    texts += [d.name for d in Department.objects.all() if not d.name_en]
    return texts


def outreach_user_data(w: Any) -> list[str]:
    event = w.event
    texts: list[str] = planning_user_data(event)
    rows: list[Any] = [
        *om.Guest.objects.filter(event=event),
        *om.DepartmentQuota.objects.filter(event=event),
        *om.CollaborationLetter.objects.filter(event=event),
        *om.MessageTemplate.objects.filter(event=event),
        *om.Robot.objects.all(),
        *om.RegistrationSettings.objects.filter(event=event),
        *om.Ticket.objects.filter(guest__event=event),
    ]
    for row in rows:
        texts += typed_fields(row)
    for q in QUESTIONS:  # the organiser typed the questions (the English label shows in English)
        texts += [q["label"], *q["choices"]]
    for p in w.job.report.get("problems", []):  # the cells of the file as typed
        texts.append(str(p.get("value", "")))
    texts += [c for row in IMPORT_ROWS for c in row]
    texts += [w.invite.title, w.poster.title]  # the RACI tasks the letters list
    texts += [
        "名单.xlsx",
        "姓名",
        "公司",
        "职务",
        "手机",
        "邮箱",
        "类别",
        "邀请部门",
        "备注",
    ]  # the file's headers
    for m in om.Message.objects.filter(event=event):  # a message is in its recipient's language
        texts += [m.subject, m.body]
    for kind, channel, _lang in combinations():  # the Chinese built-in templates are Chinese text
        text = builtin_text(kind, channel, "zh-hans")
        if text is not None:
            texts += [text.subject, text.body]
            texts += [
                piece.strip() for t in (text.subject, text.body) for piece in re.split(r"\{\w+\}", t)
            ]  # as previewed
    for row in om.MessageTemplate.objects.filter(event=event):
        texts += [row.subject, row.body]
    texts += [line.strip() for t in texts if "\n" in t for line in t.splitlines()]
    return sorted({t for t in texts if t and HAN.search(t)}, key=len, reverse=True)


def organiser_pages(w: Any) -> list[tuple[str, str]]:
    e = w.event.pk
    return [
        ("notices", reverse("outreach:notices", args=[e])),
        ("guests", reverse("outreach:guests", args=[e])),
        ("registration", reverse("outreach:registration", args=[e])),
        ("messages", reverse("outreach:messages", args=[e])),
        ("dead messages", reverse("outreach:messages", args=[e]) + "?status=dead"),
        ("message", reverse("outreach:message_detail", args=[e, w.message.pk])),
        ("templates", reverse("outreach:templates", args=[e])),
        ("template editor zh", reverse("outreach:template_edit", args=[e, "invitation", "email", "zh-hans"])),
        (
            "template editor en",
            reverse("outreach:template_edit", args=[e, "invitation", "email", "en"])
            + f"?guest={w.registered.pk}",
        ),
        ("template editor sms", reverse("outreach:template_edit", args=[e, "reminder", "sms", "en"])),
        ("guest registered", reverse("outreach:guest_detail", args=[e, w.registered.pk])),
        ("guest invited", reverse("outreach:guest_detail", args=[e, w.invited.pk])),
        ("import job", reverse("outreach:guest_job", args=[e, w.job.pk])),
    ]


def test_every_outreach_page_of_the_organiser_in_english_shows_chinese_only_in_user_data(
    client, world, organiser
):
    # REQ: NT-1, NT-2 — the outreach pages in the reader's language (issue 7, point 4)
    login(english(client), organiser)
    found = english_leftovers(client, organiser_pages(world), outreach_user_data(world))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_the_robot_register_in_english_shows_chinese_only_in_user_data(client, world, admin_user):
    login(english(client), admin_user)
    pages = [
        ("robots", reverse("outreach:robots")),
        ("robot", reverse("outreach:robot_edit", args=[world.robot.pk])),
    ]
    found = english_leftovers(client, pages, outreach_user_data(world))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def public_pages(w: Any) -> list[tuple[str, str]]:
    slug = reg_services.settings_of(w.event).slug
    key = w.registered.access_key
    return [
        ("register", reverse("outreach:register", args=[slug])),
        ("ticket", reverse("outreach:ticket", args=[key])),
        ("ticket done", reverse("outreach:ticket", args=[key]) + "?done=details"),
        ("cancel", reverse("outreach:ticket_cancel", args=[key])),
        ("details", reverse("outreach:ticket_details", args=[key])),
        ("privacy", reverse("outreach:ticket_privacy", args=[key])),
    ]


def test_the_public_pages_with_lang_en_then_the_cookie_show_chinese_only_in_user_data(client, world):
    # REQ: NT-2 — the guest's pages in English: ?lang=en once, then the cookie keeps it
    allowed = outreach_user_data(world)
    first, *rest = public_pages(world)
    found = english_leftovers(client, [(first[0], first[1] + "?lang=en")], allowed)
    assert client.cookies.get("django_language") or client.cookies  # the switch is remembered
    found |= english_leftovers(client, rest, allowed)
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_the_public_pages_for_a_waitlisted_guest_and_a_closed_registration_in_english(client, world):
    allowed = outreach_user_data(world)
    om.RegistrationSettings.objects.filter(event=world.event).update(capacity=1)
    waiting = sign_up(world.event, 2)
    assert waiting.status == om.GuestStatus.WAITLISTED
    pages = [("waitlisted ticket", reverse("outreach:ticket", args=[waiting.access_key]) + "?lang=en")]
    om.RegistrationSettings.objects.filter(event=world.event).update(
        deadline=world.event.starts_at - dt.timedelta(days=400)
    )
    slug = reg_services.settings_of(world.event).slug
    pages.append(("closed register", reverse("outreach:register", args=[slug]) + "?lang=en"))
    found = english_leftovers(client, pages, allowed + [w for w in [waiting.name] if w])
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_a_submitted_registration_with_errors_in_english_names_the_fields_in_english(client, world):
    slug = reg_services.settings_of(world.event).slug
    url = reverse("outreach:register", args=[slug]) + "?lang=en"
    response = client.post(url, {"name": "", "phone": "12345", "email": "bad", "lang": "en"})
    assert response.status_code == 400
    from tests.test_english_pages import chinese_left

    left = chinese_left(response.content.decode(), outreach_user_data(world))
    assert not left, left


def test_the_department_contact_and_a_cancelled_guest_read_english(client, world):
    # the contact named on 销售部's quota adds their department's guests (services.guests.guest_scope)
    allowed = outreach_user_data(world)
    login(english(client), world.seller)
    e = world.event.pk
    pages = [("guests as the contact", reverse("outreach:guests", args=[e])),
             ("notices as the contact", reverse("outreach:notices", args=[e]))]  # fmt: skip
    found = english_leftovers(client, pages, allowed)
    assert (
        "You are on the event's team or your department's contact" in client.get(pages[0][1]).content.decode()
    )
    client.logout()
    reg_services.registration_cancel(access_key=world.registered.access_key)
    url = reverse("outreach:ticket", args=[world.registered.access_key]) + "?lang=en"
    found |= english_leftovers(client, [("cancelled ticket", url)], allowed)
    assert "Register again" in client.get(url).content.decode()
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())
