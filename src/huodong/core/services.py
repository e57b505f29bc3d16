"""Writes of the core domain: organisation settings, departments, people, signing in, API tokens.

Each service runs in a transaction, validates first (text through ``core.text.text_clean``), and writes an
audit row. Edits of an existing record say which revision they saw and go through
``core.concurrency.row_update`` (changed fields only; stale → ``Stale``, 409).

Signing in (finding 6 of issue 6): ``login_authenticate`` throttles failed sign-ins per account and per
address, counted in the database (``LoginAttempt``) so that every worker shares them; every sign-in,
sign-out, failed sign-in and password change is in the audit log; a password change revokes the person's
API tokens, and every token expires.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
import zlib
import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, snapshot
from .concurrency import revision_bump, row_update
from .errors import DomainError, NotAllowed, NotFound
from .models import ApiToken, Department, LoginAttempt, Organisation, Role, User
from .rows import Rows
from .seed import DEFAULT_REVIEW_DEPARTMENTS
from .text import text_clean

TOKEN_PREFIX = "hd_"
TOKEN_DEFAULT_DAYS = 90  # a token lives 90 days unless its owner asks for fewer or more
TOKEN_MAX_DAYS = 365
TOKEN_MAX_ACTIVE = 20  # live tokens per person

# The login throttle; each can be changed in settings (HUODONG_LOGIN_*).
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_FAILURES_PER_ACCOUNT = 5  # in LOGIN_WINDOW, then the account waits
LOGIN_FAILURES_PER_ADDRESS = 20  # in LOGIN_WINDOW, then the address waits
LOGIN_ATTEMPTS_KEPT = dt.timedelta(days=2)  # older rows are pruned (the audit log keeps the failures)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# ------------------------------------------------------------------------------ organisation


def organisation_get() -> Organisation:
    """The organisation of this installation, created with the defaults on first use (RV-1 departments too)."""
    org = Organisation.objects.order_by("id").first()
    if org is None:
        with transaction.atomic():
            org = Organisation.objects.create(name=str(settings.HUODONG_ORGANISATION_DEFAULT_NAME))
            org.required_review_departments.set(
                Department.objects.filter(code__in=DEFAULT_REVIEW_DEPARTMENTS)
            )
    return org


def _require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_admin:
        raise NotAllowed(_("只有管理员可以修改此设置。"))


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _time_zone_known(name: str) -> bool:
    return name in _time_zones()


@transaction.atomic
def organisation_update(
    *,
    actor: User | None,
    seen: int | None = None,
    name: str | None = None,
    time_zone: str | None = None,
    currency: str | None = None,
    reserve_min: Decimal | None = None,
    reserve_max: Decimal | None = None,
    required_review_departments: list[Department] | list[int] | None = None,
    system: bool = False,
) -> Organisation:
    """Change the organisation's settings; ``None`` leaves a setting as it is.

    ``required_review_departments`` (RV-1) are the departments every plan must be reviewed by: active
    departments only; the change is audited with the department codes before and after.
    """
    if not system:
        _require_admin(actor)
    org = Organisation.objects.select_for_update().get(pk=organisation_get().pk)
    errors: dict[str, list[Any]] = {}
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = text_clean(
            name, field="name", label=_("名称"), limit=200, errors=errors, required=True, multiline=False
        )
    if time_zone is not None:
        tz = text_clean(
            time_zone, field="time_zone", label=_("时区"), limit=64, errors=errors, multiline=False
        )
        if "time_zone" not in errors and not _time_zone_known(tz):
            errors.setdefault("time_zone", []).append(_("未知的时区,请填写如 Asia/Shanghai 的 IANA 时区名。"))
        changes["time_zone"] = tz
    if currency is not None:
        code = text_clean(
            currency, field="currency", label=_("币种"), limit=3, errors=errors, multiline=False
        )
        if "currency" not in errors and (len(code) != 3 or not code.isascii() or not code.isalpha()):
            errors.setdefault("currency", []).append(_("币种须为三个字母的 ISO 代码,如 CNY。"))
        changes["currency"] = code.upper()
    low = reserve_min if reserve_min is not None else org.reserve_min
    high = reserve_max if reserve_max is not None else org.reserve_max
    if not (Decimal("0") <= low <= high <= Decimal("1")):
        errors.setdefault("reserve_min", []).append(_("备用金比例须满足 0 ≤ 下限 ≤ 上限 ≤ 100%。"))
    if reserve_min is not None:
        changes["reserve_min"] = reserve_min
    if reserve_max is not None:
        changes["reserve_max"] = reserve_max
    departments: list[Department] | None = None
    if required_review_departments is not None:
        ids = sorted({d.pk if isinstance(d, Department) else int(d) for d in required_review_departments})
        departments = list(Department.objects.filter(pk__in=ids, is_active=True).order_by("sort_order", "id"))
        if len(departments) != len(ids):
            errors.setdefault("required_review_departments", []).append(_("只能选择启用中的部门。"))
    if errors:
        raise DomainError(errors)
    label = _("组织设置")
    written = row_update(
        org, changes=changes, seen=seen, actor=actor, action="organisation.update", label=label, system=system
    )
    if departments is not None:
        before = list(
            org.required_review_departments.order_by("sort_order", "id").values_list("code", flat=True)
        )
        after = [d.code for d in departments]
        if sorted(before) != sorted(after):
            org.required_review_departments.set(departments)
            if not written:
                revision_bump(org)
            audit_record(
                actor=actor,
                action="organisation.review_departments",
                target=org,
                summary=_("必须参与评审的部门:%(codes)s")
                % {"codes": "、".join(d.name for d in departments) or "—"},
                before={"required_review_departments": before},
                after={"required_review_departments": after},
            )
    return org


# ------------------------------------------------------------------------------ departments


@transaction.atomic
def department_save(
    *,
    actor: User | None,
    name: str,
    code: str,
    name_en: str = "",
    is_active: bool = True,
    department: Department | None = None,
    seen: int | None = None,
    system: bool = False,
) -> Department:
    """Add a department, or change one (``department``, at the revision ``seen``)."""
    if not system:
        _require_admin(actor)
    current = Department.objects.select_for_update().filter(pk=department.pk).first() if department else None
    if department is not None and current is None:
        raise NotFound(_("部门不存在。"))
    errors: dict[str, list[Any]] = {}
    name = text_clean(name, field="name", label=_("部门名称"), limit=100, errors=errors, multiline=False)
    if not name and "name" not in errors:
        errors["name"] = [_("部门名称不能为空。")]
    name_en = text_clean(
        name_en, field="name_en", label=_("英文名称"), limit=100, errors=errors, multiline=False
    )
    code = text_clean(code, field="code", label=_("代码"), limit=40, errors=errors, multiline=False)
    if "code" not in errors:
        try:
            validate_slug(code)
        except ValidationError:
            errors["code"] = [_("部门代码不能为空,只能包含字母、数字、连字符。")]
    others = Department.objects.exclude(pk__in=[current.pk] if current else [])
    if name and "name" not in errors and others.filter(name=name).exists():
        errors["name"] = [_("已有同名部门。")]
    if code and "code" not in errors and others.filter(code=code).exists():
        errors["code"] = [_("已有相同代码的部门。")]
    if errors:
        raise DomainError(errors)
    fields = {"name": name, "name_en": name_en, "code": code, "is_active": bool(is_active)}
    if current is None:
        dept = Department.objects.create(**fields)
        audit_record(actor=actor, action="department.create", target=dept, after=snapshot(dept))
        return dept
    row_update(
        current,
        changes=fields,
        seen=seen,
        actor=actor,
        action="department.update",
        label=_("部门"),
        system=system,
    )
    return current


# ------------------------------------------------------------------------------ people


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
    seen: int | None = None,
    system: bool = False,
) -> User:
    """Create or update a person (``person``, at the revision ``seen``).

    ``system`` is for the demo loader and the CLI, which act as no one. A new password (one that differs
    from the current one) revokes the person's API tokens and is audited, never stored in the audit row.
    """
    if not system:
        _require_admin(actor)
    current = User.objects.select_for_update().filter(pk=person.pk).first() if person else None
    if person is not None and current is None:
        raise NotFound(_("人员不存在。"))
    errors: dict[str, list[Any]] = {}
    username = text_clean(
        username, field="username", label=_("用户名"), limit=150, errors=errors, multiline=False
    )
    if not username and "username" not in errors:
        errors["username"] = [_("用户名不能为空。")]
    elif (
        "username" not in errors
        and User.objects.filter(username=username).exclude(pk__in=[current.pk] if current else []).exists()
    ):
        errors["username"] = [_("用户名已被使用。")]
    display_name = text_clean(
        display_name, field="display_name", label=_("姓名"), limit=100, errors=errors, multiline=False
    )
    title = text_clean(title, field="title", label=_("职务"), limit=100, errors=errors, multiline=False)
    email = text_clean(email, field="email", label=_("邮箱"), limit=254, errors=errors, multiline=False)
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("请填写有效的邮箱地址。")]
    phone = text_clean(phone, field="phone", label=_("手机"), limit=20, errors=errors, multiline=False)
    if role not in Role.values:
        errors["role"] = [
            _("未知角色,可选:%(roles)s。") % {"roles": "、".join(str(label) for label in Role.labels)}
        ]
    if password:
        try:
            validate_password(password, user=current)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise DomainError(errors)
    fields = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "department": department,
        "title": title,
        "email": email,
        "phone": phone,
        "is_active": bool(is_active),
        "is_staff": role == Role.ADMIN,
    }
    if current is None:
        user = User(**fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            raise DomainError({"username": [_("用户名已被使用。")]}) from exc
        audit_record(actor=actor, action="person.create", target=user, after=snapshot(user))
        return user
    try:
        with transaction.atomic():
            row_update(
                current,
                changes=fields,
                seen=seen,
                actor=actor,
                action="person.update",
                label=_("人员"),
                system=system,
            )
    except IntegrityError as exc:
        raise DomainError({"username": [_("用户名已被使用。")]}) from exc
    if password and not current.check_password(password):
        _password_store(actor=actor, person=current, password=password)
    return current


def _password_store(*, actor: User | None, person: User, password: str) -> None:
    """Set ``person``'s password, revoke their API tokens and write both to the audit log."""
    person.set_password(password)
    person.save(update_fields=["password"])
    by_self = actor is not None and actor.pk == person.pk
    audit_record(
        actor=actor,
        action="auth.password_change",
        target=person,
        summary=str(_("本人修改密码") if by_self else _("管理员重设密码")),
    )
    tokens_revoke_all(actor=actor, user=person, reason="password_change")


@transaction.atomic
def password_change(*, actor: User, password: str) -> User:
    """A person sets their own new password (the page has checked the old one and the two new ones)."""
    person = User.objects.select_for_update().get(pk=actor.pk)
    try:
        validate_password(password, user=person)
    except ValidationError as exc:
        raise DomainError({"new_password1": list(exc.messages)}) from exc
    _password_store(actor=actor, person=person, password=password)
    return person


# ------------------------------------------------------------------------------ signing in


class LoginLocked(DomainError):
    """Too many failed sign-ins for this account or from this address: wait until ``until`` (429)."""

    status = 429
    code = "locked"

    def __init__(self, *, until: dt.datetime, scope: str) -> None:
        self.until = until
        self.scope = scope
        self.retry_after = max(1, math.ceil((until - timezone.now()).total_seconds()))
        params = {
            "time": timezone.localtime(until).strftime("%H:%M"),
            "minutes": math.ceil(self.retry_after / 60),
        }
        if scope == "address":
            message = _(
                "来自您所在网络地址的登录失败次数过多,已暂停登录。请在 %(time)s 之后(约 %(minutes)s 分钟)再试。"
            )
        else:
            message = _("该账号登录失败次数过多,已暂时锁定。请在 %(time)s 之后(约 %(minutes)s 分钟)再试。")
        super().__init__({"__all__": [message % params]})


def _login_key(username: str) -> str:
    """The account a sign-in was for, as the throttle counts it: printable, case-folded, bounded."""
    return "".join(ch for ch in str(username) if ch.isprintable()).strip().casefold()[:150]


def _lock_keys(*keys: str) -> None:
    """Serialise the throttle's check-and-count per account and per address (PostgreSQL: advisory locks,
    in one order; SQLite serialises every write transaction already)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [0x68640000, zlib.crc32(key.encode()) - 2**31]
            )


def _locked_until(failures: Any, limit: int, window: dt.timedelta) -> dt.datetime | None:
    """With ``limit`` or more failures in the window, the moment the oldest that counts leaves it."""
    times = list(failures.order_by("-at", "-id").values_list("at", flat=True)[:limit])
    return times[-1] + window if len(times) >= limit else None


def _account_failures(key: str, since: dt.datetime) -> Any:
    """Failed (or still pending) sign-ins for an account since ``since`` and since its last success."""
    counted = [LoginAttempt.Outcome.PENDING, LoginAttempt.Outcome.FAILED]
    rows = LoginAttempt.objects.filter(username=key, at__gt=since, outcome__in=counted)
    last_ok = (
        LoginAttempt.objects.filter(username=key, outcome=LoginAttempt.Outcome.SUCCEEDED, at__gt=since)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return rows.filter(id__gt=last_ok) if last_ok else rows


def _address_failures(address: str, since: dt.datetime) -> Any:
    counted = [LoginAttempt.Outcome.PENDING, LoginAttempt.Outcome.FAILED]
    return LoginAttempt.objects.filter(address=address, at__gt=since, outcome__in=counted)


def login_lock(*, username: str, address: str) -> LoginLocked | None:
    """The lock in force for this account or address now, if any (the page asks before it shows a form)."""
    window = _setting("HUODONG_LOGIN_WINDOW", LOGIN_WINDOW)
    since = timezone.now() - window
    until = _locked_until(
        _account_failures(_login_key(username), since),
        _setting("HUODONG_LOGIN_FAILURES_PER_ACCOUNT", LOGIN_FAILURES_PER_ACCOUNT),
        window,
    )
    if until is not None:
        return LoginLocked(until=until, scope="account")
    until = _locked_until(
        _address_failures(address, since),
        _setting("HUODONG_LOGIN_FAILURES_PER_ADDRESS", LOGIN_FAILURES_PER_ADDRESS),
        window,
    )
    return LoginLocked(until=until, scope="address") if until is not None else None


def login_authenticate(
    *, request: HttpRequest | None, username: str, password: str, address: str
) -> User | None:
    """Check a password under the throttle: the person, ``None`` for wrong credentials, or ``LoginLocked``.

    The attempt is counted (as pending) before the password is checked, under a lock per account and per
    address, so concurrent guesses cannot all slip under the limit. A locked account or address is
    refused without checking the password at all — also the right password — until the window has
    passed. Failures and successes go to the audit log; refusals while locked only to ``LoginAttempt``
    (the audit log gets one ``auth.lockout`` row when a lock begins), so a flood cannot fill it.
    """
    key = _login_key(username)
    address = address[:64]
    now = timezone.now()
    with transaction.atomic():
        _lock_keys(f"user:{key}", f"addr:{address}")
        LoginAttempt.objects.filter(at__lt=now - LOGIN_ATTEMPTS_KEPT).delete()
        locked = login_lock(username=key, address=address)
        attempt = LoginAttempt.objects.create(
            username=key,
            address=address,
            at=now,
            outcome=LoginAttempt.Outcome.LOCKED if locked else LoginAttempt.Outcome.PENDING,
        )
    if locked is not None:
        raise locked
    user = authenticate(request, username=username, password=password)
    shown = key or "—"
    with transaction.atomic():
        if isinstance(user, User):
            LoginAttempt.objects.filter(pk=attempt.pk).update(outcome=LoginAttempt.Outcome.SUCCEEDED)
            audit_record(
                actor=user, action="auth.login", target=user, summary=address, after={"address": address}
            )
            return user
        LoginAttempt.objects.filter(pk=attempt.pk).update(outcome=LoginAttempt.Outcome.FAILED)
        tried = User.objects.filter(username=username).only("pk").first() if username else None
        audit_record(
            actor=None,
            action="auth.login_failed",
            target_type="core.user" if tried else "auth.login",
            target_id=str(tried.pk) if tried else "",
            summary=f"{shown[:100]} @ {address}",
            after={"username": shown, "address": address},
        )
        now_locked = login_lock(username=key, address=address)
        if now_locked is not None:
            audit_record(
                actor=None,
                action="auth.lockout",
                target_type="core.user" if tried else "auth.login",
                target_id=str(tried.pk) if tried else "",
                summary=f"{shown[:100]} @ {address}",
                after={
                    "username": shown,
                    "address": address,
                    "scope": now_locked.scope,
                    "until": now_locked.until,
                },
            )
    return None


def logout_record(*, actor: User, address: str) -> None:
    audit_record(
        actor=actor, action="auth.logout", target=actor, summary=address[:64], after={"address": address[:64]}
    )


# ------------------------------------------------------------------------------ API tokens


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str = "", days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token and return it with the secret, which is shown once and never stored.

    Every token expires: after ``days`` (1–365, default 90). ``actor`` is the person asking (the owner,
    or an administrator); ``None`` is the operator's command line.
    """
    if actor is not None and actor.pk != user.pk and not actor.is_admin:
        raise NotAllowed()
    errors: dict[str, list[Any]] = {}
    name = text_clean(name, field="name", label=_("名称"), limit=100, errors=errors, multiline=False)
    days = TOKEN_DEFAULT_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        errors["days"] = [_("有效天数须为 1 到 %(max)s 之间的整数。") % {"max": TOKEN_MAX_DAYS}]
    if not user.is_active:
        errors.setdefault("__all__", []).append(_("该账号已停用,不能生成令牌。"))
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if live >= TOKEN_MAX_ACTIVE:
        errors.setdefault("__all__", []).append(
            _("有效令牌最多 %(n)s 个,请先吊销不用的令牌。") % {"n": TOKEN_MAX_ACTIVE}
        )
    if errors:
        raise DomainError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        key_hash=_hash_token(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor or user,
        action="token.create",
        target=token,
        after={"prefix": token.prefix, "name": name, "expires_at": token.expires_at},
    )
    return token, secret


class TokenInvalid(DomainError):
    status = 401
    code = "unauthorized"


_TOKEN_ROWS = Rows(ApiToken, ["id", "user", "revoked_at", "expires_at", "last_used_at"])
_USER_ROWS = Rows(User)


def token_authenticate(secret: str) -> User:
    """The active user a token belongs to; raises ``TokenInvalid`` saying why not.

    Every API call of a tool (a scanner's, at the door) passes here, so the token and its user are one
    hand-written read (``core.rows``): the ORM's join of the token and the 30-column user, compiled on
    every call, cost a third of a check-in."""
    from .rows import quoted

    sql = (
        f"SELECT {_TOKEN_ROWS.columns('t')}, {_USER_ROWS.columns('u')} FROM {quoted(ApiToken)} t "
        f"LEFT JOIN {quoted(User)} u ON u.id = t.user_id WHERE t.key_hash = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_hash_token(secret or "")])
        row = cursor.fetchone()
    if row is None:
        raise TokenInvalid(_("API 令牌无效或已吊销。"))
    n = len(_TOKEN_ROWS.fields)
    token = _TOKEN_ROWS.build(row[:n])
    if token.revoked_at is not None:
        raise TokenInvalid(_("API 令牌无效或已吊销。"))
    now = timezone.now()
    if token.expires_at is None or token.expires_at <= now:
        raise TokenInvalid(_("API 令牌已过期,请重新生成。"))
    user = _USER_ROWS.build(row[n:]) if row[n] is not None else None
    if user is None or not user.is_active:
        raise TokenInvalid(_("该令牌所属账号已停用。"))
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


@transaction.atomic
def token_revoke(*, actor: User | None, token_id: int, system: bool = False) -> ApiToken:
    """Revoke a token: its owner or an administrator; ``system`` is the operator's command line.

    Someone else's token is "not found" to a person who is not an administrator. Revoking a revoked
    token changes nothing.
    """
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (
        not system and (actor is None or (token.user_id != actor.pk and not actor.is_admin))
    ):
        raise NotFound(_("令牌不存在。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", target=token, after={"prefix": token.prefix})
    return token


def tokens_revoke_all(*, actor: User | None, user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (a password change); returns how many."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    prefixes = list(live.values_list("prefix", flat=True))
    if not prefixes:
        return 0
    live.update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="token.revoke_all",
        target=user,
        summary=reason,
        after={"prefixes": prefixes, "reason": reason},
    )
    return len(prefixes)


def notify(
    *, recipients: list[User], kind: str, message: str, url: str = "", event_id: int | None = None
) -> int:
    """Put a notice in each recipient's inbox (deduplicated by person); returns how many were written."""
    from .audit import Message
    from .models import Notification

    # A ``Message`` is stored as its code and parameters too, and shown in the reader's language.
    key, params = (message.key, message.params) if isinstance(message, Message) else ("", {})
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                message=str(message),
                message_key=key,
                message_params=params,
                url=url,
                event_id=event_id,
            )
        )
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user: User, notification_id: int) -> None:
    from .models import Notification

    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def owner_check(owner: Any, *, field: str, errors: dict[str, list[Any]]) -> User | None:
    """An owner (of a segment, a risk, a goal, a task) is an active person, or nobody."""
    if owner is None or owner == "":
        return None
    if not isinstance(owner, User) or not owner.is_active:
        errors.setdefault(field, []).append(_("负责人须为在职人员。"))
        return None
    return owner
