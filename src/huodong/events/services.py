"""Writes of the events domain: create and edit events, manage event types (SC-2)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import Department, Role, User

from .lifecycle import can_move
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


def _aware(value: dt.datetime, tz_name: str) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
    return value


def _validate(data: dict[str, Any]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if not str(data.get("name") or "").strip():
        errors["name"] = [_("活动名称不能为空。")]
    elif len(str(data["name"])) > 200:
        errors["name"] = [_("活动名称最多 200 个字。")]
    et = data.get("event_type")
    if not isinstance(et, EventType) or not et.is_active:
        errors["event_type"] = [_("未知或已停用的活动类型,请从列表中选择。")]
    tz_name = data.get("time_zone") or "Asia/Shanghai"
    try:
        zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [_("未知的时区,请填写如 Asia/Shanghai 的 IANA 时区名。")]
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, dt.datetime):
        errors["starts_at"] = [_("请填写开始时间。")]
    if not isinstance(ends, dt.datetime):
        errors["ends_at"] = [_("请填写结束时间。")]
    if (
        isinstance(starts, dt.datetime)
        and isinstance(ends, dt.datetime)
        and "time_zone" not in errors
        and _aware(ends, tz_name) <= _aware(starts, tz_name)
    ):
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    attendance = data.get("expected_attendance", 0)
    if (
        not isinstance(attendance, int)
        or isinstance(attendance, bool)
        or attendance < 0
        or attendance > 1_000_000
    ):
        errors["expected_attendance"] = [_("预计人数须为 0 到 1000000 之间的整数。")]
    dept = data.get("requesting_department")
    if dept is not None and not isinstance(dept, Department):
        errors["requesting_department"] = [_("未知部门。")]
    owner = data.get("owner")
    if not isinstance(owner, User) or not owner.is_active:
        errors["owner"] = [_("负责人须为在职人员。")]
    return errors


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
    errors = _validate(data)
    if errors:
        raise DomainError(errors)
    data["starts_at"] = _aware(data["starts_at"], data["time_zone"])
    data["ends_at"] = _aware(data["ends_at"], data["time_zone"])
    data["name"] = str(data["name"]).strip()
    event = Event.objects.create(**data)
    if team_members:
        event.team_members.set(team_members)
    audit_record(actor=actor, action="event.create", target=event, event_id=event.pk, after=snapshot(event))
    from .signals import event_created

    event_created.send(sender=Event, event=event, actor=actor)
    return event


@transaction.atomic
def event_update(
    *, actor: User, event: Event, team_members: list[User] | None = None, **changes: Any
) -> Event:
    if not can_move(actor, event):
        raise NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以修改活动。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError({f: [_("该字段不可修改。")] for f in sorted(unknown)})
    data = {f: getattr(event, f) for f in EDITABLE_FIELDS}
    data.update(changes)
    errors = _validate(data)
    if errors:
        raise DomainError(errors)
    data["starts_at"] = _aware(data["starts_at"], data["time_zone"])
    data["ends_at"] = _aware(data["ends_at"], data["time_zone"])
    data = {f: v.strip() if isinstance(v, str) else v for f, v in data.items()}
    changed = {f: v for f, v in data.items() if getattr(event, f) != v}
    from .signals import event_updating

    # Later phases may refuse a change that would contradict what they already signed (e.g. an approved plan).
    event_updating.send(sender=Event, event=event, actor=actor, changes=changed)
    before = snapshot(event)
    for f, v in data.items():
        setattr(event, f, v)
    event.save()
    if team_members is not None:
        event.team_members.set(team_members)
    audit_record(
        actor=actor,
        action="event.update",
        target=event,
        event_id=event.pk,
        before=before,
        after=snapshot(event),
    )
    from .signals import event_updated

    event_updated.send(sender=Event, event=event, actor=actor, before=before)
    return event


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
) -> EventType:
    """Add or edit an event type (SC-2: "including but not limited to" — organisations add their own)."""
    if not actor.is_admin:
        raise NotAllowed(_("只有管理员可以管理活动类型。"))
    errors: dict[str, list[Any]] = {}
    name = name.strip()
    code = (code or slugify(name_en or "") or "").strip()
    if not name:
        errors["name"] = [_("类型名称不能为空。")]
    elif EventType.objects.filter(name=name).exclude(pk__in=[event_type.pk] if event_type else []).exists():
        errors["name"] = [_("已有同名活动类型。")]
    if not code:
        errors["code"] = [_("请填写代码(字母、数字、连字符),或填写英文名称以自动生成。")]
    elif EventType.objects.filter(code=code).exclude(pk__in=[event_type.pk] if event_type else []).exists():
        errors["code"] = [_("已有相同代码的活动类型。")]
    template = template or {}
    for key in template:
        if key not in {"run_of_show", "budget_categories", "risks", "materials", "schedule"}:
            errors[key] = [_("未知的模板项。")]
        elif not isinstance(template[key], list):
            errors[key] = [_("模板项须为列表。")]
    if errors:
        raise DomainError(errors)
    before = snapshot(event_type) if event_type else None
    et = event_type or EventType()
    et.name, et.name_en, et.code, et.description, et.is_active = (
        name,
        name_en.strip(),
        code,
        description,
        is_active,
    )
    for key, value in template.items():
        setattr(et, key, value)
    et.save()
    audit_record(
        actor=actor,
        action="event_type.update" if before else "event_type.create",
        target=et,
        before=before,
        after=snapshot(et),
    )
    return et
