"""Permission rows of training (TR-1): the event's tab 培训, one training's page and forms, and their API.

Reading is for everyone who may view the event; every change is for its editors (``Need.EDIT``). The
world's event is at 审批定稿: every write of an allowed persona is refused for the step (400), which is
past access.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huodong.preparation.models import Training, TrainingAttendance
from tests.permission_rows import EDIT, EVERYONE, Row


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    meeting = Training.objects.create(
        event=event,
        kind=Training.Kind.EXECUTION_MEETING,
        title="执行会议",
        starts_at=event.starts_at - dt.timedelta(days=3),
    )
    TrainingAttendance.objects.create(training=meeting, person=world.people["team_member"])
    return {"training_id": meeting.pk}


_EDIT = {
    "kind": "execution_meeting",
    "title": "执行会议",
    "starts_at": "2027-03-15 13:30",
    "duration_minutes": "90",
}

PAGES: dict[str, Row] = {
    "preparation:training": Row(EVERYONE),
    "preparation:training_meeting": Row(EDIT, data={"starts_at": "2027-03-15 13:30"}),
    "preparation:training_add": Row(
        EDIT, data={"kind": "host", "starts_at": "2027-03-17 10:00", "duration_minutes": "60"}
    ),
    "preparation:training_detail": Row(EVERYONE),
    "preparation:training_edit": Row(EDIT, data=_EDIT, revision_of="training_id"),
    "preparation:training_held": Row(
        EDIT, data={"held_at": "2026-11-30 14:00", "minutes": "纪要"}, revision_of="training_id"
    ),
    "preparation:training_attendance": Row(EDIT, data={}, revision_of="training_id"),
    "preparation:training_remove": Row(EDIT, data={}, revision_of="training_id"),
}

_T = "/api/events/{event_id}/trainings"
API: dict[str, Row] = {
    f"GET {_T}": Row(EVERYONE),
    f"POST {_T}": Row(EDIT, data={"kind": "host", "starts_at": "2027-03-17T10:00:00+08:00"}),
    f"POST {_T}/execution-meeting": Row(EDIT, data={}),
    f"GET {_T}/{{training_id}}": Row(EVERYONE),
    f"PATCH {_T}/{{training_id}}": Row(EDIT, data={"location": "大会议室"}, revision_of="training_id"),
    f"DELETE {_T}/{{training_id}}": Row(EDIT, revision_of="training_id"),
    f"POST {_T}/{{training_id}}/held": Row(
        EDIT, data={"held_at": "2026-11-30T14:00:00+08:00", "minutes": "纪要"}, revision_of="training_id"
    ),
    f"PUT {_T}/{{training_id}}/attendance": Row(
        EDIT, data={"rows": [{"person": "team_staff", "attended": True}]}, revision_of="training_id"
    ),
}

REVISIONS = {"training_id": Training}
URL_KEYS = [["event_id", "training_id"]]
