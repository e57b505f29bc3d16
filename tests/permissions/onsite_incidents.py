"""Permission rows of the incident log (issue 11 point 4; EX-5): the tab 突发 and its writes, and their API.

The tab opens for everyone who may view the event (the log itself only for the team on the day); the log,
reports and the handling of an incident are for the team on the day (``Need.ONSITE``: the editors, the team
member and the check-in staff, made staff of the world's event); agreeing a public statement is for the
stage manager and the editors (``Need.STAGE``). The world's event is at 审批定稿, outside the on-site steps:
the writes of an allowed persona are refused for the step (400) — past access.
"""

from __future__ import annotations

from typing import Any

from huodong.checkin.models import Gate, GateStaff
from huodong.onsite.incidents.models import AgreedStatement, Incident
from tests.permission_rows import EDIT, EVERYONE, Row

ONSITE = EDIT | {"team_member", "checkin_staff"}
STAGE = EDIT


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    if not GateStaff.objects.filter(event=event, person=world.people["checkin_staff"]).exists():
        gate = Gate.objects.filter(event=event).first() or Gate.objects.create(event=event, name="突发入口")
        GateStaff.objects.create(event=event, person=world.people["checkin_staff"], gate=gate)
    incident = Incident.objects.create(
        event=event, category="opinion", title="负面帖子", reporter=world.people["owner"]
    )
    statement = AgreedStatement.objects.create(event=event, title="口径", text="我们高度重视。")
    return {"incident_id": incident.pk, "statement_id": statement.pk}


PAGES: dict[str, Row] = {
    "onsite_incidents:list": Row(EVERYONE),
    "onsite_incidents:report": Row(
        ONSITE, data={"category": "equipment", "severity": "high", "title": "投影无信号"}
    ),
    "onsite_incidents:statement_add": Row(STAGE, data={"title": "新口径", "text": "以公告为准。"}),
    "onsite_incidents:detail": Row(ONSITE),
    "onsite_incidents:edit": Row(
        ONSITE, data={"severity": "high", "title": "改名"}, revision_of="incident_id"
    ),
    "onsite_incidents:move": Row(ONSITE, data={"move": "start"}, revision_of="incident_id"),
    "onsite_incidents:note": Row(ONSITE, data={"text": "已处理"}),
    "onsite_incidents:assign": Row(ONSITE, data={}, revision_of="incident_id"),
    "onsite_incidents:arrive": Row(ONSITE, data={}),
    "onsite_incidents:statement": Row(
        ONSITE, data=lambda w: {"statement": w.ids["statement_id"]}, revision_of="incident_id"
    ),
    "onsite_incidents:post_add": Row(ONSITE, data={"url": "https://weibo.com/1", "platform": "weibo"}),
}

_I = "/api/events/{event_id}/incidents"
API: dict[str, Row] = {
    f"GET {_I}": Row(ONSITE),
    f"POST {_I}": Row(ONSITE, data={"category": "equipment", "title": "投影无信号"}),
    f"GET {_I}/open": Row(ONSITE),
    f"GET {_I}/stats": Row(ONSITE),
    f"GET {_I}/{{incident_id}}": Row(ONSITE),
    f"PUT {_I}/{{incident_id}}": Row(ONSITE, data={"severity": "high"}, revision_of="incident_id"),
    f"POST {_I}/{{incident_id}}/moves": Row(ONSITE, data={"move": "start"}, revision_of="incident_id"),
    f"POST {_I}/{{incident_id}}/actions": Row(ONSITE, data={"text": "已处理"}),
    f"PUT {_I}/{{incident_id}}/assignees": Row(ONSITE, data={"people": []}, revision_of="incident_id"),
    f"POST {_I}/{{incident_id}}/arrival": Row(ONSITE, data={}),
    f"PUT {_I}/{{incident_id}}/statement": Row(
        ONSITE, data=lambda w: {"statement_id": w.ids["statement_id"]}, revision_of="incident_id"
    ),
    f"POST {_I}/{{incident_id}}/posts": Row(ONSITE, data={"url": "https://weibo.com/1", "platform": "weibo"}),
    "GET /api/events/{event_id}/incident-statements": Row(ONSITE),
    "POST /api/events/{event_id}/incident-statements": Row(
        STAGE, data={"title": "新口径", "text": "以公告为准。"}
    ),
}

REVISIONS = {"incident_id": Incident}
URL_KEYS: list[list[str]] = [["event_id", "incident_id"]]
