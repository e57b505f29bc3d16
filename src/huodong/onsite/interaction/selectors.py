"""What the interaction pages, the screens, the live dashboard and the review phase read.

- ``interaction_counts(event_id)`` → ``{"questions", "questions_approved", "survey_answers",
  "lottery_draws", "winners"}`` (ints; ``questions_approved`` counts approved and answered questions,
  ``lottery_draws`` the draws already drawn).
- ``survey_summary(event_id)`` → ``{"count", "rating_avg", "nps", "distribution", "aspects",
  "nps_distribution", "promoters", "passives", "detractors"}``: ``rating_avg`` the mean overall rating
  (1 decimal, None without answers), ``nps`` = % promoters (9–10) − % detractors (0–6), rounded to an
  integer (None without answers), ``distribution`` {"1": n, …, "5": n} of the overall rating,
  ``aspects`` the mean of each rating, ``nps_distribution`` {"0": n, …, "10": n}.
- ``screen_questions(event_id)``: the approved questions for the screen, pinned first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q

from .models import Draw, DrawStatus, Question, QuestionStatus, SurveyAnswer, Winner

SCREEN_MAX = 30  # questions on the screen at once


def interaction_counts(event_id: int) -> dict[str, int]:
    q = Question.objects.filter(event_id=event_id).aggregate(
        questions=Count("id"),
        questions_approved=Count(
            "id", filter=Q(status__in=(QuestionStatus.APPROVED, QuestionStatus.ANSWERED))
        ),
    )
    return {
        "questions": q["questions"] or 0,
        "questions_approved": q["questions_approved"] or 0,
        "survey_answers": SurveyAnswer.objects.filter(event_id=event_id).count(),
        "lottery_draws": Draw.objects.filter(event_id=event_id, status=DrawStatus.DRAWN).count(),
        "winners": Winner.objects.filter(event_id=event_id).count(),
    }


def survey_summary(event_id: int) -> dict[str, Any]:
    rows = SurveyAnswer.objects.filter(event_id=event_id)
    agg = rows.aggregate(
        count=Count("id"),
        rating_avg=Avg("rating"),
        content_avg=Avg("rating_content"),
        organisation_avg=Avg("rating_organisation"),
        promoters=Count("id", filter=Q(nps__gte=9)),
        detractors=Count("id", filter=Q(nps__lte=6)),
    )
    count = agg["count"] or 0
    distribution = {str(i): 0 for i in range(1, 6)}
    for rating, n in rows.values_list("rating").annotate(n=Count("id")).order_by():
        distribution[str(rating)] = n
    nps_distribution = {str(i): 0 for i in range(0, 11)}
    for score, n in rows.values_list("nps").annotate(n=Count("id")).order_by():
        nps_distribution[str(score)] = n
    promoters, detractors = agg["promoters"] or 0, agg["detractors"] or 0

    def mean(value: float | None) -> float | None:
        return round(float(value), 1) if value is not None else None

    return {
        "count": count,
        "rating_avg": mean(agg["rating_avg"]),
        "nps": round(100 * (promoters - detractors) / count) if count else None,
        "distribution": distribution,
        "aspects": {
            "rating": mean(agg["rating_avg"]),
            "rating_content": mean(agg["content_avg"]),
            "rating_organisation": mean(agg["organisation_avg"]),
        },
        "nps_distribution": nps_distribution,
        "promoters": promoters,
        "passives": count - promoters - detractors,
        "detractors": detractors,
    }


def screen_questions(event_id: int) -> list[dict[str, Any]]:
    rows = Question.objects.filter(event_id=event_id, status=QuestionStatus.APPROVED).order_by(
        "-pinned", "moderated_at", "id"
    )[:SCREEN_MAX]
    return [{"id": q.pk, "name": q.name, "text": q.text, "pinned": q.pinned} for q in rows]


def questions_for_moderation(event_id: int) -> dict[str, list[Question]]:
    rows = list(Question.objects.filter(event_id=event_id).order_by("-pinned", "asked_at", "id")[:500])
    return {
        "pending": [q for q in rows if q.status == QuestionStatus.PENDING],
        "approved": [q for q in rows if q.status == QuestionStatus.APPROVED],
        "answered": [q for q in rows if q.status == QuestionStatus.ANSWERED],
        "rejected": [q for q in rows if q.status == QuestionStatus.REJECTED],
    }


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, Alice Wong → A*** W***: a winner named on a public page."""
    name = (name or "").strip()
    if not name:
        return "*"
    if name.isascii():
        return " ".join(p[0] + "***" for p in name.split() if p)
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def draw_public(draw: Draw) -> dict[str, Any]:
    """What the public result page shows of a draw (winners' names masked, their phone's last 4 digits)."""
    from huodong.outreach.models import Guest

    names: dict[int, tuple[str, str]] = {
        pk: (name, phone)
        for pk, name, phone in Guest.objects.filter(pk__in=list(draw.winners or [])).values_list(
            "pk", "name", "phone"
        )
    }
    winners = [
        {
            "position": i,
            "name": mask_name(names.get(gid, ("", ""))[0]),
            "phone_tail": (names.get(gid, ("", ""))[1] or "")[-4:],
        }
        for i, gid in enumerate(draw.winners or [], 1)
    ]
    drawn = draw.status == DrawStatus.DRAWN
    return {
        "id": draw.pk,
        "title": draw.title,
        "status": draw.status,
        "status_label": draw.get_status_display(),
        "winners_count": draw.winners_count,
        "eligible_count": len(draw.eligible or []),
        "seed_commitment": draw.seed_commitment,
        "eligible_hash": draw.eligible_hash,
        "seed": draw.seed if drawn else "",
        "eligible": list(draw.eligible or []) if drawn else [],
        "winners": winners if drawn else [],
        "excluded": draw.excluded or {},
        "prepared_at": draw.prepared_at,
        "drawn_at": draw.drawn_at,
    }
