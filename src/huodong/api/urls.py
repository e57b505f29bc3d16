"""The one NinjaAPI: OpenAPI at /api/openapi.json, docs at /api/docs; errors are JSON with field messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from huodong.core.errors import DomainError
from huodong.events.lifecycle import GateBlocked

from .auth import AUTH

api = NinjaAPI(
    title="huodong API",
    version="1",
    description="huodong 活动 — 企业市场活动全流程管理 API。认证:`Authorization: Bearer <token>`(`huodong token create 用户名`)。",
    auth=AUTH,
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, errors: dict[str, list[str]], **extra: Any
) -> HttpResponse:
    message = "; ".join(m for msgs in errors.values() for m in msgs)
    return api.create_response(
        request, {"code": code, "message": message, "errors": errors, **extra}, status=status
    )


@api.exception_handler(GateBlocked)
def _gate_blocked(request: HttpRequest, exc: GateBlocked) -> HttpResponse:
    return _error(
        request, 409, exc.code, exc.as_dict(), step=exc.step, unmet=[c.as_dict() for c in exc.unmet]
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.as_dict())


def _loc_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        field = _loc_field(list(err.get("loc", [])))
        kind = err.get("type", "")
        if kind == "missing":
            msg = _("必填。")
        elif kind in {"json_invalid", "model_attributes_type"} or field == "__all__":
            msg = _("请求体不是有效的 JSON 对象。")
        else:
            msg = _("取值无效:%(detail)s") % {"detail": force_str(err.get("msg", ""))}
        errors.setdefault(field, []).append(msg)
    return _error(request, 400, "invalid", errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthorized",
        {"__all__": [_("需要登录或提供有效的 API 令牌(Authorization: Bearer …)。")]},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja raises HttpError(400, "Cannot parse request body") for a body that is not JSON.
        return _error(request, 400, "invalid", {"__all__": [_("请求体不是有效的 JSON 对象。")]})
    return _error(request, exc.status_code, "error", {"__all__": [force_str(exc)]})


def _register() -> None:
    from huodong.documents.api import router as documents_router
    from huodong.events.api import router as events_router
    from huodong.planning.api import router as planning_router

    api.add_router("/events", events_router)
    api.add_router("/events", planning_router)
    api.add_router("/events", documents_router)


_register()
