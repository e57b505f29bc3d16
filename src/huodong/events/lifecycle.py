"""The lifecycle engine (LC-1, LC-2): gates registered by the phase apps, one service that moves events.

A phase app registers the criteria an event must meet to *leave* a step::

    from huodong.events.lifecycle import Criterion, register_gate

    @register_gate(Step.GOALS, key="planning.goals")
    def goals_are_smart(event):
        yield Criterion("goals.present", _("至少设定一个目标"), met=event.goals.exists())

``event_advance`` evaluates every criterion of the step it leaves and refuses with all the unmet ones;
the update is conditional on the step the caller saw, so two people advancing at once move it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record
from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import User

from .models import Event, StepTransition
from .steps import Step, allowed_back_steps, next_step


@dataclass(frozen=True)
class Criterion:
    """One condition of a gate. ``label`` says what is required; ``detail`` what is missing when unmet."""

    code: str
    label: Any
    met: bool
    detail: Any = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": force_str(self.label),
            "met": self.met,
            # ``detail`` says what is missing, so a met criterion has none.
            "detail": "" if self.met else force_str(self.detail),
        }


GateCheck = Callable[[Event], Iterable[Criterion]]


@dataclass
class _Gate:
    key: str
    check: GateCheck


_GATES: dict[str, list[_Gate]] = {}


def register_gate(step: str, *, key: str) -> Callable[[GateCheck], GateCheck]:
    """Register ``check`` as part of the gate for leaving ``step``. Re-registering a key replaces it."""

    def decorator(check: GateCheck) -> GateCheck:
        gates = _GATES.setdefault(str(step), [])
        gates[:] = [g for g in gates if g.key != key]
        gates.append(_Gate(key=key, check=check))
        return check

    return decorator


def unregister_gate(step: str, *, key: str) -> bool:
    """Remove the check registered under ``key`` for ``step``; True when one was removed (tests use it)."""
    gates = _GATES.get(str(step), [])
    kept = [g for g in gates if g.key != key]
    removed = len(kept) != len(gates)
    if str(step) in _GATES:
        _GATES[str(step)] = kept
    return removed


def gate_checks(step: str) -> list[str]:
    return [g.key for g in _GATES.get(str(step), [])]


def gate_evaluate(event: Event, step: str | None = None) -> list[Criterion]:
    """Every criterion (met or not) of the gate for leaving ``step`` (default: the event's current step)."""
    criteria: list[Criterion] = []
    for gate in _GATES.get(str(step or event.step), []):
        criteria.extend(gate.check(event))
    return criteria


class GateBlocked(DomainError):
    """The gate of the step being left has unmet criteria; all of them are listed."""

    status = 409
    code = "gate_blocked"

    def __init__(self, step: str, unmet: list[Criterion]) -> None:
        self.step = step
        self.unmet = unmet
        super().__init__(
            {
                "__all__": [_("「%(step)s」的关口尚未满足:") % {"step": Step(step).label}]
                + [_fmt(c) for c in unmet]
            }
        )


def _fmt(c: Criterion) -> str:
    return f"{force_str(c.label)}{':' + force_str(c.detail) if c.detail else ''}"


@dataclass
class MoveResult:
    event: Event
    transition: StepTransition
    criteria: list[Criterion] = field(default_factory=list)


def can_move(actor: User | None, event: Event) -> bool:
    """Who may move an event: its owner, an organiser on its team, or an administrator (``Need.EDIT``)."""
    from .access import Need, can

    return can(actor, event, Need.EDIT)


def _record(
    event: Event,
    *,
    frm: str,
    to: str,
    actor: User | None,
    reason: str,
    direction: str,
    restricted: bool = False,
) -> StepTransition:
    key, params = (reason.key, reason.params) if isinstance(reason, Message) else ("", {})
    transition = StepTransition.objects.create(
        event=event,
        from_step=frm,
        to_step=to,
        direction=direction,
        actor=actor,
        reason=str(reason),
        reason_key=key,
        reason_params=params,
        restricted=restricted,
    )
    audit_record(
        actor=actor,
        action=f"event.{direction}",
        target=event,
        event_id=event.pk,
        summary=Message(
            "%(from)s → %(to)s%(reason)s",
            **{"from": Step(frm).label, "to": Step(to).label},
            reason=Message("(%(reason)s)", reason=reason) if reason and not restricted else "",
        ),
        before={"step": frm},
        after={"step": to},
    )
    return transition


def _lock_current(event: Event, *, seen: str | None, system: bool) -> str:
    """Lock the event row (step 1 of the lock order) and return its step, refusing a stale ``seen``."""
    if seen is None and not system:
        raise DomainError({"from_step": [_("请提供您看到的当前步骤(from_step),以免重复推进或退回。")]})
    if seen is not None and seen not in Step.values:
        raise DomainError({"from_step": [_("未知步骤「%(step)s」。") % {"step": seen}]})
    current = Event.objects.select_for_update().filter(pk=event.pk).values_list("step", flat=True).first()
    if current is None:
        raise Conflict(_("活动不存在或已被删除。"))
    if seen is not None and current != seen:
        raise Conflict(
            _("活动已被他人从「%(seen)s」移动到「%(now)s」,请刷新后再试。")
            % {"seen": Step(seen).label, "now": Step(current).label}
        )
    return current


@transaction.atomic
def event_advance(
    *, event: Event, actor: User | None, from_step: str | None = None, system: bool = False
) -> MoveResult:
    """Move ``event`` one step forward (LC-2) if the gate of the step it leaves is met.

    ``from_step`` is the step the caller saw (required unless ``system``); if the event has moved since,
    nothing happens and ``Conflict`` is raised. The event row is locked first, so no write to the event's
    records can slip between the gate and the move: the gate is evaluated on what is locked.
    ``system`` lets a service move the event as part of its own transition.
    """
    if not system and not can_move(actor, event):
        raise NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以推进活动。"))
    current = _lock_current(event, seen=from_step, system=system)
    target = next_step(current)
    if target is None:
        raise DomainError({"step": [_("活动已归档闭环,不能继续推进。")]}, code="invalid_move")
    event.step = current
    criteria = gate_evaluate(event, current)
    unmet = [c for c in criteria if not c.met]
    if unmet:
        raise GateBlocked(current, unmet)
    now = timezone.now()
    moved = Event.objects.filter(pk=event.pk, step=current).update(step=target, step_changed_at=now)
    if moved == 0:
        raise Conflict(_("活动刚被他人推进,请刷新后再试。"))
    event.step, event.step_changed_at = target.value, now
    transition = _record(event, frm=current, to=target.value, actor=actor, reason="", direction="forward")
    return MoveResult(event=event, transition=transition, criteria=criteria)


@transaction.atomic
def event_move_back(
    *,
    event: Event,
    actor: User | None,
    to_step: str,
    reason: str,
    from_step: str | None = None,
    system: bool = False,
    restricted: bool = False,
) -> MoveResult:
    """Send ``event`` back to an earlier step; an organiser must say why.

    ``restricted`` marks a reason that quotes review opinions or a signature comment: only people who
    may read the approval (``Need.VIEW_APPROVAL``) see it in the history.
    """
    if not system and not can_move(actor, event):
        raise NotAllowed(_("只有活动负责人、团队中的策划人员或管理员可以退回活动。"))
    if not reason or not reason.strip():
        raise DomainError({"reason": [_("退回须填写原因。")]})
    current = _lock_current(event, seen=from_step, system=system)
    if to_step not in [s.value for s in allowed_back_steps(current)]:
        raise DomainError(
            {"to_step": [_("只能退回到当前步骤之前的步骤。")]},
            code="invalid_move",
        )
    now = timezone.now()
    moved = Event.objects.filter(pk=event.pk, step=current).update(step=to_step, step_changed_at=now)
    if moved == 0:
        raise Conflict(_("活动刚被他人移动,请刷新后再试。"))
    event.step, event.step_changed_at = to_step, now
    transition = _record(
        event,
        frm=current,
        to=to_step,
        actor=actor,
        reason=reason if isinstance(reason, Message) else reason.strip(),
        direction="back",
        restricted=restricted,
    )
    return MoveResult(event=event, transition=transition)
