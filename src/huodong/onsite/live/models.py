"""Live data on the day (EX-6): the leads sales staff capture from guests' badges, and the organiser's
confirmed final figures of the dashboard (the 定格 that the gate of 现场监控 asks for).

- ``Lead``: one per guest per person recording it (a unique constraint): recording the same guest again
  edits that lead (with its revision); two colleagues talking to the same guest each keep their own.
  Interest A/B/C (高/中/低), notes, how the guest was found (badge QR, ticket code, name search), who and
  when (created and last changed).
- ``FinalFigures``: the dashboard's snapshot as the organiser confirmed it (who, when, a note), one per
  event, revisioned; confirming again replaces it. The review phase reads it (``selectors.final_figures``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned
from huodong.events.models import Event
from huodong.outreach.models import Guest

USER = settings.AUTH_USER_MODEL
NOTES_MAX = 500
FINAL_NOTE_MAX = 200


class Interest(models.TextChoices):
    """How likely the guest is to buy, as the salesperson judged it."""

    HIGH = "a", _("A 高意向")
    MEDIUM = "b", _("B 中意向")
    LOW = "c", _("C 低意向")


class Found(models.TextChoices):
    """How the guest was identified."""

    QR = "qr", _("扫胸牌二维码")
    CODE = "code", _("票号")
    SEARCH = "search", _("姓名查找")


class Lead(Revisioned):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="leads")
    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="leads")
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    interest = models.CharField(_("意向"), max_length=1, choices=Interest.choices)
    notes = models.TextField(_("备注"), max_length=NOTES_MAX, blank=True)
    found_by = models.CharField(_("识别方式"), max_length=8, choices=Found.choices, default=Found.QR)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("销售线索")
        verbose_name_plural = _("销售线索")
        constraints = [
            # REQ EX-6: one lead per guest per person recording it; recording again edits it.
            models.UniqueConstraint(fields=["guest", "recorded_by"], name="lead_once_per_guest_and_person"),
        ]
        indexes = [models.Index(fields=["event", "interest"], name="lead_event_interest")]

    def __str__(self) -> str:
        return f"{self.guest_id}:{self.interest}"


class FinalFigures(Revisioned):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="live_final")
    figures = models.JSONField(_("定格数据"), default=dict)
    note = models.CharField(_("说明"), max_length=FINAL_NOTE_MAX, blank=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("确认人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), default=timezone.now)

    class Meta:
        verbose_name = _("现场数据定格")
        verbose_name_plural = _("现场数据定格")

    def __str__(self) -> str:
        return f"{self.event_id}@{self.confirmed_at:%Y-%m-%d %H:%M}"
