"""Interaction on the show day (EX-4; issue 11 point 3): guests' questions and their moderation, the
lottery among checked-in guests with an auditable draw, and the live satisfaction survey.

Who a guest is here: a *respondent* string, ``g:<guest id>`` for a guest who came from their ticket page,
``a:<random>`` for a phone that scanned the screen's QR without a ticket (a signed cookie per event, no
personal data). One survey answer per respondent and event (a unique constraint: the write is one
insert). The lottery reads check-in (``Guest.status == checked_in``) and outreach, never the reverse.
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

QUESTION_MAX = 300  # characters of one question
NAME_MAX = 40  # the name a guest signs a question with (optional)
COMMENT_MAX = 500  # the survey's free text
RESPONDENT_MAX = 40
TITLE_MAX = 60  # a lottery draw's prize
REASON_MAX = 200  # why a guest is excluded from the lottery
WINNERS_MAX = 100  # winners in one draw


class InteractionSettings(Revisioned):
    """The event's interaction: the key of its public addresses (``/x/<key>/``), Q&A and survey open."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="interaction_settings")
    key = models.CharField(_("公开地址标识"), max_length=24, unique=True)
    qa_open = models.BooleanField(_("开放提问"), default=True)
    survey_open = models.BooleanField(_("开放满意度调查"), default=True)

    class Meta:
        verbose_name = _("现场互动设置")
        verbose_name_plural = _("现场互动设置")

    def __str__(self) -> str:
        return f"{self.event} · {self._meta.verbose_name}"


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    ANSWERED = "answered", _("已回答")


class Question(Revisioned):
    """A guest's question; shown on the screen once the stage manager approved it (pinned ones first)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="interaction_questions")
    respondent = models.CharField(max_length=RESPONDENT_MAX)
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("署名"), max_length=NAME_MAX, blank=True)
    text = models.CharField(_("问题"), max_length=QUESTION_MAX)
    status = models.CharField(
        _("状态"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.PENDING
    )
    pinned = models.BooleanField(_("置顶"), default=False)
    asked_at = models.DateTimeField(_("提问时间"), default=timezone.now)
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("现场提问")
        verbose_name_plural = _("现场提问")
        indexes = [
            models.Index(fields=["event", "status"], name="ix_question_status"),
            models.Index(fields=["event", "respondent", "asked_at"], name="ix_question_flood"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class SurveyAnswer(models.Model):
    """One respondent's answer to the event's satisfaction survey (ratings 1–5, NPS 0–10, free text)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="survey_answers")
    respondent = models.CharField(max_length=RESPONDENT_MAX)
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField(_("总体满意度"))
    rating_content = models.PositiveSmallIntegerField(_("内容"))
    rating_organisation = models.PositiveSmallIntegerField(_("组织安排"))
    nps = models.PositiveSmallIntegerField(_("推荐意愿"))
    comment = models.TextField(_("意见和建议"), max_length=COMMENT_MAX, blank=True)
    answered_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("满意度调查答卷")
        verbose_name_plural = _("满意度调查答卷")
        constraints = [
            # REQ EX-4: one answer per guest (or anonymous participant) and event.
            models.UniqueConstraint(fields=["event", "respondent"], name="survey_once_per_respondent"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5)
                & models.Q(rating_content__gte=1, rating_content__lte=5)
                & models.Q(rating_organisation__gte=1, rating_organisation__lte=5)
                & models.Q(nps__gte=0, nps__lte=10),
                name="survey_answer_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.rating}/{self.nps}"


class Exclusion(models.Model):
    """A guest kept out of the event's lotteries by hand (a family member of the host, a supplier …)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="lottery_exclusions")
    guest = models.ForeignKey(Guest, verbose_name=_("嘉宾"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=REASON_MAX)
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("抽奖排除")
        verbose_name_plural = _("抽奖排除")
        constraints = [models.UniqueConstraint(fields=["event", "guest"], name="lottery_exclusion_once")]

    def __str__(self) -> str:
        return f"{self.guest_id}: {self.reason}"


class DrawStatus(models.TextChoices):
    PREPARED = "prepared", _("已公示承诺,待开奖")
    DRAWN = "drawn", _("已开奖")


class Draw(Revisioned):
    """One lottery draw. Prepared: the eligible guests are frozen (sorted ids), a secret random seed is
    chosen and only its SHA-256 (``seed_commitment``) and the list's SHA-256 (``eligible_hash``) are
    shown. Drawn: the winners follow from seed and list alone (``services.lottery.pick``), and the seed is
    published so anyone can check both hashes and replay the draw (``manage.py lottery_replay``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="lottery_draws")
    title = models.CharField(_("奖项"), max_length=TITLE_MAX)
    winners_count = models.PositiveSmallIntegerField(_("中奖人数"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.PREPARED
    )
    seed = models.CharField(max_length=64)  # hex of 32 random bytes; secret until drawn
    seed_commitment = models.CharField(_("种子承诺(SHA-256)"), max_length=64)
    eligible = models.JSONField(default=list)  # sorted guest ids
    eligible_hash = models.CharField(_("候选名单哈希(SHA-256)"), max_length=64)
    excluded = models.JSONField(default=dict)  # {"staff": n, "winners": n, "manual": n}
    winners = models.JSONField(default=list)  # guest ids in the order drawn
    prepared_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["prepared_at", "id"]
        verbose_name = _("抽奖")
        verbose_name_plural = _("抽奖")

    def __str__(self) -> str:
        return self.title


class Winner(models.Model):
    """A guest drawn in one of the event's lotteries: at most once per event (later draws exclude them)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="winner_rows")
    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["draw_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "guest"], name="lottery_win_once_per_event"),
            models.UniqueConstraint(fields=["draw", "position"], name="lottery_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}#{self.position}: {self.guest_id}"
