"""Permission rows of the supervisor's live page and the printed check-in documents (issue 10 points 3, 4,
5, 6). The counts, the conflicts, resolving one and undoing a check-in are for supervisors, the owner, organisers and
administrators (``Need.SUPERVISE_CHECKIN``): the persona ``checkin_staff`` is plain gate staff of the
world's event, so it is refused like everyone else. The badges and the paper sheet are for all the
event's check-in staff (``Need.CHECKIN``). The world's event gets a registered guest with a ticket and
a conflict (the same guest at two gates) to resolve; its accepted scan is the check-in to undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from huodong.checkin.models import Conflict, Gate, GateStaff, Result, Scan
from huodong.outreach import tickets
from huodong.outreach.models import Guest, GuestStatus
from tests.permission_rows import EDIT, Row

CHECKIN = EDIT | {"checkin_staff"}
SUPERVISE = EDIT


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    GateStaff.objects.get_or_create(event=event, person=world.people["checkin_staff"])
    one = Gate.objects.create(event=event, name="统计入口 1")
    two = Gate.objects.create(event=event, name="统计入口 2")
    guest = Guest.objects.create(
        event=event,
        name="胸牌嘉宾",
        phone="+8613800007777",
        status=GuestStatus.CHECKED_IN,
        registered_at=timezone.now(),
        category="vip",
    )
    tickets.issue(guest)
    now = timezone.now()
    kept = Scan.objects.create(
        event=event, guest=guest, gate=one, result=Result.ACCEPTED, scanned_at=now - dt.timedelta(minutes=3)
    )
    other = Scan.objects.create(event=event, guest=guest, gate=two, result=Result.DUPLICATE, scanned_at=now)
    conflict = Conflict.objects.create(event=event, guest=guest, kept=kept, other=other)
    # Also under the path parameters' own names: the matrix tries every area's URL_KEYS on every URL.
    return {
        "checkin_conflict_id": conflict.pk,
        "checkin_scan_id": kept.pk,
        "conflict_id": conflict.pk,
        "scan_id": kept.pk,
    }


PAGES: dict[str, Row] = {
    "checkin:live": Row(SUPERVISE),
    "checkin:conflict_resolve": Row(
        SUPERVISE, data={"note": "已核实"}, kwargs={"conflict_id": "checkin_conflict_id"}
    ),
    "checkin:scan_undo": Row(SUPERVISE, data={"reason": "选错了嘉宾"}, kwargs={"scan_id": "checkin_scan_id"}),
    "checkin:badges": Row(CHECKIN),
    "checkin:sheet": Row(CHECKIN),
}

_C = "/api/events/{event_id}/checkin"
API: dict[str, Row] = {
    f"GET {_C}/counts": Row(SUPERVISE),
    f"GET {_C}/conflicts": Row(SUPERVISE),
    f"POST {_C}/conflicts/{{conflict_id}}/resolve": Row(
        SUPERVISE, data={"note": "已核实"}, kwargs={"conflict_id": "checkin_conflict_id"}
    ),
    f"POST {_C}/scans/{{scan_id}}/undo": Row(
        SUPERVISE, data={"reason": "选错了嘉宾"}, kwargs={"scan_id": "checkin_scan_id"}
    ),
}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = [["event_id", "conflict_id"], ["event_id", "scan_id"]]
