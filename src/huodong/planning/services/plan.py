"""The plan itself (PL-1, DOC-2): get-or-create with the event type's template, theme/tone/background.

Theme and tone live on the Event and change through ``events.services.event_update``; background,
positioning and the requesting department's approved amount (PL-3) live on the Plan. Run of show, budget,
risks and attachments have their own modules beside this one; they share the helpers at the bottom.

**Every write takes the locks of the lock order first** (``core.concurrency``): ``plan_lock`` locks the event
row and re-checks, on the locked row, the actor's right to edit and the step (``PLAN_EDITABLE_STEPS``); then
the plan row, then the open version. The lifecycle engine locks the same event row before it evaluates a
gate, so an edit and a move out of 审批定稿 are serialised: the edit lands before the move (whose gate then
sees the superseded version and refuses) or is refused because the event has left the step. Only rows read
after the lock are written. Every change calls ``versioning.plan_touch`` in the same transaction, so an
edit after a signature makes a new version (AP-1).

**Edits say what they saw.** The plan, segments, budget lines, risks and attachments carry ``revision``;
update and remove take ``seen`` and write through ``core.concurrency.row_update`` (only the fields that
changed, the real before and after in the audit log; 409 ``Stale`` when someone saved first, 428 when
``seen`` is missing). The plan's revision covers everything ``plan_update`` changes, theme and tone included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import Stale, revision_bump, revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import AuditEntry, User
from huodong.core.money import money_parse
from huodong.core.services import organisation_get
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.events.seed import owner_role_match
from huodong.events.steps import Step
from huodong.planning import versioning
from huodong.planning.models import Plan, Risk, RunOfShowSegment
from huodong.planning.rules import PLAN_EDITABLE_STEPS, planning_event_lock

THEME_MAX, TONE_MAX = 200, 100  # Event.theme / Event.tone lengths (PL-1)
TEXT_MAX = 20_000
PLAN_WHAT = _("策划方案")


# ---------------------------------------------------------------- the locks of a plan write
class PlanLock(NamedTuple):
    """What a plan write holds: the locked event (use it, not the caller's copy) and the locked plan."""

    event: Event
    plan: Plan
    created: bool  # the plan did not exist before this write


def plan_lock(
    *, actor: User | None, event: Event | int, what: Any = PLAN_WHAT, system: bool = False
) -> PlanLock:
    """Steps 1–3 of the lock order for a write to the plan; call first, inside the write's transaction.

    1. the event row, with the actor's right to edit and the step checked on the locked row (a refusal
       says in which steps ``what`` may change); ``system`` (the demo loader) skips both checks;
    2. the plan row — created and pre-filled from the event type's template when there is none;
    3. the open version (in review, reviewed or approved), which ``plan_touch`` may supersede.
    """
    steps = tuple(Step.values) if system else PLAN_EDITABLE_STEPS
    locked = planning_event_lock(actor=actor, event=event, steps=steps, what=what, system=system)
    plan, created = _plan_locked(event=locked, actor=actor)
    versioning.open_version(locked, lock=True)
    return PlanLock(locked, plan, created)


def _plan_locked(*, event: Event, actor: User | None, prefill: bool = True) -> tuple[Plan, bool]:
    plan = Plan.objects.select_for_update().filter(event=event).first()
    if plan is not None:
        return plan, False
    plan = Plan.objects.create(event=event, currency=organisation_get().currency)
    audit_record(actor=actor, action="plan.create", target=plan, event_id=event.pk, after=snapshot(plan))
    if prefill:
        _prefill(plan=plan, event=event, actor=actor)
    return plan, True


def touch(*, event: Event, actor: User | None, what: str) -> None:
    """Tell versioning the plan's content changed (AP-1: an edit after a signature makes a new version)."""
    versioning.plan_touch(event=event, actor=actor, what=what)


def row_locked(model: type[models.Model], *, plan: Plan, pk: int, missing: Any) -> Any:
    """A row of ``plan`` read under its lock (step 4 of the lock order); ``NotFound(missing)`` otherwise."""
    row = model._default_manager.select_for_update().filter(pk=pk, plan=plan).first()
    if row is None:
        raise NotFound(missing)
    return row


def next_position(rows: models.Manager[Any] | models.QuerySet[Any]) -> int:
    """The position after the last row; read under the event lock, so concurrent adds never share one."""
    return int(rows.aggregate(last=Max("position"))["last"] or 0) + 1


def unknown_fields(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(allowed)}] for f in sorted(unknown)}
        )


# ---------------------------------------------------------------- reads
def plan_get(event: Event) -> Plan:
    plan = Plan.objects.filter(event=event).first()
    if plan is None:
        raise NotFound(_("该活动尚未开始编写策划方案。"))
    return plan


# ---------------------------------------------------------------- writes
def plan_get_or_create(*, event: Event, actor: User | None, system: bool = False) -> Plan:
    """The event's plan; a new one is pre-filled from the event type's template (run of show, risks)."""
    plan = Plan.objects.filter(event=event).first()
    if plan is not None:
        return plan
    with transaction.atomic():
        return plan_lock(actor=actor, event=event, system=system).plan


@transaction.atomic
def plan_prefill_from_template(
    *, event: Event | int, actor: User | None, system: bool = False
) -> dict[str, int]:
    """Copy the event type's template into an empty plan (PL-2 run of show, risk register).

    Segments are laid out back to back from the event's start; a template segment that would end after
    the event is left out (the planner adds it by hand). Budget categories are not copied: the budget
    form offers them from the template. A plan that already has segments or risks keeps them.

    Owners by role: a template row's ``owner_role`` names who owns it (``events.seed.OWNER_ROLES``); the
    row's owner is ``events.seed.owner_role_match`` — the event owner for "organiser", else the first team
    member (by id) whose title holds a word of the role, else the first whose department belongs to the
    role; nobody found leaves the row without owner for the planner to choose. Run again after the team
    was picked, it also gives an owner to the plan's rows that still have none and carry a template row's
    title (segments) or risk text (risks). Returns the counts: segments, risks, skipped_segments, owners.
    """
    steps = tuple(Step.values) if system else PLAN_EDITABLE_STEPS
    locked = planning_event_lock(actor=actor, event=event, steps=steps, what=PLAN_WHAT, system=system)
    plan, _created = _plan_locked(event=locked, actor=actor, prefill=False)
    versioning.open_version(locked, lock=True)
    return _prefill(plan=plan, event=locked, actor=actor)


def _prefill_team(event: Event) -> list[User]:
    """The event's team in the order roles are matched in (by id), with departments."""
    return list(event.team_members.select_related("department").order_by("id"))


def _prefill_owner(item: dict[str, Any], event: Event, team: list[User]) -> User | None:
    role = str(item.get("owner_role") or "").strip()
    return owner_role_match(role, owner=event.owner, team=team) if role else None


def _prefill_owners(*, plan: Plan, event: Event, actor: User | None, team: list[User]) -> int:
    """Give the plan's ownerless rows that carry a template row's title the owner of that row's role."""
    et = event.event_type
    assigned = 0
    for model, key, action, items in (
        (RunOfShowSegment, "title", "plan.segment.update", et.run_of_show or []),
        (Risk, "risk", "plan.risk.update", et.risks or []),
    ):
        owners: dict[str, User] = {}
        for item in items:
            if isinstance(item, dict) and str(item.get(key) or "").strip():
                person = _prefill_owner(item, event, team)
                if person is not None:
                    owners.setdefault(str(item[key]).strip(), person)
        if not owners:
            continue
        rows = model.objects.filter(plan=plan, owner__isnull=True, **{f"{key}__in": list(owners)})
        for row in rows.order_by("id"):
            row_update(
                row,
                changes={"owner": owners[getattr(row, key)]},
                seen=row.revision,
                actor=actor,
                action=action,
                label=getattr(row, key),
                event_id=event.pk,
                system=actor is None,
            )
            assigned += 1
    return assigned


def _prefill(*, plan: Plan, event: Event, actor: User | None) -> dict[str, int]:
    et = event.event_type
    team = _prefill_team(event)
    added = {"segments": 0, "risks": 0, "skipped_segments": 0, "owners": 0}
    if plan.segments.exists() or plan.risks.exists():
        added["owners"] = _prefill_owners(plan=plan, event=event, actor=actor, team=team)
    if not plan.segments.exists():
        cursor = event.starts_at
        for item in et.run_of_show or []:
            if not isinstance(item, dict) or not str(item.get("title") or "").strip():
                continue
            try:
                minutes = int(item.get("duration_minutes") or 0)
            except (TypeError, ValueError):
                minutes = 0
            if minutes <= 0:
                continue
            if cursor + dt.timedelta(minutes=minutes) > event.ends_at:
                added["skipped_segments"] += 1
                continue
            RunOfShowSegment.objects.create(
                plan=plan,
                position=added["segments"] + 1,
                title=str(item["title"]).strip()[:200],
                starts_at=cursor,
                duration_minutes=minutes,
                key_actions=str(item.get("key_actions") or ""),
                parallel=bool(item.get("parallel", False)),
                owner=(owner := _prefill_owner(item, event, team)),
            )
            cursor += dt.timedelta(minutes=minutes)
            added["segments"] += 1
            added["owners"] += owner is not None
    if not plan.risks.exists():
        levels = set(Risk.Level.values)
        for item in et.risks or []:
            if not isinstance(item, dict) or not str(item.get("risk") or "").strip():
                continue
            Risk.objects.create(
                plan=plan,
                position=added["risks"] + 1,
                risk=str(item["risk"]).strip()[:300],
                likelihood=str(item["likelihood"])
                if item.get("likelihood") in levels
                else str(Risk.Level.MEDIUM),
                impact=str(item["impact"]) if item.get("impact") in levels else str(Risk.Level.MEDIUM),
                response=str(item.get("response") or ""),
                backup_resource=str(item.get("backup") or item.get("backup_resource") or "")[:300],
                owner=(owner := _prefill_owner(item, event, team)),
            )
            added["risks"] += 1
            added["owners"] += owner is not None
    if added["segments"] or added["risks"] or added["owners"]:
        audit_record(
            actor=actor,
            action="plan.prefill",
            target=plan,
            event_id=event.pk,
            summary=Message(
                "按活动类型「%(type)s」模板预填:%(s)s 个流程环节,%(r)s 项风险预案;%(k)s 个环节超出活动时间未预填。",
                type=et,
                s=added["segments"],
                r=added["risks"],
                k=added["skipped_segments"],
            ),
            after=added,
        )
        touch(event=event, actor=actor, what="plan")
    return added


PLAN_FIELDS = ("theme", "tone", "background", "positioning", "approved_budget")
EVENT_FIELDS = ("theme", "tone")  # PL-1: kept on the Event
PLAN_ROW_FIELDS = ("background", "positioning", "approved_budget")


def _plan_clean(changes: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    for name, limit, label in (("theme", THEME_MAX, _("主题")), ("tone", TONE_MAX, _("调性"))):
        if name in changes:
            clean[name] = text_clean(
                changes[name], field=name, label=label, limit=limit, errors=errors, multiline=False
            )
    for name, label in (("background", _("活动背景")), ("positioning", _("定位说明"))):
        if name in changes:
            clean[name] = text_clean(changes[name], field=name, label=label, limit=TEXT_MAX, errors=errors)
    if "approved_budget" in changes:
        raw = changes["approved_budget"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            clean["approved_budget"] = None
        else:
            clean["approved_budget"] = money_parse(
                raw, field="approved_budget", label=_("需求部门审批额度"), errors=errors
            )
    if errors:
        raise DomainError(errors)
    return clean


@transaction.atomic
def plan_update(
    *, actor: User | None, event: Event | int, seen: int | None, system: bool = False, **changes: Any
) -> Plan:
    """Change theme and tone (PL-1, on the Event), background, positioning, approved amount (PL-3).

    Only the given fields change. ``seen`` is the plan's revision the caller saw (it may be None only
    when the plan does not exist yet). ``approved_budget`` may be None/"" to clear it; a negative or
    non-numeric amount is refused naming the field.
    """
    unknown_fields(changes, PLAN_FIELDS)
    lock = plan_lock(actor=actor, event=event, system=system)
    locked, plan = lock.event, lock.plan
    if not (lock.created and seen is None):
        try:
            revision_require(plan, seen, label=PLAN_WHAT, system=system, fields=PLAN_ROW_FIELDS)
        except Stale as exc:
            raise _basics_stale(exc, locked) from None
    clean = _plan_clean(changes)
    event_changes = {k: clean[k] for k in EVENT_FIELDS if k in clean and clean[k] != getattr(locked, k)}
    if event_changes:
        _event_basics_update(actor=actor, event=locked, system=system, changes=event_changes)
    written = row_update(
        plan,
        changes={k: clean[k] for k in PLAN_ROW_FIELDS if k in clean},
        seen=plan.revision,
        actor=actor,
        action="plan.update",
        label=PLAN_WHAT,
        event_id=locked.pk,
    )
    if event_changes and not written:
        revision_bump(plan)  # the basics form's revision covers theme and tone too
    if event_changes or written:
        touch(event=locked, actor=actor, what="plan")
    return plan


def _event_basics_update(*, actor: User | None, event: Event, system: bool, changes: dict[str, Any]) -> None:
    """Theme and tone through the events service; the plan's revision was checked under the same lock."""
    from huodong.events.services import event_update

    event_update(actor=actor, event=event, revision=None, skip_revision_check=True, system=system, **changes)


def _basics_stale(exc: Stale, event: Event) -> Stale:
    """The 409 of the basics form: the plan's fields plus theme and tone, and who changed them last."""
    current = {**exc.current, "theme": event.theme, "tone": event.tone}
    theirs, changed_by, changed_at = dict(exc.theirs), exc.changed_by, exc.changed_at
    entry = (
        AuditEntry.objects.filter(
            target_type=event._meta.label_lower, target_id=str(event.pk), action="event.update"
        )
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if entry is not None and isinstance(entry.after, dict) and isinstance(entry.before, dict):
        on_event = {
            k: entry.after[k]
            for k in EVENT_FIELDS
            if k in entry.after and entry.after.get(k) != entry.before.get(k)
        }
        if on_event and (changed_at is None or entry.at >= changed_at):
            theirs.update(on_event)
            changed_by = entry.actor.name if entry.actor else entry.actor_name
            changed_at = entry.at
    return Stale(
        label=PLAN_WHAT, current=current, changed_by=changed_by, changed_at=changed_at, theirs=theirs
    )
