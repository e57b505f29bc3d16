"""The technician's 15-minute clock of an equipment incident (EX-5) and its escalation.

An equipment incident is reported with ``sla_due_at`` = reported + ``TECHNICIAN_SLA``; a technician on site
(``incident_arrive``) stops the clock. When it runs out with nobody there and the incident still open, the
worker's ``incident_sla_sweep`` (``outreach.worker``, every turn) escalates it to the supervisor — the stage
manager and the event owner in-app (``core.services.notify``), and the event's group robots (those of its
requesting department) through the outbox — exactly once: ``escalated_at`` is set by a conditional update
(``escalated_at IS NULL``), so two workers sweeping at once escalate it once.

Cheap when there is nothing to do: one query on a partial index (``incident_sla_waiting``: clocks still
running, not yet escalated) that is empty on every day but a show day.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.services import notify
from huodong.events.models import Event

from ..models import OPEN_STATUSES, Incident, IncidentAction
from ..rules import local_time
from .incidents import incident_url, supervisors_of

logger = logging.getLogger("huodong.onsite.incidents")
ESCALATION_KIND = "onsite_incident_escalation"


def _waiting(now: dt.datetime):  # noqa: ANN202  (a queryset)
    return Incident.objects.filter(
        sla_due_at__isnull=False,
        sla_due_at__lte=now,
        technician_arrived_at__isnull=True,
        escalated_at__isnull=True,
        status__in=["open", "in_progress"],
    )


def incident_sla_sweep(now: dt.datetime | None = None) -> int:
    """Escalate every equipment incident whose technician's clock ran out by ``now``; how many were."""
    now = now or timezone.now()
    due = list(_waiting(now).order_by("sla_due_at", "id").values_list("pk", flat=True)[:200])
    escalated = 0
    for pk in due:
        try:
            if incident_escalate(incident_id=pk, now=now):
                escalated += 1
        except Exception:  # one bad row must not stop the others (nor the worker)
            logger.exception("incident %s: escalation failed", pk)
    return escalated


@transaction.atomic
def incident_escalate(*, incident_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate one incident whose clock ran out (EX-5); False when it is no longer due (someone arrived,
    it was resolved, or another worker escalated it first)."""
    now = now or timezone.now()
    claimed = (
        Incident.objects.filter(
            pk=incident_id,
            sla_due_at__lte=now,
            technician_arrived_at__isnull=True,
            escalated_at__isnull=True,
            status__in=OPEN_STATUSES,
        ).update(escalated_at=now)
        == 1
    )
    if not claimed:
        return False
    incident = Incident.objects.select_related("event", "event__owner", "reporter").get(pk=incident_id)
    event = incident.event
    minutes = int((now - incident.reported_at).total_seconds() // 60)
    message = Said(
        _(
            "「%(event)s」设备故障「%(title)s」已上报 %(minutes)s 分钟(%(at)s 上报),技术人员仍未到场,已超过 15 分钟时限,请立即处理。"
        ),
        event=event.name,
        title=incident.title,
        minutes=minutes,
        at=local_time(incident.reported_at, event),
    )
    url = incident_url(event.pk, incident.pk)
    notify(
        recipients=supervisors_of(event), kind=ESCALATION_KIND, message=message, url=url, event_id=event.pk
    )
    robots = _robot_messages(event, incident, str(message), now)
    IncidentAction.objects.create(
        incident=incident, kind=IncidentAction.Kind.ESCALATION, actor=None, text=str(message), at=now
    )
    audit_record(
        actor=None,
        action="onsite.incident.escalate",
        target=incident,
        event_id=event.pk,
        summary=Said(_("突发事件「%(title)s」技术人员超时未到场,已升级"), title=incident.title),
        after={"escalated_at": now.isoformat(), "robots": robots},
    )
    return True


def _robot_messages(event: Event, incident: Incident, text: str, now: dt.datetime) -> int:
    """Queue the escalation to the event's group robots (its requesting department's); how many."""
    from huodong.outreach.models import Channel, Message, MessageKind, Robot
    from huodong.outreach.services.outbox import enqueue

    if not event.requesting_department_id:
        return 0
    queued = 0
    robots = Robot.objects.filter(department_id=event.requesting_department_id, is_active=True).order_by("id")
    for robot in robots:
        _row, new = enqueue(
            Message(
                event=event,
                robot=robot,
                channel=Channel.ROBOT,
                kind=MessageKind.UPDATE,
                purpose=Message.Purpose.INTERNAL,
                recipient=robot.name[:254],
                language="zh-hans",
                subject=f"突发事件超时:{incident.title}"[:300],
                body=f"### 突发事件超时升级\n{text}",
                due_at=now,
                idempotency_key=f"incident:{incident.pk}:escalation:robot:{robot.pk}",
            )
        )
        queued += int(new)
    return queued
