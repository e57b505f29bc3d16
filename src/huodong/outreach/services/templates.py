"""Message templates of an event, edited by the organiser (issue 9, point 5; NT-1, NT-2).

For each kind of message (``MessageKind``), channel and language (zh-hans, en) the text in force is the
event's own template, else the organisation's default (``event`` null, edited by administrators), else
the built-in text (``messaging.BUILTIN``): ``template_in_force``.

- ``template_save``: the event's (or, for an administrator, the organisation's) text of one kind, channel
  and language. An unknown placeholder or a malformed brace is refused naming the placeholder and listing
  the allowed ones (``messaging.template_problems``); nothing is written.
- ``template_revert``: remove the event's (or the organisation's) text, so the next one down is in force.
- ``template_preview``: exactly what one real guest of the event would receive (subject, body, channel,
  recipient) — or, for a collaboration letter, one collaborating department; a sample without any.
- ``sms_segments``: how many SMS a body takes (70 characters a segment in Chinese, 67 each when it is
  split; 160/153 for plain Latin text).

Lock order: the event (``outreach_event_lock``), then the template row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as AuditMessage
from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.models import Event

from ..models import Channel, Guest, MessageKind, MessageTemplate
from ..rules import outreach_event_lock
from . import messaging
from .messaging import EN, LANGUAGES, ZH, Text

SUBJECT_MAX = 200
BODY_MAX = 5000
WHAT = _("消息模板")
EVENT, ORGANISATION, BUILTIN = "event", "organisation", "builtin"
SCOPES = (EVENT, ORGANISATION)
SOURCE_LABELS = {
    EVENT: _("本活动模板"),
    ORGANISATION: _("组织默认模板"),
    BUILTIN: _("系统内置文本"),
}
LANGUAGE_LABELS = {ZH: _("中文"), EN: _("英文")}
# SMS: a message in UCS-2 (any Chinese character) holds 70 characters, 67 each when split; GSM-7 160/153.
SMS_UCS2 = (70, 67)
SMS_GSM = (160, 153)
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


# ---------------------------------------------------------------- reads
@dataclass
class InForce:
    """The text in force for one (kind, channel, language) and where it comes from."""

    kind: str
    channel: str
    language: str
    text: Text
    source: str  # event | organisation | builtin
    row: MessageTemplate | None  # the row the text comes from (None: built in)
    own: MessageTemplate | None  # the event's own row, when there is one
    default: MessageTemplate | None  # the organisation's row, when there is one

    @property
    def source_label(self) -> Any:
        return SOURCE_LABELS[self.source]

    @property
    def kind_label(self) -> Any:
        return MessageKind(self.kind).label

    @property
    def channel_label(self) -> Any:
        return Channel(self.channel).label

    @property
    def language_label(self) -> Any:
        return LANGUAGE_LABELS[self.language]

    @property
    def sms(self) -> dict[str, int] | None:
        return sms_segments(self.text.body) if self.channel == Channel.SMS else None


def combinations() -> list[tuple[str, str, str]]:
    """Every (kind, channel, language) a template may be written for, in the order of the page."""
    return [
        (kind, channel, lang)
        for kind in MessageKind.values
        for channel in messaging.KIND_CHANNELS.get(kind, ())
        for lang in LANGUAGES
    ]


def combination_check(kind: Any, channel: Any, language: Any) -> tuple[str, str, str]:
    """``kind``, ``channel`` and ``language`` as a known combination, or a refusal naming what is allowed."""
    errors: dict[str, list[Any]] = {}
    if kind not in MessageKind.values:
        allowed = "、".join(f"{v}({label})" for v, label in MessageKind.choices)
        errors["kind"] = [_("消息类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    elif channel not in messaging.KIND_CHANNELS.get(kind, ()):
        allowed = "、".join(f"{c}({Channel(c).label})" for c in messaging.KIND_CHANNELS.get(kind, ()))
        errors["channel"] = [
            _("「%(kind)s」可用的渠道:%(allowed)s。") % {"kind": MessageKind(kind).label, "allowed": allowed}
        ]
    if language not in LANGUAGES:
        errors["language"] = [_("语言须为 zh-hans(中文)或 en(英文)。")]
    if errors:
        raise DomainError(errors)
    return str(kind), str(channel), str(language)


def template_in_force(event: Event | None, kind: str, channel: str, language: str) -> InForce:
    rows = MessageTemplate.objects.filter(kind=kind, channel=channel, language=language)
    own = rows.filter(event=event).first() if event is not None else None
    default = rows.filter(event__isnull=True).first()
    if own is not None:
        return InForce(kind, channel, language, Text(own.subject, own.body), EVENT, own, own, default)
    if default is not None:
        text = Text(default.subject, default.body)
        return InForce(kind, channel, language, text, ORGANISATION, default, None, default)
    text = messaging.builtin_text(kind, channel, language) or Text("", "")
    return InForce(kind, channel, language, text, BUILTIN, None, None, None)


def templates_overview(event: Event) -> list[InForce]:
    """The text in force of every combination, reading the templates once."""
    rows = list(
        MessageTemplate.objects.filter(event__isnull=True) | MessageTemplate.objects.filter(event=event)
    )
    own = {(r.kind, r.channel, r.language): r for r in rows if r.event_id == event.pk}
    defaults = {(r.kind, r.channel, r.language): r for r in rows if r.event_id is None}
    out = []
    for combo in combinations():
        mine, default = own.get(combo), defaults.get(combo)
        if mine is not None:
            out.append(InForce(*combo, Text(mine.subject, mine.body), EVENT, mine, mine, default))
        elif default is not None:
            out.append(
                InForce(*combo, Text(default.subject, default.body), ORGANISATION, default, None, default)
            )
        else:
            text = messaging.builtin_text(*combo) or Text("", "")
            out.append(InForce(*combo, text, BUILTIN, None, None, None))
    return out


def sms_segments(body: str) -> dict[str, int]:
    """The length of an SMS body and how many segments it takes (70 a segment in Chinese)."""
    length = len(body or "")
    single, split = SMS_GSM if all(ch in _GSM for ch in body or "") else SMS_UCS2
    segments = 1 if length <= single else math.ceil(length / split)
    return {"length": length, "segments": segments, "per_segment": single if segments == 1 else split}


# ---------------------------------------------------------------- preview
@dataclass
class Preview:
    kind: str
    channel: str
    language: str
    subject: str
    body: str
    recipient: str
    to_name: str  # the guest's or the department's name
    sample: bool  # no guest (or department) of the event: a made-up one
    guest_id: int | None = None
    reachable: bool = True  # the guest can be reached on this channel
    guest_language: str = ""  # the guest's own language (their messages are in it)

    @property
    def channel_label(self) -> Any:
        return Channel(self.channel).label

    @property
    def sms(self) -> dict[str, int] | None:
        return sms_segments(self.body) if self.channel == Channel.SMS else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "channel": self.channel,
            "language": self.language,
            "subject": self.subject,
            "body": self.body,
            "recipient": self.recipient,
            "to_name": self.to_name,
            "sample": self.sample,
            "guest_id": self.guest_id,
            "reachable": self.reachable,
            "guest_language": self.guest_language,
            "sms": self.sms,
        }


def _sample_guest(event: Event, language: str) -> Guest:
    name = "Alex Chen" if language == EN else "张明"
    return Guest(
        event=event,
        name=name,
        company="Example Co." if language == EN else "示例科技有限公司",
        email="guest@example.com",
        phone="+8613800000000",
        wechat_openid="oSAMPLE",
        language=language,
        access_key="sample",
    )


def preview_guests(event: Event, limit: int = 200) -> list[Guest]:
    """The guests a preview can be rendered with (the first ``limit`` of the list)."""
    return list(Guest.objects.filter(event=event).order_by("sort_key", "id")[:limit])


def template_preview(
    *,
    event: Event,
    kind: str,
    channel: str,
    language: str,
    guest_id: int | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> Preview:
    """What one guest (``guest_id``, default the first of the list; a sample without guests) would receive
    of ``kind`` on ``channel`` — with the text in force, or the draft ``subject``/``body`` when given (a
    draft with a bad placeholder is refused, as saving it would be)."""
    kind, channel, language = combination_check(kind, channel, language)
    if subject is not None or body is not None:
        text = Text(subject or "", body or "")
        errors = {
            field: problems
            for field, problems in (
                ("subject", messaging.template_problems(text.subject)),
                ("body", messaging.template_problems(text.body)),
            )
            if problems
        }
        if errors:
            raise DomainError(errors)
    else:
        text = template_in_force(event, kind, channel, language).text
    if kind == MessageKind.COLLABORATION_LETTER:
        from .letters import letter_preview_context

        context, to_name, recipient, sample = letter_preview_context(event, channel, language)
        rendered = messaging.render(text, context)
        return Preview(kind, channel, language, rendered.subject, rendered.body, recipient, to_name, sample)
    guest: Guest | None = None
    if guest_id is not None:
        guest = Guest.objects.filter(event=event, pk=guest_id).select_related("ticket").first()
        if guest is None:
            raise DomainError({"guest": [_("嘉宾 %(id)s 不在本活动的名单中。") % {"id": guest_id}]})
    else:
        guest = Guest.objects.filter(event=event).order_by("sort_key", "id").first()
    sample = guest is None
    if guest is None:
        guest = _sample_guest(event, language)
    base = messaging.event_context(event, language)
    if sample:
        context = {**base, "guest_name": guest.name, "company": guest.company, "ticket_code": "K7QX-2M4P"}
        context["ticket_link"] = messaging.public_url("/t/sample/")
    else:
        context = messaging.guest_context(guest, base)
    rendered = messaging.render(text, context)
    recipient = messaging.recipient_of(guest, channel)
    return Preview(
        kind,
        channel,
        language,
        rendered.subject,
        rendered.body,
        recipient,
        guest.name,
        sample,
        guest_id=None if sample else guest.pk,
        reachable=bool(recipient),
        guest_language=EN if (guest.language or "").startswith("en") else ZH,
    )


# ---------------------------------------------------------------- writes
def _label(kind: str, channel: str, language: str) -> Any:
    return _("「%(kind)s」%(channel)s模板(%(lang)s)") % {
        "kind": MessageKind(kind).label,
        "channel": Channel(channel).label,
        "lang": LANGUAGE_LABELS[language],
    }


def _scope_check(actor: User | None, scope: str) -> None:
    if scope not in SCOPES:
        raise DomainError({"scope": [_("范围须为 event(本活动)或 organisation(组织默认)。")]})
    if scope == ORGANISATION and not (actor is not None and actor.is_admin):
        raise NotAllowed(_("组织默认模板只有管理员可以修改。"))


def _clean(subject: Any, body: Any, channel: str) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    subject_text = text_clean(
        subject, field="subject", label=_("标题"), limit=SUBJECT_MAX, errors=errors, multiline=False
    )
    body_text = text_clean(body, field="body", label=_("正文"), limit=BODY_MAX, errors=errors, required=True)
    if channel == Channel.EMAIL and not subject_text and "subject" not in errors:
        errors["subject"] = [_("邮件须有标题。")]
    if "subject" not in errors:
        problems = messaging.template_problems(subject_text)
        if problems:
            errors["subject"] = problems
    if "body" not in errors:
        problems = messaging.template_problems(body_text)
        if problems:
            errors["body"] = problems
    if errors:
        raise DomainError(errors)
    return subject_text, body_text


def _row_locked(event: Event | None, kind: str, channel: str, language: str) -> MessageTemplate | None:
    return (
        MessageTemplate.objects.select_for_update()
        .filter(event=event, kind=kind, channel=channel, language=language)
        .first()
    )


@transaction.atomic
def template_save(
    *,
    actor: User | None,
    event: Event | int,
    kind: str,
    channel: str,
    language: str,
    subject: Any = "",
    body: Any,
    seen: int | None = None,
    scope: str = EVENT,
    system: bool = False,
) -> MessageTemplate:
    """Write the event's (``scope`` event) or the organisation's (``scope`` organisation, administrators)
    text of one kind, channel and language. A new row needs no revision; changing one needs the revision
    seen. An unknown placeholder or a bad brace is refused naming it, with the allowed ones (TM: nothing
    written)."""
    kind, channel, language = combination_check(kind, channel, language)
    if not system:
        _scope_check(actor, scope)
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    subject_text, body_text = _clean(subject, body, channel)
    owner = locked if scope == EVENT else None
    row = _row_locked(owner, kind, channel, language)
    label = _label(kind, channel, language)
    if row is None:
        try:
            with transaction.atomic():
                row = MessageTemplate.objects.create(
                    event=owner,
                    kind=kind,
                    channel=channel,
                    language=language,
                    subject=subject_text,
                    body=body_text,
                )
        except IntegrityError as exc:  # someone created it first: they saved, this write is stale
            raise DomainError({"__all__": [_("%(t)s刚被他人创建,请刷新后重试。") % {"t": label}]}) from exc
        audit_record(
            actor=actor,
            action="outreach.template.create",
            target=row,
            event_id=locked.pk,
            summary=AuditMessage(_("编写%(t)s"), t=str(label)),
            after=snapshot(row),
        )
        return row
    row_update(
        row,
        changes={"subject": subject_text, "body": body_text},
        seen=seen,
        actor=actor,
        action="outreach.template.update",
        label=label,
        event_id=locked.pk,
        system=system,
    )
    return row


@transaction.atomic
def template_revert(
    *,
    actor: User | None,
    event: Event | int,
    kind: str,
    channel: str,
    language: str,
    seen: int | None,
    scope: str = EVENT,
    system: bool = False,
) -> None:
    """Remove the event's (or the organisation's) text: the organisation's default or the built-in text is
    then in force."""
    kind, channel, language = combination_check(kind, channel, language)
    if not system:
        _scope_check(actor, scope)
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked if scope == EVENT else None, kind, channel, language)
    label = _label(kind, channel, language)
    if row is None:
        raise NotFound({"__all__": [_("%(t)s没有自定义文本,已在使用默认文本。") % {"t": label}]})
    revision_require(row, seen, label=label, system=system, fields=("subject", "body"))
    audit_record(
        actor=actor,
        action="outreach.template.revert",
        target=row,
        event_id=locked.pk,
        summary=AuditMessage(_("恢复%(t)s为默认文本"), t=str(label)),
        before=snapshot(row),
    )
    row.delete()
