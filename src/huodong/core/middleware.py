"""Request-level rules: Chinese first, the request-body limit, security headers, no caching of signed-in pages.

- ``ChineseFirstLocaleMiddleware``: pages open in 简体中文 until the person switches; the API follows
  Accept-Language.
- ``RequestSizeLimitMiddleware``: a body larger than the app accepts is answered 413 with a message
  (JSON for the API), before anything reads it — not a 500, not Django's bare 400 page.
- ``SecurityHeadersMiddleware``: ``Content-Security-Policy`` when ``HUODONG_CSP`` is set, and
  ``Cache-Control: no-store`` on every response to a signed-in person (a shared computer's back button
  or a proxy must not show someone's pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import force_str
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """A browser set to English still sees Chinese pages until the English switch sets the language cookie."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/") or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            super().process_request(request)
            return
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as the login throttle and the audit log record it.

    ``REMOTE_ADDR``, unless ``HUODONG_CLIENT_IP_HEADER`` names a header that the reverse proxy in front of
    huodong sets (``X-Real-IP``, or ``X-Forwarded-For``, of which the last address is the one the proxy
    saw). Only set it behind such a proxy: otherwise anyone could choose their own address.
    """
    header = getattr(settings, "HUODONG_CLIENT_IP_HEADER", "")
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "")
        if value:
            return value.split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")[:64]


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = force_str(
        _("请求内容过大:最多 %(mb)s MB。附件请压缩或拆分后上传。") % {"mb": round(limit / 1024 / 1024, 1)}
    )
    return _refusal(request, 413, "too_large", message)


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": message, "errors": {"__all__": [message]}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    from .errors import DomainError

    error = DomainError({"__all__": [message]})
    return render(request, "core/error.html", {"error": error}, status=status)


class RequestSizeLimitMiddleware:
    """Refuse a request body the app will not read: 413 with a message, before the body is read.

    ``HUODONG_MAX_REQUEST_BYTES`` bounds every body (default: the attachment limit plus 2 MB for the rest
    of the form); ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds a body that is not a file upload (JSON, form
    fields). The attachment's own limit (``HUODONG_MAX_UPLOAD_BYTES``) is checked by its service with its
    own message, so an attachment a little too large still gets that message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, "invalid", force_str(_("请求头 Content-Length 无效。")))
        limit = int(getattr(settings, "HUODONG_MAX_REQUEST_BYTES", 12 * 1024 * 1024))
        if length > limit:
            return _too_large(request, limit)
        data_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        multipart = (request.content_type or "").startswith("multipart/")
        if data_limit is not None and not multipart and length > data_limit:
            return _too_large(request, data_limit)
        if request.method == "POST" and multipart and not request.path.startswith("/api/"):
            # Pages: parse the form here, where a refusal can still be answered (the CSRF check reads it next,
            # and an error there would be Django's bare 400 page). Not for the API: an operation that takes a
            # JSON body reads the raw body, which parsing the form here would have consumed; the API's own
            # handlers answer a bad or too large multipart body.
            try:
                request.POST  # noqa: B018
            except RequestDataTooBig:
                return _too_large(request, data_limit or limit)
            except (TooManyFieldsSent, TooManyFilesSent):
                return _refusal(request, 400, "invalid", force_str(_("表单字段或文件数量过多。")))
            except MultiPartParserError:
                return _refusal(
                    request,
                    400,
                    "invalid",
                    force_str(_("请求体不是有效的 multipart/form-data(缺少或错误的 boundary)。")),
                )
        return self.get_response(request)


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"  # add_never_cache_headers' own


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` (``HUODONG_CSP``) and ``Cache-Control: no-store`` for signed-in people."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "HUODONG_CSP", "")
        if policy:
            header = (
                "Content-Security-Policy-Report-Only"
                if getattr(settings, "HUODONG_CSP_REPORT_ONLY", False)
                else "Content-Security-Policy"
            )
            if not response.has_header(header):
                response[header] = policy
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if response.has_header("Cache-Control") or response.has_header("Expires"):
                add_never_cache_headers(response)
            else:  # what it would write, without parsing and merging (every API answer passes here)
                response.headers["Expires"] = http_date()
                response.headers["Cache-Control"] = NEVER_CACHE
        return response
