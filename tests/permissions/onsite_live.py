"""Permission rows of onsite_live (EX-6): the dashboard and its snapshot, the leads, for the team on the day
(``Need.ONSITE``: editors, team members, check-in staff); confirming the final figures (定格) for the
editors. The world's event is in planning, so an allowed write is refused for the step (400), not for the
person."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from huodong.checkin.models import GateStaff
from huodong.onsite.live.models import FinalFigures, Lead
from huodong.outreach.models import Guest, GuestStatus
from tests.permission_rows import EDIT, Row

ONSITE = EDIT | {"team_member", "checkin_staff"}


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    GateStaff.objects.get_or_create(event=event, person=world.people["checkin_staff"])
    guest = Guest.objects.create(
        event=event, name="线索嘉宾", status=GuestStatus.REGISTERED,
        registered_at=timezone.now(),
    )  # fmt: skip
    lead = Lead.objects.create(event=event, guest=guest, recorded_by=world.people["owner"], interest="a")
    # Confirmed figures to read (GET …/live/final answers 404 while there are none).
    FinalFigures.objects.get_or_create(
        event=event, defaults={"figures": {}, "confirmed_by": world.people["owner"]}
    )
    return {"live_lead_id": lead.pk, "lead_id": lead.pk, "live_guest_id": guest.pk}


PAGES: dict[str, Row] = {
    "onsite_live:dashboard": Row(ONSITE),
    "onsite_live:final": Row(EDIT, data={"note": "定格"}),
    "onsite_live:leads": Row(ONSITE, data=lambda w: {"guest_id": w.ids["live_guest_id"], "interest": "a"}),
    "onsite_live:lead_edit": Row(
        ONSITE, data={"interest": "b", "notes": "", "revision": 1}, kwargs={"lead_id": "live_lead_id"}
    ),
}

_E = "/api/events/{event_id}"
API: dict[str, Row] = {
    f"GET {_E}/live": Row(ONSITE),
    f"GET {_E}/live/final": Row(ONSITE),
    f"POST {_E}/live/final": Row(EDIT, data={"note": "定格"}),
    f"GET {_E}/leads": Row(ONSITE),
    f"POST {_E}/leads": Row(ONSITE, data=lambda w: {"guest_id": w.ids["live_guest_id"], "interest": "a"}),
    f"PUT {_E}/leads/{{lead_id}}": Row(
        ONSITE, data={"interest": "b", "revision": 1}, kwargs={"lead_id": "live_lead_id"}
    ),
    f"GET {_E}/leads/guests": Row(ONSITE),
    f"GET {_E}/leads/identify": Row(ONSITE),
}
REVISIONS: dict[str, Any] = {}
URL_KEYS: list[list[str]] = [["event_id"], ["event_id", "lead_id"]]
