"""Questions from the floor (EX-4): a guest asks from a phone, the stage manager moderates, the screen
shows what was approved.

- ``question_ask`` (public): the event on its show day with Q&A open, the text 1–``QUESTION_MAX``
  characters, an optional signature; at most ``QUESTIONS_PER_MINUTE`` from one phone (respondent) in
  any minute — the next is refused (429) saying when to try again. No event lock: a count and an insert.
- ``question_moderate`` (``Need.STAGE``): approve, reject, mark answered, pin, unpin — with the revision
  the moderator saw (409 when someone else moderated it first).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.concurrency import row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import Need
from huodong.events.models import Event

from ..models import NAME_MAX, QUESTION_MAX, Question, QuestionStatus
from ..rules import onsite_lock, onsite_open, row_id, settings_of

# REQ EX-4: a flood from one phone is refused: this many questions per respondent in any 60 seconds.
QUESTIONS_PER_MINUTE = 3
FLOOD_WINDOW = dt.timedelta(seconds=60)
QUESTION_MIN = 2  # characters: "?" alone is not a question

LABEL = _("提问")


class Flood(DomainError):
    status = 429
    code = "too_many"


# action → (the statuses it applies to, the changes it makes)
ACTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "approve": ((QuestionStatus.PENDING, QuestionStatus.REJECTED), {"status": QuestionStatus.APPROVED}),
    "reject": (
        (QuestionStatus.PENDING, QuestionStatus.APPROVED),
        {"status": QuestionStatus.REJECTED, "pinned": False},
    ),
    "answer": ((QuestionStatus.APPROVED,), {"status": QuestionStatus.ANSWERED, "pinned": False}),
    "pin": ((QuestionStatus.APPROVED,), {"pinned": True}),
    "unpin": ((QuestionStatus.APPROVED,), {"pinned": False}),
}
ACTION_LABELS = {
    "approve": _("通过"),
    "reject": _("不通过"),
    "answer": _("标记为已回答"),
    "pin": _("置顶"),
    "unpin": _("取消置顶"),
}


def question_ask(
    *, event: Event, respondent: str, guest_id: int | None, text: Any, name: Any = ""
) -> Question:
    """Record a guest's question (pending moderation)."""
    onsite_open(event)
    conf = settings_of(event)
    if not conf.qa_open:
        raise DomainError({"__all__": [_("提问环节尚未开放或已结束。")]}, code="closed")
    errors: dict[str, list[Any]] = {}
    body = text_clean(text, field="text", label=_("问题"), limit=QUESTION_MAX, errors=errors, required=True)
    signature = text_clean(
        name, field="name", label=_("署名"), limit=NAME_MAX, errors=errors, multiline=False
    )
    if not errors and len(body) < QUESTION_MIN:
        errors["text"] = [_("问题至少 %(n)d 个字。") % {"n": QUESTION_MIN}]
    if errors:
        raise DomainError(errors)
    now = timezone.now()
    recent = list(
        Question.objects.filter(event_id=event.pk, respondent=respondent, asked_at__gt=now - FLOOD_WINDOW)
        .order_by("asked_at")
        .values_list("asked_at", flat=True)[:QUESTIONS_PER_MINUTE]
    )
    if len(recent) >= QUESTIONS_PER_MINUTE:
        wait = max(1, int((recent[0] + FLOOD_WINDOW - now).total_seconds()) + 1)
        raise Flood(
            {
                "text": [
                    _("提问太频繁:每分钟最多 %(n)d 个问题,请 %(s)d 秒后再提交。")
                    % {"n": QUESTIONS_PER_MINUTE, "s": wait}
                ]
            }
        )
    return Question.objects.create(
        event_id=event.pk, respondent=respondent, guest_id=guest_id, name=signature, text=body, asked_at=now
    )


@transaction.atomic
def question_moderate(
    *, actor: User, event: Any, question_id: int, action: str, seen: int | None
) -> Question:
    ev = onsite_lock(actor, event, Need.STAGE, _("现场提问"))
    if action not in ACTIONS:
        allowed = "、".join(f"{k}({v})" for k, v in ACTION_LABELS.items())
        raise DomainError({"action": [_("操作无效,可选:%(allowed)s。") % {"allowed": allowed}]})
    question = Question.objects.select_for_update().filter(event_id=ev.pk, pk=row_id(question_id)).first()
    if question is None:
        raise NotFound(_("找不到这个提问。"))
    statuses, changes = ACTIONS[action]
    if seen is not None and seen == question.revision and question.status not in statuses:
        raise DomainError(
            {
                "action": [
                    _("“%(action)s”不适用于状态为“%(status)s”的提问。")
                    % {"action": ACTION_LABELS[action], "status": question.get_status_display()}
                ]
            }
        )
    row_update(
        question,
        changes={**changes, "moderated_at": timezone.now(), "moderated_by": actor},
        seen=seen,
        actor=actor,
        action=f"interaction.question.{action}",
        label=LABEL,
        event_id=ev.pk,
        summary=question.text[:60],
    )
    return question
