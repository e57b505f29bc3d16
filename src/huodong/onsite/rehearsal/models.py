"""Records of the day before (EX-1, step 场地布置): the event's setup and rehearsal checklist.

- ``Checklist``: the event's one checklist, the root of the lock order (event → checklist → items →
  follow-ups). Created, with the event type's default items (``defaults.DEFAULT_ITEMS``), the first
  time anyone opens it.
- ``ChecklistItem``: one thing to check, in one of three sections (场地搭建, 设备测试, 彩排), with the
  result of its last check: ok or failed, who checked it and when (written by the service), a note.
- ``ItemPhoto``: a photo taken with a check (PNG or JPEG, checked by ``core.uploads``), stored under
  MEDIA and served only through a permission-checked view.
- ``FollowUp``: what a failed check becomes: a task with an owner and a due time; done by hand, or closed
  when the item is checked again and passes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned
from huodong.events.models import Event

USER = settings.AUTH_USER_MODEL
TITLE_MAX = 120
NOTE_MAX = 1000


class Section(models.TextChoices):
    BUILD = "build", _("场地搭建")
    EQUIPMENT = "equipment", _("设备测试")
    REHEARSAL = "rehearsal", _("彩排")


class Result(models.TextChoices):
    UNCHECKED = "unchecked", _("未检查")
    OK = "ok", _("合格")
    FAILED = "failed", _("不合格")


class Checklist(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="rehearsal_checklist")
    type_code = models.CharField(_("模板(活动类型)"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("彩排检查清单")
        verbose_name_plural = _("彩排检查清单")

    def __str__(self) -> str:
        return f"checklist of event {self.event_id}"


class ChecklistItem(Revisioned):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rehearsal_items")
    section = models.CharField(_("分类"), max_length=12, choices=Section.choices)
    title = models.CharField(_("检查项"), max_length=TITLE_MAX)
    title_en = models.CharField(_("英文名称"), max_length=TITLE_MAX, blank=True)
    code = models.CharField(_("模板代码"), max_length=40, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    result = models.CharField(_("检查结果"), max_length=12, choices=Result.choices, default=Result.UNCHECKED)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


def photo_path(instance: ItemPhoto, filename: str) -> str:
    return f"rehearsal/{instance.item.event_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ItemPhoto(models.Model):
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="photos")
    result = models.CharField(_("拍摄时的结果"), max_length=12, choices=Result.choices)
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return self.original_name


class FollowUp(Revisioned):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rehearsal_follow_ups")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="rehearsal_follow_ups")
    due_at = models.DateTimeField(_("截止时间"))
    note = models.TextField(_("整改说明"), blank=True)
    done = models.BooleanField(_("已完成"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_by_recheck = models.BooleanField(_("复查通过后关闭"), default=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["done", "due_at", "id"]
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        constraints = [
            # One open follow-up per item: a second failure of the same item keeps the one open.
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(done=False), name="rehearsal_one_open_follow_up"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.item_id}"

    def is_overdue(self, now: object = None) -> bool:
        return not self.done and self.due_at < (now or timezone.now())  # type: ignore[operator]
