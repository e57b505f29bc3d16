"""The paper sign-in sheet (EX-2, issue 10 point 3), the fallback of last resort printed beforehand: guests
grouped by category (VIP first), in pinyin order within a group, with masked phones, ticket codes, a
signature box and the kit; the event at the top and "第 x 页 / 共 y 页" at the bottom of every page."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from huodong.core.models import AuditEntry
from huodong.outreach import tickets
from huodong.outreach.models import Guest, GuestStatus
from huodong.outreach.services.guests import sort_key
from tests.factories import login

from .support import door_event, guests_of, staff

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("赵敏", "customer"),
    ("王芳", "vip"),
    ("李娜", "media"),
    ("陈静", "vip"),
    ("张伟", "speaker"),
    ("刘洋", "employee"),
    ("孙丽", "partner"),
    ("安然", "customer"),
]


@pytest.fixture
def event(organiser):
    event = door_event(organiser, len(PEOPLE))
    for g, (name, category) in zip(guests_of(event), PEOPLE, strict=True):
        Guest.objects.filter(pk=g.pk).update(name=name, sort_key=sort_key(name), category=category)
    return event


def _text(client, event) -> tuple[PdfReader, str]:  # noqa: ANN001
    response = client.get(reverse("checkin:sheet", args=[event.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(p.extract_text() for p in reader.pages)


def test_the_sheet_groups_by_category_in_pinyin_order(client, organiser, event):
    # REQ: EX-2
    invited = Guest.objects.create(event=event, name="白雪", sort_key=sort_key("白雪"), category="customer")
    Guest.objects.create(event=event, name="取消者", category="vip", status=GuestStatus.CANCELLED)
    login(client, organiser)
    _reader, text = _text(client, event)
    # Groups: VIP, 嘉宾/讲者, 媒体, 合作伙伴, 客户, 员工 — each with its count.
    headings = re.findall(r"^(VIP|嘉宾/讲者|媒体|合作伙伴|客户|员工)\((\d+)\)", text, re.M)
    assert headings == [
        ("VIP", "2"),
        ("嘉宾/讲者", "1"),
        ("媒体", "1"),
        ("合作伙伴", "1"),
        ("客户", "3"),
        ("员工", "1"),
    ]
    rows = re.findall(r"^(\d+) (\S+) ", text, re.M)
    assert rows == [
        ("1", "陈静"),
        ("2", "王芳"),
        ("3", "张伟"),
        ("4", "李娜"),
        ("5", "孙丽"),
        ("6", "安然"),  # an ran
        ("7", "白雪"),  # bai xue: invited, may sign in on paper
        ("8", "赵敏"),  # zhao min
        ("9", "刘洋"),
    ]
    assert "取消者" not in text and invited.name in text


def test_the_sheet_has_the_columns_masked_phones_ticket_codes_and_the_kit(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    _reader, text = _text(client, event)
    assert "纸质签到表" in text and event.name in text
    for column in ("序号", "姓名", "公司", "手机", "票号", "签名", "物料"):
        assert column in text
    guest = guests_of(event)[0]
    assert f"138****{guest.phone[-4:]}" in text and guest.phone[-8:] not in text.replace("****", "")
    assert tickets.issue(guest).code in text
    assert "议程" in text or "资料" in text  # the event's kit, a box each


def test_every_page_says_which_of_how_many_and_the_event(client, organiser):
    # REQ: EX-2
    event = door_event(organiser, 45)
    login(client, organiser)
    reader, _text_all = _text(client, event)
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"第 {number} 页 / 共 {total} 页" in text
        assert event.name[:8] in text  # the running header


def test_the_sheet_export_is_audit_logged_and_for_check_in_staff(
    client, organiser, checkin_staff, outsider, event
):
    # REQ: EX-2 (PIPL: every export of guest data is written to the audit log)
    staff(event, checkin_staff)
    login(client, checkin_staff)
    _text(client, event)
    entry = AuditEntry.objects.get(action="checkin.sheet.export", event_id=event.pk)
    assert entry.actor == checkin_staff and entry.after == {"count": len(PEOPLE)}
    login(client, outsider)
    assert client.get(reverse("checkin:sheet", args=[event.pk])).status_code == 403
    assert client.get(reverse("checkin:sheet", args=[999999])).status_code == 404


def test_the_sheet_in_english(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    client.cookies["django_language"] = "en"
    _reader, text = _text(client, event)
    assert "Customer" in text and "Media" in text
