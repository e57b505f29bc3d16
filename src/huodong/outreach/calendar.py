"""Calendar invitations (.ics, RFC 5545 with iTIP methods) for a guest, built with ``icalendar``.

One UID per guest and event, stable for ever (``huodong-<event>-<guest>@<host>``), so a calendar updates
the entry instead of adding a second one. SEQUENCE is the event's revision plus the guest's: any change to
either (a new time or place, a cancelled registration) makes it larger, as iTIP requires. ``REQUEST`` adds
or updates the entry; ``CANCEL`` removes it (the event or the registration was cancelled).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from .models import Guest

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def uid_for(guest: Guest) -> str:
    host = getattr(settings, "HUODONG_CALENDAR_DOMAIN", "huodong.local")
    return f"huodong-{guest.event_id}-{guest.pk}@{host}"


def sequence_for(guest: Guest) -> int:
    return int(guest.event.revision) + int(guest.revision)


def ics_for(guest: Guest, method: str = REQUEST, *, ticket_link: str = "") -> bytes:
    """The guest's calendar entry for the event as .ics bytes (UTF-8)."""
    event = guest.event
    cal = Calendar()
    cal.add("prodid", "-//huodong//huodong 活动//ZH")
    cal.add("version", "2.0")
    cal.add("method", method)
    entry = VEvent()
    entry.add("uid", uid_for(guest))
    entry.add("sequence", sequence_for(guest))
    entry.add("dtstamp", timezone.now().astimezone(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
    entry.add("dtend", event.ends_at.astimezone(dt.UTC))
    entry.add("summary", event.name)
    if event.venue:
        entry.add("location", event.venue)
    description = event.theme or ""
    if ticket_link:
        description = f"{description}\n{ticket_link}".strip()
        entry.add("url", ticket_link)
    if description:
        entry.add("description", description)
    entry.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    organiser_email = getattr(event.owner, "email", "") or settings.DEFAULT_FROM_EMAIL
    organizer = vCalAddress(f"mailto:{organiser_email}")
    organizer.params["cn"] = vText(getattr(event.owner, "name", "") or "huodong")
    entry.add("organizer", organizer)
    if guest.email:
        attendee = vCalAddress(f"mailto:{guest.email}")
        attendee.params["cn"] = vText(guest.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED" if method != CANCEL else "DECLINED")
        entry.add("attendee", attendee)
    cal.add_component(entry)
    return cal.to_ical()
