"""Document numbers (DOC-1, DOC-2, DOC-3): one number per document kind, event and content version.

A number reads ``HD-FA-2026-0007``: the organisation prefix (setting ``HUODONG_DOCUMENT_PREFIX``,
default ``HD``), the kind code (XQ 需求调研报告, FA 策划方案, SP 审批表), the year it was first issued and
a sequence per prefix, kind and year. Exporting the same document of the same version again prints the
same number; the sequence is unique under concurrency by the database constraint (see numbers.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentNumber(models.Model):
    kind = models.CharField(_("文档类型"), max_length=32)
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="document_numbers", verbose_name=_("活动")
    )
    version_key = models.CharField(_("版本标识"), max_length=100)
    prefix = models.CharField(_("编号前缀"), max_length=16)
    code = models.CharField(_("类型代码"), max_length=8)
    year = models.PositiveIntegerField(_("年份"))
    sequence = models.PositiveIntegerField(_("序号"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文档编号")
        verbose_name_plural = _("文档编号")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "event", "version_key"], name="document_number_per_version"
            ),
            models.UniqueConstraint(
                fields=["prefix", "code", "year", "sequence"], name="document_number_sequence"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.prefix}-{self.code}-{self.year}-{self.sequence:04d}"
