"""Errors raised by services, shared by pages and the API.

A service never half-writes: it raises one of these before it changes anything (or inside the
transaction it runs in, so the change rolls back). Messages are lazy translations, rendered in the
user's language by the page or the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the process said no. ``errors`` maps a field name ("__all__" for the whole) to messages."""

    status = 400
    code = "invalid"

    def __init__(self, errors: Mapping[str, Sequence[Any]] | Any, *, code: str | None = None) -> None:
        if not isinstance(errors, Mapping):
            errors = {"__all__": [errors]}
        self.errors: dict[str, list[Any]] = {k: list(v) for k, v in errors.items()}
        if code:
            self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(force_str(m) for msgs in self.errors.values() for m in msgs)

    def as_dict(self) -> dict[str, list[str]]:
        return {field: [force_str(m) for m in msgs] for field, msgs in self.errors.items()}


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message: Any = None) -> None:
        super().__init__({"__all__": [message or _("您没有执行此操作的权限。")]})


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The state moved under the caller (a stale concurrent change); nothing was written."""

    status = 409
    code = "conflict"
