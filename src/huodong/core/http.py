"""The typed request of a signed-in page or API operation: ``request.user`` is a ``core.models.User``.

Views type their request as ``AuthedRequest`` (after ``login_required`` or API authentication) and call
``actor(request)`` where a service wants the person acting, instead of ``# type: ignore`` on
``request.user``.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest, HttpResponse

from .concurrency import etag, revision_of
from .errors import NotAllowed
from .models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def actor(request: HttpRequest) -> User:
    """The signed-in person of ``request``; an anonymous request is refused (401/403 by its caller)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAllowed()
    return user


def actor_or_none(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def seen_revision(request: HttpRequest, revision: int | None) -> int | None:
    """The revision an API client saw: the ``revision`` field when sent, else its ``If-Match`` header."""
    if revision is not None:
        return revision
    return revision_of(request.headers.get("If-Match"))


def tagged(response: HttpResponse, record: models.Model) -> models.Model:
    """``record`` as the answer, with its revision as the ``ETag`` header."""
    response["ETag"] = etag(record)
    return record
