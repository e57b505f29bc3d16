"""Outreach records of an event (the notices of section (三), NT-1 and NT-2, and what the on-site phase needs
about guests): the guest list with department quotas, registration with consent per purpose (PIPL), tickets
signed with the event's Ed25519 key, message templates, the outbox every message passes through, the
collaboration letters and the background jobs (large imports, bulk sends) with their progress.

Rules live in ``services``; the gate of 通知发布 in ``gates``. Outreach reads planning and preparation (the
RACI matrix of a collaboration letter), never the reverse.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, Revisioned
from huodong.events.models import Event

USER = settings.AUTH_USER_MODEL


def new_access_key() -> str:
    """A URL-safe secret (128 bits) for a link a guest opens without signing in."""
    return secrets.token_urlsafe(16)


# ---------------------------------------------------------------- keys and registration settings
class EventKey(models.Model):
    """The event's Ed25519 signing key (DESIGN.md, "Check-in"): tickets are signed with it, scanners
    verify with the public half without the network. Created on first use; ``key_id`` goes into every
    token so a rotated key can be told apart."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="signing_key")
    key_id = models.PositiveIntegerField(_("密钥编号"), default=1)
    private_key = models.BinaryField(_("私钥"))  # 32-byte raw Ed25519 seed
    public_key = models.BinaryField(_("公钥"))  # 32-byte raw public key
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动签名密钥")
        verbose_name_plural = _("活动签名密钥")

    def __str__(self) -> str:
        return f"{self.event_id}#{self.key_id}"


class RegistrationSettings(Revisioned):
    """How guests register for an event (the public page) and what the invitations say (NT-2)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="registration_settings")
    # The public page lives at /r/<slug>/: unguessable, so a closed event's page cannot be found by id.
    slug = models.SlugField(_("报名链接代码"), max_length=40, unique=True, default=new_access_key)
    is_open = models.BooleanField(_("开放报名"), default=False)
    deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("名额"), default=0, help_text=_("0 表示不限名额"))
    # [{"code", "label", "label_en", "kind": text|choice|multi|yesno, "choices": [..], "required": bool}]
    questions = models.JSONField(_("报名问题"), default=list, blank=True)
    # Shown in the invitation and on the public page (placeholders {highlights}, {how_to_register}, {notes}).
    highlights = models.TextField(_("活动亮点"), blank=True)
    how_to_register = models.TextField(_("报名方式"), blank=True)
    notes = models.TextField(_("注意事项"), blank=True)
    # PIPL: the co-hosts guest data may be shared with (named in the notice; consent asked separately).
    cohosts = models.CharField(_("联合主办方"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("开放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名设置")
        verbose_name_plural = _("报名设置")

    def __str__(self) -> str:
        return f"{self.event}"


# ---------------------------------------------------------------- guests, quotas, consent
class GuestCategory(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    VIP = "vip", _("VIP")
    MEDIA = "media", _("媒体")
    SPEAKER = "speaker", _("嘉宾/讲者")
    PARTNER = "partner", _("合作伙伴")
    EMPLOYEE = "employee", _("员工")


class GuestStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    REGISTERED = "registered", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    DECLINED = "declined", _("已婉拒")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("未到场")


# The statuses that hold a seat against the capacity.
SEATED = (GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)


class Guest(Revisioned):
    """A person invited to or registered for an event. Phone numbers are stored in E.164 (+8613812345678),
    e-mail addresses lower-cased; each is unique within the event, so a second registration with either is
    the same guest."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("手工添加")
        IMPORT = "import", _("导入")
        REGISTRATION = "registration", _("自助报名")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("姓名"), max_length=100)
    company = models.CharField(_("公司"), max_length=200, blank=True)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)  # E.164
    email = models.EmailField(_("邮箱"), max_length=254, blank=True)
    category = models.CharField(
        _("类别"), max_length=12, choices=GuestCategory.choices, default=GuestCategory.CUSTOMER
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("邀请部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        USER, verbose_name=_("邀请人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=GuestStatus.choices, default=GuestStatus.INVITED
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")  # of the messages sent
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True)
    answers = models.JSONField(_("报名回答"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    sort_key = models.CharField(max_length=200, blank=True, db_index=True)  # pinyin of the name
    registered_at = models.DateTimeField(_("报名时间"), null=True, blank=True)
    # The waiting list moves up in this order (the moment the guest joined it).
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # PIPL: erased on the guest's request or at the end of the retention period (``services.privacy``):
    # what identified the person is gone, the row stays for the event's counts.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # The guest's own link (ticket page, self-service): /t/<access_key>/.
    access_key = models.CharField(max_length=32, unique=True, default=new_access_key)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("嘉宾")
        verbose_name_plural = _("嘉宾")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "phone"], condition=~models.Q(phone=""), name="guest_phone_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["event", "email"], condition=~models.Q(email=""), name="guest_email_once_per_event"
            ),
        ]
        indexes = [
            # (event, status) first: the guest lists and counts by status; the live dashboard (onsite.live)
            # answers its counts by category and its registration curve from these two indexes alone.
            models.Index(fields=["event", "status", "category"], name="live_guest_event_status_cat"),
            models.Index(fields=["event", "registered_at", "status"], name="live_guest_event_reg_status"),
        ]

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """A guest's consent to one purpose (PIPL): given (with the notice's version) and perhaps withdrawn.
    The outbox sends nothing for a purpose without a standing consent."""

    class Purpose(models.TextChoices):
        OPERATION = "operation", _("活动运营")
        MARKETING = "marketing", _("营销跟进")
        COHOST = "cohost", _("与联合主办方共享")

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("目的"), max_length=12, choices=Purpose.choices)
    granted = models.BooleanField(_("同意"), default=False)
    notice_version = models.CharField(_("告知书版本"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=20, blank=True)  # registration, import, self-service
    granted_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    address = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        constraints = [models.UniqueConstraint(fields=["guest", "purpose"], name="consent_once_per_purpose")]

    def __str__(self) -> str:
        return f"{self.guest_id}:{self.purpose}"

    @property
    def standing(self) -> bool:
        return self.granted and self.withdrawn_at is None


class DepartmentQuota(Revisioned):
    """A collaborating department's quota of guests (from the collaboration letter, e.g. 销售部 brings 20
    customers), tracked against the guests the department adds. A shortfall may be accepted with a reason
    (the gate of 通知发布)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guest_quotas")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("邀约名额"), default=0)
    contact = models.ForeignKey(
        USER, verbose_name=_("对接人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shortfall_reason = models.TextField(_("缺口说明"), blank=True)
    shortfall_accepted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shortfall_accepted_at = models.DateTimeField(_("接受缺口时间"), null=True, blank=True)

    class Meta:
        ordering = ["department__sort_order", "id"]
        verbose_name = _("部门邀约名额")
        verbose_name_plural = _("部门邀约名额")
        constraints = [
            models.UniqueConstraint(fields=["event", "department"], name="quota_once_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.department_id}={self.quota}"


class Ticket(models.Model):
    """A registered guest's ticket: the QR carries a token signed with the event key (``tickets``); the
    short code is the human fallback at the door. Reissuing bumps ``version``: older tokens stop working."""

    guest = models.OneToOneField(Guest, on_delete=models.CASCADE, related_name="ticket")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    code = models.CharField(_("票号"), max_length=12)
    version = models.PositiveIntegerField(_("版本"), default=1)
    issued_at = models.DateTimeField(_("出票时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("电子票")
        verbose_name_plural = _("电子票")
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="ticket_code_once_per_event")]

    def __str__(self) -> str:
        return self.code


class RegistrationAttempt(models.Model):
    """One submission of a public registration page, for the flood limit (per address and per event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="registration_attempt_addr")]

    def __str__(self) -> str:
        return f"{self.address}@{self.at:%Y-%m-%d %H:%M:%S}"


# ---------------------------------------------------------------- channels and templates
class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信服务号")
    ROBOT = "robot", _("群机器人")


class MessageKind(models.TextChoices):
    COLLABORATION_LETTER = "collaboration_letter", _("活动协作函")
    INVITATION = "invitation", _("邀请函")
    CONFIRMATION = "confirmation", _("报名确认")
    WAITLISTED = "waitlisted", _("候补通知")
    PROMOTED = "promoted", _("候补转正")
    REMINDER = "reminder", _("活动提醒")
    CANCELLATION = "cancellation", _("取消通知")
    UPDATE = "update", _("活动变更")


class Robot(Revisioned):
    """An internal group robot (企业微信, 钉钉 or 飞书) a department's notices go to (DESIGN.md, "Robot
    webhooks"). The key or token names the robot; 钉钉 and 飞书 robots also have a signing secret."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        FEISHU = "feishu", _("飞书")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="robots",
    )
    token = models.CharField(_("Key / Token"), max_length=200)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self) -> str:
        return self.name


class MessageTemplate(Revisioned):
    """The text of one kind of message on one channel in one language, with named placeholders
    (``{guest_name}``, ``{event}``, ``{time}``, ``{place}``, ``{ticket_link}``, ...). ``event`` null is the
    organisation's default; an event's own template overrides it."""

    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="message_templates"
    )
    kind = models.CharField(_("消息类别"), max_length=24, choices=MessageKind.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))

    class Meta:
        ordering = ["kind", "channel", "language"]
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "channel", "language"], name="template_once_per_event_kind_channel"
            ),
            models.UniqueConstraint(
                fields=["kind", "channel", "language"],
                condition=models.Q(event__isnull=True),
                name="template_default_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}/{self.language}"


# ---------------------------------------------------------------- collaboration letters (NT-1)
class CollaborationLetter(Revisioned):
    """《活动协作函》 to one collaborating department (NT-1): its tasks from the RACI matrix, its quota and
    the contact person, sent as a message (e-mail to the contact, the department's robots) and available as
    a Word/PDF document. A failed delivery may be acknowledged with a reason (the gate of 通知发布)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="collaboration_letters")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        USER, verbose_name=_("对接人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    failure_acknowledged_reason = models.TextField(_("送达失败说明"), blank=True)
    failure_acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure_acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["department__sort_order", "id"]
        verbose_name = _("活动协作函")
        verbose_name_plural = _("活动协作函")
        constraints = [
            models.UniqueConstraint(fields=["event", "department"], name="letter_once_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.department_id}"


class NoticeSchedule(Revisioned):
    """When each notice of the event goes out (NT-1, NT-2), relative to the event's start: the collaboration
    letters (T-7 days), the invitations, the reminder to registered guests (T-3 days). Seeded from the event
    type's schedule; the organiser adjusts the offset and the channels. ``applied_at`` is when the notice was
    last queued (the messages then carry the offset and follow the event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notice_schedule")
    kind = models.CharField(_("通知"), max_length=24, choices=MessageKind.choices)
    offset_minutes = models.IntegerField(_("相对活动开始(分钟)"))
    channels = models.JSONField(_("渠道"), default=list, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    applied_at = models.DateTimeField(_("排入发件箱时间"), null=True, blank=True)

    class Meta:
        ordering = ["offset_minutes", "id"]
        verbose_name = _("通知日程")
        verbose_name_plural = _("通知日程")
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="notice_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.kind}@{self.offset_minutes}"


# ---------------------------------------------------------------- background jobs (imports, bulk sends)
class Job(models.Model):
    """A long piece of work the worker does for a page (a large import, a bulk send): its progress for the
    progress bar and, at the end, its report (imported, merged, refused with reasons)."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("导入嘉宾")
        SEND = "send", _("批量发送")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outreach_jobs")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    params = models.JSONField(default=dict, blank=True)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    file = models.FileField(upload_to="outreach/jobs/", max_length=300, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0


# ---------------------------------------------------------------- the outbox (DESIGN.md, "The outbox")
class Message(models.Model):
    """One message, a row before it is a delivery. ``due_at`` is the moment in force; with
    ``offset_minutes`` set it follows the event's start (moving the event moves it).

    The worker claims due rows (``status`` pending, ``not_before`` passed), marks each ``sending`` just
    before the last byte goes out and ``sent`` when the provider accepts it. A row found ``sending`` after a
    worker died is in doubt: on a channel whose provider de-duplicates by ``idempotency_key`` it is sent
    again, otherwise it waits for the organiser (never sent twice, never silently dropped).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        CLAIMED = "claimed", _("已领取")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        RETRY = "retry", _("等待重试")
        DEAD = "dead", _("发送失败")
        IN_DOUBT = "in_doubt", _("待确认")
        SUPPRESSED = "suppressed", _("未发送(无同意)")
        CANCELLED = "cancelled", _("已撤销")

    class Purpose(models.TextChoices):
        OPERATION = "operation", _("活动运营")
        MARKETING = "marketing", _("营销跟进")
        COHOST = "cohost", _("与联合主办方共享")
        INTERNAL = "internal", _("内部通知")

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    letter = models.ForeignKey(
        CollaborationLetter, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    robot = models.ForeignKey(
        Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("消息类别"), max_length=24, choices=MessageKind.choices)
    purpose = models.CharField(_("目的"), max_length=12, choices=Purpose.choices, default=Purpose.OPERATION)
    recipient = models.CharField(_("收件人"), max_length=254)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("标题"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    # What the channel adds at send time: {"ics": "REQUEST"|"CANCEL", "qr": true, "ticket_link": "..."}.
    extras = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(_("计划发送时间"))
    offset_minutes = models.IntegerField(_("相对活动开始(分钟)"), null=True, blank=True)
    not_before = models.DateTimeField(_("最早发送时间"))  # due_at, or the next retry
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=200, unique=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("服务商回执"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["status", "not_before"], name="message_due"),
            models.Index(fields=["event", "status"], name="message_event_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient}:{self.kind}"


class DeliveryAttempt(models.Model):
    """One try at delivering a message: the delivery log per event and per guest."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("成功")
        FAILED = "failed", _("失败")
        THROTTLED = "throttled", _("限流")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("错误"), blank=True)
    worker = models.CharField(max_length=100, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")

    def __str__(self) -> str:
        return f"{self.message_id}:{self.outcome}"
