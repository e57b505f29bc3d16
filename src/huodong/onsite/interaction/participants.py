"""Who a guest is on the interaction pages, without signing in.

- From the ticket page (``/x/t/<access_key>/``): the guest's access key is the authority; a signed cookie
  ``hdx<event id>`` then says ``g:<guest id>``.
- From the screen's QR without a ticket: the same cookie with ``a:<random>`` — a random identifier per
  phone and event, signed (``django.core.signing``), holding no personal data.

The cookie is the respondent of questions and survey answers (one answer per respondent, the flood limit
per respondent). It lives for three days, on the ``/x/`` addresses only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SALT = "huodong.onsite.interaction.participant"
MAX_AGE = 3 * 24 * 3600


def cookie_name(event_id: int) -> str:
    return f"hdx{event_id}"


@dataclass
class Participant:
    respondent: str
    guest_id: int | None
    new: bool = False

    @property
    def anonymous(self) -> bool:
        return self.guest_id is None


def _parse(value: str | None) -> Participant | None:
    if not value or len(value) > 40:
        return None
    if value.startswith("g:") and value[2:].isdigit() and len(value) < 14:
        return Participant(respondent=value, guest_id=int(value[2:]))
    if value.startswith("a:") and 8 <= len(value) <= 40:
        return Participant(respondent=value, guest_id=None)
    return None


def participant_of(request: HttpRequest, event_id: int) -> Participant:
    """The participant of this phone (a new anonymous one when it has no valid cookie)."""
    value = request.get_signed_cookie(cookie_name(event_id), default=None, salt=SALT, max_age=MAX_AGE)
    found = _parse(value)
    if found is not None:
        return found
    return Participant(respondent="a:" + secrets.token_urlsafe(18), guest_id=None, new=True)


def for_guest(guest_id: int) -> Participant:
    return Participant(respondent=f"g:{guest_id}", guest_id=guest_id, new=True)


def remember(response: HttpResponse, event_id: int, participant: Participant) -> HttpResponse:
    """Set the cookie when the participant is new (no-op otherwise)."""
    if participant.new:
        response.set_signed_cookie(
            cookie_name(event_id),
            participant.respondent,
            salt=SALT,
            max_age=MAX_AGE,
            path="/x/",
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        )
    return response
