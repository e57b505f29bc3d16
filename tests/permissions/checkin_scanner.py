"""Permission rows of check-in (checkin_scanner): the scanner page and its service worker.

The event's check-in staff, supervisors and editors (``Need.CHECKIN``): the persona ``checkin_staff`` is
made gate staff of the world's event here; everyone else signed in gets 403.
"""

from __future__ import annotations

from typing import Any

from huodong.checkin.models import GateStaff
from tests.permission_rows import EDIT, Row

CHECKIN = EDIT | {"checkin_staff"}  # Need.CHECKIN in the world: its editors and its gate staff


def ids(world: Any) -> dict[str, Any]:
    GateStaff.objects.get_or_create(event=world.event, person=world.people["checkin_staff"])
    return {}


PAGES: dict[str, Row] = {
    "checkin:scanner": Row(CHECKIN),
    "checkin:scanner_sw": Row(CHECKIN),
}
API: dict[str, Row] = {}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = []
