"""When the database says no: pages answer 409 or 503 with the error page, never a 500 (issue 6, finding 5).

``DatabaseTroubleMiddleware`` turns what a view let through into an answer a person can act on:

- a PostgreSQL serialization failure or deadlock (``core.concurrency.is_retryable``) that survived the
  retries: 409, "someone is changing this at the same time, try again";
- a database that does not answer (any other ``OperationalError``, ``InterfaceError``): 503, "try again
  in a moment";
- under ``/api/`` the same in the API's JSON shape (``{code, message, errors}``) — the API's own handlers
  (``api.urls``) catch these first; this covers what happens outside an operation.

Anything else is left to Django (a bug is a 500, logged with its traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from .concurrency import is_retryable
from .errors import Conflict, DomainError

logger = logging.getLogger("huodong.errors")


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


def database_trouble(exc: BaseException) -> DomainError | None:
    """The refusal to answer for a database error, or None when it is not the database's trouble."""
    if isinstance(exc, OperationalError) and is_retryable(exc):
        return Conflict(_("数据正被他人同时修改,请稍后重试。"))
    if isinstance(exc, OperationalError | InterfaceError):
        return Unavailable(_("数据库暂时不可用,请稍后重试。"))
    return None


class DatabaseTroubleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = database_trouble(exception)
        if error is None:
            return None
        logger.error("%s on %s %s: %s", error.code, request.method, request.path, exception)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": error.code, "message": error.message, "errors": error.as_dict()},
                status=error.status,
                json_dumps_params={"ensure_ascii": False},
            )
        response = _page(request, error)
        if error.status == 503:
            response["Retry-After"] = "30"
        return response


def _page(request: HttpRequest, error: DomainError) -> HttpResponse:
    try:
        return render(request, "core/error.html", {"error": error}, status=error.status)
    except Exception:  # noqa: BLE001 — the page itself needs the database (the signed-in user, messages)
        logger.exception("the error page could not be rendered")
        text: Any = force_str(error.message)
        return HttpResponse(text, status=error.status, content_type="text/plain; charset=utf-8")
