"""The one page flow every phase uses: form parses → one service → redirect; or the page again, errors
beside their fields.

::

    @event_page(Need.EDIT)
    def risk_edit(request, event, risk_id):
        risk = selectors.risk_get(event, risk_id)
        form = RiskForm(request.POST or None, instance_revision=risk.revision, initial=...)
        if request.method != "POST":
            return render_page(status=200)
        return form_post(
            request, form,
            save=lambda data: services.risk_update(actor=actor(request), event=event, risk_id=risk.pk, **data),
            done=_("已保存风险预案。"),
            success_url=reverse("planning:plan", args=[event.pk]) + "#risks",
            page=lambda status: render(request, "planning/plan.html", {..., "risk_form": form}, status=status),
        )

- A form that does not parse, or a service that refuses with field errors, shows the page again with
  status 400 (409 when the record changed meanwhile) and the messages on their fields.
- ``Stale`` (someone else saved first) puts "已被某某修改" on the form, with the other person's values
  (``form.stale``), and moves the form's ``revision`` to the current one so that a second submit is a
  deliberate overwrite.
- A refusal that is not about the input (403, 404) is the error page.
- Success: a message and a redirect; for htmx, ``HX-Redirect`` so the whole page is read again.
- An edit form carries the revision it showed in a hidden ``revision`` field (``RevisionField``).
- The first thing to fix is where the eye lands (``form_focus``): the refused form's first field with an
  error gets ``autofocus`` (and, from Django, ``aria-invalid`` + ``aria-describedby`` pointing at its
  message, whose id ``includes/form_fields.html`` gives), so the browser scrolls to it and focuses it even
  without JavaScript; with JavaScript ``huodong.js`` centres the first error and focuses it after a load
  or an htmx swap. A form-wide message (``includes/form_errors.html``) or the stale notice comes first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .concurrency import Stale
from .errors import DomainError
from .forms import apply_domain_errors
from .http import actor_or_none


class RevisionField(forms.IntegerField):
    """The hidden revision an edit form was shown with (``core.concurrency``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("required", True)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("表单缺少修订号,请刷新页面后重试。"),
                "invalid": _("修订号无效,请刷新页面后重试。"),
            },
        )
        super().__init__(**kwargs)


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The page for a refusal that is not about the input: not allowed (403), not found (404), …"""
    return render(request, "core/error.html", {"error": exc}, status=exc.status)


def form_stale(form: forms.Form, exc: Stale) -> None:
    """Say on ``form`` that someone else saved first, keep what the person typed, offer the current revision."""
    form.stale = exc  # type: ignore[attr-defined]
    labels = {name: field.label for name, field in form.fields.items()}
    form.stale_rows = [  # type: ignore[attr-defined]
        {
            "field": labels.get(k, k),
            "theirs": v,
            "yours": form.data.get(k, "") if hasattr(form, "data") else "",
        }
        for k, v in exc.theirs.items()
        if k in labels
    ]
    if "revision" in form.fields and exc.current.get("revision"):
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: keeps multi-valued fields
        data[form.add_prefix("revision")] = str(exc.current["revision"])  # a prefixed form's own key
        form.data = data
    form.add_error(None, exc.message)


def form_focus(form: forms.Form) -> None:
    """Put ``autofocus`` on the refused ``form``'s first visible field with an error (a stale form: the
    first field the other person changed) so that the page opens on it, JavaScript or not.

    Nothing when the form has a form-wide message other than the stale one: its error box comes first
    and carries the focus itself (``includes/form_errors.html``).
    """
    errors = getattr(form, "_errors", None) or {}
    stale = getattr(form, "stale", None)
    stale_message = str(stale.message) if stale is not None else None
    if any(str(m) != stale_message for m in errors.get("__all__", [])):
        return
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    candidates = [name for name in visible if name in errors]
    if not candidates and stale is not None:
        candidates = [name for name in visible if name in (stale.theirs or {})] or visible[:1]
    for name in candidates[:1]:
        form.fields[name].widget.attrs["autofocus"] = True


def form_post(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], Any],
    page: Callable[[int], HttpResponse],
    success_url: str | Callable[[Any], str],
    done: Any = None,
) -> HttpResponse:
    """Validate ``form``, call ``save`` (one service) and redirect; or ``page(status)`` with the errors."""
    status = 400
    if form.is_valid():
        try:
            result = save(form.cleaned_data)
        except Stale as exc:
            form_stale(form, exc)
            status = 409
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                return error_page(request, exc)
            apply_domain_errors(form, exc)
            status = exc.status if 400 <= exc.status < 500 else 400
        else:
            if done:
                messages.success(request, done)
            url = success_url(result) if callable(success_url) else success_url
            return redirect_to(request, url)
    form_focus(form)
    return page(status)


def action_post(
    request: HttpRequest,
    *,
    act: Callable[[], Any],
    success_url: str | Callable[[Any], str],
    failure_url: str,
    done: Any = None,
) -> HttpResponse:
    """A button without fields (remove, advance, mark read): do it, then go back, saying what happened."""
    try:
        result = act()
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        messages.error(request, exc.message)
        return redirect_to(request, failure_url)
    if done:
        messages.success(request, done)
    return redirect_to(request, success_url(result) if callable(success_url) else success_url)


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def event_page(need: Any = None) -> Callable[..., Any]:
    """A page of one event: signed in, the event loaded by ``events.access.event_for`` with ``need``.

    The view is called as ``view(request, event, **kwargs)``; an unknown event is the 404 page and a
    missing right the 403 page, both saying why.
    """
    from huodong.events.access import Need, event_for

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, event_id: int, **kwargs: Any) -> HttpResponse:
            try:
                event = event_for(actor_or_none(request), event_id, need or Need.VIEW)
            except DomainError as exc:
                return error_page(request, exc)
            return view(request, event, **kwargs)

        return wrapper

    return decorate
