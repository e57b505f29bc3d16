"""The incident part of the demo (EX-5), on 「智启未来·华东巡展(杭州站)」:

- one agreed public statement (统一口径) for negative posts, agreed by 陈经理 (the stage manager);
- two incidents of the rehearsal the day before, both resolved, so the log, the statistics and the times to
  respond and to resolve have something to show: a wireless microphone that cut out (设备: the backup
  microphone at once, a technician on site after 6 minutes, inside the 15-minute clock), and an etiquette
  staff member off sick (人员: the substitute from the risk register).

The demo's event is not on the day yet (it is in 资源协调, where the services refuse on-site writes), so
these are written as the record of the rehearsal, with the playbook risk matched as the services match it
(``selectors.risk_matches``). Nothing is left open: the gate of 突发应对 stays clear for the show-day walk.
Loading twice changes nothing: it runs only while the event has no incidents.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huodong.core.models import User
from huodong.events.models import Event
from huodong.onsite.incidents.models import (
    TECHNICIAN_SLA,
    AgreedStatement,
    Category,
    Incident,
    IncidentAction,
    Severity,
    Status,
)
from huodong.onsite.incidents.selectors import risk_matches

STATEMENT = (
    "关于现场体验的回应",
    "感谢关注!我们已注意到您反馈的问题,现场工作人员正在处理,后续进展将在官方账号及时公布。",
)


def demo_incidents_load(*, event: Event, people: dict[str, User]) -> None:
    if Incident.objects.filter(event=event).exists():
        return
    organiser = people["organiser"]
    manager = people.get("marketing_mgr") or organiser
    reporter = people.get("checkin_staff") or organiser
    technician = people.get("staff") or manager
    AgreedStatement.objects.get_or_create(
        event=event, title=STATEMENT[0], defaults={"text": STATEMENT[1], "created_by": manager}
    )
    rehearsal = timezone.now() - dt.timedelta(days=1, hours=2)
    mic = _incident(
        event,
        category=Category.EQUIPMENT,
        severity=Severity.HIGH,
        title="彩排时无线麦克风断音",
        description="主持人手持麦克风间歇断音,已切换备用麦克风。",
        reporter=reporter,
        at=rehearsal,
    )
    mic.sla_due_at = rehearsal + TECHNICIAN_SLA
    mic.technician = technician
    mic.technician_arrived_at = rehearsal + dt.timedelta(minutes=6)
    mic.responded_at = rehearsal + dt.timedelta(minutes=2)
    _resolve(
        mic, manager, rehearsal + dt.timedelta(minutes=18), "更换接收器电池与频段,备用麦克风留在舞台侧。"
    )
    _action(
        mic,
        IncidentAction.Kind.NOTE,
        manager,
        "已切换备用麦克风,通知技术人员到场。",
        rehearsal + dt.timedelta(minutes=2),
    )
    _action(
        mic,
        IncidentAction.Kind.ARRIVAL,
        manager,
        f"{technician.name} 到场(上报后 6 分钟,在 15 分钟时限内)",
        mic.technician_arrived_at,
    )
    _action(mic, IncidentAction.Kind.RESOLVE, manager, mic.resolution, mic.resolved_at)
    mic.assignees.set([technician])

    later = rehearsal + dt.timedelta(minutes=40)
    host = _incident(
        event,
        category=Category.PERSONNEL,
        severity=Severity.MEDIUM,
        title="礼仪人员一人病假",
        description="签到区礼仪少一人。",
        reporter=manager,
        at=later,
    )
    host.responded_at = later + dt.timedelta(minutes=3)
    _resolve(host, manager, later + dt.timedelta(minutes=25), "启用预先安排的替补礼仪,已到岗。")
    _action(host, IncidentAction.Kind.NOTE, manager, "已联系替补礼仪。", host.responded_at)
    _action(host, IncidentAction.Kind.RESOLVE, manager, host.resolution, host.resolved_at)


def _incident(
    event: Event,
    *,
    category: str,
    severity: str,
    title: str,
    description: str,
    reporter: User,
    at: dt.datetime,
) -> Incident:
    matches = risk_matches(event, category, f"{title} {description}")
    incident = Incident.objects.create(
        event=event,
        category=category,
        severity=severity,
        title=title,
        description=description,
        reporter=reporter,
        reported_at=at,
        risk=matches[0] if matches else None,
    )
    _action(incident, IncidentAction.Kind.REPORT, reporter, description, at)
    return incident


def _resolve(incident: Incident, actor: User, at: dt.datetime, resolution: str) -> None:
    incident.status = Status.RESOLVED
    incident.resolved_at = at
    incident.resolution = resolution
    incident.save()


def _action(incident: Incident, kind: str, actor: User, text: str, at: dt.datetime | None) -> None:
    IncidentAction.objects.create(
        incident=incident, kind=kind, actor=actor, text=text, at=at or timezone.now()
    )
