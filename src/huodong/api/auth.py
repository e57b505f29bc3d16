"""API authentication: a personal token (``Authorization: Bearer hd_…``) or the browser session."""

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
    """Session auth for the pages' own fetches (CSRF checked by ninja)."""


token_auth = TokenAuth()
session_auth = SessionAuthWithUser()
AUTH = [token_auth, session_auth]

__all__ = ["AUTH", "TokenInvalid"]
