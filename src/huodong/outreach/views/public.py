"""The pages a guest opens without signing in, on a phone, often inside WeChat's in-app browser.

- ``outreach:register`` (``/r/<slug>/``): the event, the questions, the contact fields, the PIPL notice
  with a checkbox per purpose; a plain form with the CSRF token, no JavaScript, no external assets.
  Closed or past the deadline: a page that says so. Too many submissions from one address: 429.
- ``outreach:ticket`` (``/t/<access_key>/``): the guest's own page — the QR (inline SVG), the short code,
  the status (registered, n-th on the waiting list, cancelled), the event's time and place; from it
  ``ticket_qr`` (PNG), ``ticket_ics`` (.ics), ``ticket_cancel``, ``ticket_details`` and
  ``ticket_privacy`` (the consents and their withdrawal).

The access key is the authority: a wrong key is 404. The language is Chinese unless ``?lang=en`` (or the
language cookie) says English; ``?lang=`` sets the cookie so the next page stays in it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huodong.core.concurrency import Stale, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.forms import apply_domain_errors
from huodong.core.middleware import client_address
from huodong.core.pageflow import form_focus, form_stale

from .. import calendar, contact, tickets
from ..forms.registration import CancelForm, DetailsForm, RegisterForm, WithdrawForm
from ..models import Consent, Guest, GuestStatus, Ticket
from ..services import messaging
from ..services import registration as services

EN, ZH = "en", "zh-hans"
DONE_MESSAGES = {
    "cancelled": lambda: _("您的报名已取消,电子票已作废。如改变主意,可在报名开放期间重新报名。"),
    "details": lambda: _("您的信息已更新。"),
    "withdrawn": lambda: _("已撤回该项同意;此后不会再为该目的处理您的信息或向您发送消息。"),
}


def _chosen_language(request: HttpRequest) -> str | None:
    raw = (request.GET.get("lang") or request.POST.get("lang") or "").strip().lower()
    if raw.startswith("en"):
        return EN
    if raw.startswith("zh"):
        return ZH
    return None


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for guests: in the language chosen (``?lang=``, the cookie, else Chinese), not cached (it
    shows personal data), not indexed, and its address (which carries the key) not sent as a referrer to
    another site."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = _chosen_language(request)
        language = chosen or (EN if (translation.get_language() or "").startswith("en") else ZH)
        with translation.override(language):
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
            response = view(request, *args, language=language, **kwargs)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # Not "no-referrer": the browser would then send "Origin: null" with the form and fail the CSRF check.
        response["Referrer-Policy"] = "same-origin"
        response["Content-Language"] = "en" if language == EN else "zh-CN"
        return response

    return wrapper


def _error(request: HttpRequest, exc: DomainError, language: str) -> HttpResponse:
    return render(
        request,
        "outreach/public/error.html",
        {"error": exc, "language": language, "switch": _switch(request, language)},
        status=exc.status,
    )


def _switch(request: HttpRequest, language: str) -> dict[str, str]:
    """The link to the other language (the same page)."""
    other = ZH if language == EN else EN
    return {
        "url": f"{request.path}?lang={'en' if other == EN else 'zh'}",
        "label": "中文" if other == ZH else "English",
    }


def _when(event: Any, language: str) -> str:
    return messaging.event_time(event, language)


def _event_context(event: Any, language: str) -> dict[str, Any]:
    return {"event": event, "when": _when(event, language)}


# ---------------------------------------------------------------- registration
def _register_page(
    request: HttpRequest,
    reg: Any,
    language: str,
    *,
    form: RegisterForm | None = None,
    closed: Any = None,
    status: int = 200,
) -> HttpResponse:
    event = reg.event
    notice = services.notice_for_event(event, reg, language)
    form = form or RegisterForm(
        questions=reg.questions or [], notice=notice, language=language, initial={"lang": language}
    )
    counts = services.counts(event)
    return render(
        request,
        "outreach/public/register.html",
        {
            **_event_context(event, language),
            "reg": reg,
            "form": form,
            "notice": notice,
            "closed": closed,
            "full": bool(reg.capacity) and counts["left"] == 0,
            "deadline": timezone.localtime(reg.deadline, event.tz).strftime("%Y-%m-%d %H:%M")
            if reg.deadline
            else "",
            "language": language,
            "switch": _switch(request, language),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@public_page
def register(request: HttpRequest, slug: str, *, language: str) -> HttpResponse:
    try:
        reg = services.settings_for_slug(slug)
    except DomainError as exc:
        return _error(request, exc, language)
    closed = services.closed_reason(reg, reg.event)
    if request.method != "POST" or closed is not None:
        return _register_page(
            request, reg, language, closed=closed, status=400 if request.method == "POST" else 200
        )
    try:
        services.flood_guard(event=reg.event_id, address=client_address(request))
    except services.RegistrationFlood as exc:
        response = _error(request, exc, language)
        response["Retry-After"] = str(exc.retry_after)
        return response
    notice = services.notice_for_event(reg.event, reg, language)
    form = RegisterForm(request.POST, questions=reg.questions or [], notice=notice, language=language)
    status = 400
    if form.is_valid():
        try:
            guest = retry_on_conflict(services.register)(
                event=reg.event_id,
                **form.contact(),
                answers=form.answers(),
                consents=form.consents(),
                language=language,
                address=client_address(request),
            )
        except services.RegistrationClosed as exc:
            return _register_page(request, reg, language, closed=exc.message, status=400)
        except DomainError as exc:
            apply_domain_errors(form, exc)
            status = exc.status if 400 <= exc.status < 500 else 400
        else:
            url = reverse("outreach:ticket", args=[guest.access_key]) + "?welcome=1"
            return HttpResponseRedirect(url)
    form_focus(form)
    return _register_page(request, reg, language, form=form, status=status)


# ---------------------------------------------------------------- the ticket page
def _ticket_of(guest: Guest) -> Ticket | None:
    ticket = Ticket.objects.filter(guest=guest).first()
    if (
        ticket is None
        or ticket.revoked_at is not None
        or guest.status not in (GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)
    ):
        return None
    return ticket


def _frame(request: HttpRequest, guest: Guest, language: str) -> dict[str, Any]:
    return {
        **_event_context(guest.event, language),
        "guest": guest,
        "masked_phone": contact.mask_phone(guest.phone),
        "masked_email": contact.mask_email(guest.email),
        "language": language,
        "switch": _switch(request, language),
        "key": guest.access_key,
    }


def _guest_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the guest's own link: a wrong key is the 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, access_key: str, *, language: str) -> HttpResponse:
        try:
            guest = services.guest_for_key(access_key)
        except DomainError as exc:
            return _error(request, exc, language)
        return view(request, guest, language=language)

    return wrapper


@require_GET
@public_page
@_guest_page
def ticket(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    t = _ticket_of(guest)
    reg = services.settings_of(guest.event_id)
    welcome = request.GET.get("welcome") == "1"
    done = DONE_MESSAGES.get(request.GET.get("done", ""))
    return render(
        request,
        "outreach/public/ticket.html",
        {
            **_frame(request, guest, language),
            "ticket": t,
            "qr": tickets.qr_svg(tickets.token_for(t)) if t else "",
            "position": services.waitlist_position(guest),
            "reg": reg,
            "welcome": welcome,
            "done": done() if done else "",
            "active": guest.status in services.ACTIVE,
            "editable": guest.status not in (GuestStatus.CHECKED_IN, GuestStatus.NO_SHOW),
            # a cancelled guest may register again while registration is open: the way back to the form
            "register_again": (
                reverse("outreach:register", args=[reg.slug])
                if guest.status == GuestStatus.CANCELLED and services.closed_reason(reg, guest.event) is None
                else ""
            ),
        },
    )


@require_GET
@public_page
@_guest_page
def ticket_qr(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    t = _ticket_of(guest)
    if t is None:
        return _error(
            request,
            DomainError({"__all__": [_("这份报名目前没有有效的电子票。")]}, code="no_ticket"),
            language,
        )
    response = HttpResponse(tickets.qr_png(tickets.token_for(t), scale=10), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="ticket-{t.code}.png"'
    return response


@require_GET
@public_page
@_guest_page
def ticket_ics(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    if guest.status == GuestStatus.CANCELLED:
        method = calendar.CANCEL
    elif guest.status in (GuestStatus.REGISTERED, GuestStatus.CHECKED_IN):
        method = calendar.REQUEST
    else:
        return _error(
            request,
            DomainError({"__all__": [_("候补中的报名暂不能加入日历;转为正式报名后即可。")]}),
            language,
        )
    link = messaging.ticket_link(guest)
    body = calendar.ics_for(guest, method, ticket_link=link)
    response = HttpResponse(body, content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = 'attachment; filename="event.ics"'
    return response


def _ticket_url(guest: Guest, done: str = "") -> str:
    url = reverse("outreach:ticket", args=[guest.access_key])
    return f"{url}?done={done}" if done else url


@require_http_methods(["GET", "POST"])
@public_page
@_guest_page
def ticket_cancel(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    form = CancelForm(request.POST or None, initial={"revision": guest.revision})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                retry_on_conflict(services.registration_cancel)(
                    access_key=guest.access_key, seen=form.cleaned_data.get("revision")
                )
            except Stale:
                guest.refresh_from_db()
                form = CancelForm({"revision": guest.revision})
                form.is_valid()
                form.add_error(None, _("您的报名刚刚发生了变化,请确认后再次提交。"))
                status = 409
            except DomainError as exc:
                if exc.status == 404:
                    return _error(request, exc, language)
                form.add_error(None, exc.message)
                status = exc.status if 400 <= exc.status < 500 else 400
            else:
                return HttpResponseRedirect(_ticket_url(guest, "cancelled"))
    return render(
        request,
        "outreach/public/cancel.html",
        {**_frame(request, guest, language), "form": form, "active": guest.status in services.ACTIVE},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@public_page
@_guest_page
def ticket_details(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    initial = {
        "revision": guest.revision,
        "name": guest.name,
        "phone": contact.display_phone(guest.phone),
        "email": guest.email,
        "company": guest.company,
        "title": guest.title,
    }
    form = DetailsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                retry_on_conflict(services.details_update)(
                    access_key=guest.access_key, seen=form.cleaned_data["revision"], **form.details()
                )
            except Stale as exc:
                form_stale(form, exc)
                status = 409
            except DomainError as exc:
                if exc.status == 404:
                    return _error(request, exc, language)
                apply_domain_errors(form, exc)
                status = exc.status if 400 <= exc.status < 500 else 400
            else:
                return HttpResponseRedirect(_ticket_url(guest, "details"))
        form_focus(form)
    return render(
        request,
        "outreach/public/details.html",
        {**_frame(request, guest, language), "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@public_page
@_guest_page
def ticket_privacy(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    status = 200
    problem = ""
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                retry_on_conflict(services.consent_withdraw)(
                    access_key=guest.access_key,
                    purpose=form.cleaned_data["purpose"],
                    address=client_address(request),
                )
            except DomainError as exc:
                if exc.status == 404:
                    return _error(request, exc, language)
                problem = exc.message
                status = exc.status if 400 <= exc.status < 500 else 400
            else:
                url = reverse("outreach:ticket_privacy", args=[guest.access_key]) + "?done=withdrawn"
                return HttpResponseRedirect(url)
        else:
            problem = "; ".join(str(m) for msgs in form.errors.values() for m in msgs)
    reg = services.settings_of(guest.event_id)
    notice = services.notice_for_event(guest.event, reg, language)
    consents = services.consents_of(guest)
    rows = []
    for purpose, label in Consent.Purpose.choices:
        c = consents.get(purpose)
        if c is None:
            continue
        rows.append(
            {
                "purpose": purpose,
                "label": label,
                "meaning": notice.purposes.get(purpose, ("", ""))[1],
                "consent": c,
                "standing": c.standing,
                "granted_at": timezone.localtime(c.granted_at, guest.event.tz).strftime("%Y-%m-%d %H:%M")
                if c.granted_at
                else "",
                "withdrawn_at": timezone.localtime(c.withdrawn_at, guest.event.tz).strftime("%Y-%m-%d %H:%M")
                if c.withdrawn_at
                else "",
            }
        )
    done = DONE_MESSAGES.get(request.GET.get("done", ""))
    return render(
        request,
        "outreach/public/privacy.html",
        {
            **_frame(request, guest, language),
            "rows": rows,
            "notice": notice,
            "problem": problem,
            "done": done() if done else "",
        },
        status=status,
    )


@require_GET
@public_page
@_guest_page
def ticket_data(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    """The guest downloads everything held about them (PIPL), as JSON; the export is audited."""
    from ..services.privacy import guest_export_self

    name, body = guest_export_self(access_key=guest.access_key)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@public_page
@_guest_page
def ticket_erase(request: HttpRequest, guest: Guest, *, language: str) -> HttpResponse:
    """The guest asks for their information to be deleted (PIPL): a confirmation, then it is done and the
    link stops working."""
    from ..services.privacy import guest_erase_self

    problem = ""
    status = 200
    if request.method == "POST":
        try:
            guest_erase_self(access_key=guest.access_key, confirm=request.POST.get("confirm") == "yes")
        except DomainError as exc:
            if exc.status == 404:
                return _error(request, exc, language)
            problem = exc.message
            status = 400
        else:
            return render(
                request,
                "outreach/public/erased.html",
                {
                    **_event_context(guest.event, language),
                    "language": language,
                    "switch": _switch(request, language),
                },
            )
    return render(
        request,
        "outreach/public/erase.html",
        {**_frame(request, guest, language), "problem": problem, "active": guest.status in services.ACTIVE},
        status=status,
    )


urlpatterns = [
    path("r/<slug:slug>/", register, name="register"),
    path("t/<str:access_key>/", ticket, name="ticket"),
    path("t/<str:access_key>/qr.png", ticket_qr, name="ticket_qr"),
    path("t/<str:access_key>/calendar.ics", ticket_ics, name="ticket_ics"),
    path("t/<str:access_key>/cancel/", ticket_cancel, name="ticket_cancel"),
    path("t/<str:access_key>/details/", ticket_details, name="ticket_details"),
    path("t/<str:access_key>/privacy/", ticket_privacy, name="ticket_privacy"),
    path("t/<str:access_key>/my-data.json", ticket_data, name="ticket_data"),
    path("t/<str:access_key>/erase/", ticket_erase, name="ticket_erase"),
]
