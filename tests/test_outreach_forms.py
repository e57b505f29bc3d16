"""Every form of the outreach pages (issue 9), posted as people post them: valid, then invalid.

Valid → a redirect (or 200) and the change visible. Invalid — empty, too long, the wrong type, a bad phone
or e-mail, a stale revision, a missing revision, an id of another event — → 400 naming the field in
Chinese (409 for a stale revision; 404 for an id that is not this event's), never a 500, and nothing
written (every outreach table is the same before and after). A button without fields (``action_post``)
answers a refusal with a redirect and an error message; nothing is written either.

The last tests post a battery of wrong values (empty, 6,000 characters, letters where a number goes, a
negative number, a huge number, a NUL, a malformed address) to every field name of every form, and open
every page with wrong query values, as a browser and as htmx: no 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from huodong.core.models import Department
from huodong.events.steps import Step
from huodong.outreach import models as om
from huodong.outreach.services import registration as reg_services
from huodong.outreach.services.schedule import schedule_seed
from huodong.outreach.tests.test_import import xlsx
from huodong.outreach.tests.test_letters_fixtures import notices_world  # noqa: F401  (a fixture)
from huodong.outreach.views.notices import LETTER_DOC
from huodong.planning.tests.conftest import make_event
from tests.test_english_outreach_pages import world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

TABLES = (
    om.Guest,
    om.Consent,
    om.DepartmentQuota,
    om.RegistrationSettings,
    om.Ticket,
    om.Robot,
    om.MessageTemplate,
    om.CollaborationLetter,
    om.NoticeSchedule,
    om.Message,
    om.Job,
)
SKIP = {"updated_at", "last_attempt_at", "next_attempt_at"}


def snapshot() -> dict[str, Any]:
    """Every outreach row (what a refused post must leave as it was)."""
    return {
        m.__name__: sorted(
            (
                tuple(sorted((k, str(v)) for k, v in row.items() if k not in SKIP))
                for row in m.objects.values()
            ),
        )
        for m in TABLES
    }


@pytest.fixture
def w(world, client, organiser):  # noqa: F811
    client.force_login(organiser)
    world.client = client
    world.other = make_event(organiser, step=Step.NOTIFICATION, name="另一场活动")
    world.other_guest = om.Guest.objects.create(event=world.other, name="别场嘉宾", phone="+8613700001111")
    world.other_quota = om.DepartmentQuota.objects.create(
        event=world.other, department=Department.objects.get(code="marketing"), quota=2
    )
    return world


def refused(
    w: Any, url: str, data: dict[str, Any], *, status: int = 400, says: str = "", **extra: Any
) -> str:
    """Post ``data`` to ``url``: ``status``, ``says`` on the page, nothing written."""
    before = snapshot()
    response = w.client.post(url, data, **extra)
    html = response.content.decode(errors="replace")
    assert response.status_code == status, (url, data, response.status_code, html[:3000])
    if says:
        assert says in html, (url, data, says)
    assert snapshot() == before, (url, data)
    return html


def bounced(w: Any, url: str, data: dict[str, Any], *, says: str = "") -> None:
    """A refused button (``action_post``): back with an error message, nothing written."""
    before = snapshot()
    response = w.client.post(url, data)
    assert response.status_code == 302, (url, data, response.status_code)
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors, (url, data)
    if says:
        assert any(says in e for e in errors), errors
    assert snapshot() == before, (url, data)


def ok(w: Any, url: str, data: dict[str, Any], **extra: Any):  # noqa: ANN201
    response = w.client.post(url, data, **extra)
    assert response.status_code in (200, 302), (url, data, response.status_code, response.content[:3000])
    return response


def u(name: str, *args: Any) -> str:
    return reverse(f"outreach:{name}", args=args)


# ---------------------------------------------------------------- guests
GUEST = {
    "name": "新嘉宾",
    "phone": "13812340001",
    "email": "new@example.com",
    "category": "vip",
    "language": "en",
}


def test_adding_a_guest(w):
    e = w.event.pk
    url = u("guest_add", e)
    refused(w, url, {**GUEST, "name": ""}, says="姓名")
    refused(w, url, {**GUEST, "name": "名" * 101}, says="姓名")
    refused(w, url, {**GUEST, "phone": "12345"}, says="手机")
    refused(w, url, {**GUEST, "phone": "电话号码"}, says="手机")
    refused(w, url, {**GUEST, "email": "bad@"}, says="邮箱")
    refused(w, url, {**GUEST, "category": "boss"}, says="类别")
    refused(w, url, {**GUEST, "department": "999999"}, says="邀请部门")
    refused(w, url, {**GUEST, "department": "abc"}, says="邀请部门")
    refused(w, url, {**GUEST, "invited_by": "999999"}, says="邀请人")
    refused(w, url, {**GUEST, "language": "fr"}, says="语言")
    refused(w, url, {**GUEST, "phone": w.registered.phone}, says="手机")  # a duplicate
    refused(w, url, {**GUEST, "note": "\x00"}, says="备注")
    ok(w, url, GUEST)
    page = w.client.get(u("guests", e)).content.decode()
    assert "新嘉宾" in page


def test_editing_a_guest_its_status_and_removing_it(w):
    e, g = w.event.pk, w.invited
    url = u("guest_edit", e, g.pk)
    data = {**GUEST, "name": "周嘉宾改", "phone": g.phone, "email": "", "revision": g.revision}
    refused(w, url, {**data, "revision": g.revision + 5}, status=409)
    refused(w, url, {k: v for k, v in data.items() if k != "revision"}, says="修订号")
    refused(w, url, {**data, "revision": "abc"}, says="修订号")
    refused(w, url, {**data, "email": "x@y"}, says="邮箱")
    refused(w, u("guest_edit", e, w.other_guest.pk), {**data, "revision": 1}, status=404)
    refused(w, u("guest_edit", e, 2**40), {**data, "revision": 1}, status=404)
    ok(w, url, data)
    assert "周嘉宾改" in w.client.get(u("guest_detail", e, g.pk)).content.decode()
    g.refresh_from_db()

    url = u("guest_status", e, g.pk)
    refused(w, url, {"status": "registered", "revision": g.revision}, says="状态")
    refused(w, url, {"status": "declined", "revision": g.revision - 1 or 99}, status=409)
    refused(w, url, {"status": "declined"}, says="修订号")
    refused(w, url, {"status": "declined", "reason": "因" * 301, "revision": g.revision}, says="原因")
    refused(w, u("guest_status", e, w.other_guest.pk), {"status": "declined", "revision": 1}, status=404)
    ok(w, url, {"status": "declined", "reason": "出差", "revision": g.revision})
    g.refresh_from_db()
    assert g.status == om.GuestStatus.DECLINED

    url = u("guest_remove", e, g.pk)
    refused(w, u("guest_remove", e, w.other_guest.pk), {"revision": 1}, status=404)
    bounced(w, url, {"revision": g.revision + 3})
    bounced(w, url, {})
    ok(w, url, {"revision": g.revision})
    assert not om.Guest.objects.filter(pk=g.pk).exists()


def test_bulk_actions(w):
    e = w.event.pk
    url = u("guests_bulk", e)
    g = w.invited
    refused(w, url, {"scope": "selected", "guest": [g.pk]}, says="批量操作")
    refused(w, url, {"action": "explode", "scope": "selected", "guest": [g.pk]}, says="批量操作")
    refused(w, url, {"action": "category", "scope": "selected", "guest": [g.pk]}, says="类别")
    refused(
        w,
        url,
        {"action": "status", "status": "registered", "scope": "selected", "guest": [g.pk]},
        says="状态",
    )
    refused(w, url, {"action": "send", "scope": "selected", "guest": [g.pk]}, says="消息")
    refused(
        w, url, {"action": "category", "category": "vip", "scope": "everything", "guest": [g.pk]}, says="范围"
    )
    refused(
        w, url, {"action": "category", "category": "vip", "scope": "selected", "guest": ["abc"]}, says="嘉宾"
    )
    refused(
        w,
        url,
        {"action": "category", "category": "vip", "scope": "selected", "f_status": "nonsense"},
        says="状态",
    )
    # another event's guest is not touched
    before = w.other_guest.category
    w.client.post(
        url, {"action": "category", "category": "media", "scope": "selected", "guest": [w.other_guest.pk]}
    )
    w.other_guest.refresh_from_db()
    assert w.other_guest.category == before
    ok(w, url, {"action": "category", "category": "media", "scope": "selected", "guest": [g.pk]})
    g.refresh_from_db()
    assert g.category == "media"


def test_importing_guests(w):
    e = w.event.pk
    url = u("guests_import", e)
    refused(w, url, {"on_duplicate": "merge"}, says="文件")
    bad = SimpleUploadedFile("guests.xlsx", b"not a workbook at all", content_type="application/octet-stream")
    refused(w, url, {"on_duplicate": "merge", "file": bad}, says="文件")
    empty = SimpleUploadedFile("guests.csv", b"", content_type="text/csv")
    refused(w, url, {"on_duplicate": "merge", "file": empty})
    good = SimpleUploadedFile("guests.xlsx", xlsx([("钱嘉宾", "", "", "13600001234", "", "", "", "")]))
    refused(w, url, {"on_duplicate": "whatever", "file": good}, says="重复")
    good.seek(0)
    response = ok(w, url, {"on_duplicate": "merge", "file": good})
    assert "/jobs/" in response["Location"]
    assert om.Guest.objects.filter(event=w.event, name="钱嘉宾").exists()


# ---------------------------------------------------------------- quotas
def test_quotas(w):
    e = w.event.pk
    url = u("quota_add", e)
    marketing = Department.objects.get(code="marketing").pk
    refused(w, url, {"quota": "5"}, says="部门")
    refused(w, url, {"department": marketing, "quota": "-1"}, says="邀约名额")
    refused(w, url, {"department": marketing, "quota": "abc"}, says="邀约名额")
    refused(w, url, {"department": marketing, "quota": "99999999999"}, says="邀约名额")
    refused(w, url, {"department": "999999", "quota": "5"}, says="部门")
    refused(w, url, {"department": marketing, "quota": "5", "contact": "999999"}, says="对接人")
    refused(w, url, {"department": w.sales.pk, "quota": "5"}, says="部门")  # already has one
    ok(w, url, {"department": marketing, "quota": "5"})
    assert om.DepartmentQuota.objects.filter(event=w.event, department_id=marketing, quota=5).exists()

    q = w.quota
    url = u("quota_edit", e, q.pk)
    refused(w, url, {"quota": "4", "revision": q.revision + 7}, status=409)
    refused(w, url, {"quota": "4"}, says="修订号")
    refused(w, url, {"quota": "", "revision": q.revision}, says="邀约名额")
    refused(w, u("quota_edit", e, w.other_quota.pk), {"quota": "4", "revision": 1}, status=404)
    ok(w, url, {"quota": "4", "revision": q.revision})
    q.refresh_from_db()
    assert q.quota == 4

    url = u("quota_accept", e, q.pk)
    refused(w, url, {"reason": "", "revision": q.revision}, says="缺口说明")
    refused(w, url, {"reason": "说" * 2001, "revision": q.revision}, says="缺口说明")
    refused(w, url, {"reason": "客户出差", "revision": q.revision + 2}, status=409)
    refused(w, u("quota_accept", e, w.other_quota.pk), {"reason": "x", "revision": 1}, status=404)
    ok(w, url, {"reason": "客户出差", "revision": q.revision})
    q.refresh_from_db()
    assert q.shortfall_reason == "客户出差"

    refused(w, u("quota_remove", e, w.other_quota.pk), {"revision": 1}, status=404)
    bounced(w, u("quota_remove", e, q.pk), {"revision": q.revision + 1})
    ok(w, u("quota_remove", e, q.pk), {"revision": q.revision})
    assert not om.DepartmentQuota.objects.filter(pk=q.pk).exists()


# ---------------------------------------------------------------- notices
def test_the_schedule_letters_invitations_and_reminders(w):
    e = w.event.pk
    row = schedule_seed(w.event)["invitation"]
    url = u("notices_schedule", e, "invitation")
    data = {"days": "10", "hours": "0", "channels": ["email"], "enabled": "on", "revision": row.revision}
    refused(w, url, {**data, "days": "abc"}, says="天")
    refused(w, url, {**data, "days": "-99999999"}, says="天")
    refused(w, url, {**data, "hours": "25"}, says="小时")
    refused(w, url, {**data, "channels": ["fax"]}, says="渠道")
    refused(w, url, {**data, "channels": []}, says="渠道")
    refused(w, url, {**data, "revision": row.revision + 3}, status=409)
    refused(w, url, {k: v for k, v in data.items() if k != "revision"}, says="修订号")
    refused(w, u("notices_schedule", e, "nonsense"), data, status=404)
    ok(w, url, data)
    row.refresh_from_db()
    assert row.offset_minutes == -10 * 24 * 60

    ok(w, u("letters_prepare", e), {})
    ok(w, u("letters_queue", e), {})
    ok(w, u("reminders_queue", e), {})

    letter = om.CollaborationLetter.objects.filter(event=w.event).first()
    url = u("letter_acknowledge", e, letter.pk)
    refused(w, url, {"reason": "", "revision": letter.revision}, says="说明")
    refused(w, u("letter_acknowledge", e, 2**31 - 1), {"reason": "x", "revision": 1}, status=404)

    url = u("invitations_send", e)
    refused(w, url, {"channels": []}, says="渠道")
    refused(w, url, {"channels": ["fax"]}, says="渠道")
    refused(w, url, {"channels": ["email"], "statuses": ["nonsense"]}, says="状态")
    refused(w, url, {"channels": ["email"], "categories": ["boss"]}, says="类别")
    refused(w, url, {"channels": ["email"], "when": "yesterday"}, says="时间")
    ok(w, url, {"channels": ["email"], "statuses": ["invited"], "when": "now"})


# ---------------------------------------------------------------- registration
def _settings(w: Any, **over: Any) -> dict[str, Any]:
    reg = reg_services.settings_of(w.event)
    data = {
        "revision": reg.revision,
        "is_open": "on",
        "capacity": "100",
        "questions": "industry | 所属行业 | Industry | choice | 制造/金融 | 必填",
        "highlights": "新品首发",
        "how_to_register": "",
        "notes": "",
        "cohosts": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_the_registration_settings_and_cancelling_the_event(w):
    e = w.event.pk
    url = u("registration_save", e)
    refused(w, url, _settings(w, capacity="-1"), says="名额")
    refused(w, url, _settings(w, capacity="abc"), says="名额")
    refused(w, url, _settings(w, questions="a | b | c | d | e | f | g"), says="报名问题")
    refused(w, url, _settings(w, questions="industry | 行业 | Industry | dropdown"), says="报名问题")
    refused(w, url, _settings(w, deadline="not a date"), says="截止")
    refused(w, url, _settings(w, highlights="亮" * 5001), says="活动亮点")
    refused(w, url, _settings(w, revision=reg_services.settings_of(w.event).revision + 4), status=409)
    refused(w, url, _settings(w, revision=None), says="修订号")
    ok(w, url, _settings(w, capacity="80"))
    assert reg_services.settings_of(w.event).capacity == 80

    url = u("registration_cancel_event", e)
    bounced(w, url, {"revision": w.event.revision + 9})
    bounced(w, url, {})


# ---------------------------------------------------------------- messages
def test_retrying_and_resolving_a_message(w):
    e, m = w.event.pk, w.message
    other = om.Message.objects.create(
        event=w.other, channel="email", kind="invitation", recipient="o@example.com", body="x",
        idempotency_key="other-event-message", status=om.Message.Status.DEAD, due_at=timezone.now(), not_before=timezone.now(),
    )  # fmt: skip
    refused(w, u("message_retry", e, other.pk), {}, status=404)
    refused(w, u("message_resolve", e, other.pk), {"outcome": "delivered"}, status=404)
    bounced(w, u("message_resolve", e, m.pk), {"outcome": "nonsense"})
    ok(w, u("message_retry", e, m.pk), {})
    m.refresh_from_db()
    assert m.status == om.Message.Status.PENDING


# ---------------------------------------------------------------- templates
def test_editing_previewing_and_reverting_a_template(w):
    e = w.event.pk
    url = u("template_edit", e, "invitation", "email", "zh-hans")
    good = {"subject": "邀请:{event}", "body": "{guest_name} 您好,{event} 见。"}
    refused(w, url, {**good, "body": "您好 {guest_nme}"}, says="正文")
    refused(w, url, {**good, "body": "您好 {guest_name"}, says="正文")
    refused(w, url, {**good, "body": ""}, says="正文")
    refused(w, url, {**good, "subject": "题" * 201}, says="标题")
    refused(w, url, {**good, "revision": "abc"})
    refused(w, url, {**good, "scope": "everywhere"})
    refused(w, u("template_edit", e, "invitation", "fax", "zh-hans"), good, status=404)
    refused(w, u("template_edit", e, "invitation", "email", "fr"), good, status=404)
    # the preview: a draft, nothing saved; a guest of another event is not offered
    refused(w, url, {**good, "action": "preview", "guest": w.registered.pk}, status=200, says="您好")
    html = refused(w, url, {**good, "action": "preview", "guest": w.other_guest.pk}, status=200)
    assert w.other_guest.name not in html  # another event's guest is never previewed
    refused(w, url, {**good, "action": "preview", "guest": "abc"}, status=200)
    refused(w, url, {**good, "body": "{nope}", "action": "preview"}, says="正文")
    ok(w, url, good)
    row = om.MessageTemplate.objects.get(
        event=w.event, kind="invitation", channel="email", language="zh-hans"
    )
    assert row.body == good["body"]
    refused(w, url, {**good, "body": "改", "revision": row.revision + 1}, status=409)

    url = u("template_revert", e, "invitation", "email", "zh-hans")
    bounced(w, url, {"revision": row.revision + 1})
    ok(w, url, {"revision": row.revision})
    assert not om.MessageTemplate.objects.filter(pk=row.pk).exists()


# ---------------------------------------------------------------- robots (administrators)
def test_the_robot_register(w, admin_user):
    w.client.force_login(admin_user)
    url = u("robot_add")
    good = {
        "kind": "dingtalk",
        "name": "市场部钉钉群",
        "token": "tok-1",
        "secret": "SEC123",
        "is_active": "on",
    }
    refused(w, url, {**good, "kind": "telegram"}, says="类型")
    refused(w, url, {**good, "name": ""}, says="名称")
    refused(w, url, {**good, "token": ""}, says="Token")
    refused(w, url, {**good, "name": "名" * 101}, says="名称")
    refused(w, url, {**good, "department": "999999"}, says="部门")
    refused(w, url, {**good, "token": "a\x00b"})
    ok(w, url, good)
    robot = om.Robot.objects.get(name="市场部钉钉群")

    url = u("robot_edit", robot.pk)
    refused(w, url, {**good, "revision": robot.revision + 2}, status=409)
    refused(w, url, good, says="修订号")
    refused(w, u("robot_edit", 2**31 - 1), {**good, "revision": 1}, status=404)
    ok(w, url, {**good, "name": "市场部群", "revision": robot.revision})
    robot.refresh_from_db()
    assert robot.name == "市场部群" and robot.secret == "SEC123"

    refused(w, u("robot_test", 2**31 - 1), {}, status=404)
    w.client.force_login(w.organiser)
    refused(w, u("robot_add"), good, status=403)


# ---------------------------------------------------------------- the guest's pages (no sign-in)
REGISTER = {
    "name": "访客",
    "phone": "13911112222",
    "email": "visitor@example.com",
    "q_industry": "制造",
    "consent_operation": "on",
}


def test_registering_on_the_public_page(w):
    w.client.logout()
    url = u("register", reg_services.settings_of(w.event).slug)
    refused(w, url, {**REGISTER, "name": ""}, says="姓名")
    refused(w, url, {**REGISTER, "name": "名" * 101}, says="姓名")
    refused(w, url, {**REGISTER, "phone": "12345"}, says="手机号")
    refused(w, url, {**REGISTER, "email": "bad@"}, says="邮箱")
    refused(w, url, {**REGISTER, "q_industry": "农业"}, says="所属行业")
    refused(w, url, {k: v for k, v in REGISTER.items() if k != "q_industry"}, says="所属行业")
    refused(w, url, {k: v for k, v in REGISTER.items() if k != "consent_operation"}, says="同意")
    refused(w, url, {**REGISTER, "phone": w.registered.phone}, says="已报名")
    om.RegistrationAttempt.objects.all().delete()  # the refused posts above count against the flood limit
    response = ok(w, url, REGISTER)
    assert "/t/" in response["Location"]
    assert om.Guest.objects.filter(event=w.event, phone="+8613911112222").exists()


def test_the_ticket_pages(w):
    w.client.logout()
    g = w.registered
    key = g.access_key
    url = u("ticket_details", key)
    data = {"name": g.name, "phone": "13800000001", "email": "new@example.com", "revision": g.revision}
    refused(w, url, {**data, "email": "bad"}, says="邮箱")
    refused(w, url, {**data, "phone": "555"}, says="手机号")
    refused(w, url, {**data, "name": ""}, says="姓名")
    refused(w, url, {**data, "revision": g.revision + 3}, status=409)
    refused(w, url, {k: v for k, v in data.items() if k != "revision"}, says="修订号")
    refused(w, u("ticket_details", "forged-key"), data, status=404)
    ok(w, url, data)
    g.refresh_from_db()
    assert g.email == "new@example.com"

    url = u("ticket_privacy", key)
    refused(w, url, {"purpose": "everything"})
    refused(w, url, {})
    ok(w, url, {"purpose": "marketing"})
    assert om.Consent.objects.filter(guest=g, purpose="marketing", withdrawn_at__isnull=False).exists()

    url = u("ticket_cancel", key)
    refused(w, url, {"revision": g.revision + 9}, status=409)
    refused(w, url, {"revision": "abc"})
    refused(w, u("ticket_cancel", "forged-key"), {}, status=404)
    ok(w, url, {"revision": om.Guest.objects.get(pk=g.pk).revision})
    g.refresh_from_db()
    assert g.status == om.GuestStatus.CANCELLED


# ---------------------------------------------------------------- no 500 anywhere
FIELDS = [
    "name",
    "company",
    "title",
    "phone",
    "email",
    "category",
    "department",
    "invited_by",
    "language",
    "wechat_openid",
    "note",
    "revision",
    "status",
    "reason",
    "action",
    "scope",
    "kind",
    "channels",
    "guest",
    "on_duplicate",
    "quota",
    "contact",
    "days",
    "hours",
    "enabled",
    "statuses",
    "categories",
    "when",
    "marketing",
    "is_open",
    "capacity",
    "deadline",
    "questions",
    "highlights",
    "how_to_register",
    "notes",
    "cohosts",
    "subject",
    "body",
    "token",
    "secret",
    "is_active",
    "clear_secret",
    "purpose",
    "lang",
    "consent_operation",
    "q_industry",
    "outcome",
    "next",
    "f_status",
]
WRONG = ["", "x" * 6000, "abc", "-1", "99999999999999999999", "\x00", "bad@"]


def test_no_form_answers_500_to_wrong_values(w, admin_user):
    e = w.event.pk
    slug = reg_services.settings_of(w.event).slug
    key = w.registered.access_key
    letter = om.CollaborationLetter.objects.filter(event=w.event).first()
    urls = [
        u("guest_add", e), u("guests_bulk", e), u("guests_import", e), u("guest_edit", e, w.invited.pk),
        u("guest_status", e, w.invited.pk), u("guest_remove", e, w.invited.pk), u("quota_add", e),
        u("quota_edit", e, w.quota.pk), u("quota_accept", e, w.quota.pk), u("quota_remove", e, w.quota.pk),
        u("notices_schedule", e, "invitation"), u("notices_schedule", e, "reminder"),
        u("letter_acknowledge", e, letter.pk), u("invitations_send", e), u("registration_save", e),
        u("registration_cancel_event", e), u("message_retry", e, w.message.pk),
        u("message_resolve", e, w.message.pk), u("template_edit", e, "invitation", "email", "zh-hans"),
        u("template_edit", e, "reminder", "sms", "en"), u("template_revert", e, "invitation", "email", "en"),
        u("robot_add"), u("robot_edit", w.robot.pk), u("register", slug), u("ticket_details", key),
        u("ticket_privacy", key), u("ticket_cancel", key),
    ]  # fmt: skip
    found = []
    for url in urls:
        w.client.force_login(admin_user if "/robots/" in url else w.organiser)
        for data in [dict.fromkeys(FIELDS, v) for v in WRONG]:  # every field of the form gets it
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                om.RegistrationAttempt.objects.all().delete()
                status = w.client.post(url, data, **headers).status_code
                if status >= 500:
                    found.append((url, headers, {k: v[:12] for k, v in list(data.items())[:2]}, status))
    assert not found, found


QUERIES = ["", "?status=nonsense", "?category=boss&department=abc", "?q=" + "x" * 3000, "?page=abc", "?page=99999",
           "?guest=abc", "?guest=99999999999", "?channel=fax&kind=nope", "?lang=xx", "?done=nonsense", "?welcome=1",
           "?status=dead&page=-1"]  # fmt: skip


def test_no_page_answers_500_to_wrong_query_values_nor_to_htmx(w, admin_user):
    e = w.event.pk
    key = w.registered.access_key
    job = om.Job.objects.filter(event=w.event).first()
    pages = [
        u("notices", e), u("guests", e), u("registration", e), u("messages", e), u("templates", e),
        u("template_edit", e, "invitation", "email", "zh-hans"), u("template_edit", e, "reminder", "sms", "en"),
        u("template_edit", e, "collaboration_letter", "robot", "zh-hans"), u("guest_detail", e, w.registered.pk),
        u("guest_job", e, job.pk), u("message_detail", e, w.message.pk), u("guests_export", e),
        u("guests_template", e), u("registration_qr", e), u("register", reg_services.settings_of(w.event).slug),
        u("ticket", key), u("ticket_qr", key), u("ticket_ics", key), u("ticket_cancel", key),
        u("ticket_details", key), u("ticket_privacy", key),
        reverse("documents:download", args=[e, LETTER_DOC, "docx"]),
    ]  # fmt: skip
    found = []
    for url in pages:
        w.client.force_login(w.organiser)
        for query in QUERIES:
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                status = w.client.get(url + query, **headers).status_code
                if status >= 500:
                    found.append((url + query[:30], headers, status))
    w.client.force_login(admin_user)
    for url in (u("robots"), u("robot_edit", w.robot.pk)):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            if (status := w.client.get(url, **headers).status_code) >= 500:
                found.append((url, headers, status))
    assert not found, found


@pytest.mark.parametrize("step", [Step.NOTIFICATION, Step.PLAN, Step.RUN, Step.CLOSED])
def test_a_bare_event_and_an_event_at_another_step_answer_every_page_and_button_without_500(
    client, organiser, admin_user, step
):
    event = make_event(organiser, step=step, name="空活动")
    e = event.pk
    client.force_login(organiser)
    found = []
    gets = [
        u("notices", e), u("guests", e), u("registration", e), u("messages", e), u("templates", e),
        u("template_edit", e, "invitation", "email", "zh-hans"), u("template_edit", e, "reminder", "sms", "en"),
        u("template_edit", e, "collaboration_letter", "robot", "zh-hans"), u("guests_export", e),
        u("registration_qr", e), reverse("documents:download", args=[e, LETTER_DOC, "docx"]),
    ]  # fmt: skip
    for url in gets:
        if (status := client.get(url).status_code) >= 500:
            found.append((url, status))
    posts = [
        (u("letters_prepare", e), {}), (u("letters_queue", e), {}), (u("reminders_queue", e), {}),
        (u("invitations_send", e), {"channels": ["email", "sms", "wechat"], "when": "now"}),
        (u("invitations_send", e), {"channels": ["email"], "when": "scheduled"}),
        (u("guest_add", e), {**GUEST}), (u("quota_add", e), {"department": Department.objects.first().pk, "quota": 1}),
        (u("registration_save", e), {"revision": 1, "is_open": "on", "capacity": "0"}),
        (u("registration_cancel_event", e), {"revision": 1}),
        (u("notices_schedule", e, "reminder"), {"days": "3", "hours": "0", "channels": ["sms"], "revision": 1}),
        (u("template_edit", e, "invitation", "sms", "en"), {"body": "Hi {guest_name}", "action": "preview"}),
        (u("template_edit", e, "collaboration_letter", "robot", "zh-hans"), {"body": "{tasks}", "action": "preview"}),
        (u("template_edit", e, "invitation", "email", "en"), {"subject": "x", "body": "Hi {guest_name}"}),
        (u("guests_bulk", e), {"action": "send", "kind": "invitation", "scope": "filter"}),
        (u("guests_bulk", e), {"action": "remove", "scope": "filter"}),
    ]  # fmt: skip
    for url, data in posts:
        if (status := client.post(url, data).status_code) >= 500:
            found.append((url, data, status))
    assert not found, found


def test_people_without_the_right_are_refused_not_500(w):
    """The contact of 销售部's quota changes 销售部's guests only; a designer of 市场部 changes none."""
    e = w.event.pk
    legal_guest = om.Guest.objects.create(
        event=w.event, name="法务嘉宾", department=w.legal, phone="+8613700002222"
    )
    w.client.force_login(w.seller)
    refused(w, u("guest_edit", e, legal_guest.pk), {**GUEST, "revision": legal_guest.revision}, status=403)
    refused(w, u("quota_add", e), {"department": w.marketing.pk, "quota": "5"}, status=403)
    refused(w, u("registration_save", e), _settings(w), status=403)
    refused(w, u("invitations_send", e), {"channels": ["email"]}, status=403)
    ok(w, u("guest_add", e), {**GUEST, "department": w.sales.pk})
    assert om.Guest.objects.get(event=w.event, name=GUEST["name"]).department == w.sales
    w.client.force_login(w.designer)
    refused(w, u("guest_add", e), {**GUEST, "phone": "13812340002", "email": ""}, status=403)
