"""Writes of the core domain: organisation settings, departments, people, API tokens.

Each service runs in a transaction, validates first, and writes an audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, snapshot
from .errors import DomainError, NotAllowed, NotFound
from .models import ApiToken, Department, Organisation, Role, User

TOKEN_PREFIX = "hd_"


def organisation_get() -> Organisation:
    """The organisation of this installation, created with the defaults on first use."""
    org = Organisation.objects.order_by("id").first()
    if org is None:
        from django.conf import settings

        org = Organisation.objects.create(name=str(settings.HUODONG_ORGANISATION_DEFAULT_NAME))
    return org


def _require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise NotAllowed(_("只有管理员可以修改此设置。"))


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    name: str | None = None,
    time_zone: str | None = None,
    currency: str | None = None,
    reserve_min: Decimal | None = None,
    reserve_max: Decimal | None = None,
) -> Organisation:
    _require_admin(actor)
    org = organisation_get()
    before = snapshot(org)
    errors: dict[str, list[Any]] = {}
    if name is not None:
        if not name.strip():
            errors.setdefault("name", []).append(_("名称不能为空。"))
        org.name = name.strip()
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.setdefault("time_zone", []).append(_("未知的时区,请填写如 Asia/Shanghai 的 IANA 时区名。"))
        org.time_zone = time_zone
    if currency is not None:
        if len(currency) != 3 or not currency.isalpha():
            errors.setdefault("currency", []).append(_("币种须为三个字母的 ISO 代码,如 CNY。"))
        org.currency = currency.upper()
    if reserve_min is not None:
        org.reserve_min = reserve_min
    if reserve_max is not None:
        org.reserve_max = reserve_max
    if not (Decimal("0") <= org.reserve_min <= org.reserve_max <= Decimal("1")):
        errors.setdefault("reserve_min", []).append(_("备用金比例须满足 0 ≤ 下限 ≤ 上限 ≤ 100%。"))
    if errors:
        raise DomainError(errors)
    org.save()
    audit_record(actor=actor, action="organisation.update", target=org, before=before, after=snapshot(org))
    return org


@transaction.atomic
def department_save(
    *,
    actor: User,
    name: str,
    code: str,
    name_en: str = "",
    is_active: bool = True,
    department: Department | None = None,
) -> Department:
    _require_admin(actor)
    errors: dict[str, list[Any]] = {}
    if not name.strip():
        errors["name"] = [_("部门名称不能为空。")]
    if not code.strip():
        errors["code"] = [_("部门代码不能为空,只能包含字母、数字、连字符。")]
    clash = Department.objects.filter(name=name.strip())
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if name.strip() and clash.exists():
        errors["name"] = [_("已有同名部门。")]
    code_clash = Department.objects.filter(code=code.strip())
    if department is not None:
        code_clash = code_clash.exclude(pk=department.pk)
    if code.strip() and code_clash.exists():
        errors["code"] = [_("已有相同代码的部门。")]
    if errors:
        raise DomainError(errors)
    before = snapshot(department) if department else None
    dept = department or Department()
    dept.name, dept.code, dept.name_en, dept.is_active = (
        name.strip(),
        code.strip(),
        name_en.strip(),
        is_active,
    )
    dept.save()
    audit_record(
        actor=actor,
        action="department.update" if before else "department.create",
        target=dept,
        before=before,
        after=snapshot(dept),
    )
    return dept


@transaction.atomic
def person_save(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    role: str,
    department: Department | None = None,
    title: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
    is_active: bool = True,
    person: User | None = None,
    system: bool = False,
) -> User:
    """Create or update a person. ``system`` is for the demo loader and the CLI, which act as no one."""
    if not system:
        _require_admin(actor)
    errors: dict[str, list[Any]] = {}
    username = username.strip()
    if not username:
        errors["username"] = [_("用户名不能为空。")]
    elif User.objects.filter(username=username).exclude(pk__in=[person.pk] if person else []).exists():
        errors["username"] = [_("用户名已被使用。")]
    if role not in Role.values:
        errors["role"] = [
            _("未知角色,可选:%(roles)s。") % {"roles": "、".join(str(label) for label in Role.labels)}
        ]
    if password:
        try:
            validate_password(password, user=person)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise DomainError(errors)
    before = snapshot(person) if person else None
    user = person or User(username=username)
    user.username = username
    user.display_name = display_name.strip()
    user.role = role
    user.department = department
    user.title = title.strip()
    user.email = email.strip()
    user.phone = phone.strip()
    user.is_active = is_active
    user.is_staff = role == Role.ADMIN
    if password:
        user.set_password(password)
    elif person is None:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise DomainError({"username": [_("用户名已被使用。")]}) from exc
    audit_record(
        actor=actor,
        action="person.update" if before else "person.create",
        target=user,
        before=before,
        after=snapshot(user),
    )
    return user


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str = "", days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token and return it with the secret, which is shown once and never stored."""
    if days is not None and days <= 0:
        raise DomainError({"days": [_("有效天数须为正整数。")]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        key_hash=_hash_token(secret),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit_record(actor=actor or user, action="token.create", target=token, after={"prefix": token.prefix})
    return token, secret


class TokenInvalid(DomainError):
    status = 401
    code = "unauthorized"


def token_authenticate(secret: str) -> User:
    """The active user a token belongs to; raises ``TokenInvalid`` saying why not."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash_token(secret or "")).first()
    if token is None or token.revoked_at is not None:
        raise TokenInvalid(_("API 令牌无效或已吊销。"))
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenInvalid(_("API 令牌已过期,请重新生成。"))
    if not token.user.is_active:
        raise TokenInvalid(_("该令牌所属账号已停用。"))
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User | None, token_id: int, system: bool = False) -> None:
    """Revoke a token: its owner or an administrator; ``system`` is the operator's command line."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("令牌不存在。"))
    if not system and (actor is None or (token.user_id != actor.pk and not actor.is_admin)):
        raise NotAllowed()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="token.revoke", target=token)


def notify(
    *, recipients: list[User], kind: str, message: str, url: str = "", event_id: int | None = None
) -> int:
    """Put a notice in each recipient's inbox (deduplicated by person); returns how many were written."""
    from .models import Notification

    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(recipient=person, kind=kind, message=str(message), url=url, event_id=event_id)
        )
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user: User, notification_id: int) -> None:
    from .models import Notification

    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
