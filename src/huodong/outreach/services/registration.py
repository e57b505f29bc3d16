"""Registration (issue 9, points 2, 3 and 7; NT-2): the organiser's settings, the public registration with
consent per purpose (PIPL), the waiting list, tickets and the guest's self-service from the ticket page.

- ``settings_update``: open/close, deadline, capacity (0 = unlimited), the questions, the texts the
  invitations quote (highlights, how to register, notes) and the co-hosts named in the notice. Raising
  the capacity moves the waiting list up.
- ``register``: the public page's submission. Closed, past the deadline or outside the steps of outreach
  → ``RegistrationClosed``, nothing written. The same phone or e-mail already registered (or waiting) →
  ``DuplicateRegistration``, nothing written, nothing said about the other registration. A guest on the
  invited list (same phone or e-mail) becomes registered on the same row. Full → the waiting list
  (``waitlisted_at`` is the order it moves up in). Each purpose offered is a ``Consent`` row (granted or
  not) with the notice's version, the time, the source and the address. Registered: a ticket, the
  confirmation and the reminder (T-3 days, or the event's reminder schedule; ``# REQ: NT-2``);
  waitlisted: the waiting-list message.
- ``flood_guard``: at most ``HUODONG_REGISTRATIONS_PER_ADDRESS`` submissions per address per
  ``HUODONG_REGISTRATION_WINDOW`` (``RegistrationFlood``, 429).
- The guest's own link (``access_key``) is the authority for ``registration_cancel`` (ticket revoked,
  waiting messages cancelled, the cancellation with METHOD:CANCEL, the first on the waiting list moves
  up), ``details_update`` and ``consent_withdraw`` (``withdrawn_at``; waiting messages of that purpose
  cancelled, and the outbox sends nothing more for it).
- ``event_cancel_for_guests``: the organiser cancels the event for every registered or waiting guest.
- ``event_changed``: a new time or place → an UPDATE (new .ics SEQUENCE) to every registered guest.

Lock order (``rules``): the event row (``outreach_event_lock``), then the registration settings, then
guests by id, then messages. Registering takes the event row first, so two submissions for the last seat
are serialised and the capacity is never exceeded.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import event_load
from huodong.events.models import Event
from huodong.events.steps import Step

from .. import contact, pipl, tickets
from ..models import (
    SEATED,
    Consent,
    Guest,
    GuestStatus,
    Message,
    MessageKind,
    NoticeSchedule,
    RegistrationAttempt,
    RegistrationSettings,
    Ticket,
)
from ..rules import OUTREACH_STEPS, outreach_event_lock
from . import messaging, outbox
from .guests import sort_key

WHAT = _("报名设置")
REMINDER_OFFSET_MINUTES = -3 * 24 * 60  # NT-2: a reminder three days before the event
QUESTION_KINDS = ("text", "choice", "multi", "yesno")
QUESTIONS_MAX = 20
CHOICES_MAX = 20
CODE_MAX = 30
LABEL_MAX = 200
CHOICE_MAX = 100
ANSWER_MAX = 500
TEXT_MAX = 5000
COHOSTS_MAX = 300
CAPACITY_MAX = 100_000
NAME_MAX = 100
COMPANY_MAX = 200
TITLE_MAX = 100
YES, NO = "yes", "no"
# Statuses whose guest holds a registration (a seat or a place on the waiting list).
ACTIVE = (GuestStatus.REGISTERED, GuestStatus.WAITLISTED)
# Messages about the registration that stop when it is cancelled.
REGISTRATION_KINDS = (
    MessageKind.CONFIRMATION,
    MessageKind.WAITLISTED,
    MessageKind.PROMOTED,
    MessageKind.REMINDER,
    MessageKind.UPDATE,
)
SETTINGS_FIELDS = (
    "is_open",
    "deadline",
    "capacity",
    "questions",
    "highlights",
    "how_to_register",
    "notes",
    "cohosts",
)


class RegistrationClosed(DomainError):
    """Registration is closed or past its deadline: nothing is written."""

    code = "closed"


class DuplicateRegistration(DomainError):
    """The phone or e-mail is already registered for the event: nothing is written."""

    code = "duplicate"


class RegistrationFlood(DomainError):
    """Too many submissions from one address (429)."""

    status = 429
    code = "too_many"

    def __init__(self, *, until: dt.datetime) -> None:
        self.retry_after = max(1, math.ceil((until - timezone.now()).total_seconds()))
        super().__init__(
            {
                "__all__": [
                    _("来自您所在网络的报名提交过于频繁,请约 %(minutes)s 分钟后再试。")
                    % {"minutes": math.ceil(self.retry_after / 60)}
                ]
            }
        )


# ---------------------------------------------------------------- reads
def settings_of(event: Event | int) -> RegistrationSettings:
    """The event's registration settings, created (closed, unlimited) on first use."""
    event_id = event.pk if isinstance(event, Event) else event
    row = RegistrationSettings.objects.filter(event_id=event_id).first()
    if row is not None:
        return row
    row, _created = RegistrationSettings.objects.get_or_create(event_id=event_id)
    return row


def settings_for_slug(slug: str) -> RegistrationSettings:
    row = RegistrationSettings.objects.select_related("event", "event__owner").filter(slug=slug).first()
    if row is None:
        raise NotFound(_("报名页面不存在,请检查链接。"))
    return row


def guest_for_key(access_key: str) -> Guest:
    guest = (
        Guest.objects.select_related("event", "event__owner").filter(access_key=access_key).first()
        if access_key
        else None
    )
    if guest is None:
        raise NotFound(_("链接无效:找不到这份报名。请使用报名确认中的链接。"))
    return guest


def seated_count(event: Event | int) -> int:
    return Guest.objects.filter(event=event, status__in=SEATED).count()


def counts(event: Event | int) -> dict[str, Any]:
    """Registered (with checked in), on the waiting list, cancelled, and seats left (None: unlimited)."""
    rows = Guest.objects.filter(event=event)
    reg = settings_of(event)
    registered = rows.filter(status__in=SEATED).count()
    return {
        "registered": registered,
        "waitlisted": rows.filter(status=GuestStatus.WAITLISTED).count(),
        "cancelled": rows.filter(status=GuestStatus.CANCELLED).count(),
        "capacity": reg.capacity,
        "left": max(0, reg.capacity - registered) if reg.capacity else None,
    }


def waitlist_queue(event: Event | int) -> QuerySet[Guest]:
    """The waiting list in the order it moves up (first come, first served)."""
    return Guest.objects.filter(event=event, status=GuestStatus.WAITLISTED).order_by(
        F("waitlisted_at").asc(nulls_last=True), "id"
    )


def waitlist_position(guest: Guest) -> int | None:
    """1 for the next to move up; None when not waiting."""
    if guest.status != GuestStatus.WAITLISTED:
        return None
    ids = list(waitlist_queue(guest.event_id).values_list("id", flat=True))
    return ids.index(guest.pk) + 1 if guest.pk in ids else None


def closed_reason(reg: RegistrationSettings, event: Event, now: dt.datetime | None = None) -> Any:
    """Why the public page does not take registrations now, or None when it does."""
    now = now or timezone.now()
    if event.step not in OUTREACH_STEPS or not reg.is_open:
        return _("本活动目前未开放报名。")
    if reg.deadline is not None and now > reg.deadline:
        return _("报名已于 %(when)s 截止。") % {
            "when": timezone.localtime(reg.deadline, event.tz).strftime("%Y-%m-%d %H:%M")
        }
    if now >= event.ends_at:
        return _("活动已结束,报名已关闭。")
    return None


def consents_of(guest: Guest) -> dict[str, Consent]:
    return {c.purpose: c for c in Consent.objects.filter(guest=guest)}


def notice_for_event(event: Event, reg: RegistrationSettings, language: str) -> pipl.Notice:
    from huodong.core.services import organisation_get

    owner = event.owner
    organiser = organisation_get().name or (owner.name if owner else "")
    who = owner.name if owner else ""
    reach = getattr(owner, "email", "") if owner else ""
    contact_line = f"{who} {reach}".strip() or organiser
    return pipl.notice_for(
        language=language, organiser=organiser, event=event.name, cohosts=reg.cohosts, contact=contact_line
    )


# ---------------------------------------------------------------- questions
def questions_clean(value: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """The questions as stored, and the problems, each naming the question's row (1-based)."""
    problems: list[Any] = []
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [_("报名问题须为列表。")]
    if len(value) > QUESTIONS_MAX:
        problems.append(_("报名问题最多 %(n)s 个。") % {"n": QUESTIONS_MAX})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            problems.append(_("第 %(n)s 个问题:格式不正确。") % {"n": n})
            continue
        row_errors: list[Any] = []
        code = str(item.get("code") or "").strip().lower()
        if not code or len(code) > CODE_MAX or not code.isascii() or not code.replace("_", "").isalnum():
            row_errors.append(
                _("代码「%(code)s」须为 1–%(max)s 个英文字母、数字或下划线。")
                % {"code": code, "max": CODE_MAX}
            )
        elif not code[0].isalpha():
            row_errors.append(_("代码「%(code)s」须以字母开头。") % {"code": code})
        elif code in seen:
            row_errors.append(_("代码「%(code)s」重复。") % {"code": code})
        seen.add(code)
        errs: dict[str, list[Any]] = {}
        label = text_clean(
            item.get("label"), field="x", label=_("中文标题"), limit=LABEL_MAX, errors=errs, multiline=False
        )
        label_en = text_clean(
            item.get("label_en"),
            field="x",
            label=_("英文标题"),
            limit=LABEL_MAX,
            errors=errs,
            multiline=False,
        )
        row_errors += errs.get("x", [])
        if not label:
            row_errors.append(_("请填写问题的中文标题。"))
        kind = str(item.get("kind") or "text").strip().lower()
        if kind not in QUESTION_KINDS:
            row_errors.append(
                _("类型「%(kind)s」不支持;可用:text(填空)、choice(单选)、multi(多选)、yesno(是/否)。")
                % {"kind": kind}
            )
        raw_choices = item.get("choices") or []
        if not isinstance(raw_choices, list):
            raw_choices = [raw_choices]
        choices = [str(c).strip() for c in raw_choices if str(c).strip()]
        if kind in ("choice", "multi"):
            if len(choices) < 2:
                row_errors.append(_("单选或多选题至少需要 2 个选项。"))
            if len(choices) > CHOICES_MAX:
                row_errors.append(_("选项最多 %(n)s 个。") % {"n": CHOICES_MAX})
            if len(set(choices)) != len(choices):
                row_errors.append(_("选项不能重复。"))
            for c in choices:
                problem = len(c) > CHOICE_MAX or any(not ch.isprintable() for ch in c)
                if problem:
                    row_errors.append(
                        _("选项「%(c)s」须为一行且不超过 %(n)s 个字。") % {"c": c[:20], "n": CHOICE_MAX}
                    )
                    break
        else:
            choices = []
        required = item.get("required", False)
        if not isinstance(required, bool):
            row_errors.append(_("「必填」须为 true 或 false。"))
        for message in row_errors:
            problems.append(_("第 %(n)s 个问题:%(message)s") % {"n": n, "message": message})
        out.append(
            {
                "code": code,
                "label": label,
                "label_en": label_en,
                "kind": kind,
                "choices": choices,
                "required": bool(required),
            }
        )
    return out, problems


def question_label(question: dict[str, Any], language: str) -> str:
    if (language or "").startswith("en") and question.get("label_en"):
        return str(question["label_en"])
    return str(question.get("label", ""))


def answers_clean(
    questions: list[dict[str, Any]], raw: dict[str, Any], language: str
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The answers by question code, and errors on ``q_<code>``."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    raw = raw if isinstance(raw, dict) else {}
    for q in questions:
        code, kind, field = q["code"], q["kind"], f"q_{q['code']}"
        label = question_label(q, language)
        value = raw.get(code)
        if kind == "multi":
            values = value if isinstance(value, list | tuple) else ([value] if value else [])
            values = [str(v).strip() for v in values if str(v).strip()]
            unknown = [v for v in values if v not in q["choices"]]
            if unknown:
                errors[field] = [_("「%(label)s」只能从给出的选项中选择。") % {"label": label}]
                continue
            if q["required"] and not values:
                errors[field] = [_("请回答「%(label)s」。") % {"label": label}]
                continue
            if values:
                answers[code] = [c for c in q["choices"] if c in values]
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        if isinstance(value, bool):
            value = YES if value else NO
        text = "" if value is None else str(value).strip()
        if not text:
            if q["required"]:
                errors[field] = [_("请回答「%(label)s」。") % {"label": label}]
            continue
        if kind == "choice" and text not in q["choices"]:
            errors[field] = [_("「%(label)s」只能从给出的选项中选择。") % {"label": label}]
        elif kind == "yesno" and text not in (YES, NO):
            errors[field] = [_("「%(label)s」请选择是或否。") % {"label": label}]
        elif kind == "yesno":
            answers[code] = text == YES
        else:
            errs: dict[str, list[Any]] = {}
            text = text_clean(text, field=field, label=label, limit=ANSWER_MAX, errors=errs)
            if errs:
                errors.update(errs)
            else:
                answers[code] = text
    return answers, errors


# ---------------------------------------------------------------- the organiser's settings
def _settings_locked(event: Event) -> RegistrationSettings:
    settings_of(event)
    return RegistrationSettings.objects.select_for_update().get(event=event)


def _settings_validate(data: dict[str, Any], event: Event) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    is_open = data.get("is_open")
    if not isinstance(is_open, bool):
        errors["is_open"] = [_("「开放报名」须为是或否。")]
    deadline = data.get("deadline")
    if deadline is not None and not isinstance(deadline, dt.datetime):
        errors["deadline"] = [_("报名截止时间须为日期和时间,如 2027-03-15 18:00。")]
        deadline = None
    if isinstance(deadline, dt.datetime):
        if timezone.is_naive(deadline):
            deadline = timezone.make_aware(deadline, event.tz)
        if deadline > event.ends_at:
            errors["deadline"] = [
                _("报名截止时间不能晚于活动结束(%(end)s)。")
                % {"end": timezone.localtime(event.ends_at, event.tz).strftime("%Y-%m-%d %H:%M")}
            ]
    capacity = data.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = [_("名额须为 0 到 %(max)s 之间的整数(0 表示不限)。") % {"max": CAPACITY_MAX}]
    questions, problems = questions_clean(data.get("questions"))
    if problems:
        errors["questions"] = problems
    clean = {
        "is_open": bool(is_open),
        "deadline": deadline,
        "capacity": capacity,
        "questions": questions,
        "highlights": text_clean(
            data.get("highlights"), field="highlights", label=_("活动亮点"), limit=TEXT_MAX, errors=errors
        ),
        "how_to_register": text_clean(
            data.get("how_to_register"),
            field="how_to_register",
            label=_("报名方式"),
            limit=TEXT_MAX,
            errors=errors,
        ),
        "notes": text_clean(
            data.get("notes"), field="notes", label=_("注意事项"), limit=TEXT_MAX, errors=errors
        ),
        "cohosts": text_clean(
            data.get("cohosts"),
            field="cohosts",
            label=_("联合主办方"),
            limit=COHOSTS_MAX,
            errors=errors,
            multiline=False,
        ),
    }
    return clean, errors


@transaction.atomic
def settings_update(
    *, actor: User | None, event: Event | int, seen: int | None, system: bool = False, **changes: Any
) -> RegistrationSettings:
    """Change the registration settings seen at revision ``seen``. Opening records ``opened_at``; more
    seats (or unlimited) move the waiting list up."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(
            {
                f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(SETTINGS_FIELDS)}]
                for f in sorted(unknown)
            }
        )
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    reg = _settings_locked(locked)
    revision_require(reg, seen, label=WHAT, system=system, fields=SETTINGS_FIELDS)
    data = {f: getattr(reg, f) for f in SETTINGS_FIELDS}
    data.update(changes)
    clean, errors = _settings_validate(data, locked)
    if errors:
        raise DomainError(errors)
    if clean["is_open"] and reg.opened_at is None:
        clean["opened_at"] = timezone.now()
    row_update(
        reg,
        changes=clean,
        seen=reg.revision,
        actor=actor,
        action="outreach.registration.settings",
        label=WHAT,
        event_id=locked.pk,
        system=True,
    )
    _promote(locked, reg, actor=actor)
    return reg


# ---------------------------------------------------------------- the flood limit
def _advisory_lock(key: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x68640009, zlib.crc32(key.encode()) - 2**31])


def flood_guard(*, event: Event | int, address: str, now: dt.datetime | None = None) -> None:
    """Count one submission from ``address``; ``RegistrationFlood`` (nothing counted) when the address
    already sent ``HUODONG_REGISTRATIONS_PER_ADDRESS`` within ``HUODONG_REGISTRATION_WINDOW``. Runs in its
    own transaction, before the registration, so a refused submission is counted too."""
    limit = int(getattr(settings, "HUODONG_REGISTRATIONS_PER_ADDRESS", 10))
    window = getattr(settings, "HUODONG_REGISTRATION_WINDOW", dt.timedelta(minutes=10))
    address = (address or "unknown")[:64]
    now = now or timezone.now()
    event_id = event.pk if isinstance(event, Event) else event
    with transaction.atomic():
        _advisory_lock(f"reg:{address}")
        RegistrationAttempt.objects.filter(at__lt=now - max(window, dt.timedelta(days=1))).delete()
        recent = list(
            RegistrationAttempt.objects.filter(address=address, at__gt=now - window)
            .order_by("-at", "-id")
            .values_list("at", flat=True)[:limit]
        )
        if limit <= 0 or len(recent) >= limit:
            oldest = recent[-1] if recent else now
            raise RegistrationFlood(until=oldest + window)
        RegistrationAttempt.objects.create(event_id=event_id, address=address, at=now)


# ---------------------------------------------------------------- registering
@dataclass
class _Contact:
    name: str
    phone: str
    email: str
    company: str
    title: str


def _contact_clean(
    data: dict[str, Any], *, phone_required: bool = True
) -> tuple[_Contact, dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    name = text_clean(
        data.get("name"),
        field="name",
        label=_("姓名"),
        limit=NAME_MAX,
        errors=errors,
        multiline=False,
        required=True,
    )
    company = text_clean(
        data.get("company"),
        field="company",
        label=_("公司"),
        limit=COMPANY_MAX,
        errors=errors,
        multiline=False,
    )
    title = text_clean(
        data.get("title"), field="title", label=_("职务"), limit=TITLE_MAX, errors=errors, multiline=False
    )
    phone = email = ""
    raw_phone = str(data.get("phone") or "")[:40]
    raw_email = str(data.get("email") or "")[:254]
    try:
        phone = contact.normalise_phone(raw_phone)
    except ValueError as exc:
        errors["phone"] = [str(exc)]
    else:
        if phone_required and not phone:
            errors["phone"] = [_("请填写手机号:电子票与活动通知将发送到这里。")]
    try:
        email = contact.normalise_email(raw_email)
    except ValueError as exc:
        errors["email"] = [str(exc)]
    return _Contact(name=name, phone=phone, email=email, company=company, title=title), errors


def _same_person(event: Event, c: _Contact, *, other_than: int | None = None) -> list[Guest]:
    q = Q()
    if c.phone:
        q |= Q(phone=c.phone)
    if c.email:
        q |= Q(email=c.email)
    if not q:
        return []
    rows = Guest.objects.filter(Q(event=event) & q).order_by("id")
    if other_than is not None:
        rows = rows.exclude(pk=other_than)
    return list(rows.select_for_update())


def _duplicate(c: _Contact, found: list[Guest]) -> DuplicateRegistration:
    errors: dict[str, list[Any]] = {}
    hint = _("如需查看电子票或修改报名,请使用报名确认短信或邮件中的链接;如有疑问请联系主办方。")
    for g in found:
        if c.phone and g.phone == c.phone:
            errors["phone"] = [_("该手机号已报名本活动。") + " " + str(hint)]
        if c.email and g.email == c.email:
            errors["email"] = [_("该邮箱已报名本活动。") + " " + str(hint)]
    return DuplicateRegistration(errors or {"__all__": [hint]})


def reminder_plan(event: Event) -> tuple[int, list[str] | None] | None:
    """The reminder's offset from the event's start and its channels (None: every channel): the event's
    reminder schedule when it has one, else three days before (NT-2). None when the organiser switched
    the reminder off in the schedule."""
    row = NoticeSchedule.objects.filter(event=event, kind=MessageKind.REMINDER).first()
    if row is None:
        return REMINDER_OFFSET_MINUTES, None
    if not row.enabled:
        return None
    return row.offset_minutes, (list(row.channels) or None)


def _queue_reminder(guest: Guest, event: Event, now: dt.datetime) -> None:
    """The guest's reminder (NT-2), keyed as the schedule keys it (``reminder:<guest>:<channel>``) so the
    schedule's "queue the reminders" never adds a second one. A reminder cancelled with an earlier
    registration of the same guest is written again and revived."""
    plan = reminder_plan(event)
    if plan is None:
        return
    offset, channels = plan
    if event.starts_at + dt.timedelta(minutes=offset) <= now:
        return  # registered after the reminder's moment: the confirmation says it all
    fresh = messaging.guest_messages(
        event, [guest], MessageKind.REMINDER, channels=channels, offset_minutes=offset
    )
    for message in fresh:
        row, created = outbox.enqueue(message)
        if not created and row.status == Message.Status.CANCELLED:
            Message.objects.filter(pk=row.pk, status=Message.Status.CANCELLED).update(
                subject=message.subject,
                body=message.body,
                recipient=message.recipient,
                language=message.language,
                template=message.template,
                extras=message.extras,
                offset_minutes=offset,
                due_at=message.due_at,
                not_before=message.due_at,
                status=Message.Status.PENDING,
                attempts=0,
                last_error="",
            )


def consents_record(
    guest: Guest,
    *,
    offered: tuple[str, ...],
    given: dict[str, bool],
    version: str,
    address: str,
    now: dt.datetime,
) -> None:
    for purpose in offered:
        granted = bool(given.get(purpose))
        Consent.objects.update_or_create(
            guest=guest,
            purpose=purpose,
            defaults={
                "granted": granted,
                "notice_version": version,
                "source": "registration",
                "granted_at": now if granted else None,
                "withdrawn_at": None,
                "address": address[:64],
            },
        )


@transaction.atomic
def register(
    *,
    event: Event | int,
    name: str,
    phone: str,
    email: str = "",
    company: str = "",
    title: str = "",
    answers: dict[str, Any] | None = None,
    consents: dict[str, bool] | None = None,
    language: str = "zh-hans",
    address: str = "",
    now: dt.datetime | None = None,
) -> Guest:
    """Register a guest from the public page (see the module's docstring); returns the guest, registered
    or waitlisted."""
    now = now or timezone.now()
    locked = event_load(event, lock=True)  # step 1 of the lock order (no person acts: the guest's page)
    reg = _settings_locked(locked)  # step 2: registrations of one event are serialised here
    reason = closed_reason(reg, locked, now)
    if reason is not None:
        raise RegistrationClosed({"__all__": [reason]})
    language = "en" if (language or "").startswith("en") else "zh-hans"
    c, errors = _contact_clean(
        {"name": name, "phone": phone, "email": email, "company": company, "title": title}
    )
    clean_answers, answer_errors = answers_clean(reg.questions or [], answers or {}, language)
    errors.update(answer_errors)
    given = {p: bool((consents or {}).get(p)) for p in pipl.PURPOSES}
    if not given[pipl.OPERATION]:
        errors["consent_operation"] = [_("报名须同意为举办本次活动处理您的个人信息;其余目的可不勾选。")]
    if errors:
        raise DomainError(errors)
    found = _same_person(locked, c)
    holding = [g for g in found if g.status in (*ACTIVE, GuestStatus.CHECKED_IN)]
    if holding:
        raise _duplicate(c, holding)
    if len(found) > 1:
        raise DuplicateRegistration(
            {"__all__": [_("该手机号与邮箱分属本活动的两条不同记录,无法自动合并;请只填其一,或联系主办方。")]}
        )
    seated = seated_count(locked)
    full = bool(reg.capacity) and seated >= reg.capacity
    status = GuestStatus.WAITLISTED if full else GuestStatus.REGISTERED
    values = {
        "name": c.name,
        "company": c.company,
        "title": c.title,
        "answers": clean_answers,
        "language": language,
        "status": status,
        "registered_at": now if status == GuestStatus.REGISTERED else None,
        "waitlisted_at": now if status == GuestStatus.WAITLISTED else None,
        "cancelled_at": None,
        "sort_key": sort_key(c.name),
    }
    if found:
        guest = found[0]
        # An invited guest (or one who cancelled before) registers on the same row; what they typed wins,
        # an address they left empty keeps the one on the list.
        values["phone"] = c.phone or guest.phone
        values["email"] = c.email or guest.email
        for k, v in values.items():
            setattr(guest, k, v)
        guest.revision += 1
        guest.save(update_fields=[*values, "revision"])
    else:
        guest = Guest.objects.create(
            event=locked, phone=c.phone, email=c.email, source=Guest.Source.REGISTRATION, **values
        )
    guest.event = locked
    offered = pipl.offered_purposes(reg.cohosts)
    notice = notice_for_event(locked, reg, language)
    consents_record(guest, offered=offered, given=given, version=notice.version, address=address, now=now)
    key = f"reg{guest.revision}"
    if status == GuestStatus.REGISTERED:
        tickets.issue(guest)
        messaging.queue_guest_message(guest, MessageKind.CONFIRMATION, key=key)
        _queue_reminder(guest, locked, now)  # REQ: NT-2
    else:
        messaging.queue_guest_message(guest, MessageKind.WAITLISTED, key=key)
    audit_record(
        actor=None,
        action="outreach.registration.register",
        target=guest,
        event_id=locked.pk,
        summary=Said(_("%(name)s 报名(%(status)s)"), name=guest.name, status=GuestStatus(status).label),
        after={
            "status": status,
            "consents": {p: given[p] for p in offered},
            "notice_version": notice.version,
            "address": address[:64],
        },
    )
    return guest


# ---------------------------------------------------------------- the waiting list
def _promote(event: Event, reg: RegistrationSettings, *, actor: User | None) -> list[Guest]:
    """Move the waiting list up while there are seats (the caller holds the event and settings locks)."""
    promoted: list[Guest] = []
    now = timezone.now()
    while True:
        if reg.capacity and seated_count(event) >= reg.capacity:
            break
        nxt = waitlist_queue(event).values_list("id", flat=True).first()
        if nxt is None:
            break
        guest = Guest.objects.select_for_update().get(pk=nxt)
        guest.status = GuestStatus.REGISTERED
        guest.registered_at = now
        guest.revision += 1
        guest.save(update_fields=["status", "registered_at", "revision"])
        guest.event = event
        tickets.issue(guest)
        key = f"promo{guest.revision}"
        outbox.cancel_waiting(guest=guest, kind=MessageKind.WAITLISTED, reason="promoted")
        messaging.queue_guest_message(guest, MessageKind.PROMOTED, key=key)
        _queue_reminder(guest, event, now)  # REQ: NT-2
        audit_record(
            actor=actor,
            action="outreach.registration.promote",
            target=guest,
            event_id=event.pk,
            summary=Said(_("%(name)s 由候补转为正式报名"), name=guest.name),
        )
        promoted.append(guest)
    return promoted


def _cancel_one(guest: Guest, *, now: dt.datetime, prefix: str, reason: str) -> None:
    """Cancel a held registration: status, ticket revoked, waiting messages cancelled, the cancellation
    (its key names this revision of the guest, so a later registration cancelled again is told again)."""
    guest.status = GuestStatus.CANCELLED
    guest.cancelled_at = now
    guest.revision += 1
    guest.save(update_fields=["status", "cancelled_at", "revision"])
    ticket = Ticket.objects.filter(guest=guest).first()
    if ticket is not None:
        tickets.revoke(ticket)
    outbox.cancel_waiting(guest=guest, kind__in=list(REGISTRATION_KINDS), reason=reason)
    messaging.queue_guest_message(guest, MessageKind.CANCELLATION, key=f"{prefix}{guest.revision}")


def _guest_locked(event: Event, guest_id: int) -> Guest:
    guest = Guest.objects.select_for_update().filter(pk=guest_id, event=event).first()
    if guest is None:
        raise NotFound(_("链接无效:找不到这份报名。请使用报名确认中的链接。"))
    guest.event = event
    return guest


def _guest_lock_by_key(
    access_key: str, *, steps: tuple[str, ...] = OUTREACH_STEPS
) -> tuple[Event, RegistrationSettings, Guest]:
    """The guest's own link as authority: the lock order (event, settings, guest) for a self-service write."""
    found = guest_for_key(access_key)
    locked = outreach_event_lock(actor=None, event=found.event_id, what=_("报名"), system=True, steps=steps)
    reg = _settings_locked(locked)
    return locked, reg, _guest_locked(locked, found.pk)


@transaction.atomic
def registration_cancel(*, access_key: str, seen: int | None = None) -> Guest:
    """The guest cancels (from the ticket page): the ticket stops working, waiting reminders are cancelled,
    the cancellation goes out (e-mail with METHOD:CANCEL) and the first on the waiting list moves up."""
    locked, reg, guest = _guest_lock_by_key(access_key)
    if seen is not None:
        revision_require(guest, seen, label=_("您的报名"))
    if guest.status not in ACTIVE:
        raise DomainError(
            {"__all__": [_("这份报名当前为「%(s)s」,无需取消。") % {"s": guest.get_status_display()}]}
        )
    held_seat = guest.status == GuestStatus.REGISTERED
    now = timezone.now()
    _cancel_one(guest, now=now, prefix="cancel", reason="registration cancelled")
    audit_record(
        actor=None,
        action="outreach.registration.cancel",
        target=guest,
        event_id=locked.pk,
        summary=Said(_("%(name)s 取消报名"), name=guest.name),
    )
    if held_seat:
        _promote(locked, reg, actor=None)
    return guest


def waitlist_move_up(event: Event, *, actor: User | None) -> list[Guest]:
    """Seats freed by an organiser (a guest set to cancelled or declined by hand): the waiting list moves
    up as on a guest's own cancellation. The caller holds the event's lock; the settings are locked next."""
    if not RegistrationSettings.objects.filter(event=event).exists():
        return []
    return _promote(event, _settings_locked(event), actor=actor)


@transaction.atomic
def details_update(
    *,
    access_key: str,
    seen: int | None,
    name: str,
    phone: str,
    email: str = "",
    company: str = "",
    title: str = "",
) -> Guest:
    """The guest corrects their details; a phone or e-mail another registration of the event uses is
    refused (without saying whose)."""
    locked, _reg, guest = _guest_lock_by_key(access_key)
    c, errors = _contact_clean(
        {"name": name, "phone": phone, "email": email, "company": company, "title": title}
    )
    if errors:
        raise DomainError(errors)
    others = _same_person(locked, c, other_than=guest.pk)
    if others:
        errors = {}
        for g in others:
            if c.phone and g.phone == c.phone:
                errors["phone"] = [_("该手机号已被本活动的另一份报名使用,请换一个或联系主办方。")]
            if c.email and g.email == c.email:
                errors["email"] = [_("该邮箱已被本活动的另一份报名使用,请换一个或联系主办方。")]
        raise DuplicateRegistration(errors)
    row_update(
        guest,
        changes={
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "company": c.company,
            "title": c.title,
            "sort_key": sort_key(c.name),
        },
        seen=seen,
        actor=None,
        action="outreach.registration.details",
        label=_("您的报名"),
        event_id=locked.pk,
        system=seen is None,
    )
    return guest


@transaction.atomic
def consent_withdraw(*, access_key: str, purpose: str, address: str = "") -> Consent:
    """Withdraw one consent: ``withdrawn_at`` set, every waiting message of that purpose cancelled; the
    outbox sends nothing more for it. Withdrawing "operation" stops every message about the event."""
    if purpose not in pipl.PURPOSES:
        raise DomainError({"purpose": [_("未知的目的;可撤回:%(p)s。") % {"p": "、".join(pipl.PURPOSES)}]})
    # Withdrawing is always possible, whatever the event's step (PIPL art. 15).
    locked, _reg, guest = _guest_lock_by_key(access_key, steps=tuple(Step.values))
    row = Consent.objects.select_for_update().filter(guest=guest, purpose=purpose).first()
    if row is None or not row.standing:
        raise DomainError({"purpose": [_("您没有给出这项同意,或已撤回。")]})
    now = timezone.now()
    row.withdrawn_at = now
    row.address = (address or row.address)[:64]
    row.save(update_fields=["withdrawn_at", "address"])
    outbox.cancel_waiting(guest=guest, purpose=purpose, reason="consent withdrawn")
    audit_record(
        actor=None,
        action="outreach.consent.withdraw",
        target=guest,
        event_id=locked.pk,
        summary=Said(
            _("%(name)s 撤回同意:%(purpose)s"), name=guest.name, purpose=Consent.Purpose(purpose).label
        ),
        after={"purpose": purpose, "address": address[:64]},
    )
    return row


# ---------------------------------------------------------------- the organiser cancels the event
@transaction.atomic
def event_cancel_for_guests(
    *, actor: User | None, event: Event | int, seen: int | None, system: bool = False
) -> int:
    """Cancel every registered or waiting guest (tickets revoked, reminders cancelled, the cancellation
    with METHOD:CANCEL to each) and close registration. Returns how many were cancelled."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    reg = _settings_locked(locked)
    revision_require(reg, seen, label=WHAT, system=system, fields=SETTINGS_FIELDS)
    now = timezone.now()
    ids = list(
        Guest.objects.filter(event=locked, status__in=ACTIVE).order_by("id").values_list("id", flat=True)
    )
    for guest_id in ids:
        guest = _guest_locked(locked, guest_id)
        _cancel_one(guest, now=now, prefix="event-cancelled", reason="event cancelled")
    row_update(
        reg,
        changes={"is_open": False},
        seen=reg.revision,
        actor=actor,
        action="outreach.registration.close",
        label=WHAT,
        event_id=locked.pk,
        system=True,
    )
    audit_record(
        actor=actor,
        action="outreach.registration.cancel_event",
        target=reg,
        event_id=locked.pk,
        summary=Said(_("取消活动报名:通知 %(n)s 位嘉宾"), n=len(ids)),
        after={"cancelled": len(ids)},
    )
    return len(ids)


# ---------------------------------------------------------------- the event changed
def _moved(before: dict[str, Any], event: Event) -> bool:
    """Whether the time or the place differs from ``before`` (a snapshot: times as ISO text, compared as
    instants, so the same moment written in another zone is no change)."""
    for field in ("starts_at", "ends_at"):
        was = before.get(field)
        if isinstance(was, str):
            try:
                was = dt.datetime.fromisoformat(was)
            except ValueError:
                return True
        if was is not None and was != getattr(event, field):
            return True
    return "venue" in before and (before["venue"] or "") != (event.venue or "")


def event_changed(event: Event, before: dict[str, Any]) -> int:
    """When the time or the place changed: an UPDATE (e-mail with the .ics, a larger SEQUENCE) to every
    registered guest, once per event revision (key ``update:<revision>``). Runs inside the transaction
    that changed the event (the ``event_updated`` signal). Returns how many messages were queued."""
    if not isinstance(before, dict) or not _moved(before, event):
        return 0
    guests = list(
        Guest.objects.filter(event=event, status=GuestStatus.REGISTERED)
        .select_related("ticket")
        .order_by("id")
    )
    if not guests:
        return 0
    rows = messaging.guest_messages(event, guests, MessageKind.UPDATE, key=f"update:{event.revision}")
    return outbox.enqueue_many(rows)
