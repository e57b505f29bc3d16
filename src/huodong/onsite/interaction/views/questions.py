"""The stage manager's moderation of questions, on a phone (EX-4, ``Need.STAGE``).

- ``onsite_interaction:questions`` — ``/events/<id>/interaction/questions/``: pending first (newest at the
  bottom), then those on the screen (pinned first), answered and rejected; the pending list refreshes
  itself every 5 seconds with htmx (``?part=list``).
- ``onsite_interaction:question_moderate`` — POST ``…/questions/<question_id>/<action>/`` with the revision
  seen: approve, reject, answer, pin, unpin (``services.qa.question_moderate``).
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, event_page
from huodong.events.access import Need
from huodong.events.models import Event

from .. import selectors
from ..rules import settings_of
from ..services import qa


class _Seen(forms.Form):
    revision = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


@require_GET
@event_page(Need.STAGE)
def questions(request: AuthedRequest, event: Event) -> HttpResponse:
    conf = settings_of(event)
    ctx = {
        "event": event,
        "nav": event.phase.value,
        "conf": conf,
        "groups": selectors.questions_for_moderation(event.pk),
        "list_url": reverse("onsite_interaction:questions", args=[event.pk]),
    }
    if getattr(request, "htmx", False) and request.GET.get("part") == "list":
        return render(request, "onsite_interaction/questions.html#list", ctx)
    return render(request, "onsite_interaction/questions.html", ctx)


@require_POST
@event_page(Need.STAGE)
def question_moderate(request: AuthedRequest, event: Event, question_id: int, action: str) -> HttpResponse:
    seen = _Seen(request.POST)
    revision = seen.cleaned_data.get("revision") if seen.is_valid() else None
    url = reverse("onsite_interaction:questions", args=[event.pk])
    return action_post(
        request,
        act=lambda: qa.question_moderate(
            actor=actor(request), event=event, question_id=question_id, action=action, seen=revision
        ),
        success_url=url,
        failure_url=url,
        done=None,
    )


_P = "events/<int:event_id>/interaction/questions/"
urlpatterns = [
    path(_P, questions, name="questions"),
    path(_P + "<int:question_id>/<slug:action>/", question_moderate, name="question_moderate"),
]
