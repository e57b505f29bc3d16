"""Permission rows of registration (issue 9 points 2, 3, 7): the organiser's tab 报名 and its API, and the
public pages a guest opens without signing in (the registration page, the ticket page and self-service).

Reading the tab is for everyone who may view the event; changing the settings, cancelling the event for
its guests, the scanners' public key and verifying a ticket are for its editors (``Need.EDIT``). The public
pages need no sign-in: the slug or the guest's access key is the authority. The world's event is at
审批定稿, outside the steps of outreach: the registration page says it is closed, and every write of an
allowed persona is refused for the step (400) — past access.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from huodong.outreach import tickets
from huodong.outreach.models import Consent, Guest, GuestStatus, RegistrationSettings
from tests.permission_rows import EDIT, EVERYONE, PUBLIC, Row


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    reg, _ = RegistrationSettings.objects.get_or_create(event=event)
    guest = Guest.objects.create(
        event=event,
        name="报名嘉宾",
        phone="+8613800009999",
        email="registered@example.com",
        status=GuestStatus.REGISTERED,
        registered_at=timezone.now(),
        source=Guest.Source.REGISTRATION,
    )
    tickets.issue(guest)
    Consent.objects.create(guest=guest, purpose="operation", granted=True, granted_at=timezone.now())
    Consent.objects.create(guest=guest, purpose="marketing", granted=True, granted_at=timezone.now())
    return {"registration_id": reg.pk, "slug": reg.slug, "access_key": guest.access_key}


_GUEST = {"name": "新嘉宾", "phone": "13900001234", "consent_operation": "on"}

PAGES: dict[str, Row] = {
    "outreach:registration": Row(EVERYONE),
    "outreach:registration_qr": Row(EVERYONE),
    "outreach:registration_save": Row(
        EDIT, data={"capacity": "100", "is_open": "on"}, revision_of="registration_id"
    ),
    "outreach:registration_cancel_event": Row(EDIT, data={}, revision_of="registration_id"),
    # the guest's pages: no sign-in
    "outreach:register": Row(PUBLIC),
    "outreach:ticket": Row(PUBLIC),
    "outreach:ticket_qr": Row(PUBLIC),
    "outreach:ticket_ics": Row(PUBLIC),
    "outreach:ticket_cancel": Row(PUBLIC, data={"revision": "1"}),
    "outreach:ticket_details": Row(PUBLIC, data={"revision": "1", "name": "改名", "phone": "13800009999"}),
    "outreach:ticket_privacy": Row(PUBLIC, data={"purpose": "marketing"}),
    "outreach:ticket_data": Row(PUBLIC),
    "outreach:ticket_erase": Row(PUBLIC, data={"confirm": "yes"}),
}

_R = "/api/events/{event_id}/registration"
API: dict[str, Row] = {
    f"GET {_R}": Row(EDIT),
    f"PUT {_R}": Row(EDIT, data={"capacity": 10}, revision_of="registration_id"),
    f"POST {_R}/cancel-event": Row(EDIT, data={}, revision_of="registration_id"),
    f"GET {_R}/public-key": Row(EDIT),
    "POST /api/events/{event_id}/tickets/verify": Row(EDIT, data={"token": "HD1.AAAA.BBBB"}),
}

REVISIONS = {"registration_id": RegistrationSettings}
URL_KEYS = [["slug"], ["access_key"]]
