"""The live run of show (EX-3, step 流程执行): what actually happened to each segment of the event's plan.

The plan's segments (``planning.RunOfShowSegment``) say what was planned; a ``SegmentRun`` per segment
records when the stage manager started and ended it (and who), or that it was skipped and why. The
projection (``selectors.projection``) is computed from both, never stored; ``notified_start`` is the
projected start last announced to the segment's owner, so that a shift is told once.

A ``ShiftNotice`` is one message to one owner about one shift (the segments and their new projected
starts, digested into ``key``): the unique key makes telling them idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Revisioned
from huodong.events.models import Event
from huodong.planning.models import RunOfShowSegment

USER = settings.AUTH_USER_MODEL


class SegmentRun(Revisioned):
    """One segment of the run of show as it happens: started, ended, or skipped with a reason."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    segment = models.OneToOneField(RunOfShowSegment, on_delete=models.CASCADE, related_name="run")
    started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    started_by = models.ForeignKey(
        USER, verbose_name=_("开始人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("实际结束"), null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, verbose_name=_("结束人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skipped_at = models.DateTimeField(_("跳过时间"), null=True, blank=True)
    skipped_by = models.ForeignKey(
        USER, verbose_name=_("跳过人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skip_reason = models.CharField(_("跳过原因"), max_length=200, blank=True)
    # The projected start last told to the segment's owner (None: only the plan was ever said).
    notified_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["segment__starts_at", "segment__position", "segment_id"]
        verbose_name = _("环节执行记录")
        verbose_name_plural = _("环节执行记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(started_at__isnull=False),
                name="segment_run_ended_after_started",
            ),
            models.CheckConstraint(
                condition=models.Q(skipped_at__isnull=True) | models.Q(started_at__isnull=True),
                name="segment_run_skipped_not_started",
            ),
        ]
        indexes = [models.Index(fields=["event", "started_at"], name="segment_run_event")]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.started_at or '-'}–{self.ended_at or '-'}"


class ShiftNotice(models.Model):
    """One owner told of one shift of their segments' projected times (in-app and the robots)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    segments = models.JSONField(default=list)  # [{"id", "title", "planned", "projected"}]
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person", "key"], name="shift_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.event_id}:{self.key[:8]}"
