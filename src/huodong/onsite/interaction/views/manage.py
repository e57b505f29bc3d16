"""The tab 互动 of an event (EX-4): the public addresses (guests' page with its QR, the screens), the
counts and the survey's results, opening and closing Q&A and the survey (``Need.STAGE``).

- ``onsite_interaction:manage`` — ``/events/<id>/interaction/`` (``Need.ONSITE``: the team on the day).
- ``onsite_interaction:settings_save`` — POST, the revision seen (``services.settings``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import event_page, form_post
from huodong.events.access import Need, can
from huodong.events.models import Event

from .. import selectors
from ..forms import SettingsForm
from ..rules import ONSITE_STEPS, join_qr, settings_of
from ..services import settings as settings_services
from ..services.survey import RATING_LABELS

TAB = {
    "key": "interaction",
    "label": gettext_lazy("互动"),
    "url_name": "onsite_interaction:manage",
    "order": 86,
}


def _context(request: AuthedRequest, event: Event, form: SettingsForm | None = None) -> dict[str, Any]:
    conf = settings_of(event)
    join = request.build_absolute_uri(reverse("onsite_interaction:guest_home", args=[conf.key]))
    summary = selectors.survey_summary(event.pk)
    return {
        "event": event,
        "nav": event.phase.value,
        "conf": conf,
        "join_url": join,
        "join_qr": join_qr(join),
        "counts": selectors.interaction_counts(event.pk),
        "summary": summary,
        "aspects": [(RATING_LABELS[k], v) for k, v in summary["aspects"].items()],
        "live": event.step in ONSITE_STEPS,
        "stage": can(actor(request), event, Need.STAGE),
        "form": form
        or SettingsForm(
            initial={"qa_open": conf.qa_open, "survey_open": conf.survey_open, "revision": conf.revision}
        ),
    }


@require_GET
@event_page(Need.ONSITE)
def manage(request: AuthedRequest, event: Event) -> HttpResponse:
    return render(request, "onsite_interaction/manage.html", _context(request, event))


@require_POST
@event_page(Need.STAGE)
def settings_save(request: AuthedRequest, event: Event) -> HttpResponse:
    form = SettingsForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: settings_services.settings_update(
            actor=actor(request),
            event=event,
            seen=d["revision"],
            qa_open=d["qa_open"],
            survey_open=d["survey_open"],
        ),
        page=lambda status: render(
            request, "onsite_interaction/manage.html", _context(request, event, form), status=status
        ),
        success_url=reverse("onsite_interaction:manage", args=[event.pk]),
        done=_("已保存现场互动设置。"),
    )


_P = "events/<int:event_id>/interaction/"
urlpatterns = [
    path(_P, manage, name="manage"),
    path(_P + "settings/", settings_save, name="settings_save"),
]
