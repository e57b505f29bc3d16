"""Pages: the message templates of an event (issue 9, point 5; NT-1, NT-2).

- ``outreach:templates``: every kind, channel and language with the text in force and where it comes
  from (this event's, the organisation's default, built in).
- ``outreach:template_edit``: one template — the placeholders available with what each is, the text in
  force, and a preview rendered for a real guest of the event (chosen; a sample without guests): exactly
  what that guest would receive. "预览" renders the draft without saving; "保存" saves it (an unknown
  placeholder or a bad brace is refused naming it, with the allowed ones; nothing written). SMS shows its
  length and segments (70 characters a segment in Chinese).
- ``outreach:template_revert``: back to the organisation's default or the built-in text.

The editor shows guests' names and addresses, so it is for the event's editors (``Need.EDIT``); the list
is for everyone who may view the event.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.errors import DomainError
from huodong.core.forms import apply_domain_errors
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page, form_focus, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.templates import PreviewForm, TemplateForm
from ..models import Channel
from ..rules import OUTREACH_STEPS
from ..services import messaging
from ..services import templates as services


def _frame(request: AuthedRequest, event: Event) -> dict[str, Any]:
    is_editor = event_access(request.user, event).can(Need.EDIT)
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "notices"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "editable": is_editor and event.step in OUTREACH_STEPS,
        "editable_steps": "、".join(str(Step(s).label) for s in OUTREACH_STEPS),
        "is_admin": bool(getattr(request.user, "is_admin", False)),
    }


def _edit_url(event: Event, kind: str, channel: str, language: str) -> str:
    return reverse(
        "outreach:template_edit",
        kwargs={"event_id": event.pk, "kind": kind, "channel": channel, "language": language},
    )


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    ctx = _frame(request, event)
    rows = services.templates_overview(event)
    ctx["rows"] = [{"t": t, "url": _edit_url(event, t.kind, t.channel, t.language)} for t in rows]
    ctx["notices_url"] = reverse("outreach:notices", kwargs={"event_id": event.pk})
    return render(request, "outreach/templates.html", ctx)


def _editor(
    request: AuthedRequest,
    event: Event,
    kind: str,
    channel: str,
    language: str,
    *,
    form: TemplateForm | None = None,
    preview_form: PreviewForm | None = None,
    preview: services.Preview | None = None,
    preview_error: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        services.combination_check(kind, channel, language)
    except DomainError as exc:
        exc.status = 404
        return error_page(request, exc)
    if form is not None:
        event.refresh_from_db(fields=["step"])
    ctx = _frame(request, event)
    in_force = services.template_in_force(event, kind, channel, language)
    guests = services.preview_guests(event)
    sms = channel == Channel.SMS
    if form is None:
        own = in_force.own
        form = TemplateForm(
            admin=ctx["is_admin"],
            sms=sms,
            initial={
                "revision": own.revision if own else None,
                "subject": in_force.text.subject,
                "body": in_force.text.body,
            },
        )
    if preview_form is None:
        preview_form = PreviewForm(guests=guests, initial={"guest": guests[0].pk if guests else None})
    if preview is None and not preview_error:
        guest_id = _guest_param(request.GET.get("guest"))
        try:
            preview = services.template_preview(
                event=event, kind=kind, channel=channel, language=language, guest_id=guest_id
            )
        except DomainError as exc:
            preview_error = exc.message
    ctx.update(
        {
            "t": in_force,
            "form": form,
            "preview_form": preview_form,
            "preview": preview,
            "preview_error": preview_error,
            "guests": guests,
            "placeholders": [{"name": "{" + k + "}", "label": v} for k, v in messaging.PLACEHOLDERS.items()],
            "list_url": reverse("outreach:templates", kwargs={"event_id": event.pk}),
            "revert_url": reverse(
                "outreach:template_revert",
                kwargs={"event_id": event.pk, "kind": kind, "channel": channel, "language": language},
            ),
            "sms": sms,
            "draft_sms": services.sms_segments(form.data.get("body", "")) if sms and form.is_bound else None,
        }
    )
    return render(request, "outreach/template_edit.html", ctx, status=status)


def _guest_param(value: Any) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**31 else None


@require_http_methods(["GET", "POST"])
@event_page(Need.EDIT)
def edit(request: AuthedRequest, event: Event, kind: str, channel: str, language: str) -> HttpResponse:
    if request.method == "GET":
        return _editor(request, event, kind, channel, language)
    try:
        services.combination_check(kind, channel, language)
    except DomainError as exc:
        exc.status = 404
        return error_page(request, exc)
    is_admin = bool(getattr(request.user, "is_admin", False))
    form = TemplateForm(request.POST, admin=is_admin, sms=channel == Channel.SMS)
    if request.POST.get("action") == "preview":
        return _draft_preview(request, event, kind, channel, language, form)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.template_save)(
            actor=actor(request),
            event=event,
            kind=kind,
            channel=channel,
            language=language,
            subject=data["subject"],
            body=data["body"],
            seen=data.get("revision"),
            scope=data.get("scope") or services.EVENT,
        ),
        page=lambda status: _editor(request, event, kind, channel, language, form=form, status=status),
        success_url=_edit_url(event, kind, channel, language),
        done=_("模板已保存;之后排入的消息将使用新文本。"),
    )


def _draft_preview(
    request: AuthedRequest, event: Event, kind: str, channel: str, language: str, form: TemplateForm
) -> HttpResponse:
    """Render the draft for the chosen guest without saving it; a bad placeholder is shown on the field."""
    guests = services.preview_guests(event)
    preview_form = PreviewForm(request.POST, guests=guests)
    guest_id = preview_form.cleaned_data.get("guest") if preview_form.is_valid() else None
    status = 200
    preview = None
    if form.is_valid():
        try:
            preview = services.template_preview(
                event=event,
                kind=kind,
                channel=channel,
                language=language,
                guest_id=guest_id,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
            status = 400
    else:
        status = 400
    if status != 200:
        form_focus(form)
    return _editor(
        request,
        event,
        kind,
        channel,
        language,
        form=form,
        preview_form=preview_form,
        preview=preview,
        preview_error="" if preview else _("预览前请先修正模板中的问题。"),
        status=status,
    )


@require_POST
@event_page(Need.EDIT)
def revert(request: AuthedRequest, event: Event, kind: str, channel: str, language: str) -> HttpResponse:
    url = _edit_url(event, kind, channel, language)
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.template_revert)(
            actor=actor(request),
            event=event,
            kind=kind,
            channel=channel,
            language=language,
            seen=revision_of(request.POST.get("revision")),
            scope=request.POST.get("scope") or services.EVENT,
        ),
        success_url=url,
        failure_url=url,
        done=_("已恢复为默认文本。"),
    )


_P = "events/<int:event_id>/outreach/templates/"
_T = f"{_P}<str:kind>/<str:channel>/<str:language>/"
urlpatterns = [
    path(_P, page, name="templates"),
    path(_T, edit, name="template_edit"),
    path(f"{_T}revert/", revert, name="template_revert"),
]
