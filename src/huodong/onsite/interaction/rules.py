"""Rules shared by the interaction services: when, who, and the first lock.

When: on-site features work while the event is in the execution phase (场地布置, 流程执行, 现场监控,
突发应对); a guest's question or answer outside it, or while the stage manager closed Q&A or the survey,
is refused with a message saying so.

Who: guests need no sign-in (their ticket link or the screen's QR, ``participants``); moderating
questions and drawing the lottery is ``Need.STAGE`` (the stage manager, owner, organisers, administrators);
the interaction page and the survey's results are ``Need.ONSITE`` (the team on the day).

Lock order (``core.concurrency``): the event row (``event_for(..., lock=True)``), then the interaction
settings, then draws, then questions and other rows by id. A guest's question or survey answer takes no
event lock: it is one insert (with the flood count before a question), so 2,000 answers a minute go
through without queueing behind each other.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.events.steps import PHASE_OF, Phase

from .models import InteractionSettings

ONSITE_STEPS: tuple[str, ...] = tuple(step for step, phase in PHASE_OF.items() if phase == Phase.EXECUTION)


def onsite_lock(actor: User | None, event: Event | int, need: Need, what: Any) -> Event:
    """Step 1 of the lock order: the event row locked, the actor's ``need`` and the step checked on it."""
    return event_for(actor, event, need, lock=True, steps=ONSITE_STEPS, what=what)


def onsite_open(event: Event) -> None:
    """Refuse a guest's write when the event is not on its show day (the execution phase)."""
    if event.step not in ONSITE_STEPS:
        raise DomainError(
            {"__all__": [_("现场互动仅在活动执行阶段开放(场地布置至突发应对),现在还不能参与。")]},
            code="not_open",
        )


def settings_of(event: Event | int) -> InteractionSettings:
    """The event's interaction settings, created on first use (race-safe: the event is unique)."""
    event_id = event.pk if isinstance(event, Event) else int(event)
    found = InteractionSettings.objects.filter(event_id=event_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return InteractionSettings.objects.create(event_id=event_id, key=secrets.token_urlsafe(12))
    except IntegrityError:
        return InteractionSettings.objects.get(event_id=event_id)


def join_qr(url: str) -> str:
    """The guests' address as an inline SVG QR that scales to its box (a viewBox, no fixed size)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", border=4, xmldecl=False, svgns=True, omitsize=True
    )
    return out.getvalue().decode()


def row_id(value: object) -> int:
    """A record id from a URL or a payload, 0 when it cannot name a row (so a filter finds nothing; a
    number past 64 bits would otherwise fail in SQLite)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
    return number if 1 <= number <= 2**31 - 1 else 0


def settings_for_key(key: str) -> InteractionSettings | None:
    """The settings (with the event) behind a public address, or None for a key that names nothing."""
    if not key or len(key) > 24:
        return None
    return InteractionSettings.objects.select_related("event").filter(key=key).first()
