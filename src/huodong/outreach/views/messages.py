"""Pages of the outbox (issue 9, point 4), the event's tab 消息:

- ``outreach:messages``: the delivery log of the event — counts by status, the dead letters and the
  messages in doubt first (with their error and the buttons: retry; mark delivered / send again), then
  every message with filters (status, channel, kind, a search by recipient), 50 a page;
- ``outreach:message_detail``: one message — its text, its status and every attempt;
- ``outreach:message_retry`` (POST): a dead letter back in the queue;
- ``outreach:message_resolve`` (POST, ``outcome`` = delivered | resend): decide a message in doubt.

Guest contact data is personal information (PIPL): only the event's editors (``Need.EDIT``) see these
pages. The organiser uses them at a desk; the tables stack on a phone all the same.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, error_page, event_page
from huodong.events.access import Need
from huodong.events.models import Event
from huodong.events.tabs import event_tabs

from .. import delivery, delivery_log
from ..models import Channel, Message, MessageKind
from ..rules import OUTREACH_STEPS

TAB = {"key": "messages", "label": gettext_lazy("消息"), "url_name": "outreach:messages", "order": 75}
PAGE_SIZE = 50


def _frame(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "tabs": event_tabs(event.pk, "messages"),
        "nav": event.phase.value,
        "is_editor": True,
        "full": True,  # the editors see recipients in full (``_message_log.html``)
        "editable": event.step in OUTREACH_STEPS,
    }


def _url(event: Event, message_id: int | None = None) -> str:
    if message_id is None:
        return reverse("outreach:messages", kwargs={"event_id": event.pk})
    return reverse("outreach:message_detail", kwargs={"event_id": event.pk, "message_id": message_id})


@require_GET
@event_page(Need.EDIT)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    filters = {k: (request.GET.get(k) or "").strip() for k in ("status", "channel", "kind", "q")}
    problems = delivery_log.filter_problems(**filters)
    ctx = _frame(event)
    if problems:
        filters = {k: ("" if k in problems else v) for k, v in filters.items()}
    qs = delivery_log.event_messages(event, **filters)
    paginator = Paginator(qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    ctx.update(
        {
            "counts": delivery_log.status_counts(event),
            "attention": delivery_log.attention(event),
            "rows": list(page_obj.object_list),
            "page": page_obj,
            "filters": filters,
            "filtered": any(filters.values()),
            "filter_errors": problems,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "statuses": Message.Status.choices,
            "channels": Channel.choices,
            "kinds": MessageKind.choices,
        }
    )
    return render(request, "outreach/messages.html", ctx, status=400 if problems else 200)


@require_GET
@event_page(Need.EDIT)
def message_detail(request: AuthedRequest, event: Event, message_id: int) -> HttpResponse:
    try:
        message = delivery_log.message_get(event, message_id)
    except DomainError as exc:
        return error_page(request, exc)
    ctx = _frame(event)
    ctx.update({"m": message, "attempts": list(message.attempt_log.all())})
    return render(request, "outreach/messages_detail.html", ctx)


@require_POST
@event_page(Need.EDIT)
def message_retry(request: AuthedRequest, event: Event, message_id: int) -> HttpResponse:
    back = request.POST.get("next") == "detail"
    return action_post(
        request,
        act=lambda: retry_on_conflict(delivery.message_retry)(
            actor=actor(request), event=event, message_id=message_id
        ),
        success_url=_url(event, message_id) if back else _url(event),
        failure_url=_url(event, message_id) if back else _url(event),
        done=_("已重新排入发件箱,将尽快发送。"),
    )


@require_POST
@event_page(Need.EDIT)
def message_resolve(request: AuthedRequest, event: Event, message_id: int) -> HttpResponse:
    outcome = request.POST.get("outcome") or ""
    back = request.POST.get("next") == "detail"
    done = (
        _("已标记为已送达。")
        if outcome == delivery.Resolution.DELIVERED
        else _("已重新排入发件箱,将尽快发送。")
    )
    return action_post(
        request,
        act=lambda: retry_on_conflict(delivery.message_resolve)(
            actor=actor(request), event=event, message_id=message_id, outcome=outcome
        ),
        success_url=_url(event, message_id) if back else _url(event),
        failure_url=_url(event, message_id) if back else _url(event),
        done=done,
    )


_P = "events/<int:event_id>/outreach/messages/"
urlpatterns = [
    path(_P, page, name="messages"),
    path(f"{_P}<int:message_id>/", message_detail, name="message_detail"),
    path(f"{_P}<int:message_id>/retry/", message_retry, name="message_retry"),
    path(f"{_P}<int:message_id>/resolve/", message_resolve, name="message_resolve"),
]
