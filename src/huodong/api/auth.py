"""API authentication: a personal token (``Authorization: Bearer hd_…``) or the browser session.

A request with neither is 401 ``unauthorized`` — a write too (it used to be refused with "CSRF check
Failed", which told a script nothing about what was missing). A write made with the browser session still
needs the CSRF token (``X-CSRFToken``), as the pages' own fetches send it: 403 ``csrf_failed`` otherwise.
A token needs no CSRF token: it is not sent by the browser on its own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from huodong.core.services import TokenInvalid, token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)  # raises TokenInvalid (401) saying why
        request.user = user
        return user


class SessionAuthWithUser(SessionAuth):
    """The signed-in browser session; CSRF is checked only once there is a session user to protect."""

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # nobody signed in: 401 from the API, not a CSRF refusal
        return super()._get_key(request)


token_auth = TokenAuth()
session_auth = SessionAuthWithUser()
AUTH = [token_auth, session_auth]

__all__ = ["AUTH", "TokenInvalid"]
