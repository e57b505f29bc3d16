"""API of the live run of show (EX-3), the same selectors and services as the pages:

- ``GET /events/{event_id}/show``: the stage's state — now / next / projected end / how late, and every
  segment with planned, actual and projected times. ``ETag``; ``If-None-Match`` → 304 while nothing shown
  has changed (poll it every 2 s). ``Need.ONSITE``.
- ``GET /events/{event_id}/show/punctuality``: ``selectors.punctuality``. ``Need.ONSITE``.
- ``POST /events/{event_id}/show/segments/{segment_id}/start`` | ``/end`` | ``/skip`` (``{"reason"}``):
  the stage manager's buttons (``Need.STAGE``, the execution phase). 409 for a segment already started,
  ended or skipped (skipping it again), or while another segment runs (named); 400 for ending one not
  started, and for starting or ending a skipped one.
- ``GET /events/{event_id}/show/mine``: the caller's own segments with projected times and whether they
  confirmed being in place; ``POST /events/{event_id}/show/mine/in-place``: "我已到位".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Field, Router, Schema

from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id
from huodong.events.access import Need, event_for

from .. import selectors
from ..services import run as services
from ..services.in_place import in_place_confirm, in_place_of
from ..views.poll import view_key

router = Router(tags=["onsite: show"])

if TYPE_CHECKING:
    SkipReason = str
else:
    from huodong.core.schemas import Line

    SkipReason = Line(services.REASON_MAX)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {409: ErrorOut, **READ}


class StageSegmentOut(Schema):
    id: int
    title: str
    owner_id: int | None
    owner: str
    parallel: bool
    anchor_id: int | None = Field(None, description="可并行环节所跟随的主线环节")
    status: str = Field(..., description="pending、running、ended 或 skipped")
    status_label: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    projected_start: dt.datetime = Field(..., description="预计开始(已开始的为实际开始)")
    projected_end: dt.datetime = Field(..., description="预计结束(已结束的为实际结束)")
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    skipped_at: dt.datetime | None
    skip_reason: str
    late_minutes: int = Field(..., description="开始晚于计划的分钟数(不为负)")
    shifted: bool = Field(..., description="尚未开始且预计开始晚于计划")
    planned_label: str
    projected_label: str


class StageOut(Schema):
    event_id: int
    event: str
    now: dt.datetime
    now_label: str
    time_zone: str
    current: StageSegmentOut | None
    next: StageSegmentOut | None
    late_minutes: int = Field(..., description="现场整体晚了多少分钟")
    projected_end: dt.datetime | None
    projected_end_label: str
    planned_end: dt.datetime | None
    planned_end_label: str
    finished: bool
    segments: list[StageSegmentOut]


class PunctualityOut(Schema):
    segments: int
    started: int
    ended: int
    skipped: int
    on_time: int = Field(..., description="在计划开始 2 分钟内开始的环节数")
    late_minutes_max: int
    late_minutes_total: int
    current: str | None


class SkipIn(Schema):
    reason: SkipReason = Field(..., description="跳过原因(必填,最多 200 字)")


class RunOut(Schema):
    segment_id: int
    status: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    skipped_at: dt.datetime | None
    skip_reason: str
    stage: StageOut


class MineOut(Schema):
    in_place: bool
    in_place_at: dt.datetime | None
    late: bool
    segments: list[StageSegmentOut]


class InPlaceOut(Schema):
    person_id: int
    arrived_at: dt.datetime
    late: bool
    new: bool


@router.get("/events/{event_id}/show", response={200: StageOut, 304: None, **READ})
def get_stage(request: HttpRequest, response: HttpResponse, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    state = selectors.stage_state(event)
    tag = view_key(state, "api")  # what the state says, to the minute
    response["ETag"] = tag
    seen = [t.strip() for t in request.headers.get("If-None-Match", "").split(",") if t.strip()]
    if tag in seen:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = tag
        return not_modified
    return state


@router.get("/events/{event_id}/show/punctuality", response={200: PunctualityOut, **READ})
def get_punctuality(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.ONSITE)
    return selectors.punctuality(event)


def _run_out(event_id: int, run: Any) -> dict[str, Any]:
    state = selectors.stage_state(event_id)
    status = next((s["status"] for s in state["segments"] if s["id"] == run.segment_id), "")
    return {
        "segment_id": run.segment_id,
        "status": status,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "skipped_at": run.skipped_at,
        "skip_reason": run.skip_reason,
        "stage": state,
    }


@router.post("/events/{event_id}/show/segments/{segment_id}/start", response={200: RunOut, **WRITE})
def post_start(request: HttpRequest, event_id: Id, segment_id: Id):  # noqa: ANN201
    run = services.segment_start(actor=actor(request), event=event_id, segment_id=segment_id)
    return _run_out(event_id, run)


@router.post("/events/{event_id}/show/segments/{segment_id}/end", response={200: RunOut, **WRITE})
def post_end(request: HttpRequest, event_id: Id, segment_id: Id):  # noqa: ANN201
    run = services.segment_end(actor=actor(request), event=event_id, segment_id=segment_id)
    return _run_out(event_id, run)


@router.post("/events/{event_id}/show/segments/{segment_id}/skip", response={200: RunOut, **WRITE})
def post_skip(request: HttpRequest, event_id: Id, segment_id: Id, payload: SkipIn):  # noqa: ANN201
    run = services.segment_skip(
        actor=actor(request), event=event_id, segment_id=segment_id, reason=payload.reason
    )
    return _run_out(event_id, run)


@router.get("/events/{event_id}/show/mine", response={200: MineOut, **READ})
def get_mine(request: HttpRequest, event_id: Id):  # noqa: ANN201
    user = actor(request)
    event = event_for(user, event_id, Need.VIEW)
    arrival = in_place_of(event, user.pk)
    return {
        "in_place": arrival is not None,
        "in_place_at": arrival.arrived_at if arrival else None,
        "late": bool(arrival and arrival.late),
        "segments": selectors.my_segments(event, user.pk),
    }


@router.post("/events/{event_id}/show/mine/in-place", response={200: InPlaceOut, **WRITE})
def post_in_place(request: HttpRequest, event_id: Id):  # noqa: ANN201
    row, new = in_place_confirm(actor=actor(request), event=event_id)
    return {"person_id": row.person_id, "arrived_at": row.arrived_at, "late": row.late, "new": new}
