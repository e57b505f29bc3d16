"""Page: the organiser's registration settings (the event's tab 报名; NT-2).

- ``outreach:registration``: open/close, deadline, capacity, the questions, the highlights, how to register
  and notes the invitations quote, the co-hosts the PIPL notice names; the public link and its QR code for
  posters (``registration_qr``: a PNG); the counts (registered, waiting list, cancelled, seats left).
- ``outreach:registration_save``: the settings (with the revision they were shown at).
- ``outreach:registration_cancel_event``: cancel the event for every registered or waiting guest (tickets
  revoked, registration closed, the cancellation with METHOD:CANCEL to each).

Through the one page flow (``core.pageflow``).
"""

from __future__ import annotations

from typing import Any

import segno
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.concurrency import retry_on_conflict, revision_of
from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, event_page, form_post
from huodong.events.access import Need, event_access
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.events.tabs import event_tabs

from ..forms.registration import SettingsForm, questions_text
from ..rules import OUTREACH_STEPS
from ..services import messaging
from ..services import registration as services

TAB = {"key": "registration", "label": gettext_lazy("报名"), "url_name": "outreach:registration", "order": 70}


def public_link(reg: Any) -> str:
    return messaging.public_url(reverse("outreach:register", args=[reg.slug]))


def _initial(event: Event, reg: Any) -> dict[str, Any]:
    return {
        "revision": reg.revision,
        "is_open": reg.is_open,
        "deadline": timezone.localtime(reg.deadline, event.tz).strftime("%Y-%m-%dT%H:%M")
        if reg.deadline
        else "",
        "capacity": reg.capacity,
        "questions": questions_text(reg.questions),
        "highlights": reg.highlights,
        "how_to_register": reg.how_to_register,
        "notes": reg.notes,
        "cohosts": reg.cohosts,
    }


def _render(
    request: AuthedRequest, event: Event, *, form: SettingsForm | None = None, status: int = 200
) -> HttpResponse:
    if form is not None:
        event.refresh_from_db(fields=["step"])
    reg = services.settings_of(event)
    is_editor = event_access(request.user, event).can(Need.EDIT)
    editable = is_editor and event.step in OUTREACH_STEPS
    link = public_link(reg)
    ctx = {
        "event": event,
        "tabs": event_tabs(event.pk, "registration"),
        "nav": event.phase.value,
        "is_editor": is_editor,
        "editable": editable,
        "editable_steps": "、".join(str(Step(s).label) for s in OUTREACH_STEPS),
        "reg": reg,
        "counts": services.counts(event),
        "closed": services.closed_reason(reg, event),
        "link": link,
        "qr": segno.make(link, error="m").svg_inline(scale=4, border=2),
        "questions": reg.questions or [],
        "form": form or SettingsForm(tz=event.tz, initial=_initial(event, reg)),
    }
    return render(request, "outreach/registration.html", ctx, status=status)


def _url(event: Event) -> str:
    return reverse("outreach:registration", kwargs={"event_id": event.pk})


@require_GET
@event_page(Need.VIEW)
def page(request: AuthedRequest, event: Event) -> HttpResponse:
    return _render(request, event)


@require_GET
@event_page(Need.VIEW)
def poster_qr(request: AuthedRequest, event: Event) -> HttpResponse:
    """The public link as a large PNG QR code to put on posters."""
    import io

    reg = services.settings_of(event)
    out = io.BytesIO()
    segno.make(public_link(reg), error="q").save(out, kind="png", scale=16, border=4)
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="registration-{event.pk}.png"'
    return response


@require_POST
@event_page(Need.EDIT)
def save(request: AuthedRequest, event: Event) -> HttpResponse:
    form = SettingsForm(request.POST, tz=event.tz)
    return form_post(
        request,
        form,
        save=lambda data: retry_on_conflict(services.settings_update)(
            actor=actor(request), event=event, seen=data["revision"], **form.settings_data()
        ),
        page=lambda status: _render(request, event, form=form, status=status),
        success_url=_url(event),
        done=_("报名设置已保存。"),
    )


@require_POST
@event_page(Need.EDIT)
def cancel_event(request: AuthedRequest, event: Event) -> HttpResponse:
    return action_post(
        request,
        act=lambda: retry_on_conflict(services.event_cancel_for_guests)(
            actor=actor(request), event=event, seen=revision_of(request.POST.get("revision"))
        ),
        success_url=_url(event),
        failure_url=_url(event),
        done=_("已取消全部报名并关闭报名;取消通知已排入发件箱。"),
    )


_P = "events/<int:event_id>/outreach/registration/"
urlpatterns = [
    path(_P, page, name="registration"),
    path(f"{_P}save/", save, name="registration_save"),
    path(f"{_P}qr.png", poster_qr, name="registration_qr"),
    path(f"{_P}cancel-event/", cancel_event, name="registration_cancel_event"),
]
