"""The incident log of the show day (突发应对, EX-5).

An ``Incident`` is reported by anyone of the team on the day: a category (设备, 人员, 舆情, 安全, 其他), a
severity, a title and what happened, with the reporter and the server's time. It moves ``open`` →
``in_progress`` → ``resolved`` (and back, ``reopen``) through ``MOVES``, the one table of allowed moves.
Every step of its handling is an ``IncidentAction`` (the timeline: who, when, what). An equipment incident
carries ``sla_due_at`` — a technician is due on site within ``TECHNICIAN_SLA`` — and ``escalated_at`` once
the worker told the supervisor that the clock ran out. A 舆情 incident records the ``IncidentPost``s seen
and the one ``AgreedStatement`` (统一口径) used to answer them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned
from huodong.events.models import Event

USER = settings.AUTH_USER_MODEL

TECHNICIAN_SLA = dt.timedelta(minutes=15)  # EX-5: a technician on site within 15 minutes


class Category(models.TextChoices):
    EQUIPMENT = "equipment", _("设备")
    PERSONNEL = "personnel", _("人员")
    OPINION = "opinion", _("舆情")
    SAFETY = "safety", _("安全")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    CRITICAL = "critical", _("严重")


class Status(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已解决")


class Move(models.TextChoices):
    START = "start", _("开始处理")
    RESOLVE = "resolve", _("标记已解决")
    REOPEN = "reopen", _("重新打开")


# The one table of allowed moves: move → (the statuses it leaves from, the status it reaches).
MOVES: dict[str, tuple[frozenset[str], str]] = {
    Move.START: (frozenset({Status.OPEN}), Status.IN_PROGRESS),
    Move.RESOLVE: (frozenset({Status.OPEN, Status.IN_PROGRESS}), Status.RESOLVED),
    Move.REOPEN: (frozenset({Status.RESOLVED}), Status.OPEN),
}
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


class Platform(models.TextChoices):
    WEIBO = "weibo", _("微博")
    WECHAT = "wechat", _("微信")
    DOUYIN = "douyin", _("抖音")
    XIAOHONGSHU = "xiaohongshu", _("小红书")
    ZHIHU = "zhihu", _("知乎")
    NEWS = "news", _("新闻网站")
    OTHER = "other", _("其他")


class AgreedStatement(Revisioned):
    """A public statement the stage manager agreed for the event (统一口径): negative posts are answered with
    one of these, word for word (EX-5)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("口径内容"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("统一口径")
        verbose_name_plural = _("统一口径")
        constraints = [models.UniqueConstraint(fields=["event", "title"], name="statement_title_once")]

    def __str__(self) -> str:
        return self.title


class Incident(Revisioned):
    """One incident of the show day (EX-5)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    risk = models.ForeignKey(
        "planning.Risk",
        verbose_name=_("对应风险预案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    assignees: models.ManyToManyField = models.ManyToManyField(
        USER, blank=True, related_name="assigned_incidents", verbose_name=_("处理人")
    )
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    sla_due_at = models.DateTimeField(_("技术人员应到时间"), null=True, blank=True)
    technician = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    technician_arrived_at = models.DateTimeField(_("技术人员到场时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    statement = models.ForeignKey(
        AgreedStatement,
        verbose_name=_("统一口径"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        indexes = [
            models.Index(fields=["event", "status"], name="incident_event_status"),
            # The worker's sweep reads only clocks with nobody on site and not yet escalated. Only IS NULL
            # terms: SQLite uses a partial index only when the query's terms imply it without parameters.
            models.Index(
                fields=["sla_due_at"],
                name="incident_sla_waiting",
                condition=Q(
                    sla_due_at__isnull=False, technician_arrived_at__isnull=True, escalated_at__isnull=True
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=["equipment", "personnel", "opinion", "safety", "other"]),
                name="incident_category_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IncidentAction(models.Model):
    """One entry of an incident's timeline: who did what, when."""

    class Kind(models.TextChoices):
        REPORT = "report", _("上报")
        NOTE = "note", _("处理记录")
        START = "start", _("开始处理")
        ASSIGN = "assign", _("指派")
        ARRIVAL = "arrival", _("技术人员到场")
        STATEMENT = "statement", _("选用口径")
        POST = "post", _("记录帖子")
        ESCALATION = "escalation", _("超时升级")
        RESOLVE = "resolve", _("解决")
        REOPEN = "reopen", _("重新打开")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%H:%M}"


class IncidentPost(models.Model):
    """A post about the event seen on social media, recorded on a 舆情 incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(_("链接"), max_length=500)
    platform = models.CharField(_("平台"), max_length=12, choices=Platform.choices)
    text = models.TextField(_("内容摘录"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.url
