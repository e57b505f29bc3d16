"""The event's own people on site (EX-3; issue 10 point 2: "staff themselves check in").

A team member or a check-in staff member records their own arrival (the button on the tab 签到, or on
their phone); an editor may record someone else's. A segment owner of the run of show (the event's plan:
``RunOfShowSegment.owner``) is due ``DUE_BEFORE`` (30 minutes) before the first segment they own; they are
``late`` when they arrive after that. A late owner is told at once to the stage manager
(``CheckinSettings.stage_manager``, else the event owner) and recorded as a ``LateAlert`` — once per owner
and event, whether raised by the late arrival itself or by ``late_owner_sweep``: the worker's sweep, once a
minute, for owners who have not arrived by their due time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import User
from huodong.core.services import notify
from huodong.events.access import Member, Need, event_access, event_for, step_require
from huodong.events.models import Event
from huodong.planning.models import RunOfShowSegment
from huodong.planning.selectors_plan import plan_of, segments_of

from ..models import Gate, GateStaff, LateAlert, StaffArrival
from ..rules import CHECKIN_STEPS, local_time
from .setup import stage_manager_of

DUE_BEFORE = dt.timedelta(minutes=30)  # EX-3: owners are on site 30 minutes before their segment
# Who records their own arrival: the event's team, its check-in staff and editors, and segment owners.
SELF_MEMBERS = {
    Member.ADMIN,
    Member.OWNER,
    Member.ORGANISER,
    Member.TEAM,
    Member.GATE_STAFF,
    Member.CHECKIN_SUPERVISOR,
}
SELF_REFUSAL = _("只有活动团队成员、签到人员和环节负责人可以登记自己的到场。")
LATE_KIND = "checkin_late_owner"


@dataclass
class Due:
    """When a segment owner is due on site, and the segment that makes them due."""

    at: dt.datetime
    segment: str
    segment_starts_at: dt.datetime


def owner_dues(event: Event) -> dict[int, Due]:
    """Each segment owner of the event's plan → when they are due (30 minutes before their first segment)."""
    dues: dict[int, Due] = {}
    for seg in segments_of(plan_of(event)):
        if seg.owner_id is None:
            continue
        current = dues.get(seg.owner_id)
        if current is None or seg.starts_at < current.segment_starts_at:
            dues[seg.owner_id] = Due(
                at=seg.starts_at - DUE_BEFORE, segment=seg.title, segment_starts_at=seg.starts_at
            )
    return dues


def event_people(event: Event) -> dict[int, User]:
    """The people whose arrival is recorded: the owner, the team, the check-in staff, the segment owners
    (and anyone whose arrival an editor already recorded)."""
    ids: set[int] = set(event.team_members.values_list("pk", flat=True))
    if event.owner_id:
        ids.add(event.owner_id)
    ids |= set(GateStaff.objects.filter(event=event).values_list("person_id", flat=True))
    ids |= set(owner_dues(event))
    ids |= set(StaffArrival.objects.filter(event=event).values_list("person_id", flat=True))
    return {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("department")}


def roster(event: Event, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Who is expected on site, when, and whether they came (late or not), for the tab 签到: owners of a
    segment by due time first, then the others by name."""
    now = now or timezone.now()
    dues = owner_dues(event)
    arrivals = {a.person_id: a for a in StaffArrival.objects.filter(event=event).select_related("gate")}
    staff = {s.person_id: s for s in GateStaff.objects.filter(event=event).select_related("gate")}
    rows: list[dict[str, Any]] = []
    for pk, person in event_people(event).items():
        due = dues.get(pk)
        arrived = arrivals.get(pk)
        late = arrived.late if arrived is not None else bool(due and now > due.at)
        rows.append(
            {
                "person": person,
                "due": due,
                "arrival": arrived,
                "staff": staff.get(pk),
                "late": late,
                "missing": arrived is None and bool(due and now > due.at),
            }
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r["due"] is None, r["due"].at if r["due"] else far, r["person"].name))
    return rows


def _setup_url(event_id: int) -> str:
    try:
        return reverse("checkin:setup", kwargs={"event_id": event_id})
    except NoReverseMatch:
        return ""


def _alert(event: Event, person: User, due: Due, *, arrived_at: dt.datetime | None) -> bool:
    """Record the ``LateAlert`` of ``person`` and tell the stage manager, once per owner and event."""
    try:
        with transaction.atomic():
            LateAlert.objects.create(event=event, person=person, due_at=due.at)
    except IntegrityError:
        return False  # already raised (the sweep, or the arrival, came first)
    if arrived_at is None:
        message = Said(
            _(
                "「%(event)s」:环节「%(segment)s」(%(starts)s)的负责人 %(name)s 应于 %(due)s 前到场,目前尚未到场。"
            ),
            event=event.name,
            segment=due.segment,
            starts=local_time(due.segment_starts_at, event),
            name=person.name,
            due=local_time(due.at, event),
        )
    else:
        message = Said(
            _(
                "「%(event)s」:环节「%(segment)s」(%(starts)s)的负责人 %(name)s 于 %(at)s 到场,晚于应到时间 %(due)s。"
            ),
            event=event.name,
            segment=due.segment,
            starts=local_time(due.segment_starts_at, event),
            name=person.name,
            at=local_time(arrived_at, event),
            due=local_time(due.at, event),
        )
    manager = stage_manager_of(event)
    if manager is not None:
        notify(
            recipients=[manager],
            kind=LATE_KIND,
            message=message,
            url=_setup_url(event.pk),
            event_id=event.pk,
        )
    return True


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**31 else 0


def arrival_record(
    *,
    actor: User,
    event: Event | int,
    person: Any = None,
    gate_id: Any = None,
    at: dt.datetime | None = None,
) -> tuple[StaffArrival, bool]:
    """Record that ``person`` (default: the actor) is on site now. Returns the arrival and whether it is
    new (a second press answers the first arrival). A late segment owner alerts the stage manager."""
    with transaction.atomic():
        ev = event_for(actor, event, Need.VIEW, lock=True)
        access = event_access(actor, ev)
        myself = person in (None, "") or _pk(getattr(person, "pk", person)) == actor.pk
        if myself:
            if not access.members & SELF_MEMBERS and actor.pk not in owner_dues(ev):
                raise NotAllowed(SELF_REFUSAL)
        else:
            access.require(Need.EDIT, _("只有活动负责人、团队中的策划人员或管理员可以替他人登记到场。"))
        step_require(ev, CHECKIN_STEPS, _("工作人员到场"))
        errors: dict[str, list[Any]] = {}
        who: User | None = actor
        if not myself:
            who = User.objects.filter(pk=_pk(getattr(person, "pk", person)), is_active=True).first()
            if who is None or who.pk not in event_people(ev):
                errors["person"] = [_("此人不是本活动的团队成员、签到人员或环节负责人。")]
        gate = None
        if gate_id not in (None, ""):
            gate = Gate.objects.filter(pk=_pk(gate_id), event_id=ev.pk, is_active=True).first()
            if gate is None:
                errors["gate"] = [_("签到口不存在或已停用,请重新选择本活动的签到口。")]
        if errors:
            raise DomainError(errors)
        assert who is not None
        existing = StaffArrival.objects.filter(event=ev, person=who).first()
        if existing is not None:
            return existing, False
        now = at or timezone.now()
        due = owner_dues(ev).get(who.pk)
        late = due is not None and now > due.at
        row = StaffArrival.objects.create(
            event=ev,
            person=who,
            arrived_at=now,
            gate=gate,
            recorded_by=actor,
            due_at=due.at if due else None,
            late=late,
        )
        audit_record(
            actor=actor,
            action="checkin.arrival",
            target=row,
            event_id=ev.pk,
            summary=Said(_("%(name)s 到场(%(at)s)"), name=who.name, at=local_time(now, ev)),
            after={"person": who.pk, "late": late, "due_at": due.at.isoformat() if due else None},
        )
        if late and due is not None:
            _alert(ev, who, due, arrived_at=now)  # REQ: EX-3
        return row, True


def late_owner_sweep(now: dt.datetime | None = None) -> int:
    """Alert the stage manager of every segment owner who is due by ``now`` and has not arrived (EX-3), for
    events on the day (in the check-in steps, not yet ended). Returns how many alerts were raised."""
    now = now or timezone.now()
    firsts = (
        RunOfShowSegment.objects.filter(
            owner__isnull=False,
            plan__event__step__in=CHECKIN_STEPS,
            plan__event__ends_at__gt=now,
        )
        .values("plan__event_id", "owner_id")
        .annotate(first=Min("starts_at"))
        .filter(first__lte=now + DUE_BEFORE)
    )
    pairs = {(r["plan__event_id"], r["owner_id"]) for r in firsts}
    if not pairs:
        return 0
    events = {e for e, _p in pairs}
    done = set(StaffArrival.objects.filter(event_id__in=events).values_list("event_id", "person_id"))
    done |= set(LateAlert.objects.filter(event_id__in=events).values_list("event_id", "person_id"))
    raised = 0
    for event_id in sorted(events):
        todo = sorted(p for e, p in pairs if e == event_id and (e, p) not in done)
        if not todo:
            continue
        event = Event.objects.select_related("owner").get(pk=event_id)
        dues = owner_dues(event)
        people = {u.pk: u for u in User.objects.filter(pk__in=todo)}
        for pk in todo:
            due = dues.get(pk)
            if due is None or due.at > now or pk not in people:
                continue
            with transaction.atomic():  # the alert and the notice to the stage manager together
                if _alert(event, people[pk], due, arrived_at=None):
                    raised += 1
    return raised
