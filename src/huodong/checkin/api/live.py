"""API: what the supervisor watches at the doors (EX-2, issue 10 points 4 and 6), the same selector and
service as the live page (``checkin:live``).

- ``GET /events/{event_id}/checkin/counts``: totals (expected = registered + checked in, checked in,
  rate), check-ins by gate and by category, arrivals per 5 minutes (labels in the event's time zone),
  the not-arrived guests (VIPs first, masked phones, at most 200; ``not_arrived`` is the full count),
  the open conflicts and the last 20 scans.
- ``GET /events/{event_id}/checkin/conflicts``: the conflicts an offline sync found (the same guest at
  two gates), open ones unless ``include_resolved=true``.
- ``POST /events/{event_id}/checkin/conflicts/{conflict_id}/resolve``: mark one handled with a note
  (who and when recorded, audit-logged); 409 when someone handled it first.
- ``POST /events/{event_id}/checkin/scans/{scan_id}/undo``: undo a mistaken check-in with a reason: the
  accepted scan becomes ``undone``, the guest is back to not arrived (audit-logged); 409 when already
  undone, 400 for a scan that is not an accepted check-in.

Supervisors, the owner, organisers and administrators (``Need.SUPERVISE_CHECKIN``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id
from huodong.events.access import Need, event_for
from huodong.outreach.models import Guest

from .. import selectors_live
from ..services import conflicts as conflict_services
from ..services import undo as undo_services

router = Router(tags=["checkin: live"])

if TYPE_CHECKING:
    ResolveNote = str
    UndoReason = str
else:
    from huodong.core.schemas import Line

    ResolveNote = Line(conflict_services.NOTE_MAX)
    UndoReason = Line(undo_services.REASON_MAX)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LiveGateOut(Schema):
    gate_id: int | None
    gate: str
    checked_in: int


class LiveCategoryOut(Schema):
    category: str
    label: str
    expected: int
    checked_in: int
    not_arrived: int


class LiveArrivalsOut(Schema):
    start: dt.datetime = Field(..., description="5 分钟时段的开始(UTC)")
    label: str = Field(..., description="活动时区的时段,如 13:05–13:10")
    count: int


class LiveMissingOut(Schema):
    id: int
    name: str
    company: str
    title: str
    category: str
    category_label: str
    phone: str = Field(..., description="打码后的手机号(138****5678)")


class LiveScanSideOut(Schema):
    scan_id: int
    gate: str
    at: dt.datetime
    time: str = Field(..., description="活动时区的时间")
    device: str
    staff: str
    offline: bool


class LiveConflictOut(Schema):
    id: int
    guest_id: int
    guest: str
    category: str
    category_label: str
    kept: LiveScanSideOut = Field(..., description="生效的(最早的)签到")
    other: LiveScanSideOut = Field(..., description="另一个签到口的签到")
    found_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str
    resolution: str


class LiveRecentOut(Schema):
    scan_id: int
    result: str
    result_label: str
    reason: str
    guest_id: int | None
    guest: str
    gate: str
    staff: str
    at: dt.datetime
    time: str
    method: str
    method_label: str
    offline: bool


class LiveCountsOut(Schema):
    expected: int = Field(..., description="应到 = 已报名 + 已签到")
    checked_in: int
    not_arrived: int
    rate: float = Field(..., description="签到率,0 到 1")
    by_gate: list[LiveGateOut]
    by_category: list[LiveCategoryOut]
    arrivals: list[LiveArrivalsOut]
    not_arrived_guests: list[LiveMissingOut]
    conflicts: list[LiveConflictOut]
    recent: list[LiveRecentOut]
    generated_at: dt.datetime
    time_zone: str


class LiveResolveIn(Schema):
    note: ResolveNote = Field(..., description="处理说明(必填,最多 200 字)")


@router.get("/events/{event_id}/checkin/counts", response={200: LiveCountsOut, **READ})
def get_counts(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.SUPERVISE_CHECKIN)
    return selectors_live.live_counts(event).as_dict()


@router.get("/events/{event_id}/checkin/conflicts", response={200: list[LiveConflictOut], **READ})
def get_conflicts(request: HttpRequest, event_id: Id, include_resolved: bool = False):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.SUPERVISE_CHECKIN)
    return selectors_live.conflicts_of(event, include_resolved=include_resolved)


@router.post(
    "/events/{event_id}/checkin/conflicts/{conflict_id}/resolve",
    response={200: LiveConflictOut, 409: ErrorOut, **READ},
)
def post_conflict_resolve(  # noqa: ANN201
    request: HttpRequest, event_id: Id, conflict_id: Id, payload: LiveResolveIn
):
    conflict = conflict_services.conflict_resolve(
        actor=actor(request), event=event_id, conflict_id=conflict_id, note=payload.note
    )
    return selectors_live.conflict_row(conflict, conflict.event)


class LiveUndoIn(Schema):
    reason: UndoReason = Field(..., description="撤销原因(必填,最多 200 字)")


class LiveUndoOut(Schema):
    scan_id: int
    result: str = Field(..., description="undone")
    guest_id: int
    guest_status: str = Field(..., description="嘉宾恢复后的状态:registered 或 invited")


@router.post(
    "/events/{event_id}/checkin/scans/{scan_id}/undo",
    response={200: LiveUndoOut, 409: ErrorOut, **READ},
)
def post_scan_undo(request: HttpRequest, event_id: Id, scan_id: Id, payload: LiveUndoIn):  # noqa: ANN201
    scan = undo_services.scan_undo(
        actor=actor(request), event=event_id, scan_id=scan_id, reason=payload.reason
    )
    status = Guest.objects.filter(pk=int(scan.guest_id or 0)).values_list("status", flat=True).first() or ""
    return {"scan_id": scan.pk, "result": scan.result, "guest_id": scan.guest_id, "guest_status": status}
