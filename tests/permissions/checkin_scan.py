"""Permission rows of the scanner's API (issue 10 points 1, 2, 4): the offline pack, one scan, an offline
batch and saying which gate a device is. For the event's check-in staff (here the persona
``checkin_staff``, made staff of a gate of the world's event) and its editors (``Need.CHECKIN``);
everyone else is refused (403). Answers at the door are 200 whatever the ticket (the world's event is
at 审批定稿, before its doors open: the scans are refused as not open — past access)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from huodong.checkin.models import Gate, GateStaff
from tests.permission_rows import EDIT, Row

CHECKIN = EDIT | {"checkin_staff"}


def ids(world: Any) -> dict[str, Any]:
    gate = Gate.objects.create(event=world.event, name="权限入口")
    GateStaff.objects.get_or_create(
        event=world.event, person=world.people["checkin_staff"], defaults={"gate": gate}
    )
    return {"checkin_gate_id": gate.pk}


def _device(world: Any) -> dict[str, Any]:
    return {"device": str(uuid.uuid4()), "gate_id": world.ids["checkin_gate_id"]}


def _sync(world: Any) -> dict[str, Any]:
    return {
        "device": str(uuid.uuid4()),
        "scans": [{"client_id": "p-1", "token": "HD1.AAAA.BBBB", "scanned_at": timezone.now().isoformat()}],
    }


_C = "/api/events/{event_id}/checkin"
PAGES: dict[str, Row] = {}
API: dict[str, Row] = {
    f"GET {_C}/pack": Row(CHECKIN),
    f"POST {_C}/scan": Row(CHECKIN, data={"token": "HD1.AAAA.BBBB"}),
    f"POST {_C}/sync": Row(CHECKIN, data=_sync),
    f"POST {_C}/devices": Row(CHECKIN, data=_device),
}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = []
