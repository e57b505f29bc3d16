"""Reads of the events domain: lists with filters, an event's history as one person may read it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from huodong.core.models import User

from .models import Event, EventType, StepTransition
from .steps import PHASE_STEPS, Phase


def event_list(
    *,
    phase: str | None = None,
    step: str | None = None,
    event_type: str | int | None = None,
    owner: int | str | None = None,
    q: str | None = None,
) -> QuerySet[Event]:
    qs = Event.objects.select_related("event_type", "owner", "requesting_department")
    if phase and phase in Phase.values:
        qs = qs.filter(
            step__in=[s.value for s in PHASE_STEPS[Phase(phase)]] + (["closed"] if phase == "review" else [])
        )
    if step:
        qs = qs.filter(step=step)
    if event_type:
        qs = (
            qs.filter(event_type__code=event_type)
            if not str(event_type).isdigit()
            else qs.filter(event_type_id=int(event_type))
        )
    if owner and str(owner).isdigit():
        qs = qs.filter(owner_id=int(owner))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(theme__icontains=q) | Q(venue__icontains=q))
    return qs.order_by("-starts_at", "-id")


def event_history(event: Event, *, viewer: User | None) -> list[StepTransition]:
    """Every move of ``event``, oldest first, as ``viewer`` may read it.

    A move-back reason that quotes review or approval opinions (``restricted``) is shown only to people
    who may read the approval (``Need.VIEW_APPROVAL``); the others see the move with ``reason_hidden``.
    """
    from .access import Need, can

    may_read = can(viewer, event, Need.VIEW_APPROVAL)
    moves = list(event.transitions.select_related("actor").order_by("at", "id"))
    for move in moves:
        move.reason_hidden = move.restricted and not may_read  # type: ignore[attr-defined]
        if move.reason_hidden:  # type: ignore[attr-defined]
            move.reason, move.reason_key, move.reason_params = "", "", {}
    return moves


def event_types_active() -> QuerySet[EventType]:
    return EventType.objects.filter(is_active=True)


def events_for_user(user: User) -> QuerySet[Event]:
    return event_list().filter(Q(owner=user) | Q(team_members=user)).distinct()
