"""Running the show (EX-3): the stage manager starts, ends or skips the plan's segments from a phone.

Who: ``Need.STAGE`` (the stage manager named in the check-in settings, the owner, organisers,
administrators). When: the event is in the execution phase (场地布置, 流程执行, 现场监控, 突发应对).

Refused with a clear message and nothing written: a segment started twice (409, saying when and by
whom), ended before it started (400), ended twice (409), started or ended once skipped (400), skipped once
started (409), a main-line segment started while another one runs (409, naming it: end it first;
``parallel`` segments may run alongside), a skip without a reason.

Lock order: the event row (``event_for(..., lock=True)``), then the segment's ``SegmentRun`` row. Each
change is a conditional ``UPDATE … WHERE started_at IS NULL`` (or ``ended_at IS NULL``): of two phones
pressing 开始 at once, one start is recorded and the other is told it already started.

After each change the projection is computed again; the owners whose segments' projected start moved by
``SHIFT_NOTICE`` or more since they were last told hear of it at once (``announce_shifts``): a notice in
their inbox and a message to the robots of the event's requesting department through outreach's outbox —
one message per owner per shift, the same shift never told twice (``ShiftNotice``, idempotency keys).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from huodong.checkin.rules import local_time
from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.errors import Conflict, DomainError, NotFound
from huodong.core.models import User
from huodong.core.services import notify
from huodong.core.text import text_clean
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.events.steps import PHASE_STEPS, Phase
from huodong.planning.models import RunOfShowSegment
from huodong.planning.selectors_plan import plan_of

from ..models import SegmentRun, ShiftNotice
from ..selectors import PENDING, Projected, projection

SHOW_STEPS: tuple[str, ...] = tuple(s.value for s in PHASE_STEPS[Phase.EXECUTION])
SHIFT_NOTICE = dt.timedelta(minutes=1)  # owners are told when their projected start moves this much
REASON_MAX = 200
SHIFT_KIND = "show_shift"
WHAT = _("现场流程")


def show_event_lock(actor: User | None, event: Event | int) -> Event:
    """Step 1 of the lock order: the event row locked, ``Need.STAGE`` and the execution phase checked."""
    return event_for(actor, event, Need.STAGE, lock=True, steps=SHOW_STEPS, what=WHAT)


def _segment(event: Event, segment_id: Any) -> RunOfShowSegment:
    try:
        pk = int(segment_id)
    except (TypeError, ValueError):
        pk = 0
    seg = (
        RunOfShowSegment.objects.select_related("owner").filter(pk=pk, plan__event_id=event.pk).first()
        if 0 < pk < 2**31
        else None
    )
    if seg is None:
        raise NotFound(_("环节不存在,或不属于此活动的流程。"))
    return seg


def runs_ensure(event: Event) -> None:
    """A ``SegmentRun`` for every segment of the event's plan (inside the event's lock)."""
    plan = plan_of(event)
    if plan is None:
        return
    have = set(SegmentRun.objects.filter(event=event).values_list("segment_id", flat=True))
    missing = [
        SegmentRun(event=event, segment_id=pk)
        for pk in plan.segments.values_list("pk", flat=True)
        if pk not in have
    ]
    if missing:
        SegmentRun.objects.bulk_create(missing, ignore_conflicts=True)


def _run_locked(event: Event, seg: RunOfShowSegment) -> SegmentRun:
    runs_ensure(event)
    return (
        SegmentRun.objects.select_for_update(of=("self",))
        .select_related("started_by", "ended_by")
        .get(segment=seg)
    )


def _at(event: Event, moment: dt.datetime | None) -> str:
    return local_time(moment, event)


SKIPPED_NO_START = _("环节「%(title)s」已跳过(原因:%(reason)s),不能开始。")
SKIPPED_NO_END = _("环节「%(title)s」已跳过(原因:%(reason)s),不能结束。")


def _not_skipped(seg: RunOfShowSegment, run: SegmentRun, message: Any) -> None:
    if run.skipped_at is not None:
        raise DomainError(
            {"__all__": [message % {"title": seg.title, "reason": run.skip_reason}]}, code="skipped"
        )


def _already_started(event: Event, seg: RunOfShowSegment, run: SegmentRun) -> Conflict:
    who = run.started_by.name if run.started_by else gettext("系统")
    return Conflict(
        _("环节「%(title)s」已于 %(at)s 由 %(who)s 开始,不能重复开始。")
        % {"title": seg.title, "at": _at(event, run.started_at), "who": who},
        code="already_started",
    )


def segment_start(
    *, actor: User | None, event: Event | int, segment_id: Any, at: dt.datetime | None = None
) -> SegmentRun:
    """Start a segment now (``at``: the moment, for tests and the demo). Refuses a second start, a
    skipped segment, and a main-line segment while another main-line one runs."""
    with transaction.atomic():
        ev = show_event_lock(actor, event)
        seg = _segment(ev, segment_id)
        run = _run_locked(ev, seg)
        _not_skipped(seg, run, SKIPPED_NO_START)
        if run.started_at is not None:
            raise _already_started(ev, seg, run)
        if not seg.parallel:
            other = (
                SegmentRun.objects.select_related("segment")
                .filter(event=ev, started_at__isnull=False, ended_at__isnull=True, segment__parallel=False)
                .exclude(pk=run.pk)
                .first()
            )
            if other is not None:
                raise Conflict(
                    _("环节「%(other)s」(%(at)s 开始)仍在进行;请先结束它,再开始「%(title)s」。")
                    % {"other": other.segment.title, "at": _at(ev, other.started_at), "title": seg.title},
                    code="another_running",
                )
        now = at or timezone.now()
        written = SegmentRun.objects.filter(
            pk=run.pk, started_at__isnull=True, skipped_at__isnull=True
        ).update(started_at=now, started_by=actor, revision=F("revision") + 1)
        if not written:  # cannot happen under the event lock; the condition is the second guard
            run.refresh_from_db()
            raise _already_started(ev, seg, run)
        run.refresh_from_db()
        late = max(0, int((now - seg.starts_at).total_seconds() // 60))
        audit_record(
            actor=actor,
            action="show.segment_start",
            target=run,
            event_id=ev.pk,
            summary=Said(
                _("开始环节「%(title)s」(%(at)s,计划 %(planned)s)"),
                title=seg.title,
                at=_at(ev, now),
                planned=_at(ev, seg.starts_at),
            ),
            after={"segment": seg.pk, "started_at": now.isoformat(), "late_minutes": late},
        )
        announce_shifts(ev, now=now, actor=actor)
        return run


def segment_end(
    *, actor: User | None, event: Event | int, segment_id: Any, at: dt.datetime | None = None
) -> SegmentRun:
    """End a running segment now. Refuses one not started (400), skipped (400) or already ended (409)."""
    with transaction.atomic():
        ev = show_event_lock(actor, event)
        seg = _segment(ev, segment_id)
        run = _run_locked(ev, seg)
        _not_skipped(seg, run, SKIPPED_NO_END)
        if run.started_at is None:
            raise DomainError(
                {"__all__": [_("环节「%(title)s」尚未开始,不能结束;请先开始。") % {"title": seg.title}]},
                code="not_started",
            )
        if run.ended_at is not None:
            who = run.ended_by.name if run.ended_by else gettext("系统")
            raise Conflict(
                _("环节「%(title)s」已于 %(at)s 由 %(who)s 结束。")
                % {"title": seg.title, "at": _at(ev, run.ended_at), "who": who},
                code="already_ended",
            )
        now = at or timezone.now()
        if now < run.started_at:
            raise DomainError(
                {
                    "__all__": [
                        _("结束时间 %(end)s 早于开始时间 %(start)s。")
                        % {"end": _at(ev, now), "start": _at(ev, run.started_at)}
                    ]
                }
            )
        written = SegmentRun.objects.filter(
            pk=run.pk, ended_at__isnull=True, started_at__isnull=False
        ).update(ended_at=now, ended_by=actor, revision=F("revision") + 1)
        if not written:
            raise Conflict(_("环节「%(title)s」已结束。") % {"title": seg.title}, code="already_ended")
        run.refresh_from_db()
        audit_record(
            actor=actor,
            action="show.segment_end",
            target=run,
            event_id=ev.pk,
            summary=Said(
                _("结束环节「%(title)s」(%(at)s,计划 %(planned)s)"),
                title=seg.title,
                at=_at(ev, now),
                planned=_at(ev, seg.ends_at),
            ),
            after={"segment": seg.pk, "ended_at": now.isoformat()},
        )
        announce_shifts(ev, now=now, actor=actor)
        return run


def segment_skip(
    *, actor: User | None, event: Event | int, segment_id: Any, reason: Any, at: dt.datetime | None = None
) -> SegmentRun:
    """Skip a segment that has not started, with a reason (required, at most 200 characters)."""
    with transaction.atomic():
        ev = show_event_lock(actor, event)
        errors: dict[str, list[Any]] = {}
        text = text_clean(
            reason, field="reason", label=_("跳过原因"), limit=REASON_MAX, errors=errors,
            required=True, multiline=False,
        )  # fmt: skip
        if errors:
            raise DomainError(errors)
        seg = _segment(ev, segment_id)
        run = _run_locked(ev, seg)
        if run.skipped_at is not None:
            raise Conflict(
                _("环节「%(title)s」已跳过(原因:%(reason)s)。")
                % {"title": seg.title, "reason": run.skip_reason},
                code="already_skipped",
            )
        if run.started_at is not None:
            raise Conflict(
                _("环节「%(title)s」已于 %(at)s 开始,不能再跳过。")
                % {"title": seg.title, "at": _at(ev, run.started_at)},
                code="already_started",
            )
        now = at or timezone.now()
        written = SegmentRun.objects.filter(
            pk=run.pk, started_at__isnull=True, skipped_at__isnull=True
        ).update(skipped_at=now, skipped_by=actor, skip_reason=text, revision=F("revision") + 1)
        if not written:
            raise Conflict(_("环节「%(title)s」的状态已被他人更改,请刷新。") % {"title": seg.title})
        run.refresh_from_db()
        audit_record(
            actor=actor,
            action="show.segment_skip",
            target=run,
            event_id=ev.pk,
            summary=Said(_("跳过环节「%(title)s」:%(reason)s"), title=seg.title, reason=text),
            after={"segment": seg.pk, "skip_reason": text},
        )
        announce_shifts(ev, now=now, actor=actor)
        return run


# ---------------------------------------------------------------- telling the owners
def _told(row: Projected) -> dt.datetime:
    run = row.run
    return run.notified_start if run is not None and run.notified_start is not None else row.planned_start


def shifted_owners(event: Event, now: dt.datetime) -> dict[int, list[Projected]]:
    """Owner → their waiting segments whose projected start moved ``SHIFT_NOTICE`` or more from what they
    were last told (the plan, at first)."""
    out: dict[int, list[Projected]] = defaultdict(list)
    for row in projection(event, now):
        owner = row.segment.owner
        if row.status != PENDING or owner is None or not owner.is_active:
            continue
        if abs(row.start - _told(row)) >= SHIFT_NOTICE:
            out[owner.pk].append(row)
    return dict(out)


def _key(rows: list[Projected]) -> str:
    text = ";".join(
        f"{r.pk}@{r.start.astimezone(dt.UTC):%Y%m%dT%H%M}" for r in sorted(rows, key=lambda r: r.pk)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _owner_message(event: Event, rows: list[Projected]) -> Said:
    first = min(rows, key=lambda r: r.planned_start)
    params = {
        "event": event.name,
        "segment": first.segment.title,
        "projected": local_time(first.start, event),
        "planned": local_time(first.planned_start, event),
    }
    if len(rows) == 1:
        return Said(
            _(
                "「%(event)s」现场流程时间调整:您负责的环节「%(segment)s」预计 %(projected)s 开始(原计划 %(planned)s)。"
            ),
            **params,
        )
    return Said(
        _(
            "「%(event)s」现场流程时间调整:您负责的环节「%(segment)s」预计 %(projected)s 开始(原计划 %(planned)s),另有 %(more)s 个环节随之调整。"
        ),
        more=len(rows) - 1,
        **params,
    )


def _robot_text(event: Event, owner: User, rows: list[Projected]) -> tuple[str, str]:
    """The robots' markdown, in the organisation's first language like the collaboration letters."""
    with override(settings.LANGUAGE_CODE):
        subject = gettext("现场流程时间调整")
        lines = [
            f"### {subject}",
            f"**{event.name}**",
            gettext("负责人:%(name)s") % {"name": owner.name},
        ]
        for r in sorted(rows, key=lambda r: r.planned_start):
            lines.append(
                gettext("- 「%(segment)s」预计 %(projected)s 开始(原计划 %(planned)s)")
                % {
                    "segment": r.segment.title,
                    "projected": local_time(r.start, event),
                    "planned": local_time(r.planned_start, event),
                }
            )
    return subject, "\n".join(lines)


def _robot_messages(event: Event, owner: User, rows: list[Projected], key: str, actor: User | None) -> int:
    from huodong.outreach.models import Channel, Message, MessageKind, Robot
    from huodong.outreach.services.outbox import enqueue

    if not event.requesting_department_id:
        return 0
    robots = Robot.objects.filter(department_id=event.requesting_department_id, is_active=True).order_by("id")
    subject, body = _robot_text(event, owner, rows)
    due = timezone.now()  # at once, whatever moment the change was recorded for
    made = 0
    for robot in robots:
        _row, created = enqueue(
            Message(
                event=event,
                robot=robot,
                channel=Channel.ROBOT,
                kind=MessageKind.UPDATE,
                purpose=Message.Purpose.INTERNAL,
                recipient=robot.name[:254],
                subject=subject[:300],
                body=body,
                due_at=due,
                not_before=due,
                idempotency_key=f"show-shift:{event.pk}:{owner.pk}:{key}:robot:{robot.pk}"[:200],
                created_by=actor,
            )
        )
        made += int(created)
    return made


def announce_shifts(event: Event, *, now: dt.datetime | None = None, actor: User | None = None) -> int:
    """Tell each owner whose segments' projected start moved (``shifted_owners``), once per shift: an
    in-app notice and a message to each robot of the event's requesting department. Runs inside the
    caller's transaction (after the change that moved things). Returns how many owners were told."""
    now = now or timezone.now()
    told = 0
    url = reverse("onsite_show:mine", kwargs={"event_id": event.pk})
    for owner_id, rows in sorted(shifted_owners(event, now).items()):
        owner = rows[0].segment.owner
        assert owner is not None
        key = _key(rows)
        try:
            with transaction.atomic():
                ShiftNotice.objects.create(
                    event=event,
                    person_id=owner_id,
                    key=key,
                    segments=[
                        {
                            "id": r.pk,
                            "title": r.segment.title,
                            "planned": r.planned_start.isoformat(),
                            "projected": r.start.isoformat(),
                        }
                        for r in rows
                    ],
                    sent_at=now,
                )
        except IntegrityError:
            new = False  # this very shift was told already
        else:
            new = True
        for r in rows:
            SegmentRun.objects.filter(event=event, segment_id=r.pk).update(notified_start=r.start)
        if not new:
            continue
        notify(
            recipients=[owner],
            kind=SHIFT_KIND,
            message=_owner_message(event, rows),
            url=url,
            event_id=event.pk,
        )
        _robot_messages(event, owner, rows, key, actor)
        told += 1
    return told
