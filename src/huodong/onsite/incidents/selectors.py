"""Reads of the incident log (EX-5), for the pages, the API, the gate of 突发应对, the live dashboard
(现场监控) and, later, the review phase.

- ``open_incidents(event_id, now=None) -> list[dict]``: every incident still open, oldest first, with its
  technician's clock (``sla_state``: running / breached / met / None).
- ``incident_stats(event_id) -> dict``: counts by category, the mean minutes to respond and to resolve, the
  clocks met and breached.
- ``risk_matches(event, category, text)``: the risks of the plan's register that match an incident.
- ``playbook(incident)``: what to do — the risk's response, the backup resource, the substitute person
  (人员), the agreed statements (舆情).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.events.models import Event
from huodong.planning.models import Risk

from .models import OPEN_STATUSES, AgreedStatement, Category, Incident, Severity, Status

SLA_RUNNING = "running"
SLA_BREACHED = "breached"
SLA_MET = "met"

# Words of a risk that say which category of incident it prepares for (the plan's register is free text).
KEYWORDS: dict[str, tuple[str, ...]] = {
    Category.EQUIPMENT: (
        "设备", "投影", "音响", "麦克风", "话筒", "灯光", "屏幕", "大屏", "网络", "断网", "电源", "断电",
        "直播", "音视频", "equipment", "projector", "microphone", "sound",
    ),
    Category.PERSONNEL: (
        "人员", "缺席", "主持", "礼仪", "讲者", "嘉宾", "替补", "备选", "演讲", "顶替", "speaker", "host",
    ),
    Category.OPINION: ("舆情", "媒体", "口径", "负面", "言论", "公关", "评论", "media", "statement"),
    Category.SAFETY: (
        "安全", "超员", "拥挤", "踩踏", "天气", "消防", "火", "医疗", "急救", "疏散", "雨", "safety",
    ),
    Category.OTHER: (),
}  # fmt: skip


def _sla(
    due: dt.datetime | None,
    arrived: dt.datetime | None,
    status: str,
    resolved: dt.datetime | None,
    escalated: dt.datetime | None,
    now: dt.datetime,
) -> str | None:
    if due is None:
        return None
    if arrived is not None:
        return SLA_MET if arrived <= due else SLA_BREACHED
    if status == Status.RESOLVED and resolved is not None:
        return SLA_MET if resolved <= due else SLA_BREACHED
    if escalated is not None:  # the worker found the clock run out
        return SLA_BREACHED
    return SLA_BREACHED if now > due else SLA_RUNNING


def sla_state(incident: Incident, now: dt.datetime | None = None) -> str | None:
    """The technician's clock of an equipment incident: running, met (on site or resolved in time),
    breached (late, escalated, or still nobody after 15 minutes); None for other incidents."""
    return _sla(
        incident.sla_due_at,
        incident.technician_arrived_at,
        incident.status,
        incident.resolved_at,
        incident.escalated_at,
        now or timezone.now(),
    )


def sla_left_seconds(incident: Incident, now: dt.datetime | None = None) -> int | None:
    """Seconds left on a running clock (negative once past), None without one or once stopped."""
    if sla_state(incident, now) not in (SLA_RUNNING, SLA_BREACHED) or incident.sla_due_at is None:
        return None
    if incident.technician_arrived_at is not None or incident.status == Status.RESOLVED:
        return None
    return int((incident.sla_due_at - (now or timezone.now())).total_seconds())


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def minutes_to_respond(incident: Incident) -> float | None:
    return _minutes(incident.reported_at, incident.responded_at)


def minutes_to_resolve(incident: Incident) -> float | None:
    return (
        _minutes(incident.reported_at, incident.resolved_at) if incident.status == Status.RESOLVED else None
    )


def _event_pk(event_id: Any) -> int:
    return int(getattr(event_id, "pk", event_id))


OPEN_FIELDS = (
    "id", "title", "category", "severity", "status", "reported_at", "sla_due_at", "technician_arrived_at",
    "resolved_at", "escalated_at",
)  # fmt: skip


def open_incidents(event_id: int | Event, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every incident of the event still open (待处理 or 处理中), oldest first: id, title, category and its
    label, severity and its label, status, reported_at, open_minutes, sla_due_at (None but for 设备),
    sla_state (running / breached / met / None), escalated."""
    now = now or timezone.now()
    categories = {c.value: str(c.label) for c in Category}
    severities = {s.value: str(s.label) for s in Severity}
    rows = (
        Incident.objects.filter(event_id=_event_pk(event_id), status__in=OPEN_STATUSES)
        .order_by("reported_at", "id")
        .values_list(*OPEN_FIELDS)
    )
    out = []
    for pk, title, category, severity, status, reported, due, arrived, resolved, escalated in rows:
        out.append(
            {
                "id": pk,
                "title": title,
                "category": category,
                "category_label": categories.get(category, category),
                "severity": severity,
                "severity_label": severities.get(severity, severity),
                "status": status,
                "reported_at": reported,
                "open_minutes": int(max((now - reported).total_seconds(), 0) // 60),
                "sla_due_at": due,
                "sla_state": _sla(due, arrived, status, resolved, escalated, now),
                "escalated": escalated is not None,
            }
        )
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def incident_stats(event_id: int | Event) -> dict[str, Any]:
    """The incident log in figures: count, open, by_category (every category, zeros too), the mean minutes
    to respond and to resolve (None when none yet), the technician's clocks met and breached."""
    now = timezone.now()
    by_category = {c.value: 0 for c in Category}
    count = open_count = met = breached = 0
    respond: list[float] = []
    resolve: list[float] = []
    rows = Incident.objects.filter(event_id=_event_pk(event_id)).values_list(
        "category", "status", "reported_at", "responded_at", "resolved_at", "sla_due_at",
        "technician_arrived_at", "escalated_at",
    )  # fmt: skip
    for category, status, reported, responded, resolved, due, arrived, escalated in rows:
        count += 1
        by_category[category] = by_category.get(category, 0) + 1
        if status in OPEN_STATUSES:
            open_count += 1
        if responded is not None:
            respond.append((responded - reported).total_seconds() / 60)
        if status == Status.RESOLVED and resolved is not None:
            resolve.append((resolved - reported).total_seconds() / 60)
        state = _sla(due, arrived, status, resolved, escalated, now)
        met += state == SLA_MET
        breached += state == SLA_BREACHED
    return {
        "count": count,
        "open": open_count,
        "by_category": by_category,
        "mean_minutes_to_respond": _mean(respond),
        "mean_minutes_to_resolve": _mean(resolve),
        "sla_met": met,
        "sla_breached": breached,
    }


def risks_of(event: Event) -> list[Risk]:
    """The risk register of the event's plan (the approved plan is the event's plan: editing an approved
    plan makes a new version of the same plan)."""
    return list(
        Risk.objects.filter(plan__event_id=event.pk).select_related("owner").order_by("position", "id")
    )


def _score(risk: Risk, category: str, text: str) -> int:
    haystack = f"{risk.risk} {risk.response} {risk.backup_resource}".lower()
    score = sum(3 for word in KEYWORDS.get(category, ()) if word.lower() in haystack)
    title = risk.risk.lower()
    score += sum(1 for word in KEYWORDS.get(category, ()) if word.lower() in title)
    if text:
        lowered = text.lower()
        score += sum(
            1 for word in KEYWORDS.get(category, ()) if word.lower() in lowered and word.lower() in haystack
        )
    return score


def risk_matches(event: Event, category: str, text: str = "") -> list[Risk]:
    """The risks whose words match ``category`` (and the incident's ``text``), best first."""
    scored = [(r, _score(r, category, text)) for r in risks_of(event)]
    return [r for r, s in sorted(scored, key=lambda x: (-x[1], x[0].position, x[0].pk)) if s > 0]


def statements_of(event: Event) -> list[AgreedStatement]:
    return list(AgreedStatement.objects.filter(event_id=event.pk).order_by("id"))


def playbook(incident: Incident, event: Event | None = None) -> dict[str, Any]:
    """What to do for ``incident`` (EX-5): the matching risk's response, the backup resource (backup
    equipment), the substitute person for 人员 (the risk's backup resource — the preparation phase keeps no
    separate backup-person record — and the risk's owner who arranges it), the agreed statements for 舆情,
    and the other matching risks to choose from."""
    ev = event or incident.event
    risk = incident.risk
    matches = risk_matches(ev, incident.category, f"{incident.title} {incident.description}")
    out: dict[str, Any] = {
        "risk": risk,
        "response": risk.response if risk else "",
        "backup_resource": risk.backup_resource if risk else "",
        "owner": risk.owner if risk else None,
        "substitute": (risk.backup_resource if risk else "")
        if incident.category == Category.PERSONNEL
        else "",
        "statements": statements_of(ev) if incident.category == Category.OPINION else [],
        "statement": incident.statement if incident.statement_id else None,
        "suggestions": [r for r in matches if risk is None or r.pk != risk.pk][:5],
        "technician_sla_minutes": 15 if incident.category == Category.EQUIPMENT else None,
        "none": risk is None,
        "none_message": _("方案的风险预案中没有与此事件对应的条目;请从下方选择一条,或按现场情况处理。"),
    }
    return out


def incidents_of(event: Event, *, status: str = "") -> list[Incident]:
    qs = Incident.objects.filter(event_id=event.pk).select_related("reporter", "risk")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == Status.RESOLVED:
        qs = qs.filter(status=Status.RESOLVED)
    return list(qs.order_by("-reported_at", "-id"))
