"""Message templates and the messages rendered from them (NT-1, NT-2).

A template is the text of one kind of message on one channel in one language, with named placeholders in
braces: ``{guest_name}``, ``{event}``, ``{time}``, ``{place}``, ``{ticket_link}``, ``{highlights}``,
``{how_to_register}``, ``{notes}``, ... (``PLACEHOLDERS``). ``template_problems`` refuses an unknown
placeholder, or any other use of braces than ``{name}``, when a template is saved.

Which template: the event's own (``MessageTemplate`` with the event), else the organisation's (event
null), else the built-in text below. ``render`` fills one; ``guest_messages`` builds the unsaved outbox
rows of one kind for many guests (rendered once per guest and channel, in the guest's language), and
``queue_guest_message`` queues them for one guest.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.models import Event

from ..models import Channel, Guest, Message, MessageKind, MessageTemplate, RegistrationSettings
from .outbox import due_moment, enqueue

ZH, EN = "zh-hans", "en"
LANGUAGES = (ZH, EN)

# Every placeholder a template may use, with what it is (shown beside the template editor).
PLACEHOLDERS: dict[str, Any] = {
    "guest_name": _("嘉宾姓名"),
    "company": _("嘉宾公司"),
    "event": _("活动名称"),
    "time": _("活动时间"),
    "place": _("活动地点"),
    "ticket_link": _("电子票链接"),
    "ticket_code": _("票号"),
    "registration_link": _("报名链接"),
    "highlights": _("活动亮点"),
    "how_to_register": _("报名方式"),
    "notes": _("注意事项"),
    "organiser": _("活动负责人"),
    "department": _("协作部门"),
    "tasks": _("部门任务"),
    "quota": _("邀约名额"),
    "contact": _("对接人"),
}

# Messages a guest receives only for the event itself; the invitation is marketing to a person who has
# not registered (purpose "operation" for guests on the list, the organiser may choose "marketing").
GUEST_KINDS = (
    MessageKind.INVITATION,
    MessageKind.CONFIRMATION,
    MessageKind.WAITLISTED,
    MessageKind.PROMOTED,
    MessageKind.REMINDER,
    MessageKind.CANCELLATION,
    MessageKind.UPDATE,
)
# Kinds whose e-mail carries the ticket (QR inline) and a calendar entry.
TICKET_KINDS = (MessageKind.CONFIRMATION, MessageKind.PROMOTED, MessageKind.REMINDER, MessageKind.UPDATE)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


# The built-in texts: (kind, channel, language) → Text. SMS and WeChat are short; e-mail has a subject.
BUILTIN: dict[tuple[str, str, str], Text] = {
    # invitations (NT-2)
    ("invitation", "email", ZH): Text(
        "诚邀您参加「{event}」",
        "尊敬的{guest_name}:\n\n诚挚邀请您参加「{event}」。\n时间:{time}\n地点:{place}\n\n活动亮点:\n{highlights}\n\n"
        "报名方式:{how_to_register}\n报名链接:{registration_link}\n\n注意事项:\n{notes}\n\n期待您的光临!\n{organiser}",
    ),
    ("invitation", "email", EN): Text(
        "You are invited: {event}",
        "Dear {guest_name},\n\nWe would be delighted to welcome you to {event}.\nTime: {time}\nPlace: {place}\n\n"
        "Highlights:\n{highlights}\n\nHow to register: {how_to_register}\nRegister here: {registration_link}\n\n"
        "Notes:\n{notes}\n\nWe look forward to seeing you.\n{organiser}",
    ),
    ("invitation", "sms", ZH): Text(
        "", "{guest_name}您好,诚邀您参加「{event}」,{time}于{place}举行。报名:{registration_link}"
    ),
    ("invitation", "sms", EN): Text(
        "", "Dear {guest_name}, you are invited to {event}, {time} at {place}. Register: {registration_link}"
    ),
    ("invitation", "wechat", ZH): Text(
        "活动邀请", "「{event}」诚邀您参加\n时间:{time}\n地点:{place}\n报名:{registration_link}"
    ),
    ("invitation", "wechat", EN): Text(
        "Invitation",
        "You are invited to {event}\nTime: {time}\nPlace: {place}\nRegister: {registration_link}",
    ),
    # registration confirmed, with the ticket
    ("confirmation", "email", ZH): Text(
        "报名成功:「{event}」",
        "尊敬的{guest_name}:\n\n您已成功报名「{event}」。\n时间:{time}\n地点:{place}\n票号:{ticket_code}\n\n"
        "入场时请出示电子票二维码(见本邮件),或打开:{ticket_link}\n在该页面可加入日历、修改信息或取消报名。\n\n注意事项:\n{notes}",
    ),
    ("confirmation", "email", EN): Text(
        "You are registered: {event}",
        "Dear {guest_name},\n\nYou are registered for {event}.\nTime: {time}\nPlace: {place}\nTicket code: {ticket_code}\n\n"
        "Show the QR code of your ticket (in this e-mail) at the entrance, or open: {ticket_link}\n"
        "There you can add the event to your calendar, update your details or cancel.\n\nNotes:\n{notes}",
    ),
    ("confirmation", "sms", ZH): Text(
        "", "{guest_name}您好,您已报名「{event}」,{time},{place}。票号{ticket_code},电子票:{ticket_link}"
    ),
    ("confirmation", "sms", EN): Text(
        "",
        "{guest_name}, you are registered for {event}, {time}, {place}. Ticket {ticket_code}: {ticket_link}",
    ),
    ("confirmation", "wechat", ZH): Text(
        "报名成功", "「{event}」报名成功\n时间:{time}\n地点:{place}\n票号:{ticket_code}\n电子票:{ticket_link}"
    ),
    ("confirmation", "wechat", EN): Text(
        "Registered",
        "Registered for {event}\nTime: {time}\nPlace: {place}\nTicket: {ticket_code}\n{ticket_link}",
    ),
    # waiting list
    ("waitlisted", "email", ZH): Text(
        "已加入候补:「{event}」",
        "尊敬的{guest_name}:\n\n「{event}」名额已满,您已进入候补名单。有名额空出时我们将按顺序为您转为正式报名并发送电子票。\n管理报名:{ticket_link}",
    ),
    ("waitlisted", "email", EN): Text(
        "On the waiting list: {event}",
        "Dear {guest_name},\n\n{event} is full; you are on the waiting list. When a place frees up we will register you in turn and send your ticket.\nManage your registration: {ticket_link}",
    ),
    ("waitlisted", "sms", ZH): Text("", "{guest_name}您好,「{event}」名额已满,您已进入候补,转正后将通知您。"),
    ("waitlisted", "sms", EN): Text(
        "",
        "{guest_name}, {event} is full; you are on the waiting list. We will tell you when a place frees up.",
    ),
    ("waitlisted", "wechat", ZH): Text("候补通知", "「{event}」名额已满,您已进入候补名单。"),
    ("waitlisted", "wechat", EN): Text("Waiting list", "{event} is full; you are on the waiting list."),
    # promoted from the waiting list
    ("promoted", "email", ZH): Text(
        "候补转正:「{event}」",
        "尊敬的{guest_name}:\n\n有名额空出,您已由候补转为正式报名「{event}」。\n时间:{time}\n地点:{place}\n票号:{ticket_code}\n电子票:{ticket_link}",
    ),
    ("promoted", "email", EN): Text(
        "A place for you: {event}",
        "Dear {guest_name},\n\nA place has freed up: you are now registered for {event}.\nTime: {time}\nPlace: {place}\nTicket code: {ticket_code}\nTicket: {ticket_link}",
    ),
    ("promoted", "sms", ZH): Text(
        "", "{guest_name}您好,您已由候补转为正式报名「{event}」,票号{ticket_code},电子票:{ticket_link}"
    ),
    ("promoted", "sms", EN): Text(
        "",
        "{guest_name}, a place freed up: you are registered for {event}. Ticket {ticket_code}: {ticket_link}",
    ),
    ("promoted", "wechat", ZH): Text(
        "候补转正", "您已转为正式报名「{event}」\n票号:{ticket_code}\n电子票:{ticket_link}"
    ),
    ("promoted", "wechat", EN): Text(
        "Registered", "You are now registered for {event}\nTicket: {ticket_code}\n{ticket_link}"
    ),
    # reminder at T-3 days (NT-2)
    ("reminder", "email", ZH): Text(
        "活动提醒:「{event}」",
        "尊敬的{guest_name}:\n\n「{event}」将于{time}在{place}举行,期待您的到来。\n票号:{ticket_code}\n电子票:{ticket_link}\n\n注意事项:\n{notes}",
    ),
    ("reminder", "email", EN): Text(
        "Reminder: {event}",
        "Dear {guest_name},\n\n{event} takes place {time} at {place}. We look forward to seeing you.\nTicket code: {ticket_code}\nTicket: {ticket_link}\n\nNotes:\n{notes}",
    ),
    ("reminder", "sms", ZH): Text(
        "", "{guest_name}您好,「{event}」将于{time}在{place}举行,电子票:{ticket_link}"
    ),
    ("reminder", "sms", EN): Text(
        "", "{guest_name}, reminder: {event}, {time} at {place}. Ticket: {ticket_link}"
    ),
    ("reminder", "wechat", ZH): Text(
        "活动提醒", "「{event}」即将开始\n时间:{time}\n地点:{place}\n电子票:{ticket_link}"
    ),
    ("reminder", "wechat", EN): Text(
        "Reminder", "{event} is coming up\nTime: {time}\nPlace: {place}\nTicket: {ticket_link}"
    ),
    # cancellation (the registration or the event)
    ("cancellation", "email", ZH): Text(
        "已取消:「{event}」",
        "尊敬的{guest_name}:\n\n您在「{event}」({time})的报名已取消,电子票已作废。日历中的活动会随本邮件移除。",
    ),
    ("cancellation", "email", EN): Text(
        "Cancelled: {event}",
        "Dear {guest_name},\n\nYour registration for {event} ({time}) is cancelled and your ticket no longer works. The calendar entry is removed with this e-mail.",
    ),
    ("cancellation", "sms", ZH): Text("", "{guest_name}您好,您在「{event}」的报名已取消。"),
    ("cancellation", "sms", EN): Text("", "{guest_name}, your registration for {event} is cancelled."),
    ("cancellation", "wechat", ZH): Text("报名取消", "您在「{event}」的报名已取消。"),
    ("cancellation", "wechat", EN): Text("Cancelled", "Your registration for {event} is cancelled."),
    # the event changed (time or place)
    ("update", "email", ZH): Text(
        "活动信息变更:「{event}」",
        "尊敬的{guest_name}:\n\n「{event}」的安排已更新。\n时间:{time}\n地点:{place}\n电子票:{ticket_link}\n日历中的活动会随本邮件更新。",
    ),
    ("update", "email", EN): Text(
        "Changed: {event}",
        "Dear {guest_name},\n\n{event} has changed.\nTime: {time}\nPlace: {place}\nTicket: {ticket_link}\nThe calendar entry is updated with this e-mail.",
    ),
    ("update", "sms", ZH): Text("", "{guest_name}您好,「{event}」安排已更新:{time},{place}。"),
    ("update", "sms", EN): Text("", "{guest_name}, {event} has changed: {time}, {place}."),
    ("update", "wechat", ZH): Text("活动变更", "「{event}」安排已更新\n时间:{time}\n地点:{place}"),
    ("update", "wechat", EN): Text("Event changed", "{event} has changed\nTime: {time}\nPlace: {place}"),
    # the collaboration letter (NT-1) to a department: e-mail to the contact, markdown to the robots
    ("collaboration_letter", "email", ZH): Text(
        "活动协作函:「{event}」",
        "{department}:\n\n「{event}」将于{time}在{place}举行,请贵部门协作以下事项:\n{tasks}\n\n邀约名额:{quota}\n对接人:{contact}\n\n"
        "如有疑问请联系活动负责人{organiser}。",
    ),
    ("collaboration_letter", "email", EN): Text(
        "Collaboration letter: {event}",
        "To {department}:\n\n{event} takes place {time} at {place}. We ask your department for the following:\n{tasks}\n\n"
        "Guests to invite: {quota}\nContact: {contact}\n\nQuestions: {organiser}, the event's owner.",
    ),
    ("collaboration_letter", "robot", ZH): Text(
        "活动协作函",
        "### 活动协作函:{event}\n**{department}**\n> 时间:{time}\n> 地点:{place}\n\n**协作事项**\n{tasks}\n\n邀约名额:{quota}\n对接人:{contact}",
    ),
    ("collaboration_letter", "robot", EN): Text(
        "Collaboration letter",
        "### Collaboration letter: {event}\n**{department}**\n> Time: {time}\n> Place: {place}\n\n**Tasks**\n{tasks}\n\nGuests to invite: {quota}\nContact: {contact}",
    ),
}

# Which channels each kind is offered on (robots carry internal notices only).
KIND_CHANNELS: dict[str, tuple[str, ...]] = {
    kind: (Channel.EMAIL, Channel.SMS, Channel.WECHAT) for kind in GUEST_KINDS
}
KIND_CHANNELS[MessageKind.COLLABORATION_LETTER] = (Channel.EMAIL, Channel.ROBOT)


# ---------------------------------------------------------------- templates: checking and choosing
def template_problems(*texts: str) -> list[str]:
    """What is wrong with the placeholders of ``texts`` (a subject, a body): each unknown name, and any
    brace that is not ``{name}`` (``{a.b}``, ``{0}``, ``{x!r}``, an unmatched brace), with what is allowed."""
    problems: list[str] = []
    allowed = "、".join("{" + name + "}" for name in PLACEHOLDERS)
    for text in texts:
        try:
            parsed = list(string.Formatter().parse(text or ""))
        except ValueError:
            problems.append(
                str(_("花括号不成对:占位符应写成 {名称},如 {guest_name};要显示花括号本身请写 {{ 或 }}。"))
            )
            continue
        for _literal, name, spec, conv in parsed:
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                problems.append(
                    str(_("未知的占位符「{%(name)s}」。可用的占位符:%(allowed)s。"))
                    % {"name": name, "allowed": allowed}
                )
            elif spec or conv:
                problems.append(
                    str(_("占位符「{%(name)s}」不能带格式或转换,请写成 {%(name)s}。")) % {"name": name}
                )
    return list(dict.fromkeys(problems))


def builtin_text(kind: str, channel: str, language: str) -> Text | None:
    lang = EN if (language or "").startswith("en") else ZH
    return BUILTIN.get((kind, channel, lang))


def template_for(
    event: Event | None, kind: str, channel: str, language: str
) -> tuple[Text | None, MessageTemplate | None]:
    """The text in force for (kind, channel, language): the event's template, the organisation's, or the
    built-in one; and the template row when it came from one."""
    lang = EN if (language or "").startswith("en") else ZH
    rows = MessageTemplate.objects.filter(kind=kind, channel=channel, language=lang)
    row = None
    if event is not None:
        row = rows.filter(event=event).first()
    if row is None:
        row = rows.filter(event__isnull=True).first()
    if row is not None:
        return Text(row.subject, row.body), row
    return builtin_text(kind, channel, lang), None


class _Blank(dict):  # type: ignore[type-arg]
    """A placeholder without a value renders as nothing (a template saved with a name never fails later)."""

    def __missing__(self, key: str) -> str:
        return ""


def render(text: Text, context: Mapping[str, Any]) -> Text:
    values = _Blank({k: ("" if v is None else str(v)) for k, v in context.items()})
    return Text(text.subject.format_map(values), text.body.format_map(values))


# ---------------------------------------------------------------- the values of a guest's placeholders
def public_url(path: str) -> str:
    return f"{settings.HUODONG_PUBLIC_URL}{path}"


def event_time(event: Event, language: str) -> str:
    start = timezone.localtime(event.starts_at, event.tz)
    end = timezone.localtime(event.ends_at, event.tz)
    same_day = start.date() == end.date()
    if (language or "").startswith("en"):
        text = f"{start:%d %b %Y %H:%M}"
        return f"{text}–{end:%H:%M}" if same_day else f"{text} – {end:%d %b %Y %H:%M}"
    text = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"
    return (
        f"{text}–{end:%H:%M}" if same_day else f"{text} 至 {end.year}年{end.month}月{end.day}日 {end:%H:%M}"
    )


def event_context(
    event: Event, language: str, registration: RegistrationSettings | None = None
) -> dict[str, Any]:
    """The placeholders every message of the event shares."""
    if registration is None:
        registration = RegistrationSettings.objects.filter(event=event).first()
    owner: User | None = getattr(event, "owner", None)
    return {
        "event": event.name,
        "time": event_time(event, language),
        "place": event.venue,
        "highlights": registration.highlights if registration else "",
        "how_to_register": registration.how_to_register if registration else "",
        "notes": registration.notes if registration else "",
        "registration_link": public_url(reverse("outreach:register", args=[registration.slug]))
        if registration
        else "",
        "organiser": owner.name if owner else "",
    }


_KEY = "0key0"


def ticket_link_format() -> str:
    """The public address of a guest's ticket page with ``{}`` for the access key: reversed once, so a
    batch of 100,000 messages does not resolve the URL 100,000 times."""
    return public_url(reverse("outreach:ticket", args=[_KEY])).replace(_KEY, "{}")


def ticket_link(guest: Guest, link_format: str | None = None) -> str:
    """The public address of ``guest``'s ticket page (the guest's own link)."""
    return (link_format or ticket_link_format()).format(guest.access_key)


def guest_context(guest: Guest, base: Mapping[str, Any], link_format: str | None = None) -> dict[str, Any]:
    ticket = getattr(guest, "ticket", None) if _has_ticket(guest) else None
    return {
        **base,
        "guest_name": guest.name,
        "company": guest.company,
        "ticket_link": ticket_link(guest, link_format),
        "ticket_code": ticket.code if ticket else "",
    }


def _has_ticket(guest: Guest) -> bool:
    try:
        return guest.ticket is not None
    except Guest.ticket.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False


def guest_channels(guest: Guest) -> list[str]:
    """The channels a guest can be reached on: e-mail with an address, SMS with a phone, WeChat with an
    OpenID."""
    out = []
    if guest.email:
        out.append(Channel.EMAIL.value)
    if guest.phone:
        out.append(Channel.SMS.value)
    if guest.wechat_openid:
        out.append(Channel.WECHAT.value)
    return out


def recipient_of(guest: Guest, channel: str) -> str:
    by_channel: dict[str, str] = {"email": guest.email, "sms": guest.phone, "wechat": guest.wechat_openid}
    return by_channel.get(channel, "")


# ---------------------------------------------------------------- guest messages
def guest_messages(
    event: Event,
    guests: Iterable[Guest],
    kind: str,
    *,
    channels: Iterable[str] | None = None,
    due_at: dt.datetime | None = None,
    offset_minutes: int | None = None,
    purpose: str = Message.Purpose.OPERATION,
    actor: User | None = None,
    key: str = "",
    job_id: int | None = None,
) -> list[Message]:
    """Unsaved outbox rows of ``kind`` for ``guests``: one per guest and channel the guest can be reached
    on (of ``channels``, default every channel of the kind), rendered in the guest's language. The
    idempotency key is ``<kind>:<guest>:<channel>[:<key>]``. Templates are looked up once per language."""
    registration = RegistrationSettings.objects.filter(event=event).first()
    wanted = [c for c in (channels or KIND_CHANNELS.get(kind, ())) if c != Channel.ROBOT]
    due = due_moment(event, due_at=due_at, offset_minutes=offset_minutes)
    texts: dict[tuple[str, str], tuple[Text | None, MessageTemplate | None]] = {}
    bases: dict[str, dict[str, Any]] = {}
    link_format = ticket_link_format()
    out: list[Message] = []
    for guest in guests:
        lang = EN if (guest.language or "").startswith("en") else ZH
        if lang not in bases:
            bases[lang] = event_context(event, lang, registration)
        context = None
        for channel in guest_channels(guest):
            if channel not in wanted:
                continue
            if (channel, lang) not in texts:
                texts[(channel, lang)] = template_for(event, kind, channel, lang)
            text, row = texts[(channel, lang)]
            if text is None:
                continue
            if context is None:
                context = guest_context(guest, bases[lang], link_format)
            rendered = render(text, context)
            extras: dict[str, Any] = {}
            if channel == Channel.EMAIL:
                if kind in TICKET_KINDS:
                    extras = {"ics": "REQUEST", "qr": True}
                elif kind == MessageKind.CANCELLATION:
                    extras = {"ics": "CANCEL"}
            out.append(
                Message(
                    event=event,
                    guest=guest,
                    job_id=job_id,
                    channel=channel,
                    kind=kind,
                    purpose=purpose,
                    recipient=recipient_of(guest, channel),
                    language=lang,
                    template=row,
                    subject=rendered.subject[:300],
                    body=rendered.body,
                    extras=extras,
                    due_at=due,
                    offset_minutes=offset_minutes,
                    not_before=due,
                    idempotency_key=":".join(p for p in (kind, str(guest.pk), channel, key) if p)[:200],
                    created_by=actor,
                )
            )
    return out


def queue_guest_message(
    guest: Guest,
    kind: str,
    *,
    channels: Iterable[str] | None = None,
    due_at: dt.datetime | None = None,
    offset_minutes: int | None = None,
    purpose: str = Message.Purpose.OPERATION,
    actor: User | None = None,
    key: str = "",
) -> list[Message]:
    """Queue ``kind`` for one guest on each channel they can be reached on (inside the caller's
    transaction); returns the rows in force (an already-queued message is not queued again)."""
    rows = guest_messages(
        guest.event,
        [guest],
        kind,
        channels=channels,
        due_at=due_at,
        offset_minutes=offset_minutes,
        purpose=purpose,
        actor=actor,
        key=key,
    )
    return [enqueue(row)[0] for row in rows]
