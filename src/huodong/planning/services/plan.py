"""The plan itself (PL-1, DOC-2): get-or-create with the event type's template, theme/tone/background.

Theme and tone live on the Event and change through ``events.services.event_update``; background,
positioning and the requesting department's approved amount (PL-3) live on the Plan. Every change calls
``versioning.plan_touch`` in the same transaction so an edit after a signature makes a new version (AP-1).
Run of show, budget, risks and attachments have their own modules beside this one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.money import to_money
from huodong.core.services import organisation_get
from huodong.events.models import Event
from huodong.planning import versioning
from huodong.planning.models import Plan, Risk, RunOfShowSegment
from huodong.planning.rules import PLAN_EDITABLE_STEPS, require_planning_editor, require_step

MAX_MONEY = Decimal("999999999999.99")  # fits the approved amount's 14 digits
THEME_MAX, TONE_MAX = 200, 100  # Event.theme / Event.tone lengths (PL-1)
TEXT_MAX = 20_000


def require_plan_editor(*, actor: User | None, event: Event, system: bool = False) -> None:
    """Who may change the plan (owner, team organiser, admin) and when (PLAN_EDITABLE_STEPS)."""
    if system:
        return
    require_planning_editor(actor, event)
    require_step(event, PLAN_EDITABLE_STEPS, str(_("策划方案")))


def touch(*, event: Event, actor: User | None, what: str) -> None:
    """Tell versioning the plan's content changed (AP-1: an edit after a signature makes a new version)."""
    versioning.plan_touch(event=event, actor=actor, what=what)


def parse_money(
    value: Any, *, field: str, label: Any, errors: dict[str, list[Any]], allow_zero: bool = True
) -> Decimal | None:
    """A non-negative two-place Decimal, or an error on ``field`` naming it and what is allowed."""
    if isinstance(value, bool):
        value = "bad"
    try:
        amount = to_money(value)
    except (ValueError, TypeError):
        errors.setdefault(field, []).append(
            _("%(label)s须为数字(如 1200 或 1200.50),不能是「%(value)s」。")
            % {"label": label, "value": str(value)[:40]}
        )
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        errors.setdefault(field, []).append(
            (_("%(label)s不能为负数。") if amount < 0 else _("%(label)s须大于 0。")) % {"label": label}
        )
        return None
    if amount > MAX_MONEY:
        errors.setdefault(field, []).append(_("%(label)s过大,最多 999999999999.99。") % {"label": label})
        return None
    return amount


def plan_get(event: Event) -> Plan:
    plan = Plan.objects.filter(event=event).first()
    if plan is None:
        raise NotFound(_("该活动尚未开始编写策划方案。"))
    return plan


@transaction.atomic
def plan_get_or_create(*, event: Event, actor: User | None, system: bool = False) -> Plan:
    """The event's plan; a new one is pre-filled from the event type's template (run of show, risks)."""
    plan = Plan.objects.filter(event=event).first()
    if plan is not None:
        return plan
    require_plan_editor(actor=actor, event=event, system=system)
    plan, created = Plan.objects.get_or_create(
        event=event, defaults={"currency": organisation_get().currency}
    )
    if created:
        audit_record(actor=actor, action="plan.create", target=plan, event_id=event.pk, after=snapshot(plan))
        plan_prefill_from_template(event=event, actor=actor, system=system)
        touch(event=event, actor=actor, what="plan")
    return plan


@transaction.atomic
def plan_prefill_from_template(*, event: Event, actor: User | None, system: bool = False) -> dict[str, int]:
    """Copy the event type's template into an empty plan (PL-2 run of show, risk register).

    Segments are laid out back to back from the event's start; a template segment that would end after
    the event is left out (the planner adds it by hand). Budget categories are not copied: the budget
    form offers them from the template. A plan that already has segments or risks keeps them.
    """
    require_plan_editor(actor=actor, event=event, system=system)
    plan = Plan.objects.select_for_update().filter(event=event).first()
    if plan is None:
        plan = Plan.objects.create(event=event, currency=organisation_get().currency)
    et = event.event_type
    added = {"segments": 0, "risks": 0, "skipped_segments": 0}
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
            )
            cursor += dt.timedelta(minutes=minutes)
            added["segments"] += 1
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
            )
            added["risks"] += 1
    if added["segments"] or added["risks"]:
        audit_record(
            actor=actor,
            action="plan.prefill",
            target=plan,
            event_id=event.pk,
            summary=str(
                _(
                    "按活动类型「%(type)s」模板预填:%(s)s 个流程环节,%(r)s 项风险预案;%(k)s 个环节超出活动时间未预填。"
                )
                % {
                    "type": et.name,
                    "s": added["segments"],
                    "r": added["risks"],
                    "k": added["skipped_segments"],
                }
            ),
            after=added,
        )
        touch(event=event, actor=actor, what="plan")
    return added


PLAN_FIELDS = ("theme", "tone", "background", "positioning", "approved_budget")


@transaction.atomic
def plan_update(*, actor: User | None, event: Event, system: bool = False, **changes: Any) -> Plan:
    """Change theme and tone (PL-1, on the Event), background, positioning, approved amount (PL-3).

    Only the given fields change. ``approved_budget`` may be None/"" to clear it; a negative or
    non-numeric amount is refused naming the field.
    """
    require_plan_editor(actor=actor, event=event, system=system)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(PLAN_FIELDS)}] for f in sorted(unknown)}
        )
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    for name, limit, label in (("theme", THEME_MAX, _("主题")), ("tone", TONE_MAX, _("调性"))):
        if name in changes:
            value = str(changes[name] or "").strip()
            if len(value) > limit:
                errors[name] = [_("%(label)s最多 %(n)s 个字。") % {"label": label, "n": limit}]
            clean[name] = value
    for name, label in (("background", _("活动背景")), ("positioning", _("定位说明"))):
        if name in changes:
            value = str(changes[name] or "").strip()
            if len(value) > TEXT_MAX:
                errors[name] = [_("%(label)s最多 %(n)s 个字。") % {"label": label, "n": TEXT_MAX}]
            clean[name] = value
    if "approved_budget" in changes:
        raw = changes["approved_budget"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            clean["approved_budget"] = None
        else:
            clean["approved_budget"] = parse_money(
                raw, field="approved_budget", label=_("需求部门审批额度"), errors=errors
            )
    if errors:
        raise DomainError(errors)
    plan = plan_get_or_create(event=event, actor=actor, system=True)
    event_changes = {k: clean[k] for k in ("theme", "tone") if k in clean and clean[k] != getattr(event, k)}
    if event_changes:
        from huodong.events.services import event_update

        if system:
            # The demo loader and other services act as the system; event_update checks its own rights.
            event_update(actor=event.owner, event=event, **event_changes)
        else:
            event_update(actor=actor, event=event, **event_changes)  # type: ignore[arg-type]
    before = snapshot(plan)
    plan_changes = {k: v for k, v in clean.items() if k not in ("theme", "tone") and getattr(plan, k) != v}
    if plan_changes:
        for k, v in plan_changes.items():
            setattr(plan, k, v)
        plan.save()
        audit_record(
            actor=actor,
            action="plan.update",
            target=plan,
            event_id=event.pk,
            before=before,
            after=snapshot(plan),
        )
    if event_changes or plan_changes:
        touch(event=event, actor=actor, what="plan")
    return plan


def owner_check(owner: Any, *, field: str, errors: dict[str, list[Any]]) -> User | None:
    """An owner is an active person (or None)."""
    if owner is None or owner == "":
        return None
    if not isinstance(owner, User) or not owner.is_active:
        errors.setdefault(field, []).append(_("负责人须为在职人员。"))
        return None
    return owner


def text_check(
    value: Any, *, field: str, label: Any, limit: int, required: bool, errors: dict[str, list[Any]]
) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        errors.setdefault(field, []).append(_("%(label)s不能为空。") % {"label": label})
    elif len(text) > limit:
        errors.setdefault(field, []).append(_("%(label)s最多 %(n)s 个字。") % {"label": label, "n": limit})
    return text
