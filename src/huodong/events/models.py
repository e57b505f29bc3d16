"""The Event aggregate, event types (templates) and the history of lifecycle moves."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned

from .steps import PHASE_OF, Phase, Step, step_index


def _default_list() -> list:
    return []


class EventType(Revisioned):
    """A kind of event (SC-2) and its template: run of show, budget categories, risks, materials, schedule.

    The five types of the specification are seeded; administrators add more.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_builtin = models.BooleanField(_("内置类型"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # Template, each a list of dicts; later phases read their own keys.
    run_of_show = models.JSONField(_("默认流程"), default=_default_list, blank=True)
    budget_categories = models.JSONField(_("预算科目"), default=_default_list, blank=True)
    risks = models.JSONField(_("默认风险预案"), default=_default_list, blank=True)
    materials = models.JSONField(_("默认物料"), default=_default_list, blank=True)
    schedule = models.JSONField(_("相对日程"), default=_default_list, blank=True)
    # TM-2: the groups of the project team an event of this type starts with (code, name, name_en, duties).
    team_groups = models.JSONField(_("项目组"), default=_default_list, blank=True)
    # EX-2: the kit handed out at check-in ([{code, name, name_en}]); copied into an event's check-in settings.
    kit = models.JSONField(_("签到物料"), default=_default_list, blank=True)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["-is_builtin", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Event(Revisioned):
    name = models.CharField(_("活动名称"), max_length=200)
    event_type = models.ForeignKey(
        EventType, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="events"
    )
    theme = models.CharField(_("主题"), max_length=200, blank=True)
    tone = models.CharField(_("调性"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    expected_attendance = models.PositiveIntegerField(_("预计人数"), default=0)
    requesting_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("需求部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_events",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="owned_events",
    )
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("团队成员"), blank=True, related_name="team_events"
    )
    step = models.CharField(
        _("当前步骤"), max_length=20, choices=Step.choices, default=Step.NEEDS, db_index=True
    )
    step_changed_at = models.DateTimeField(_("进入当前步骤时间"), default=timezone.now)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phase(self) -> Phase:
        return PHASE_OF[self.step]

    @property
    def step_number(self) -> int:
        """1-based position of the current step (17 once closed)."""
        return step_index(self.step) + 1

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_start(self):  # noqa: ANN201
        return timezone.localtime(self.starts_at, self.tz)

    def local_end(self):  # noqa: ANN201
        return timezone.localtime(self.ends_at, self.tz)


class StepTransition(models.Model):
    """One move of an event through the lifecycle: who, when, from, to, why."""

    class Direction(models.TextChoices):
        FORWARD = "forward", _("推进")
        BACK = "back", _("退回")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="transitions")
    from_step = models.CharField(_("原步骤"), max_length=20, choices=Step.choices)
    to_step = models.CharField(_("新步骤"), max_length=20, choices=Step.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(_("原因"), blank=True)
    # A reason the system wrote (a rejection) as a msgid and JSON parameters (``core.audit.Message``),
    # shown in the reader's language; ``reason`` keeps the Chinese text, and what an organiser typed.
    reason_key = models.TextField(_("原因代码"), blank=True, default="")
    reason_params = models.JSONField(_("原因参数"), default=dict, blank=True)
    # The reason quotes review opinions or a signature comment (a rejection, RV-1/AP-1): only people who
    # may read the approval see it; the others see that the event was sent back, not why.
    restricted = models.BooleanField(_("原因仅审批相关人员可见"), default=False)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("步骤流转")
        verbose_name_plural = _("步骤流转")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_step_display()} → {self.get_to_step_display()}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language: a system reason rendered again, a typed one as typed."""
        from huodong.core.audit import message_render

        return message_render(self.reason_key, self.reason_params, self.reason)
