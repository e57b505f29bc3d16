"""Planning records of an event: needs research, SMART goals, the plan and its versions, reviews, signatures.

The plan's working copy (segments, budget lines, risks, attachments) is edited in place; submitting it
for review freezes a ``PlanVersion`` with a content hash. Reviews and signatures belong to a version.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, Revisioned
from huodong.events.models import Event

USER = settings.AUTH_USER_MODEL


# ---------------------------------------------------------------- needs insight (NI-1, NI-2, DOC-1)
class NeedsReport(Revisioned):
    """《活动需求调研报告》's content for one event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="needs_report")
    background = models.TextField(_("需求背景"), blank=True)
    audience_persona = models.TextField(_("目标受众画像"), blank=True)
    core_needs = models.TextField(_("核心需求描述"), blank=True)
    initial_goals = models.TextField(_("初步目标设定"), blank=True)
    requesting_department = models.ForeignKey(
        Department,
        verbose_name=_("需求提出部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requesters: models.ManyToManyField = models.ManyToManyField(
        USER, verbose_name=_("需求提出人"), blank=True, related_name="+"
    )
    requested_on = models.DateField(_("提出日期"), null=True, blank=True)
    # Archived events of the same type the organiser chose to compare with (historical review, LC-3).
    history_event_ids = models.JSONField(_("参考的历史活动"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动需求调研报告")
        verbose_name_plural = _("活动需求调研报告")

    def __str__(self) -> str:
        return f"{self.event} · {self._meta.verbose_name}"


class NeedsInput(Revisioned):
    """An input to the needs (NI-1): a business goal, a market trend, customer feedback…"""

    class Kind(models.TextChoices):
        BUSINESS_GOAL = "business_goal", _("业务部门目标")
        MARKET_TREND = "market_trend", _("市场趋势分析")
        CUSTOMER_FEEDBACK = "customer_feedback", _("客户反馈")
        OTHER = "other", _("其他")

    report = models.ForeignKey(NeedsReport, on_delete=models.CASCADE, related_name="inputs")
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    content = models.TextField(_("内容"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("需求输入")
        verbose_name_plural = _("需求输入")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.content[:40]}"


class NeedsMethod(Revisioned):
    """A research method used (NI-2) and what it found."""

    class Method(models.TextChoices):
        INTERVIEW = "interview", _("部门访谈")
        QUESTIONNAIRE = "questionnaire", _("问卷调研")
        BENCHMARKING = "benchmarking", _("竞品活动对标")
        HISTORICAL_REVIEW = "historical_review", _("历史活动数据复盘")

    report = models.ForeignKey(NeedsReport, on_delete=models.CASCADE, related_name="methods")
    method = models.CharField(_("方法"), max_length=30, choices=Method.choices)
    findings = models.TextField(_("发现"))
    conducted_on = models.DateField(_("日期"), null=True, blank=True)
    participants = models.CharField(_("参与对象"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("调研方法")
        verbose_name_plural = _("调研方法")

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.findings[:40]}"


# ---------------------------------------------------------------- SMART goals (GO-1)
class Goal(Revisioned):
    class Metric(models.TextChoices):
        ATTENDEES = "attendees", _("参会人数")
        VALID_LEADS = "valid_leads", _("有效线索")
        MEDIA_EXPOSURE = "media_exposure", _("媒体曝光量")
        SATISFACTION = "satisfaction", _("满意度")
        REGISTRATIONS = "registrations", _("报名人数")
        DEALS = "deals", _("成交")
        CUSTOM = "custom", _("自定义")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("指标"), max_length=30, choices=Metric.choices)
    custom_metric = models.CharField(_("自定义指标名称"), max_length=100, blank=True)
    description = models.CharField(_("具体描述"), max_length=300, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    baseline = models.DecimalField(_("基线"), max_digits=14, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(_("截止日期"), null=True, blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objective = models.CharField(_("服务的业务目标"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("活动目标")
        verbose_name_plural = _("活动目标")

    def __str__(self) -> str:
        return self.metric_label

    @property
    def metric_label(self) -> str:
        return (
            self.custom_metric
            if self.metric == self.Metric.CUSTOM and self.custom_metric
            else str(self.get_metric_display())
        )


# ---------------------------------------------------------------- the plan (PL-1, PL-2, PL-3, DOC-2)
class Plan(Revisioned):
    """The working copy of an event's plan. Theme, tone, time and place live on the Event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="plan")
    background = models.TextField(_("活动背景"), blank=True)
    positioning = models.TextField(_("定位说明"), blank=True)
    # PL-3: the amount the requesting department approved; the budget total must stay within it.
    approved_budget = models.DecimalField(
        _("需求部门审批额度"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动策划方案")
        verbose_name_plural = _("活动策划方案")

    def __str__(self) -> str:
        return f"{self.event} · {self._meta.verbose_name}"


class RunOfShowSegment(Revisioned):
    """One segment of the run of show (PL-2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField(_("顺序"), default=0)
    title = models.CharField(_("环节"), max_length=200)
    starts_at = models.DateTimeField(_("计划开始"))
    duration_minutes = models.PositiveIntegerField(_("时长(分钟)"))
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key_actions = models.TextField(_("关键动作"), blank=True)
    parallel = models.BooleanField(_("可与其他环节并行"), default=False)

    class Meta:
        ordering = ["starts_at", "position", "id"]
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="segment_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):  # noqa: ANN201
        import datetime as dt

        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


CONTINGENCY = "contingency"  # PL-3: the code of the contingency reserve category


class BudgetLine(Revisioned):
    """One line of the budget (PL-3): category, quantity × unit price = amount."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveIntegerField(_("顺序"), default=0)
    category = models.CharField(_("科目"), max_length=40)
    category_name = models.CharField(_("科目名称"), max_length=100)
    item = models.CharField(_("项目"), max_length=200)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="budget_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="budget_unit_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.item

    @cached_property
    def category_label(self) -> str:
        """The category's name in the reader's language: a built-in one in English when the reader reads
        English (``selectors_plan.budget_categories``), a custom one as the planner typed it. A list of
        lines is labelled at once by ``selectors_plan.label_budget_lines``."""
        from .selectors_plan import category_labels

        return category_labels(self.plan.event).get(self.category) or self.category_name or self.category


class Risk(Revisioned):
    """A line of the risk register: the on-site incident log (EX-5) reads it."""

    class Level(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    position = models.PositiveIntegerField(_("顺序"), default=0)
    risk = models.CharField(_("风险"), max_length=300)
    likelihood = models.CharField(_("可能性"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    impact = models.CharField(_("影响"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(_("应对预案"))
    backup_resource = models.CharField(_("备用资源"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("风险预案")
        verbose_name_plural = _("风险预案")

    def __str__(self) -> str:
        return self.risk


def attachment_path(instance: PlanAttachment, filename: str) -> str:
    return f"plans/{instance.plan.event_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class PlanAttachment(Revisioned):
    class Kind(models.TextChoices):
        FLOOR_PLAN = "floor_plan", _("场地平面图")
        MATERIALS_LIST = "materials_list", _("物料清单")
        OTHER = "other", _("其他")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


# ---------------------------------------------------------------- versions, review (RV-1), approval (AP-1)
class PlanVersion(models.Model):
    """A frozen copy of the plan submitted for review; signatures sign its content hash."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("评审中")
        REJECTED = "rejected", _("已驳回")
        REVIEWED = "reviewed", _("评审通过,待审批")
        APPROVED = "approved", _("已审批定稿")
        SUPERSEDED = "superseded", _("已作废(方案已修改)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    content = models.JSONField(_("内容"))
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.IN_REVIEW)
    submitted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # RV-1: departments the organisation requires that this submission left out, and the administrator
    # who allowed it and why (empty when every required department reviews).
    review_exception_departments = models.JSONField(_("免评审部门"), default=list, blank=True)
    review_exception_reason = models.TextField(_("免评审原因"), blank=True)
    review_exception_by = models.ForeignKey(
        USER,
        verbose_name=_("批准免评审的管理员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


class DepartmentReview(models.Model):
    """One department's review of a plan version (RV-1)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待评审")
        APPROVE = "approve", _("通过")
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("有条件通过")
        REJECT = "reject", _("驳回")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey(
        Department, verbose_name=_("评审部门"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        USER, verbose_name=_("评审人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("结论"), max_length=30, choices=Decision.choices, default=Decision.PENDING)
    feasibility_opinion = models.TextField(_("可行性意见"), blank=True)
    budget_opinion = models.TextField(_("预算合理性意见"), blank=True)
    risk_opinion = models.TextField(_("风险控制意见"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    decided_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    class Meta:
        ordering = ["version", "id"]
        verbose_name = _("部门评审")
        verbose_name_plural = _("部门评审")
        constraints = [
            models.UniqueConstraint(fields=["version", "department"], name="review_one_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.department}"


class ApprovalLevel(models.TextChoices):
    # AP-1: the executive in charge, then the general manager.
    EXECUTIVE = "executive", _("分管领导")
    GENERAL_MANAGER = "general_manager", _("总经理")


APPROVAL_ORDER: tuple[str, ...] = (ApprovalLevel.EXECUTIVE, ApprovalLevel.GENERAL_MANAGER)  # AP-1


class Signature(models.Model):
    """An approver's decision on a version: who, when, the comment and the exact content hash signed."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("批准")
        REJECT = "reject", _("驳回")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signatures")
    level = models.CharField(_("审批层级"), max_length=20, choices=ApprovalLevel.choices)
    approver = models.ForeignKey(USER, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    content_hash = models.CharField(_("签署内容哈希"), max_length=64)
    signed_at = models.DateTimeField(_("签署时间"), default=timezone.now)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "signed_at", "id"]
        verbose_name = _("审批签字")
        verbose_name_plural = _("审批签字")
        constraints = [
            # An approver cannot sign one level of one version twice (the service also says why).
            models.UniqueConstraint(
                fields=["version", "level"],
                condition=models.Q(voided_at__isnull=True),
                name="signature_one_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_level_display()} · {self.approver}"

    @property
    def void_reason_text(self) -> str:
        """Why the signature was voided, in the reader's language (the stored text is the msgid)."""
        return gettext(self.void_reason) if self.void_reason else ""


ZERO = Decimal("0.00")
