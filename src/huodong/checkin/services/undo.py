"""A supervisor undoes a mistaken check-in (EX-2: the wrong guest picked in the search, a badge scanned for
a colleague): the accepted scan becomes ``undone``, the guest is back to not arrived — registered, or
invited when they never registered (a paper sign-in of an invited guest) — and may be checked in again.
Who, when and why go to the audit log.

One service for the live page's form and ``POST /api/events/{id}/checkin/scans/{scan_id}/undo``. Lock
order (``rules``): the guest row, then the scan. Both writes are conditional — the scan only while it is
the accepted one, the guest only while checked in — so of two supervisors undoing at once, the second is
told it is already undone (409), and an undo never fights a concurrent check-in.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record
from huodong.core.errors import Conflict as Taken
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.outreach.models import Guest, GuestStatus

from ..models import Result, Scan

REASON_MAX = 200


def _reason(reason: object) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise DomainError({"reason": [_("请填写撤销原因(例如:选错了嘉宾)。")]})
    if len(text) > REASON_MAX:
        raise DomainError({"reason": [_("撤销原因最多 %(max)d 个字。") % {"max": REASON_MAX}]})
    return text


def undoable_scan(event: Event, scan_id: int) -> Scan:
    """The event's scan ``scan_id`` (404 when it has none)."""
    scan = Scan.objects.select_related("guest", "gate", "staff").filter(pk=scan_id, event_id=event.pk).first()
    if scan is None or scan.guest is None:
        raise NotFound({"scan_id": [_("此活动没有这条签到记录。")]})
    return scan


@transaction.atomic
def scan_undo(*, actor: User, event: Event | int, scan_id: int, reason: str) -> Scan:
    """Undo the accepted check-in ``scan_id`` of ``event``; the guest is back to not arrived."""
    ev = event_for(actor, event, Need.SUPERVISE_CHECKIN)
    text = _reason(reason)
    scan = undoable_scan(ev, scan_id)
    if scan.result == Result.UNDONE:
        raise Taken({"__all__": [_("这次签到已被撤销。")]}, code="already_undone")
    if scan.result != Result.ACCEPTED:
        raise DomainError(
            {
                "scan_id": [
                    _("只能撤销生效的签到(这条记录是:%(result)s)。") % {"result": scan.get_result_display()}
                ]
            }
        )
    guest = Guest.objects.select_for_update().get(pk=int(scan.guest_id or 0))
    if not Scan.objects.filter(pk=scan.pk, result=Result.ACCEPTED).update(result=Result.UNDONE):
        raise Taken({"__all__": [_("这次签到已被撤销。")]}, code="already_undone")
    back = GuestStatus.REGISTERED if guest.registered_at else GuestStatus.INVITED
    Guest.objects.filter(pk=guest.pk, status=GuestStatus.CHECKED_IN).update(
        status=back, revision=F("revision") + 1
    )
    scan.result = Result.UNDONE
    audit_record(
        actor=actor,
        action="checkin.scan.undo",
        target=guest,
        event_id=ev.pk,
        summary=Message(_("撤销 %(guest)s 的签到:%(reason)s"), guest=guest.name, reason=text),
        before={"scan": scan.pk, "status": guest.status},
        after={"scan": scan.pk, "status": back, "reason": text},
    )
    return scan
