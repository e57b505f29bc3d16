"""Organisation, departments, people and roles, sign-in attempts, API tokens and the append-only audit log."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# PL-3: the contingency reserve is 5%–10% of the budget total; an organisation may change the band.
DEFAULT_RESERVE_BAND = (Decimal("0.05"), Decimal("0.10"))  # PL-3


class Revisioned(models.Model):
    """A record people edit: ``revision`` goes up by one with every write (optimistic concurrency).

    A write says which revision it saw (``core.concurrency.row_update``); a stale one changes nothing and
    is answered 409 with the current state. The API carries it as ``ETag``/``If-Match`` and ``revision``.
    """

    revision = models.PositiveIntegerField(_("修订号"), default=1, editable=False)

    class Meta:
        abstract = True


class Organisation(Revisioned):
    """The one organisation this installation serves (single tenant)."""

    name = models.CharField(_("名称"), max_length=200)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    reserve_min = models.DecimalField(
        _("备用金下限"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_RESERVE_BAND[0],
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    reserve_max = models.DecimalField(
        _("备用金上限"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_RESERVE_BAND[1],
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    # RV-1: the departments every plan must be reviewed by; a submission may leave one out only with an
    # administrator's recorded exception (PlanVersion.review_exception_*).
    required_review_departments: models.ManyToManyField = models.ManyToManyField(
        "Department", verbose_name=_("必须参与评审的部门"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reserve_min__lte=models.F("reserve_max")),
                name="organisation_reserve_band_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Department(Revisioned):
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    ORGANISER = "organiser", _("活动策划/负责人")
    REVIEWER = "reviewer", _("部门评审人")
    APPROVER_EXEC = "approver_exec", _("分管领导")
    APPROVER_GM = "approver_gm", _("总经理")
    STAFF = "staff", _("员工")


class User(AbstractUser):
    """A person of the organisation: department, title and one role."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    revision = models.PositiveIntegerField(_("修订号"), default=1, editable=False)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class LoginAttempt(models.Model):
    """One sign-in with a password: who was tried, from where, and how it ended.

    The throttle (``core.services.login_authenticate``) counts these rows, so every gunicorn worker and
    every machine sees the same failures. A row is written *before* the password is checked
    (``pending``), so that concurrent guesses count against the limit too.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("校验中")
        FAILED = "failed", _("失败")
        SUCCEEDED = "succeeded", _("成功")
        LOCKED = "locked", _("已锁定,未校验")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    username = models.CharField(_("尝试的用户名"), max_length=150)
    address = models.CharField(_("来源地址"), max_length=64)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        verbose_name = _("登录尝试")
        verbose_name_plural = _("登录尝试")
        indexes = [
            models.Index(fields=["username", "at"], name="core_login_username_at"),
            models.Index(fields=["address", "at"], name="core_login_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username}@{self.address} {self.outcome}"


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is stored; every token expires."""

    user = models.ForeignKey(
        User, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= timezone.now()


class AuditQuerySet(models.QuerySet):
    """Bulk changes of the audit log are refused too: ``update()`` and ``delete()`` raise."""

    def update(self, **kwargs: Any) -> int:
        raise ValidationError(_("审计日志只能追加,不能修改。"))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("审计日志只能追加,不能删除。"))


class AuditEntry(models.Model):
    """One append-only row of the audit log: who, when, what, before and after.

    Rows are written by services only and never change: ``save`` refuses an update, ``delete`` refuses,
    and so do the bulk ``update()``/``delete()`` of its querysets; in the database, triggers refuse
    ``UPDATE`` and ``DELETE`` on PostgreSQL and SQLite (``core.audit.APPEND_ONLY``, migration 0005).
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's name when the row was written: it stays when the person is deleted (``actor`` is then
    # NULL — the one change the database trigger allows on a row, see ``core.audit``).
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=300, blank=True)
    # The object as English readers name it (its ``str()`` in English, written with the row): the log shows
    # it in English mode; empty for rows written before.
    target_repr_en = models.CharField(_("对象(英文)"), max_length=300, blank=True, default="")
    event_id = models.BigIntegerField(_("活动编号"), null=True, blank=True, db_index=True)
    summary = models.TextField(_("摘要"), blank=True)
    # The summary as a msgid and JSON parameters (``core.audit.Message``), shown in the reader's language;
    # ``summary`` keeps the Chinese text for rows written before and as the fallback.
    summary_key = models.TextField(_("摘要代码"), blank=True, default="")
    summary_params = models.JSONField(_("摘要参数"), default=dict, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("审计日志只能追加,不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("审计日志只能追加,不能删除。"))

    @property
    def target_text(self) -> str:
        """The object in the active language (its first-language text for old rows)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.target_repr_en:
            return self.target_repr_en
        return self.target_repr

    @property
    def summary_text(self) -> str:
        """The summary in the active language (the stored Chinese text for old rows)."""
        from .audit import message_render

        return message_render(self.summary_key, self.summary_params, self.summary)

    @property
    def actor_display(self) -> str:
        """Who did it: the person's name, or the name kept when the person was deleted ("" for the system)."""
        if self.actor is not None:
            return self.actor.name
        return self.actor_name


class Notification(models.Model):
    """An in-app notice to one person ("my inbox"); later issues also deliver it through the outbox."""

    recipient = models.ForeignKey(
        User, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    event_id = models.BigIntegerField(_("活动编号"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=60)
    message = models.TextField(_("内容"))
    # The notice as a msgid and JSON parameters (``core.audit.Message``), shown in the reader's language;
    # ``message`` keeps the Chinese text for notices written before and as the fallback.
    message_key = models.TextField(_("内容代码"), blank=True, default="")
    message_params = models.JSONField(_("内容参数"), default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message[:60]

    @property
    def text(self) -> str:
        """The notice in the active language (the stored Chinese text for old notices)."""
        from .audit import message_render

        return message_render(self.message_key, self.message_params, self.message)
