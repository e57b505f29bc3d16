"""The supervisor handles the conflicts an offline sync reported (EX-2, issue 10 point 4): the same guest
checked in at two gates while a scanner was offline. The earliest scan already won (``redeem.sync``);
here the supervisor, having looked (the guest let in twice? a shared ticket?), marks the conflict handled
with a note — who and when are recorded, and the audit log has it.

One service for the live page's form and ``POST /api/events/{id}/checkin/conflicts/{id}/resolve``.
The write is conditional (``resolved_at IS NULL``): of two supervisors handling one conflict at once, the
second is told who handled it first (409), like a stale revision.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record
from huodong.core.errors import Conflict as Stale
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import Conflict

NOTE_MAX = 200


def _note(note: object) -> str:
    text = " ".join(str(note or "").split())
    if not text:
        raise DomainError({"note": [_("请填写处理说明(例如:已核实为同一人,放行一次)。")]})
    if len(text) > NOTE_MAX:
        raise DomainError({"note": [_("处理说明最多 %(max)d 个字。") % {"max": NOTE_MAX}]})
    return text


@transaction.atomic
def conflict_resolve(*, actor: User, event: Event | int, conflict_id: int, note: str) -> Conflict:
    """Mark the conflict handled with ``note`` (who and when recorded, audit-logged)."""
    ev = event_for(actor, event, Need.SUPERVISE_CHECKIN)
    text = _note(note)
    found = (
        Conflict.objects.filter(pk=conflict_id, event_id=ev.pk).select_related("guest", "resolved_by").first()
    )
    if found is None:
        raise NotFound({"conflict_id": [_("此活动没有这条签到冲突。")]})
    now = timezone.now()
    done = Conflict.objects.filter(pk=found.pk, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor, resolution=text
    )
    if not done:
        found.refresh_from_db()
        who = str(found.resolved_by) if found.resolved_by_id else str(_("他人"))
        when = timezone.localtime(found.resolved_at, ev.tz).strftime("%H:%M") if found.resolved_at else ""
        raise Stale(
            {"__all__": [_("此冲突已由 %(who)s 于 %(when)s 处理。") % {"who": who, "when": when}]},
            code="already_resolved",
        )
    found.resolved_at, found.resolved_by, found.resolution = now, actor, text
    audit_record(
        actor=actor,
        action="checkin.conflict.resolve",
        target=found,
        event_id=ev.pk,
        summary=Message(_("处理签到冲突:%(guest)s(%(note)s)"), guest=found.guest.name, note=text),
        after={"conflict": found.pk, "guest": found.guest_id, "resolution": text},
    )
    return found
