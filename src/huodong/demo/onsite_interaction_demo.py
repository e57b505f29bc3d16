"""The interaction part of the demo (EX-4), on the demo's event (「智启未来·华东巡展(杭州站)」):

- its interaction settings (the public key of ``/x/<key>/`` and the screens), Q&A and the survey open;
- five questions from its registered guests, as a rehearsal would leave them: two waiting for the stage
  manager, one approved and pinned, one approved, one answered;
- four answers to the satisfaction survey (so the results screen and the dashboard have figures);
- a lottery 「幸运奖」 prepared among the guests already checked in (the check-in demo checks three in):
  its seed commitment and the eligible list's hash recorded, not yet drawn — the walk-through draws it
  on the show day and replays it with ``huodong manage lottery_replay --draw <id>``.

The event is not on its show day when the demo loads, so the records are written directly (the services
refuse outside the execution phase), with the same arithmetic (``services.lottery``). Loading twice
changes nothing: it runs only while the event has no questions.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from huodong.core.models import User
from huodong.events.models import Event
from huodong.onsite.interaction.models import Draw, Question, QuestionStatus, SurveyAnswer
from huodong.onsite.interaction.rules import settings_of
from huodong.onsite.interaction.services import lottery
from huodong.outreach.models import Guest, GuestStatus

QUESTIONS = [
    ("新品的续航实际能做到多少小时?", QuestionStatus.PENDING, False),
    ("华东地区的渠道合作政策什么时候公布?", QuestionStatus.PENDING, False),
    ("企业批量采购有没有专属的售后通道?", QuestionStatus.APPROVED, True),
    ("现场体验区开放到几点?", QuestionStatus.APPROVED, False),
    ("老型号用户可以折价升级吗?", QuestionStatus.ANSWERED, False),
]
# (overall, content, organisation, NPS, comment)
ANSWERS = [
    (5, 5, 4, 10, "演示很精彩,体验区安排得很好。"),
    (4, 4, 4, 9, ""),
    (4, 5, 3, 8, "签到排队稍久。"),
    (3, 3, 4, 6, "希望多一些技术细节。"),
]


def demo_interaction_load(*, event: Event, people: dict[str, User]) -> None:
    if Question.objects.filter(event=event).exists():
        return
    settings_of(event)
    moderator = people.get("marketing_mgr") or people.get("organiser")
    guests = list(
        Guest.objects.filter(
            event=event, status__in=(GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)
        ).order_by("id")
    )
    now = timezone.now() - dt.timedelta(days=1)
    for i, (text, status, pinned) in enumerate(QUESTIONS):
        guest = guests[i % len(guests)] if guests else None
        Question.objects.create(
            event=event,
            respondent=f"g:{guest.pk}" if guest else f"a:demo-{i:04d}-phone",
            guest=guest,
            name=guest.name[:1] + "先生" if guest and i % 2 == 0 else "",
            text=text,
            status=status,
            pinned=pinned,
            asked_at=now + dt.timedelta(minutes=i),
            moderated_at=None if status == QuestionStatus.PENDING else now + dt.timedelta(minutes=i + 1),
            moderated_by=None if status == QuestionStatus.PENDING else moderator,
        )
    for i, (rating, content, organisation, nps, comment) in enumerate(ANSWERS):
        guest = guests[i] if i < len(guests) else None
        SurveyAnswer.objects.create(
            event=event,
            respondent=f"g:{guest.pk}" if guest else f"a:demo-{i:04d}-survey",
            guest=guest,
            rating=rating,
            rating_content=content,
            rating_organisation=organisation,
            nps=nps,
            comment=comment,
            answered_at=now + dt.timedelta(minutes=30 + i),
        )
    found = lottery.eligibility(event)
    if found.eligible:
        seed = secrets.token_bytes(32).hex()
        Draw.objects.create(
            event=event,
            title="幸运奖",
            winners_count=1,
            seed=seed,
            seed_commitment=lottery.commitment(seed),
            eligible=found.eligible,
            eligible_hash=lottery.list_hash(found.eligible),
            excluded=found.excluded,
            prepared_by=moderator,
        )
