"""The typed request of a signed-in page or API operation: ``request.user`` is a ``core.models.User``.

Views type their request as ``AuthedRequest`` (after ``login_required`` or API authentication) and call
``actor(request)`` where a service wants the person acting, instead of ``# type: ignore`` on
``request.user``.
"""

from __future__ import annotations

from django.http import HttpRequest

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
