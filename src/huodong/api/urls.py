"""The one NinjaAPI: OpenAPI at /api/openapi.json, docs at /api/docs (signed in, assets served locally).

Every answer that is not a success has one shape, documented in docs/api.md and ``core.schemas.ErrorOut``::

    {"code": "invalid", "message": "…", "errors": {"field": ["…"]}}

plus ``step``/``unmet`` for a gate that said no (409 ``gate_blocked``) and ``current``/``changed_by``/
``changed_at`` for a write based on an old revision (409 ``stale``). That holds for every failure, also
the unexpected ones: a bug is a 500 ``server_error`` (logged with its traceback, none sent to the client),
a database that does not answer is a 503 ``unavailable``, a serialization failure or deadlock that
survived the retries is a 409 ``conflict``, a value the database refuses is a 400, a body over the size
limit is a 413. A body that is not a JSON object is a 400 on every operation that takes one.

Times are written one way in every answer, read or write (``LocalTimeRenderer``): ISO 8601 with the
organisation's UTC offset at that instant, e.g. ``2027-03-18T09:00:00+08:00`` (``Organisation.time_zone``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from huodong.core.concurrency import Stale, is_retryable
from huodong.core.errors import DomainError
from huodong.core.schemas import ErrorOut
from huodong.events.lifecycle import GateBlocked

from .auth import AUTH

logger = logging.getLogger("huodong.api")


class ObjectParser(Parser):
    """A JSON body must be an object: ``[null, null]``, ``"x"`` or ``42`` are refused (400), never read."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data


class LocalTimeEncoder(NinjaJSONEncoder):
    """JSON with every aware datetime in ``zone``: ISO 8601 with that zone's offset, to the millisecond
    like Django's encoder (``2027-03-18T09:00:00+08:00``, never ``Z``). Without ``zone``, the request's
    organisation zone is read at the first time written: an answer without a time (an accepted check-in)
    costs no query for it."""

    def __init__(
        self, *args: Any, zone: dt.tzinfo | None = None, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.request = request

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.tzinfo is not None:
            if self.zone is None:
                self.zone = api_zone(self.request)
            text = o.astimezone(self.zone).isoformat()
            if o.microsecond:
                text = text[:23] + text[26:]
            return text
        return super().default(o)


def api_zone(request: HttpRequest | None) -> dt.tzinfo:
    """The organisation's time zone, read once per request; the server's (``TIME_ZONE``) when it cannot be
    read (a database that does not answer: the 503 must still be written)."""
    zone = getattr(request, "_huodong_api_zone", None)
    if zone is not None:
        return zone
    try:
        from huodong.core.services import organisation_get

        zone = zoneinfo.ZoneInfo(organisation_get().time_zone)
    except Exception:  # noqa: BLE001 — any failure falls back to the server's zone, never a 500 here
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if request is not None:
        request._huodong_api_zone = zone  # type: ignore[attr-defined]
    return zone


class LocalTimeRenderer(JSONRenderer):
    """Every answer's times in the organisation's time zone (``LocalTimeEncoder``): a create and a read of
    the same record say the same string."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, cls=LocalTimeEncoder, request=request, **self.json_dumps_params)


class SignedInSwagger(Swagger):
    """Swagger UI for signed-in people only; its scripts and styles are django-ninja's own static files
    (``ninja`` is in ``INSTALLED_APPS``), never a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().render_page(request, api, **kwargs)


# The answers every operation may give besides the ones it declares: added to the OpenAPI document so that
# it tells the truth (and schemathesis' conformance checks hold it to that).
COMMON_RESPONSES: dict[int, str] = {
    400: "请求无效:请求体不是 JSON 对象,或参数/字段取值无效(errors 按字段列出)",
    401: "未登录或 API 令牌无效",
    403: "无权执行此操作",
    404: "活动或记录不存在",
    409: "冲突:数据已被他人修改(stale,含 current)或正被同时修改(conflict),请重试",
    413: "请求体超过大小限制",
    414: "URL 过长(由 huodong serve 的 HTTP 服务器在应用之前回答,非 JSON)",
    428: "缺少修订号(revision 字段或 If-Match 头)",
    503: "数据库暂不可用,请稍后重试",
}


def _common_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    statuses = [401, 414, 503]
    has_params = bool(operation.get("parameters")) or "requestBody" in operation
    if has_params:
        statuses.append(400)
    if "{" in path:
        statuses += [403, 404]
    if method != "get":
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    if method in ("put", "patch", "delete") and "{" in path:
        statuses.append(428)
    return statuses


class HuodongAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in _common_statuses(method, path, operation):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": COMMON_RESPONSES[status]}
                        if status != 414:  # gunicorn's own page, before the app
                            responses[status]["content"] = error
        return schema


api = HuodongAPI(
    title="huodong API",
    version="1",
    description=(
        "huodong 活动 — 企业市场活动全流程管理 API。认证:`Authorization: Bearer <token>`"
        "(`huodong token create 用户名`)。错误一律为 `{code, message, errors}`,见 docs/api.md。"
    ),
    auth=AUTH,
    urls_namespace="api",
    parser=ObjectParser(),
    renderer=LocalTimeRenderer(),
    docs=SignedInSwagger(),
)


def _error(
    request: HttpRequest, status: int, code: str, errors: dict[str, list[str]], **extra: Any
) -> HttpResponse:
    message = "; ".join(m for msgs in errors.values() for m in msgs)
    return api.create_response(
        request, {"code": code, "message": message, "errors": errors, **extra}, status=status
    )


def _one(request: HttpRequest, status: int, code: str, message: Any) -> HttpResponse:
    return _error(request, status, code, {"__all__": [force_str(message)]})


@api.exception_handler(GateBlocked)
def _gate_blocked(request: HttpRequest, exc: GateBlocked) -> HttpResponse:
    return _error(
        request, 409, exc.code, exc.as_dict(), step=exc.step, unmet=[c.as_dict() for c in exc.unmet]
    )


def _record_times(current: Any) -> Any:
    """The record in a 409 ``stale``: its times (fields named ``…_at``, written as ISO strings by the audit
    snapshot) parsed back, so that ``LocalTimeRenderer`` writes them like every other time."""
    if not isinstance(current, dict):
        return current
    record = dict(current)
    for key, value in current.items():
        if key.endswith("_at") and isinstance(value, str) and value:
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                record[key] = moment
    return record


@api.exception_handler(Stale)
def _stale(request: HttpRequest, exc: Stale) -> HttpResponse:
    extra = exc.extra()
    extra["current"] = _record_times(extra.get("current"))
    if isinstance(exc.changed_at, dt.datetime):
        extra["changed_at"] = exc.changed_at
    return _error(request, exc.status, exc.code, exc.as_dict(), **extra)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.as_dict())


def _loc_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file", "header")]
    return ".".join(parts) or "__all__"


# pydantic's own messages are English; these say the same in the reader's language, naming the limit.
_PYDANTIC_MESSAGES: dict[str, Any] = {
    "string_too_long": gettext_lazy("最多 %(max_length)s 个字符。"),
    "string_too_short": gettext_lazy("至少 %(min_length)s 个字符。"),
    "too_long": gettext_lazy("最多 %(max_length)s 项。"),
    "greater_than_equal": gettext_lazy("须大于或等于 %(ge)s。"),
    "greater_than": gettext_lazy("须大于 %(gt)s。"),
    "less_than_equal": gettext_lazy("须小于或等于 %(le)s。"),
    "less_than": gettext_lazy("须小于 %(lt)s。"),
    "int_parsing": gettext_lazy("须为整数。"),
    "int_type": gettext_lazy("须为整数。"),
    "int_from_float": gettext_lazy("须为整数。"),
    "decimal_parsing": gettext_lazy("须为数字,如 1200 或 1200.50。"),
    "decimal_type": gettext_lazy("须为数字,如 1200 或 1200.50。"),
    "float_parsing": gettext_lazy("须为数字。"),
    "float_type": gettext_lazy("须为数字。"),
    "finite_number": gettext_lazy("须为有限的数字。"),
    "decimal_max_digits": gettext_lazy("最多 %(max_digits)s 位数字。"),
    "decimal_max_places": gettext_lazy("最多 %(decimal_places)s 位小数。"),
    "decimal_whole_digits": gettext_lazy("整数部分位数过多。"),
    "datetime_parsing": gettext_lazy("须为日期时间,如 2027-03-18T09:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_lazy("须为日期时间,如 2027-03-18T09:00:00+08:00。"),
    "datetime_type": gettext_lazy("须为日期时间,如 2027-03-18T09:00:00+08:00。"),
    "date_parsing": gettext_lazy("须为日期,如 2027-03-18。"),
    "date_from_datetime_parsing": gettext_lazy("须为日期,如 2027-03-18。"),
    "date_from_datetime_inexact": gettext_lazy("须为日期,如 2027-03-18。"),
    "date_type": gettext_lazy("须为日期,如 2027-03-18。"),
    "bool_parsing": gettext_lazy("须为 true 或 false。"),
    "bool_type": gettext_lazy("须为 true 或 false。"),
    "string_type": gettext_lazy("须为文字。"),
    "list_type": gettext_lazy("须为列表。"),
    "string_unicode": gettext_lazy("含有无效的 Unicode 字符。"),
}


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = {k: force_str(v) for k, v in (err.get("ctx") or {}).items()}
    if kind == "value_error" and "error" in ctx:
        return ctx["error"]  # our own validators' messages (core.schemas), already translated
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is not None:
        try:
            return force_str(template) % ctx if "%(" in force_str(template) else force_str(template)
        except (KeyError, ValueError):
            return force_str(template)
    if kind in {"enum", "literal_error"} and "expected" in ctx:
        return _("须为以下之一:%(expected)s。") % {"expected": ctx["expected"]}
    return _("取值无效:%(detail)s") % {"detail": force_str(err.get("msg", ""))}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        field = _loc_field(list(err.get("loc", [])))
        kind = err.get("type", "")
        if kind == "missing":
            msg = _("必填。")
        elif (
            kind in {"json_invalid", "model_attributes_type", "model_type", "dict_type"} or field == "__all__"
        ):
            msg = _("请求体不是有效的 JSON 对象。")
        else:
            msg = _pydantic_message(err)
        errors.setdefault(field, []).append(force_str(msg))
    return _error(request, 400, "invalid", errors)


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _one(request, 400, "invalid", _("请求体不是有效的 multipart/form-data(缺少或错误的 boundary)。"))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _one(request, 401, "unauthorized", _("需要登录或提供有效的 API 令牌(Authorization: Bearer …)。"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja raises HttpError(400, "Cannot parse request body") for a body that is not a JSON
        # object (``ObjectParser``) or not JSON at all.
        return _one(request, 400, "invalid", _("请求体不是有效的 JSON 对象。"))
    if exc.status_code == 403 and "CSRF" in str(exc):
        return _one(
            request,
            403,
            "csrf_failed",
            _("浏览器会话的写操作须带 CSRF 令牌(X-CSRFToken 头);程序调用请使用 API 令牌。"),
        )
    return _one(request, exc.status_code, "error", exc)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _one(request, 404, "not_found", _("请求的内容不存在。"))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _one(request, 413, "too_large", _("请求体超过大小限制。"))


@api.exception_handler(DatabaseError)
def _database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """What the database refused, said in the API's shape; never a traceback."""
    if isinstance(exc, OperationalError) and is_retryable(exc):
        logger.warning("serialization failure or deadlock on %s %s: %s", request.method, request.path, exc)
        return _one(request, 409, "conflict", _("数据正被他人同时修改,请稍后重试。"))
    if isinstance(exc, DataError):
        logger.warning("value refused by the database on %s %s: %s", request.method, request.path, exc)
        return _one(request, 400, "invalid", _("提交的值超出了允许的范围或格式,请检查后重试。"))
    if isinstance(exc, IntegrityError):
        logger.error("integrity error on %s %s", request.method, request.path, exc_info=exc)
        return _one(request, 409, "conflict", _("数据与已有记录冲突,请刷新后重试。"))
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        return _one(request, 503, "unavailable", _("数据库暂时不可用,请稍后重试。"))
    return _unexpected(request, exc)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return _one(request, 500, "server_error", _("服务器内部错误,已记录。请稍后重试或联系管理员。"))


def _register() -> None:
    from huodong.checkin.api import router as checkin_router
    from huodong.documents.api import router as documents_router
    from huodong.events.api import router as events_router
    from huodong.onsite.incidents.api import router as onsite_incidents_router
    from huodong.onsite.interaction.api import router as onsite_interaction_router
    from huodong.onsite.live.api import router as onsite_live_router
    from huodong.onsite.rehearsal.api import router as onsite_rehearsal_router
    from huodong.onsite.show.api import router as onsite_show_router
    from huodong.outreach.api import router as outreach_router
    from huodong.planning.api import router as planning_router
    from huodong.preparation.api import router as preparation_router

    # Check-in first: Django tries the URL patterns in order, and a scan at the door is the hot path (its
    # patterns last meant ~180 failed matches per scan). No two routers share a path.
    api.add_router("", checkin_router)
    api.add_router("/events", events_router)
    api.add_router("/events", planning_router)
    api.add_router("/events", documents_router)
    api.add_router("", preparation_router)
    api.add_router("", outreach_router)
    api.add_router("", onsite_rehearsal_router)
    api.add_router("", onsite_show_router)
    api.add_router("", onsite_interaction_router)
    api.add_router("", onsite_incidents_router)
    api.add_router("", onsite_live_router)


_register()
