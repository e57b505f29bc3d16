"""Check-in records of an event (EX-2, EX-3; DESIGN.md "Check-in"): the doors' settings and kit, the gates
and their staff, the scanning devices, every scan (accepted, duplicate, refused — the log nothing is lost
from), the conflicts an offline sync found, and the arrival of the event's own staff.

Exactly once: a guest has at most one accepted scan (a unique constraint on ``Scan.guest`` where
``result = accepted``), and the redeem is a conditional update of the guest's status, never
read-then-write (``services.redeem``). Check-in reads outreach (guests, tickets) and planning (the run of
show's owners), never the reverse.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned
from huodong.events.models import Event
from huodong.outreach.models import Guest

USER = settings.AUTH_USER_MODEL

# The kit handed out at the door when the event type names none (EX-2: agenda, brochure, gift).
DEFAULT_KIT: list[dict[str, str]] = [
    {"code": "agenda", "name": "议程", "name_en": "Agenda"},
    {"code": "brochure", "name": "资料", "name_en": "Brochure"},
    {"code": "gift", "name": "礼品", "name_en": "Gift"},
]


def _default_kit() -> list[dict[str, str]]:
    return [dict(item) for item in DEFAULT_KIT]


class CheckinSettings(Revisioned):
    """When the doors open and close, what kit is handed out, who is told when an owner is late."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="checkin_settings")
    # The doors open this long before the event starts and close this long after it ends.
    opens_minutes_before = models.PositiveIntegerField(_("开始前多少分钟开放签到"), default=120)
    closes_minutes_after = models.PositiveIntegerField(_("结束后多少分钟关闭签到"), default=0)
    # [{"code", "name", "name_en"}], copied from the event type when the settings are created.
    kit = models.JSONField(_("签到物料"), default=_default_kit, blank=True)
    # EX-3: told at once when a segment owner arrives later than 30 minutes before the segment.
    stage_manager = models.ForeignKey(
        USER, verbose_name=_("现场总控"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("签到设置")
        verbose_name_plural = _("签到设置")

    def __str__(self) -> str:
        return f"{self.event} · {self._meta.verbose_name}"


class Gate(Revisioned):
    """A door of the event (入口 A, B, VIP …); each scanning device says which one it is."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=40, blank=True)
    is_vip = models.BooleanField(_("VIP 通道"), default=False)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("签到口")
        verbose_name_plural = _("签到口")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="gate_name_once_per_event")]

    def __str__(self) -> str:
        return self.name


class GateStaff(models.Model):
    """A person who checks guests in at an event (at one gate, or any when ``gate`` is empty); a
    supervisor also sees the counts and the conflicts and may undo a check-in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_staff")
    person = models.ForeignKey(USER, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    gate = models.ForeignKey(
        Gate, verbose_name=_("签到口"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    is_supervisor = models.BooleanField(_("签到主管"), default=False)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签到人员")
        verbose_name_plural = _("签到人员")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="checkin_staff_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.gate or '*'}"


class Device(models.Model):
    """A phone or scanner at a gate. ``key`` is the identifier the scanner page generated and keeps in its
    storage; scans and offline batches name it, so a batch from a device of another event is refused."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_devices")
    key = models.UUIDField(_("设备标识"), default=uuid.uuid4)
    label = models.CharField(_("设备名称"), max_length=60, blank=True)
    gate = models.ForeignKey(
        Gate,
        verbose_name=_("签到口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    registered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近在线"), null=True, blank=True)
    last_sync_at = models.DateTimeField(_("最近同步"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到设备")
        verbose_name_plural = _("签到设备")
        constraints = [models.UniqueConstraint(fields=["key"], name="checkin_device_key_unique")]

    def __str__(self) -> str:
        return self.label or str(self.key)[:8]


class Method(models.TextChoices):
    QR = "qr", _("扫码签到")
    CODE = "code", _("票号签到")
    SEARCH = "search", _("查找签到")
    PAPER = "paper", _("纸质签到")
    WALKIN = "walkin", _("现场登记")


class Result(models.TextChoices):
    ACCEPTED = "accepted", _("签到成功")
    DUPLICATE = "duplicate", _("重复签到")
    SUPERSEDED = "superseded", _("被更早的离线签到取代")
    REFUSED = "refused", _("拒绝")
    UNDONE = "undone", _("已撤销")


class Reason(models.TextChoices):
    """Why a scan was refused: each has its own answer at the door."""

    MALFORMED = "malformed", _("无法识别的二维码")
    FORGED = "forged", _("伪造或被篡改的电子票")
    OTHER_EVENT = "other_event", _("其他活动的电子票")
    SUPERSEDED = "superseded", _("已作废的旧电子票")
    UNKNOWN = "unknown", _("查无此嘉宾")
    CANCELLED = "cancelled", _("报名已取消")
    NOT_REGISTERED = "not_registered", _("未报名或未获席位")
    NOT_APPROVED = "not_approved", _("活动尚未审批定稿")
    NOT_OPEN = "not_open", _("尚未开放签到")
    CLOSED = "closed", _("签到已结束")
    DUPLICATE = "duplicate", _("已签到")


class Scan(models.Model):
    """One scan at the door, whatever its outcome: the accepted one is the guest's check-in (at most one
    per guest, by constraint); duplicates and refusals stay as the log of what happened at the door."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scans")
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="scans")
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    staff = models.ForeignKey(
        USER, verbose_name=_("签到人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.QR)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices, blank=True)
    # When it happened at the door (the device's clock for an offline scan), and when the server heard of it.
    scanned_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    offline = models.BooleanField(_("离线签到"), default=False)
    # The scanner's own id of the scan: a batch sent twice records each scan once.
    client_id = models.CharField(max_length=64, blank=True)
    kit = models.JSONField(_("已发放物料"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["scanned_at", "id"]
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        constraints = [
            # REQ EX-2: a guest is checked in once, under any number of concurrent scanners.
            models.UniqueConstraint(
                fields=["guest"], condition=models.Q(result="accepted"), name="checkin_once_per_guest"
            ),
            models.UniqueConstraint(
                fields=["device", "client_id"], condition=~models.Q(client_id=""), name="scan_client_id_once"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "result", "scanned_at"], name="scan_event_result_at"),
            # the live dashboard's counts by gate (onsite.live), from the index alone
            models.Index(fields=["event", "result", "gate"], name="live_scan_event_result_gate"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_id}:{self.result}@{self.scanned_at:%H:%M:%S}"


class Conflict(models.Model):
    """The same guest checked in at two devices while one (or both) were offline: the earliest scan won;
    the other is reported to the supervisor with both gates and times until someone marks it seen."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_conflicts")
    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("签到冲突")
        verbose_name_plural = _("签到冲突")
        constraints = [models.UniqueConstraint(fields=["other"], name="conflict_once_per_scan")]

    def __str__(self) -> str:
        return f"{self.guest_id}: {self.kept_id} / {self.other_id}"


class StaffArrival(models.Model):
    """One of the event's own people on site (EX-3): segment owners are due 30 minutes before their first
    segment; ``due_at`` is that moment when they own one, and ``late`` whether they came after it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="staff_arrivals")
    person = models.ForeignKey(USER, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    arrived_at = models.DateTimeField(_("到场时间"), default=timezone.now)
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField(_("应到时间"), null=True, blank=True)
    late = models.BooleanField(_("迟到"), default=False)

    class Meta:
        ordering = ["arrived_at", "id"]
        verbose_name = _("工作人员到场")
        verbose_name_plural = _("工作人员到场")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="staff_arrival_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.arrived_at:%H:%M}"


class LateAlert(models.Model):
    """A segment owner not on site 30 minutes before their segment (EX-3), told to the stage manager once
    per owner and event (by the arrival itself, or by the worker's sweep when nobody came)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="late_alert_once")]

    def __str__(self) -> str:
        return f"{self.person} due {self.due_at:%H:%M}"
