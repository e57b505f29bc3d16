"""The security headers middleware writes ``Cache-Control``/``Expires`` for signed-in people without
Django's parse-and-merge when the answer has neither yet: the same headers ``add_never_cache_headers`` writes."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import add_never_cache_headers

from huodong.core.middleware import SecurityHeadersMiddleware


class _User:
    is_authenticated = True


def _through(response: HttpResponse) -> HttpResponse:
    request = RequestFactory().get("/")
    request.user = _User()  # type: ignore[assignment]
    return SecurityHeadersMiddleware(lambda _r: response)(request)


def test_fast_path_writes_what_django_writes() -> None:
    ours = _through(HttpResponse("x"))
    django_own = HttpResponse("x")
    add_never_cache_headers(django_own)
    assert ours["Cache-Control"] == django_own["Cache-Control"]
    assert ours["Expires"][:16] == django_own["Expires"][:16]  # the same date (the clock may tick a second)


def test_an_answer_with_its_own_cache_control_is_merged_as_before() -> None:
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=60"
    out = _through(response)
    parts = {p.strip() for p in out["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= parts
