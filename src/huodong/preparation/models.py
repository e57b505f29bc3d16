"""Preparation records of an event (section (三) of the spec, without the notices): the team and its
groups (TM-1, TM-2), tasks with a RACI assignment on the T-minus schedule (TM-1), the vendor register
with quotes and contracts per vendor need (VD-1, VD-2), requests for internal resources (IR-1), the
materials list (MT-1) and the trainings with their attendance (TR-1).

Rules live in ``services``; the gates of 资源协调, 物料筹备 and 人员培训 in ``gates``. Preparation reads
planning (the budget lines a vendor need commits), never the reverse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, Revisioned
from huodong.events.models import Event

USER = settings.AUTH_USER_MODEL


def upload_path(instance: models.Model, filename: str) -> str:
    """``preparation/<event>/<kind>/<timestamp>-<name>``: files of one event stay together."""
    event_id = getattr(instance, "event_id", None) or "shared"
    return f"preparation/{event_id}/{instance._meta.model_name}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class StoredFile(Revisioned):
    """What every uploaded file of preparation keeps: the file, its name as uploaded, size, type, hash."""

    file = models.FileField(_("文件"), upload_to=upload_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


# ---------------------------------------------------------------- team (TM-1, TM-2)
class TeamGroup(Revisioned):
    """A group of the project team (TM-2): 执行组, 宣传组, 后勤组 by default, editable per event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="team_groups")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("组名"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    duties = models.TextField(_("职责"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("项目组")
        verbose_name_plural = _("项目组")
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="team_group_code_per_event")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class TeamMember(Revisioned):
    """A person on the project team (TM-1): the leader (a marketing supervisor) or a member, in a group,
    with written duties. People from any department may be members."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="team_roster")
    person = models.ForeignKey(USER, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        TeamGroup,
        verbose_name=_("所在组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_leader = models.BooleanField(_("项目负责人"), default=False)
    duties = models.TextField(_("职责"), blank=True)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        ordering = ["-is_leader", "group__position", "id"]
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="team_member_once_per_event"),
            models.UniqueConstraint(
                fields=["event"], condition=models.Q(is_leader=True), name="team_one_leader_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.person}"


# ---------------------------------------------------------------- tasks and RACI (TM-1), T-minus schedule
class Task(Revisioned):
    """A task of the project, with a RACI assignment and a deadline.

    A deadline is either relative to the event's start (``offset_minutes``, e.g. −7 days for the
    collaboration letters, NT-1) — then moving the event moves it — or pinned to an absolute moment
    (``pinned``). ``due_at`` is always the moment in force, so lists sort and filter on one column.
    """

    class Status(models.TextChoices):
        TODO = "todo", _("待开始")
        DOING = "doing", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    group = models.ForeignKey(
        TeamGroup,
        verbose_name=_("所在组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.TODO)
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    offset_minutes = models.IntegerField(_("相对活动开始(分钟)"), null=True, blank=True)
    pinned = models.BooleanField(_("固定日期"), default=False)
    template_code = models.CharField(_("模板代码"), max_length=40, blank=True)
    rule = models.CharField(_("规则"), max_length=10, blank=True)  # NT-1, TR-1, EX-1, EX-3
    note = models.TextField(_("备注"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["due_at", "position", "id"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.TODO, self.Status.DOING)

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("R 执行")
    ACCOUNTABLE = "A", _("A 负责")
    CONSULTED = "C", _("C 咨询")
    INFORMED = "I", _("I 知会")


class TaskAssignment(models.Model):
    """One letter of the RACI matrix: a person's role in a task (exactly one A, at least one R)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(USER, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("RACI"), max_length=1, choices=Raci.choices)

    class Meta:
        ordering = ["task", "role", "id"]
        verbose_name = _("RACI 分工")
        verbose_name_plural = _("RACI 分工")
        constraints = [
            models.UniqueConstraint(fields=["task", "person"], name="raci_one_letter_per_person"),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(role="A"), name="raci_one_accountable_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.person} · {self.role}"


# ---------------------------------------------------------------- vendors (VD-1, VD-2)
class VendorCategory(models.TextChoices):
    VENUE = "venue", _("场地")
    STAGE = "stage", _("舞台搭建")
    AV = "av", _("音视频设备")
    GIFTS = "gifts", _("礼品")
    PRINTING = "printing", _("印刷")
    CATERING = "catering", _("餐饮")
    TRANSPORT = "transport", _("交通")
    STAFFING = "staffing", _("人员服务")
    MEDIA = "media", _("媒体")
    OTHER = "other", _("其他")


class Vendor(Revisioned):
    """A vendor of the shared register (VD-1): what it supplies, whom to call, what it did before."""

    name = models.CharField(_("供应商名称"), max_length=200, unique=True)
    categories = models.JSONField(_("类别"), default=list, blank=True)  # VendorCategory codes
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    cases = models.TextField(_("过往案例"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")

    def __str__(self) -> str:
        return self.name


class VendorQualification(Revisioned):
    """A licence or certificate of a vendor, with its expiry date (an expired one is flagged, VD-1)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("资质名称"), max_length=200)
    number = models.CharField(_("证书编号"), max_length=100, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("供应商资质")
        verbose_name_plural = _("供应商资质")

    def __str__(self) -> str:
        return self.name

    def is_expired(self, on: dt.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (on or timezone.localdate())


class VendorRating(models.Model):
    """How a vendor did at one event (1–5), given after it delivered; the register shows the average."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="ratings")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        ordering = ["-rated_at", "id"]
        verbose_name = _("供应商评价")
        verbose_name_plural = _("供应商评价")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "event"], name="vendor_rating_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.score}"


class ScoringWeights(Revisioned):
    """The organisation's weights for comparing quotes (VD-1), in percent, adding up to 100."""

    qualification = models.PositiveSmallIntegerField(_("资质权重"), default=25)
    price = models.PositiveSmallIntegerField(_("价格权重"), default=40)
    cases = models.PositiveSmallIntegerField(_("案例权重"), default=20)
    delivery = models.PositiveSmallIntegerField(_("交付权重"), default=15)
    min_quotes = models.PositiveSmallIntegerField(_("最少报价数"), default=3)  # VD-1: at least 3

    class Meta:
        verbose_name = _("比价权重")
        verbose_name_plural = _("比价权重")

    def __str__(self) -> str:
        return f"{self.qualification}/{self.price}/{self.cases}/{self.delivery}"


class VendorNeed(Revisioned):
    """Something the event buys (VD-1): quotes from at least 3 vendors, a choice with its reason, then a
    contract (VD-2). The chosen quote's amount is committed against its budget line."""

    class Status(models.TextChoices):
        QUOTING = "quoting", _("询价中")
        CHOSEN = "chosen", _("已选定")
        CONTRACTED = "contracted", _("已签合同")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="vendor_needs")
    title = models.CharField(_("采购需求"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=VendorCategory.choices)
    description = models.TextField(_("需求说明"), blank=True)
    budget_line = models.ForeignKey(
        "planning.BudgetLine",
        verbose_name=_("预算科目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needed_by = models.DateField(_("需交付日期"), null=True, blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUOTING)
    chosen_quote = models.ForeignKey(
        "Quote",
        verbose_name=_("选定报价"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    choice_reason = models.TextField(_("选择理由"), blank=True)
    chosen_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    chosen_at = models.DateTimeField(_("选定时间"), null=True, blank=True)
    # Fewer quotes than the organisation's minimum only with an approver's recorded exception (VD-1).
    exception_reason = models.TextField(_("少于规定报价数的例外原因"), blank=True)
    exception_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    exception_at = models.DateTimeField(_("例外批准时间"), null=True, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("采购需求")
        verbose_name_plural = _("采购需求")

    def __str__(self) -> str:
        return self.title


class Quote(Revisioned):
    """A vendor's quote for a need, with the evaluator's scores (0–100) for the weighted comparison;
    the price score is computed from the amounts (the lowest scores 100)."""

    need = models.ForeignKey(VendorNeed, on_delete=models.CASCADE, related_name="quotes")
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="quotes"
    )
    amount = models.DecimalField(_("报价金额"), max_digits=14, decimal_places=2)
    includes = models.TextField(_("报价包含"), blank=True)
    delivery_on = models.DateField(_("交付日期"), null=True, blank=True)
    valid_until = models.DateField(_("报价有效期至"), null=True, blank=True)
    qualification_score = models.PositiveSmallIntegerField(_("资质得分"), null=True, blank=True)
    cases_score = models.PositiveSmallIntegerField(_("案例得分"), null=True, blank=True)
    delivery_score = models.PositiveSmallIntegerField(_("交付得分"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["amount", "id"]
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        constraints = [
            models.UniqueConstraint(fields=["need", "vendor"], name="quote_one_per_vendor_per_need")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.amount}"


class QuoteAttachment(StoredFile):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("报价附件")
        verbose_name_plural = _("报价附件")


class Contract(Revisioned):
    """The contract with the chosen vendor (VD-2): service content, delivery time, liability for breach,
    amount and the signed file."""

    need = models.OneToOneField(VendorNeed, on_delete=models.CASCADE, related_name="contract")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("合同编号"), max_length=60, blank=True)
    service_content = models.TextField(_("服务内容"))
    delivery_at = models.DateTimeField(_("交付时间"))
    liability = models.TextField(_("违约责任"))
    amount = models.DecimalField(_("合同金额"), max_digits=14, decimal_places=2)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    signed_file = models.FileField(_("已签合同文件"), upload_to=upload_path, max_length=300, blank=True)
    signed_file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")

    def __str__(self) -> str:
        return self.number or f"{self.vendor} · {self.need}"


# ---------------------------------------------------------------- internal resources (IR-1)
class ResourceRequest(Revisioned):
    """Support asked of another department (IR-1): 技术部 runs the network, 产品部 brings the material…
    The department's people confirm or decline with a comment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已拒绝")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="resource_requests")
    department = models.ForeignKey(
        Department, verbose_name=_("协作部门"), on_delete=models.PROTECT, related_name="resource_requests"
    )
    what = models.TextField(_("需要什么"))
    needed_at = models.DateTimeField(_("需要时间"))
    contact = models.ForeignKey(
        USER, verbose_name=_("我方联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    responder = models.ForeignKey(
        USER, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(_("答复意见"), blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    class Meta:
        ordering = ["needed_at", "id"]
        verbose_name = _("内部资源协调")
        verbose_name_plural = _("内部资源协调")

    def __str__(self) -> str:
        return f"{self.department} · {self.what[:40]}"


# ---------------------------------------------------------------- materials (MT-1)
class MaterialItem(Revisioned):
    """One line of 《活动物料明细表》 (MT-1)."""

    class Kind(models.TextChoices):
        PUBLICITY = "publicity", _("宣传物料")
        EVENT = "event", _("活动物料")
        GIFT = "gift", _("礼品")

    class Status(models.TextChoices):
        TO_ORDER = "to_order", _("待下单")
        ORDERED = "ordered", _("已下单")
        ARRIVED = "arrived", _("已到货")
        ACCEPTED = "accepted", _("已验收")
        WAIVED = "waived", _("不再需要")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("物料名称"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"))
    spec = models.CharField(_("规格"), max_length=300, blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("截止日期"), null=True, blank=True)
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("供应商"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.TO_ORDER)
    waive_reason = models.TextField(_("不再需要的原因"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["kind", "position", "id"]
        verbose_name = _("物料")
        verbose_name_plural = _("物料")

    def __str__(self) -> str:
        return self.name

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.WAIVED)

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < (on or timezone.localdate())


class MaterialFile(StoredFile):
    """A photo or file of a material (the design, the delivery, the acceptance)."""

    item = models.ForeignKey(MaterialItem, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("物料附件")
        verbose_name_plural = _("物料附件")


# ---------------------------------------------------------------- training (TR-1)
class Training(Revisioned):
    """The execution meeting three days before the event (TR-1) or a special training (礼仪, 主持人,
    讲解员), with its agenda, what it covered, minutes and attendance."""

    class Kind(models.TextChoices):
        EXECUTION_MEETING = "execution_meeting", _("执行会议")
        ETIQUETTE = "etiquette", _("礼仪培训")
        HOST = "host", _("主持人培训")
        GUIDE = "guide", _("讲解员培训")
        OTHER = "other", _("其他培训")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    starts_at = models.DateTimeField(_("时间"))
    duration_minutes = models.PositiveIntegerField(_("时长(分钟)"), default=60)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    roles_covered = models.TextField(_("岗位职责说明"), blank=True)
    scripts_covered = models.TextField(_("应急话术"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    held_at = models.DateTimeField(_("实际召开时间"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(_("签到登记时间"), null=True, blank=True)
    trainer = models.ForeignKey(
        USER, verbose_name=_("主持/讲师"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    """Who was expected at a training and whether they came."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(USER, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("已出席"), null=True, blank=True)  # None: not recorded yet
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["training", "id"]
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="training_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.training} · {self.person}"


ZERO = Decimal("0.00")
