"""The guest list of an event (issue 9, point 1; NT-2): who is invited, by which department, and where each
guest stands (invited, registered, waiting list, declined, cancelled, checked in, no-show).

- A guest has a name, company, title, mobile phone (E.164, mainland or international: ``contact``), e-mail
  (lower-cased), category, inviting department and person, status, language, WeChat OpenID and a note.
  A phone number or an e-mail address belongs to one guest of the event: a second guest with either is
  refused with the existing guest named (the import merges instead, when asked: ``excel_guests``).
- ``sort_key`` is the pinyin of the name (``王小明`` → ``wangxiaoming wxm``), so the list sorts and is
  searched the way people type a Chinese name.
- Who: the editors of the event (``Need.EDIT``) manage every guest; a member of the event's team adds and
  edits the guests of their own department (so that each department fills its quota) — never another
  department's. Everybody else who may view the event reads the list with phones and e-mails masked.
- Bulk actions (``guests_bulk``) act on a selection of ids or on a filter: set the category, the
  department or the status, remove, or send a message (``guests_send``: inline up to ``SEND_INLINE``
  guests, a background job beyond).

Every write takes the event's lock first (``rules.outreach_event_lock``), then the guests by id, and writes
an audit row; a change says which revision it saw (428 without, 409 when old).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as AuditMessage
from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Department, User
from huodong.core.text import text_clean
from huodong.core.widgets import pinyin_keys
from huodong.events.access import Member, Need, event_access, event_for
from huodong.events.models import Event

from .. import contact
from ..models import DepartmentQuota, Guest, GuestCategory, GuestStatus, Job, Message, MessageKind
from ..rules import OUTREACH_REFUSAL, outreach_event_lock

NAME_MAX = 100
COMPANY_MAX = 200
TITLE_MAX = 100
NOTE_MAX = 2000
OPENID_MAX = 64
LANGUAGES = ("zh-hans", "en")
WHAT = _("嘉宾名单")
# Set by hand (a bulk action or one guest's page); registering, the waiting list and check-in are set by
# the registration and check-in services.
MANUAL_STATUSES = (
    GuestStatus.INVITED,
    GuestStatus.DECLINED,
    GuestStatus.CANCELLED,
    GuestStatus.NO_SHOW,
)
# The guests that no longer come: they do not count against a quota and get no more messages.
GONE = (GuestStatus.DECLINED, GuestStatus.CANCELLED)
SEND_INLINE = 500  # a bulk send of more guests runs in the worker (jobs.py)
BULK_MAX = 100_000
GUEST_FIELDS = (
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
)
TEAM_REFUSAL = _("团队成员只能添加和修改本部门邀请的嘉宾。")
NO_DEPARTMENT = _("您的账号没有所属部门,不能作为部门添加嘉宾;请联系管理员。")


# ---------------------------------------------------------------- who may change which guest
def guest_scope(actor: User | None, event: Event) -> str:
    """What ``actor`` may do with the guests of ``event``: ``"all"`` (an editor), ``"department"`` (a
    team member, or the contact named on their department's quota: the guests of their own department),
    or ``""`` (read only)."""
    access = event_access(actor, event)
    if access.can(Need.EDIT):
        return "all"
    if actor is None or not actor.department_id or not access.can(Need.VIEW):
        return ""
    if Member.TEAM in access:
        return "department"
    contact_of_quota = DepartmentQuota.objects.filter(
        event_id=event.pk, contact=actor, department_id=actor.department_id
    ).exists()
    return "department" if contact_of_quota else ""


def can_see_contact(actor: User | None, event: Event, guest: Guest | None = None) -> bool:
    """PIPL: editors see phones and e-mails in full; a team member those of their department's guests;
    everybody else masked."""
    scope = guest_scope(actor, event)
    if scope == "all":
        return True
    return bool(scope == "department" and guest is not None and actor is not None
                and guest.department_id == actor.department_id)  # fmt: skip


def _lock(actor: User | None, event: Event | int, *, system: bool = False) -> tuple[Event, str]:
    """The event locked for a guest write and the actor's scope; a person with no right to change guests
    gets 403 before the step is looked at."""
    if system:
        return outreach_event_lock(actor=actor, event=event, what=WHAT, system=True), "all"
    seen = event_for(actor, event, Need.VIEW)
    scope = guest_scope(actor, seen)
    if not scope:
        raise NotAllowed(OUTREACH_REFUSAL)
    if scope == "department" and actor is not None and not actor.department_id:
        raise NotAllowed(NO_DEPARTMENT)
    locked = outreach_event_lock(actor=actor, event=seen.pk, what=WHAT, need=Need.VIEW)
    return locked, scope


def _editor_lock(actor: User | None, event: Event | int, *, system: bool = False) -> Event:
    return outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)


# ---------------------------------------------------------------- reads
def guest_get(*, event: Event, guest_id: Any) -> Guest:
    row = (
        Guest.objects.filter(event=event, pk=_pk(guest_id)).select_related("department", "invited_by").first()
    )
    if row is None:
        raise NotFound(_missing(guest_id))
    return row


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 1 <= pk <= 2**31 - 1 else 0


def _missing(guest_id: Any) -> Any:
    return _("嘉宾 %(id)s 不存在。") % {"id": guest_id}


def _label(row: Guest) -> Any:
    return _("嘉宾「%(name)s」") % {"name": row.name}


# ---------------------------------------------------------------- validation
_PINYIN: dict[str, tuple[str, str]] = {}


def _syllable(ch: str) -> tuple[str, str]:
    found = _PINYIN.get(ch)
    if found is None:
        found = (
            (pinyin_keys(ch).split(" ")[0], "")
            if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
            else ("", "")
        )
        found = (found[0], found[0][:1])
        _PINYIN[ch] = found
    return found


def sort_key(name: str) -> str:
    """The pinyin of a name and its initials (``王小明`` → ``wangxiaoming wxm``; ``Anna Li`` → ``annali
    al``), as ``core.widgets.pinyin_keys`` but per character with a memo (an import of 100,000 guests
    computes each character once; a polyphone takes its common reading)."""
    syllables: list[str] = []
    initials: list[str] = []
    word = False
    for ch in name:
        if ch.isascii():
            if ch.isalnum():
                syllables.append(ch.lower())
                if not word:
                    initials.append(ch.lower())
                word = True
            else:
                word = False
            continue
        word = False
        full, first = _syllable(ch)
        if full:
            syllables.append(full)
            initials.append(first)
    return f"{''.join(syllables)} {''.join(initials)}".strip()[:200]


def _choice(value: Any, choices: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text not in choices.values:
        allowed = "、".join(f"{v}({lbl})" for v, lbl in choices.choices)
        errors.setdefault(field, []).append(
            _("%(label)s须为以下之一:%(allowed)s。") % {"label": label, "allowed": allowed}
        )
    return text


def guest_clean(data: dict[str, Any], *, errors: dict[str, list[Any]]) -> dict[str, Any]:
    """The guest's fields checked and normalised (phone E.164, e-mail lower-cased); problems in ``errors``
    by field."""
    clean: dict[str, Any] = {
        "name": text_clean(
            data.get("name"), field="name", label=_("姓名"), limit=NAME_MAX, errors=errors,
            required=True, multiline=False,
        ),
        "company": text_clean(
            data.get("company"), field="company", label=_("公司"), limit=COMPANY_MAX, errors=errors,
            multiline=False,
        ),
        "title": text_clean(
            data.get("title"), field="title", label=_("职务"), limit=TITLE_MAX, errors=errors, multiline=False
        ),
        "note": text_clean(data.get("note"), field="note", label=_("备注"), limit=NOTE_MAX, errors=errors),
        "wechat_openid": text_clean(
            data.get("wechat_openid"), field="wechat_openid", label=_("微信 OpenID"), limit=OPENID_MAX,
            errors=errors, multiline=False,
        ),
    }  # fmt: skip
    for field, normalise in (("phone", contact.normalise_phone), ("email", contact.normalise_email)):
        raw = text_clean(
            data.get(field), field=field, label=_("手机") if field == "phone" else _("邮箱"), limit=254,
            errors=errors, multiline=False,
        )  # fmt: skip
        try:
            clean[field] = normalise(raw) if field not in errors else ""
        except ValueError as exc:
            errors.setdefault(field, []).append(str(exc))
            clean[field] = ""
    clean["category"] = _choice(
        data.get("category") or GuestCategory.CUSTOMER, GuestCategory, field="category", label=_("类别"),
        errors=errors,
    )  # fmt: skip
    language = data.get("language") or "zh-hans"
    if language not in LANGUAGES:
        errors.setdefault("language", []).append(_("语言须为 zh-hans(中文)或 en(英文)。"))
    clean["language"] = language
    department = data.get("department")
    if department is not None and (not isinstance(department, Department) or not department.is_active):
        errors.setdefault("department", []).append(_("邀请部门须为启用中的部门。"))
        department = None
    clean["department"] = department
    invited_by = data.get("invited_by")
    if invited_by is not None and (not isinstance(invited_by, User) or not invited_by.is_active):
        errors.setdefault("invited_by", []).append(_("邀请人须为在职人员。"))
        invited_by = None
    clean["invited_by"] = invited_by
    return clean


def duplicate_problems(
    event: Event, *, phone: str, email: str, other_than: int | None = None
) -> dict[str, list[Any]]:
    """A phone or e-mail that already belongs to another guest of the event, with that guest named."""
    errors: dict[str, list[Any]] = {}
    for field, value, label in (("phone", phone, _("手机号")), ("email", email, _("邮箱"))):
        if not value:
            continue
        qs = Guest.objects.filter(event=event, **{field: value})
        if other_than is not None:
            qs = qs.exclude(pk=other_than)
        other = qs.only("id", "name").first()
        if other is not None:
            errors[field] = [
                _("%(label)s %(value)s 已属于嘉宾「%(name)s」(编号 %(id)s);同一活动中不能重复。")
                % {
                    "label": label,
                    "value": contact.display_phone(value) if field == "phone" else value,
                    "name": other.name,
                    "id": other.pk,
                }
            ]
    return errors


def _department_only(scope: str, actor: User | None, department: Department | None) -> None:
    if (
        scope == "department"
        and actor is not None
        and (department is None or department.pk != actor.department_id)
    ):
        raise NotAllowed(TEAM_REFUSAL)


# ---------------------------------------------------------------- writes: one guest
@transaction.atomic
def guest_add(
    *,
    actor: User | None,
    event: Event | int,
    name: str,
    company: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
    category: str = GuestCategory.CUSTOMER,
    department: Department | None = None,
    invited_by: User | None = None,
    language: str = "zh-hans",
    wechat_openid: str = "",
    note: str = "",
    status: str = GuestStatus.INVITED,
    source: str = Guest.Source.MANUAL,
    system: bool = False,
) -> Guest:
    """A guest on the list (status invited unless said). A team member's guest is their department's, and
    they are its inviting person unless another is named."""
    locked, scope = _lock(actor, event, system=system)
    if scope == "department" and actor is not None:
        department = department or actor.department
        invited_by = invited_by or actor
    errors: dict[str, list[Any]] = {}
    clean = guest_clean(
        {
            "name": name, "company": company, "title": title, "phone": phone, "email": email,
            "category": category, "department": department, "invited_by": invited_by, "language": language,
            "wechat_openid": wechat_openid, "note": note,
        },
        errors=errors,
    )  # fmt: skip
    if status not in MANUAL_STATUSES and not system:
        errors.setdefault("status", []).append(
            _("新嘉宾的状态须为以下之一:%(allowed)s。")
            % {"allowed": "、".join(str(GuestStatus(s).label) for s in MANUAL_STATUSES)}
        )
    if errors:
        raise DomainError(errors)
    _department_only(scope, actor, clean["department"])
    duplicates = duplicate_problems(locked, phone=clean["phone"], email=clean["email"])
    if duplicates:
        raise DomainError(duplicates, code="duplicate")
    row = Guest.objects.create(
        event=locked, status=status, source=source, sort_key=sort_key(clean["name"]), **clean
    )
    audit_record(
        actor=actor,
        action="outreach.guest.add",
        target=row,
        event_id=locked.pk,
        summary=AuditMessage(_("添加嘉宾「%(name)s」"), name=row.name),
        after=snapshot(row, [*GUEST_FIELDS, "status", "source"]),
    )
    return row


def _row_locked(event: Event, guest_id: Any) -> Guest:
    row = Guest.objects.select_for_update().filter(pk=_pk(guest_id), event=event).first()
    if row is None:
        raise NotFound(_missing(guest_id))
    return row


@transaction.atomic
def guest_update(
    *,
    actor: User | None,
    event: Event | int,
    guest_id: Any,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Guest:
    """Change some of the guest's fields (``GUEST_FIELDS``), seen at revision ``seen``."""
    unknown = set(changes) - set(GUEST_FIELDS)
    if unknown:
        raise DomainError(
            {
                f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(GUEST_FIELDS)}]
                for f in sorted(unknown)
            }
        )
    locked, scope = _lock(actor, event, system=system)
    row = _row_locked(locked, guest_id)
    if scope == "department" and actor is not None and row.department_id != actor.department_id:
        raise NotAllowed(TEAM_REFUSAL)
    revision_require(row, seen, label=_label(row), system=system, fields=GUEST_FIELDS)
    data = {f: getattr(row, f) for f in GUEST_FIELDS}
    data.update(changes)
    errors: dict[str, list[Any]] = {}
    clean = guest_clean(data, errors=errors)
    if errors:
        raise DomainError(errors)
    _department_only(scope, actor, clean["department"])
    duplicates = duplicate_problems(locked, phone=clean["phone"], email=clean["email"], other_than=row.pk)
    if duplicates:
        raise DomainError(duplicates, code="duplicate")
    if clean["name"] != row.name:
        clean["sort_key"] = sort_key(clean["name"])
    row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="outreach.guest.update",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    return row


@transaction.atomic
def guest_remove(
    *, actor: User | None, event: Event | int, guest_id: Any, seen: int | None, system: bool = False
) -> None:
    """Take a guest off the list (with their consents, ticket and waiting messages)."""
    locked, scope = _lock(actor, event, system=system)
    row = _row_locked(locked, guest_id)
    if scope == "department" and actor is not None and row.department_id != actor.department_id:
        raise NotAllowed(TEAM_REFUSAL)
    revision_require(row, seen, label=_label(row), system=system, fields=GUEST_FIELDS)
    _refuse_removing_sent(locked, [row.pk])
    audit_record(
        actor=actor,
        action="outreach.guest.remove",
        target=row,
        event_id=locked.pk,
        summary=AuditMessage(_("删除嘉宾「%(name)s」"), name=row.name),
        before=snapshot(row, [*GUEST_FIELDS, "status"]),
    )
    row.delete()


def _refuse_removing_sent(event: Event, ids: list[int]) -> None:
    """A guest who checked in stays on the list (the on-site record and the review count them)."""
    checked = list(
        Guest.objects.filter(event=event, pk__in=ids, status=GuestStatus.CHECKED_IN).values_list(
            "name", flat=True
        )[:10]
    )
    if checked:
        raise DomainError(
            {"__all__": [_("已签到的嘉宾不能删除:%(names)s。") % {"names": "、".join(checked)}]}
        )


def _status_effects(event: Event, guests: list[Guest], status: str, now: dt.datetime) -> None:
    """What a status set by hand also changes: a guest who no longer comes has their ticket revoked and
    their waiting messages cancelled."""
    if status not in GONE:
        return
    from .. import tickets
    from ..models import Ticket
    from .outbox import cancel_waiting

    for ticket in Ticket.objects.filter(guest__in=guests, revoked_at__isnull=True):
        tickets.revoke(ticket)
    cancel_waiting(reason="guest " + status, guest__in=guests)
    from .registration import waitlist_move_up

    waitlist_move_up(event, actor=None)  # a freed seat goes to the first on the waiting list


@transaction.atomic
def guest_status_set(
    *,
    actor: User | None,
    event: Event | int,
    guest_id: Any,
    seen: int | None,
    status: str,
    reason: str = "",
    system: bool = False,
) -> Guest:
    """Set a guest's status by hand: invited, declined, cancelled or no-show (``MANUAL_STATUSES``)."""
    locked, scope = _lock(actor, event, system=system)
    row = _row_locked(locked, guest_id)
    if scope == "department" and actor is not None and row.department_id != actor.department_id:
        raise NotAllowed(TEAM_REFUSAL)
    revision_require(row, seen, label=_label(row), system=system, fields=("status",))
    errors: dict[str, list[Any]] = {}
    status = _manual_status(status, errors)
    note = text_clean(reason, field="reason", label=_("原因"), limit=300, errors=errors, multiline=False)
    if errors:
        raise DomainError(errors)
    now = timezone.now()
    changes: dict[str, Any] = {"status": status}
    if status == GuestStatus.CANCELLED and row.cancelled_at is None:
        changes["cancelled_at"] = now
    row_update(
        row,
        changes=changes,
        seen=row.revision,
        actor=actor,
        action="outreach.guest.status",
        label=_label(row),
        event_id=locked.pk,
        summary=AuditMessage(
            _("嘉宾「%(name)s」状态改为%(status)s%(why)s"),
            name=row.name,
            status=GuestStatus(status).label,
            why=f"({note})" if note else "",
        ),  # fmt: skip
        system=system,
    )
    _status_effects(locked, [row], status, now)
    return row


def _manual_status(value: Any, errors: dict[str, list[Any]]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text not in MANUAL_STATUSES:
        allowed = "、".join(f"{s}({GuestStatus(s).label})" for s in MANUAL_STATUSES)
        errors.setdefault("status", []).append(
            _("状态须为以下之一:%(allowed)s;报名、候补与签到由报名和签到流程设置。") % {"allowed": allowed}
        )
    return text


# ---------------------------------------------------------------- bulk actions
class BulkAction:
    CATEGORY = "category"
    DEPARTMENT = "department"
    STATUS = "status"
    REMOVE = "remove"
    SEND = "send"
    ALL = (CATEGORY, DEPARTMENT, STATUS, REMOVE, SEND)


def selection(
    event: Event, *, guest_ids: Iterable[Any] | None, filters: dict[str, Any] | None
) -> QuerySet[Guest]:
    """The guests of ``event`` a bulk action acts on: the ids given (those of this event), else those
    matching ``filters`` (``selectors.guests_filtered``)."""
    from ..selectors import guests_filtered

    if guest_ids is not None:
        ids = [pk for pk in (_pk(v) for v in guest_ids) if pk]
        return Guest.objects.filter(event=event, pk__in=ids)
    if filters is not None:
        return guests_filtered(event, filters)
    raise DomainError({"guest_ids": [_("请选择嘉宾,或按筛选条件选择。")]})


@transaction.atomic
def guests_bulk(
    *,
    actor: User | None,
    event: Event | int,
    action: str,
    guest_ids: Iterable[Any] | None = None,
    filters: dict[str, Any] | None = None,
    value: Any = None,
    reason: str = "",
    system: bool = False,
) -> int:
    """One change to many guests (editors only): ``category``/``department``/``status`` to ``value``, or
    ``remove``. Returns how many guests changed. (Sending is ``guests_send``.)"""
    locked = _editor_lock(actor, event, system=system)
    if action not in (BulkAction.CATEGORY, BulkAction.DEPARTMENT, BulkAction.STATUS, BulkAction.REMOVE):
        raise DomainError(
            {"action": [_("批量操作须为以下之一:category、department、status、remove、send。")]}
        )
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    if action == BulkAction.CATEGORY:
        values["category"] = _choice(value, GuestCategory, field="value", label=_("类别"), errors=errors)
    elif action == BulkAction.DEPARTMENT:
        if value is not None and (not isinstance(value, Department) or not value.is_active):
            errors["value"] = [_("邀请部门须为启用中的部门。")]
        values["department"] = value
    elif action == BulkAction.STATUS:
        values["status"] = _manual_status(value, errors)
        if "status" in errors:
            errors["value"] = errors.pop("status")
    if errors:
        raise DomainError(errors)
    qs = selection(locked, guest_ids=guest_ids, filters=filters)
    ids = list(qs.order_by("id").values_list("id", flat=True)[: BULK_MAX + 1])
    if not ids:
        raise DomainError({"guest_ids": [_("没有选中任何嘉宾。")]})
    if len(ids) > BULK_MAX:
        raise DomainError({"guest_ids": [_("一次最多操作 %(n)s 位嘉宾。") % {"n": f"{BULK_MAX:,}"}]})
    rows = Guest.objects.select_for_update().filter(pk__in=ids).order_by("id")
    if action == BulkAction.REMOVE:
        _refuse_removing_sent(locked, ids)
        names = list(rows.values_list("name", flat=True)[:50])
        count = len(ids)
        for start in range(0, len(ids), 1000):
            Guest.objects.filter(pk__in=ids[start : start + 1000]).delete()
        audit_record(
            actor=actor,
            action="outreach.guest.bulk_remove",
            target=locked,
            event_id=locked.pk,
            summary=AuditMessage(_("批量删除 %(n)s 位嘉宾"), n=count),
            before={"guests": ids[:1000], "names": names},
        )
        return count
    list(rows.values_list("id", flat=True))  # take the row locks, by id
    now = timezone.now()
    update: dict[str, Any] = {**values, "revision": F("revision") + 1}
    if values.get("department") is not None:
        update["department"] = values["department"]
    if action == BulkAction.STATUS and values["status"] == GuestStatus.CANCELLED:
        Guest.objects.filter(pk__in=ids, cancelled_at__isnull=True).update(cancelled_at=now)
    count = 0
    for start in range(0, len(ids), 1000):
        count += Guest.objects.filter(pk__in=ids[start : start + 1000]).update(**update)
    if action == BulkAction.STATUS:
        for start in range(0, len(ids), 1000):
            _status_effects(
                locked, list(Guest.objects.filter(pk__in=ids[start : start + 1000])), values["status"], now
            )
    shown = {k: (v.pk if isinstance(v, Department) else v) for k, v in values.items()}
    audit_record(
        actor=actor,
        action=f"outreach.guest.bulk_{action}",
        target=locked,
        event_id=locked.pk,
        summary=AuditMessage(
            _("批量修改 %(n)s 位嘉宾:%(what)s"), n=count, what=", ".join(f"{k}={v}" for k, v in shown.items())
        ),
        after={"guests": ids[:1000], **shown, "reason": reason},
    )
    return count


# ---------------------------------------------------------------- sending (NT-2)
def _send_check(kind: Any, channels: Any, purpose: Any) -> tuple[str, list[str], str]:
    from .messaging import GUEST_KINDS, KIND_CHANNELS

    errors: dict[str, list[Any]] = {}
    if kind not in GUEST_KINDS:
        allowed = "、".join(f"{k}({MessageKind(k).label})" for k in GUEST_KINDS)
        errors["kind"] = [_("消息类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    offered = KIND_CHANNELS.get(kind, ())
    chosen = list(dict.fromkeys(channels or offered))
    if not isinstance(channels, list | tuple | type(None)) or any(c not in offered for c in chosen):
        errors["channels"] = [
            _("渠道须为以下之一:%(allowed)s。") % {"allowed": "、".join(offered) or "email、sms、wechat"}
        ]
    if purpose not in (Message.Purpose.OPERATION, Message.Purpose.MARKETING):
        errors["purpose"] = [_("目的须为 operation(活动运营)或 marketing(营销跟进)。")]
    if errors:
        raise DomainError(errors)
    return str(kind), chosen, str(purpose)


def sendable(qs: QuerySet[Guest], kind: str) -> QuerySet[Guest]:
    """The guests of a selection a message of ``kind`` goes to: not those who declined or cancelled
    (except the cancellation itself)."""
    if kind == MessageKind.CANCELLATION:
        return qs
    return qs.exclude(status__in=GONE)


def guests_send(
    *,
    actor: User | None,
    event: Event | int,
    guest_ids: Iterable[Any] | None = None,
    filters: dict[str, Any] | None = None,
    kind: str,
    channels: Iterable[str] | None,
    due_at: dt.datetime | None = None,
    offset_minutes: int | None = None,
    purpose: str = Message.Purpose.OPERATION,
    key: str = "",
    system: bool = False,
) -> Job | int:
    """Render and queue ``kind`` for the selected guests on ``channels`` (editors only). Up to
    ``SEND_INLINE`` guests: queued now, returns how many messages were new. More: a SEND job does it in the
    worker by batches with progress, and the Job is returned. Each guest and channel is queued once per
    ``key`` (the outbox's idempotency key), so sending twice sends nothing twice."""
    from ..jobs import job_start

    kind, chosen, purpose = _send_check(kind, list(channels) if channels is not None else None, purpose)
    with transaction.atomic():
        locked = _editor_lock(actor, event, system=system)
        qs = sendable(selection(locked, guest_ids=guest_ids, filters=filters), kind)
        ids = list(qs.order_by("id").values_list("id", flat=True))
        if not ids:
            raise DomainError({"guest_ids": [_("没有可发送的嘉宾(已婉拒或已取消的嘉宾不再发送)。")]})
        params = {
            "guest_ids": ids,
            "kind": kind,
            "channels": chosen,
            "due_at": due_at.isoformat() if due_at else None,
            "offset_minutes": offset_minutes,
            "purpose": purpose,
            "key": key,
        }
        if len(ids) > SEND_INLINE:
            return job_start(event=locked, kind=Job.Kind.SEND, actor=actor, params=params)
        created = send_batch(locked, ids, params, actor=actor)
        audit_record(
            actor=actor,
            action="outreach.guest.send",
            target=locked,
            event_id=locked.pk,
            summary=AuditMessage(_("向 %(n)s 位嘉宾发送%(kind)s"), n=len(ids), kind=MessageKind(kind).label),
            after={**params, "guest_ids": ids[:1000], "queued": created},
        )
        return created


def send_batch(
    event: Event, ids: list[int], params: dict[str, Any], *, actor: User | None, job_id: int | None = None
) -> int:
    """Render and queue one batch of guests (inside the caller's transaction); how many rows were new."""
    from . import messaging, outbox

    due = params.get("due_at")
    guests = list(Guest.objects.filter(event=event, pk__in=ids).select_related("ticket").order_by("id"))
    rows = messaging.guest_messages(
        event,
        guests,
        params["kind"],
        channels=params.get("channels") or None,
        due_at=dt.datetime.fromisoformat(due) if due else None,
        offset_minutes=params.get("offset_minutes"),
        purpose=params.get("purpose") or Message.Purpose.OPERATION,
        actor=actor,
        key=params.get("key") or "",
        job_id=job_id,
    )
    return outbox.enqueue_many(rows)
