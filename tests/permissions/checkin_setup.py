"""Permission rows of the check-in setup (issue 10 points 1–3; EX-2, EX-3): the tab 签到 and its writes,
the walk-in desk, the staff's arrivals, and their API.

Reading the tab is for everyone who may view the event; changing gates, staff and settings is for its
editors (``Need.EDIT``); reading the setup through the API and registering walk-ins is for its check-in
staff and editors (``Need.CHECKIN``: here the persona ``checkin_staff``, made staff of the world's event).
One's own arrival is recorded by the event's team, check-in staff and editors (``team_member`` too); the
other personas get 403. The world's event is at 审批定稿, outside the check-in steps and before its doors
open: the writes of an allowed persona are refused for the step or the doors (400) — past access.
"""

from __future__ import annotations

from typing import Any

from huodong.checkin.models import CheckinSettings, Gate, GateStaff
from huodong.checkin.services.redeem import settings_for
from huodong.core.models import Role
from tests.factories import person
from tests.permission_rows import EDIT, EVERYONE, Row

CHECKIN = EDIT | {"checkin_staff"}
ARRIVE = EDIT | {"team_member", "checkin_staff"}


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    conf = settings_for(event)
    gate = Gate.objects.create(event=event, name="设置入口")
    GateStaff.objects.get_or_create(
        event=event, person=world.people["checkin_staff"], defaults={"gate": gate}
    )
    helper = person("setup_gate_helper", Role.STAFF, "admin", "志愿者", "签到志愿者")
    row = GateStaff.objects.create(event=event, person=helper, gate=gate)
    return {"setup_settings_id": conf.pk, "gate_id": gate.pk, "staff_id": row.pk, "setup_helper": helper.pk}


def _gate_form(world: Any) -> dict[str, Any]:
    p = f"g{world.ids['gate_id']}-"
    rev = Gate.objects.get(pk=world.ids["gate_id"]).revision
    return {p + "revision": rev, p + "name": "改名入口", p + "position": "1", p + "is_active": "on"}


def _settings_form(world: Any) -> dict[str, Any]:
    return {"opens_minutes_before": "60", "closes_minutes_after": "0", "kit": "agenda | 议程 | Agenda"}


PAGES: dict[str, Row] = {
    "checkin:setup": Row(EVERYONE),
    "checkin:settings_save": Row(EDIT, data=_settings_form, revision_of="setup_settings_id"),
    "checkin:gate_add": Row(EDIT, data={"name": "新入口"}),
    "checkin:gate_save": Row(EDIT, data=_gate_form),
    "checkin:gate_remove": Row(EDIT, data={}, revision_of="gate_id"),
    "checkin:staff_add": Row(EDIT, data=lambda w: {"people": [w.ids["setup_helper"]]}),
    "checkin:staff_remove": Row(EDIT, data={}),
    "checkin:arrival": Row(ARRIVE, data={}),
    "checkin:walkin": Row(CHECKIN),
}

_C = "/api/events/{event_id}/checkin"
API: dict[str, Row] = {
    f"GET {_C}/settings": Row(CHECKIN),
    f"PUT {_C}/settings": Row(EDIT, data={"opens_minutes_before": 30}, revision_of="setup_settings_id"),
    f"GET {_C}/gates": Row(CHECKIN),
    f"POST {_C}/gates": Row(EDIT, data={"name": "新入口"}),
    f"PUT {_C}/gates/{{gate_id}}": Row(EDIT, data={"name": "改名入口"}, revision_of="gate_id"),
    f"DELETE {_C}/gates/{{gate_id}}": Row(EDIT, revision_of="gate_id"),
    f"GET {_C}/staff": Row(CHECKIN),
    f"POST {_C}/staff": Row(EDIT, data=lambda w: {"person_id": w.people["team_member"].pk}),
    f"DELETE {_C}/staff/{{staff_id}}": Row(EDIT),
    f"POST {_C}/arrivals": Row(ARRIVE, data={}),
    f"POST {_C}/walkins": Row(
        CHECKIN, data={"name": "现场嘉宾", "phone": "13900007777", "consents": {"operation": True}}
    ),
}

REVISIONS = {"setup_settings_id": CheckinSettings, "gate_id": Gate}
URL_KEYS: list[list[str]] = [["event_id", "gate_id"], ["event_id", "staff_id"]]
