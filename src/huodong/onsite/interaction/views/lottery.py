"""The lottery, run by the stage manager (EX-4, ``Need.STAGE``).

- ``onsite_interaction:lottery`` — ``/events/<id>/interaction/lottery/``: who is eligible now (checked-in
  guests minus staff, earlier winners and manual exclusions), the form to prepare a draw, the draws with
  their commitments, the button to draw, the manual exclusions.
- ``lottery_prepare`` (POST): freeze the eligible list and commit to a seed (``services.lottery``).
- ``lottery_draw`` (POST, the revision seen): draw, once.
- ``exclusion_add`` (POST, a ticket code and a reason), ``exclusion_remove`` (POST).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huodong.core.http import AuthedRequest, actor
from huodong.core.pageflow import action_post, event_page, form_post
from huodong.events.access import Need
from huodong.events.models import Event

from .. import selectors
from ..forms import DrawForm, ExclusionForm
from ..models import Draw, Exclusion
from ..rules import settings_of
from ..services import lottery


class _Seen(forms.Form):
    revision = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


def _context(
    event: Event, *, draw_form: DrawForm | None = None, exclusion_form: ExclusionForm | None = None
) -> dict[str, Any]:
    conf = settings_of(event)
    found = lottery.eligibility(event)
    draws = list(Draw.objects.filter(event_id=event.pk).order_by("-prepared_at", "-id"))
    return {
        "event": event,
        "nav": event.phase.value,
        "conf": conf,
        "eligible": len(found.eligible),
        "excluded": found.excluded,
        "draws": [{"row": d, "public": selectors.draw_public(d)} for d in draws],
        "exclusions": list(Exclusion.objects.filter(event_id=event.pk).select_related("guest")),
        "draw_form": draw_form or DrawForm(),
        "exclusion_form": exclusion_form or ExclusionForm(),
    }


def _url(event: Event) -> str:
    return reverse("onsite_interaction:lottery", args=[event.pk])


@require_GET
@event_page(Need.STAGE)
def lottery_page(request: AuthedRequest, event: Event) -> HttpResponse:
    return render(request, "onsite_interaction/lottery.html", _context(event))


@require_POST
@event_page(Need.STAGE)
def lottery_prepare(request: AuthedRequest, event: Event) -> HttpResponse:
    form = DrawForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: lottery.draw_prepare(
            actor=actor(request), event=event, title=d["title"], winners_count=d["winners_count"]
        ),
        page=lambda status: render(
            request, "onsite_interaction/lottery.html", _context(event, draw_form=form), status=status
        ),
        success_url=lambda draw: _url(event) + f"#draw-{draw.pk}",
        done=_("已公示种子承诺和候选名单哈希,可以开奖了。"),
    )


@require_POST
@event_page(Need.STAGE)
def lottery_draw(request: AuthedRequest, event: Event, draw_id: int) -> HttpResponse:
    seen = _Seen(request.POST)
    revision = seen.cleaned_data.get("revision") if seen.is_valid() else None
    return action_post(
        request,
        act=lambda: lottery.draw_run(actor=actor(request), event=event, draw_id=draw_id, seen=revision),
        success_url=lambda draw: _url(event) + f"#draw-{draw.pk}",
        failure_url=_url(event),
        done=_("已开奖,种子已公开,任何人都可以复核。"),
    )


@require_POST
@event_page(Need.STAGE)
def exclusion_add(request: AuthedRequest, event: Event) -> HttpResponse:
    form = ExclusionForm(request.POST)
    return form_post(
        request,
        form,
        save=lambda d: lottery.exclusion_add(
            actor=actor(request), event=event, code=d["code"], reason=d["reason"]
        ),
        page=lambda status: render(
            request, "onsite_interaction/lottery.html", _context(event, exclusion_form=form), status=status
        ),
        success_url=_url(event) + "#exclusions",
        done=_("已加入抽奖排除名单。"),
    )


@require_POST
@event_page(Need.STAGE)
def exclusion_remove(request: AuthedRequest, event: Event, exclusion_id: int) -> HttpResponse:
    return action_post(
        request,
        act=lambda: lottery.exclusion_remove(actor=actor(request), event=event, exclusion_id=exclusion_id),
        success_url=_url(event) + "#exclusions",
        failure_url=_url(event),
        done=_("已从抽奖排除名单中移除。"),
    )


_P = "events/<int:event_id>/interaction/lottery/"
urlpatterns = [
    path(_P, lottery_page, name="lottery"),
    path(_P + "prepare/", lottery_prepare, name="lottery_prepare"),
    path(_P + "<int:draw_id>/draw/", lottery_draw, name="lottery_draw"),
    path(_P + "exclusions/", exclusion_add, name="exclusion_add"),
    path(_P + "exclusions/<int:exclusion_id>/remove/", exclusion_remove, name="exclusion_remove"),
]
