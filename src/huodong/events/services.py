"""Writes of the events domain: create and edit events, manage event types (SC-2)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_bump, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Department, Role, User
from huodong.core.services import organisation_get
from huodong.core.text import text_clean

from .access import Need, event_access, event_for
from .models import Event, EventType

EDITABLE_FIELDS = (
    "name",
    "event_type",
    "theme",
    "tone",
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "expected_attendance",
    "requesting_department",
    "owner",
)


# The text an organiser types, bounded by its column (PostgreSQL refuses longer; SQLite would keep it).
def column_length(field: str) -> int:
    """The length of an event's text column: the limit of what a page, the API and this module accept."""
    return int(getattr(Event._meta.get_field(field), "max_length", 0) or 0)


TEXT_FIELDS: tuple[tuple[str, int, Any, bool], ...] = (
    ("name", column_length("name"), _("活动名称"), True),
    ("theme", column_length("theme"), _("主题"), False),
    ("tone", column_length("tone"), _("调性"), False),
    ("venue", column_length("venue"), _("地点"), False),
)
MAX_ATTENDANCE = 1_000_000
# Events happen in this century: a year 0001 or 9999 is a typing error (and overflows a time zone).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_valid(name: Any) -> bool:
    return isinstance(name, str) and name in _time_zones()


def _aware(value: dt.datetime, tz_name: str) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
    return value


def _in_range(value: dt.datetime, tz_name: str) -> bool:
    try:
        return EARLIEST <= _aware(value, tz_name) < LATEST
    except (OverflowError, ValueError):
        return False


def can_own_events(user: User | None) -> bool:
    """The owner (负责人) of an event is an organiser or an administrator (separation of duties)."""
    return bool(user and user.is_active and (user.is_admin or user.role == Role.ORGANISER))


def _validate(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Every problem of ``data`` (a whole event) by field; cleans the text fields in place."""
    errors: dict[str, list[Any]] = {}
    for field, limit, label, required in TEXT_FIELDS:
        data[field] = text_clean(
            data.get(field),
            field=field,
            label=label,
            limit=limit,
            errors=errors,
            required=required,
            multiline=False,
        )
    et = data.get("event_type")
    if not isinstance(et, EventType) or not et.is_active:
        errors["event_type"] = [_("未知或已停用的活动类型,请从列表中选择。")]
    tz_name = data.get("time_zone") or "Asia/Shanghai"
    if time_zone_valid(tz_name):
        data["time_zone"] = tz_name
    else:
        errors["time_zone"] = [_("未知的时区,请填写如 Asia/Shanghai 的 IANA 时区名。")]
        tz_name = "UTC"
    starts, ends = data.get("starts_at"), data.get("ends_at")
    for field, value, missing in (
        ("starts_at", starts, _("请填写开始时间。")),
        ("ends_at", ends, _("请填写结束时间。")),
    ):
        if not isinstance(value, dt.datetime):
            errors[field] = [missing]
        elif not _in_range(value, tz_name):
            errors[field] = [_("时间须在 2000 年至 2099 年之间。")]
    if (
        isinstance(starts, dt.datetime)
        and isinstance(ends, dt.datetime)
        and not {"starts_at", "ends_at", "time_zone"} & set(errors)
        and _aware(ends, tz_name) <= _aware(starts, tz_name)
    ):
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    attendance = data.get("expected_attendance", 0)
    if (
        not isinstance(attendance, int)
        or isinstance(attendance, bool)
        or attendance < 0
        or attendance > MAX_ATTENDANCE
    ):
        errors["expected_attendance"] = [_("预计人数须为 0 到 1000000 之间的整数。")]
    dept = data.get("requesting_department")
    if dept is not None and not isinstance(dept, Department):
        errors["requesting_department"] = [_("未知部门。")]
    owner = data.get("owner")
    if not isinstance(owner, User) or not owner.is_active:
        errors["owner"] = [_("负责人须为在职人员。")]
    elif not can_own_events(owner):
        errors["owner"] = [
            _("负责人须为策划人员或管理员(%(name)s 的角色是「%(role)s」)。")
            % {"name": owner.name, "role": owner.get_role_display()}
        ]
    return errors


def _team_errors(team_members: list[User] | None) -> dict[str, list[Any]]:
    if team_members is None:
        return {}
    inactive = [u.name for u in team_members if not isinstance(u, User) or not u.is_active]
    if inactive:
        return {"team_members": [_("团队成员须为在职人员:%(names)s。") % {"names": "、".join(inactive)}]}
    return {}


def _usernames(users: Any) -> list[str]:
    return sorted(u.username for u in users)


def can_create_events(actor: User | None) -> bool:
    return bool(actor and actor.is_authenticated and (actor.is_admin or actor.role == Role.ORGANISER))


@transaction.atomic
def event_create(
    *,
    actor: User,
    name: str,
    event_type: EventType | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    time_zone: str = "Asia/Shanghai",
    theme: str = "",
    tone: str = "",
    venue: str = "",
    expected_attendance: int = 0,
    requesting_department: Department | None = None,
    owner: User | None = None,
    team_members: list[User] | None = None,
) -> Event:
    if not can_create_events(actor):
        raise NotAllowed(_("只有策划人员或管理员可以创建活动。"))
    data: dict[str, Any] = dict(
        name=name,
        event_type=event_type,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone or "Asia/Shanghai",
        theme=theme,
        tone=tone,
        venue=venue,
        expected_attendance=expected_attendance,
        requesting_department=requesting_department,
        owner=owner or actor,
    )
    errors = _validate(data) | _team_errors(team_members)
    if errors:
        raise DomainError(errors)
    data["starts_at"] = _aware(data["starts_at"], data["time_zone"])
    data["ends_at"] = _aware(data["ends_at"], data["time_zone"])
    event = Event.objects.create(**data)
    if team_members:
        event.team_members.set(team_members)
    audit_record(
        actor=actor,
        action="event.create",
        target=event,
        event_id=event.pk,
        after=snapshot(event) | {"team_members": _usernames(team_members or [])},
    )
    from .signals import event_created

    event_created.send(sender=Event, event=event, actor=actor)
    return event


def _lock(*, actor: User | None, event: Event | int, need: Need, system: bool) -> Event:
    """Step 1 of the lock order: the event row, and the actor's right checked on the locked row."""
    if system:
        pk = event.pk if isinstance(event, Event) else int(event)
        return (
            Event.objects.select_for_update(of=("self",))
            .select_related("owner", "event_type", "requesting_department")
            .get(pk=pk)
        )
    return event_for(actor, event, need, lock=True)


@transaction.atomic
def event_update(
    *,
    actor: User | None,
    event: Event,
    revision: int | None,
    skip_revision_check: bool = False,
    system: bool = False,
    team_members: list[User] | None = None,
    **changes: Any,
) -> Event:
    """Change an event's facts and team, if the caller saw its current ``revision`` (else 409 / 428).

    Only the fields that differ are written and audited (before and after). ``skip_revision_check`` is for
    a service that changes a field on behalf of another record it has checked itself (the plan's theme and
    tone); ``system`` for the demo loader (no rights check, no revision). Changing the owner or the team
    needs ``Need.MANAGE``; the owner must be an organiser or an administrator.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError({f: [_("该字段不可修改。")] for f in sorted(unknown)})
    locked = _lock(actor=actor, event=event, need=Need.EDIT, system=system)
    data = {f: getattr(locked, f) for f in EDITABLE_FIELDS}
    data.update(changes)
    errors = _validate(data) | _team_errors(team_members)
    if errors:
        raise DomainError(errors)
    data["starts_at"] = _aware(data["starts_at"], data["time_zone"])
    data["ends_at"] = _aware(data["ends_at"], data["time_zone"])
    changed = {f: v for f, v in data.items() if getattr(locked, f) != v}
    team_before = _usernames(locked.team_members.all())
    team_after = _usernames(team_members) if team_members is not None else team_before
    if not system and ("owner" in changed or team_after != team_before):
        event_access(actor, locked).require(Need.MANAGE)
    from .signals import event_updated, event_updating

    # Later phases may refuse a change that would contradict what they already signed (e.g. an approved plan).
    event_updating.send(sender=Event, event=locked, actor=actor, changes=changed)
    before = snapshot(locked)
    seen = locked.revision if skip_revision_check else revision
    written = row_update(
        locked,
        changes=data,
        seen=seen,
        actor=actor,
        action="event.update",
        label=_("活动「%(name)s」") % {"name": locked.name},
        event_id=locked.pk,
        system=system,
    )
    if team_after != team_before:
        locked.team_members.set(team_members or [])
        if not written:
            revision_bump(locked)
        audit_record(
            actor=actor,
            action="event.team_update",
            target=locked,
            event_id=locked.pk,
            before={"team_members": team_before},
            after={"team_members": team_after},
        )
    if written or team_after != team_before:
        event_updated.send(sender=Event, event=locked, actor=actor, before=before)
    # The caller's copy follows the row it asked to change.
    for f in EDITABLE_FIELDS:
        setattr(event, f, getattr(locked, f))
    event.revision = locked.revision
    event.step = locked.step
    return locked


TEMPLATE_KEYS = ("run_of_show", "budget_categories", "risks", "materials", "schedule", "team_groups", "kit")


@transaction.atomic
def event_type_save(
    *,
    actor: User,
    name: str,
    name_en: str = "",
    code: str = "",
    description: str = "",
    is_active: bool = True,
    event_type: EventType | None = None,
    template: dict[str, list] | None = None,
    revision: int | None = None,
) -> EventType:
    """Add or edit an event type (SC-2: "including but not limited to" — organisations add their own).

    Editing says which ``revision`` the administrator saw (409 ``Stale`` when another saved first, 428
    when missing); only the fields that changed are written and audited.
    """
    if not actor.is_admin:
        raise NotAllowed(_("只有管理员可以管理活动类型。"))
    locked = (
        EventType.objects.select_for_update().filter(pk=event_type.pk).first()
        if event_type is not None
        else None
    )
    if event_type is not None and locked is None:
        raise NotFound(_("活动类型不存在。"))
    errors: dict[str, list[Any]] = {}
    name = text_clean(
        name, field="name", label=_("类型名称"), limit=100, errors=errors, required=True, multiline=False
    )
    name_en = text_clean(
        name_en, field="name_en", label=_("英文名称"), limit=100, errors=errors, multiline=False
    )
    description = text_clean(description, field="description", label=_("说明"), limit=5000, errors=errors)
    code = (code or slugify(name_en or "") or "").strip()
    others = EventType.objects.exclude(pk__in=[locked.pk] if locked else [])
    if "name" not in errors and others.filter(name=name).exists():
        errors["name"] = [_("已有同名活动类型。")]
    if not code:
        errors["code"] = [_("请填写代码(字母、数字、连字符),或填写英文名称以自动生成。")]
    elif len(code) > 40 or slugify(code) != code:
        errors["code"] = [_("代码只能由小写字母、数字和连字符组成,最多 40 个字符。")]
    elif others.filter(code=code).exists():
        errors["code"] = [_("已有相同代码的活动类型。")]
    template = dict(template or {})
    for key in list(template):
        if key not in TEMPLATE_KEYS:
            errors[key] = [_("未知的模板项。")]
        elif not isinstance(template[key], list):
            errors[key] = [_("模板项须为列表。")]
    if not errors:
        # Each row of the sections the editor covers, checked and cleaned (row and field named; PL-3 shares).
        from .type_templates import type_template_clean

        org = organisation_get()
        cleaned, row_errors = type_template_clean(template, band=(org.reserve_min, org.reserve_max))
        template.update(cleaned)
        for messages in row_errors.values():
            errors.setdefault("__all__", []).extend(messages)
    if errors:
        raise DomainError(errors)
    values: dict[str, Any] = {
        "name": name,
        "name_en": name_en,
        "code": code,
        "description": description,
        "is_active": is_active,
        **template,
    }
    if locked is not None:
        row_update(
            locked,
            changes=values,
            seen=revision,
            actor=actor,
            action="event_type.update",
            label=_("活动类型「%(name)s」") % {"name": locked.name},
        )
        return locked
    et = EventType.objects.create(**values)
    audit_record(actor=actor, action="event_type.create", target=et, after=snapshot(et))
    return et
