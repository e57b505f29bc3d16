"""Permission rows of the live run of show (EX-3). The run page (tab 流程执行) and an owner's own page are
for anyone who may view the event (``Need.VIEW``); the stage manager's buttons — start, end, skip — for
``Need.STAGE`` (administrators, the owner, organisers and the stage manager: no persona of the world is
the stage manager); the stage view and the state/punctuality API for the team on the day (``Need.ONSITE``:
the persona ``checkin_staff`` is made gate staff of the world's event here); "我已到位" for segment owners
and the team on the day. The world's event is at 审批定稿, so an allowed write is refused by the step
(400), never by access."""

from __future__ import annotations

from typing import Any

from huodong.checkin.models import GateStaff
from tests.permission_rows import EDIT, EVERYONE, Row

VIEW = EVERYONE
STAGE = EDIT
ONSITE = EDIT | {"team_member", "checkin_staff"}


def ids(world: Any) -> dict[str, Any]:
    GateStaff.objects.get_or_create(event=world.event, person=world.people["checkin_staff"])
    return {}


PAGES: dict[str, Row] = {
    "onsite_show:run": Row(VIEW),
    "onsite_show:start": Row(STAGE, data={}),
    "onsite_show:end": Row(STAGE, data={}),
    "onsite_show:skip": Row(STAGE, data={"reason": "时间不够"}),
    "onsite_show:screen": Row(ONSITE),
    "onsite_show:mine": Row(VIEW),
    "onsite_show:in_place": Row(ONSITE, data={}),
}

_S = "/api/events/{event_id}/show"
API: dict[str, Row] = {
    f"GET {_S}": Row(ONSITE),
    f"GET {_S}/punctuality": Row(ONSITE),
    f"POST {_S}/segments/{{segment_id}}/start": Row(STAGE, data={}),
    f"POST {_S}/segments/{{segment_id}}/end": Row(STAGE, data={}),
    f"POST {_S}/segments/{{segment_id}}/skip": Row(STAGE, data={"reason": "时间不够"}),
    f"GET {_S}/mine": Row(VIEW),
    f"POST {_S}/mine/in-place": Row(ONSITE, data={}),
}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = [["event_id", "segment_id"]]
