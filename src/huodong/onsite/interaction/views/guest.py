"""The guests' pages (EX-4), public: no sign-in, phone-first, Chinese unless ``?lang=en`` (outreach's
``public_page``: the language cookie, no caching, not indexed). The event's interaction key is the
authority (``/x/<key>/``, on the screen's QR); a wrong key is the 404 page.

- ``guest_from_ticket`` — ``/x/t/<access_key>/``: linked from the guest's ticket page; the guest (registered
  or checked in) becomes the participant of this phone, then the interaction page.
- ``guest_home`` — ``/x/<key>/``: ask a question (and see one's own with their status), the approved
  questions, the survey's link, the lottery's published results.
- ``guest_ask`` — POST ``/x/<key>/ask/``: one question (``services.qa.question_ask``; 429 on a flood).
- ``guest_survey`` — ``/x/<key>/survey/``: the satisfaction survey (``services.survey.survey_answer``; a
  second answer is refused 409, the first stays).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huodong.core.errors import Conflict, DomainError, NotFound
from huodong.core.forms import apply_domain_errors
from huodong.outreach.models import GuestStatus
from huodong.outreach.services.registration import guest_for_key
from huodong.outreach.views.public import EN, _switch, public_page

from .. import participants, selectors
from ..forms import AskForm, SurveyForm
from ..models import Draw, DrawStatus, InteractionSettings, Question, SurveyAnswer
from ..rules import ONSITE_STEPS, settings_for_key, settings_of
from ..services import qa, survey

DONE = {
    "asked": lambda: _("问题已提交,审核通过后会显示在大屏上。"),
    "answered": lambda: _("感谢您的反馈!问卷已提交。"),
}


def _error(request: HttpRequest, exc: DomainError, language: str) -> HttpResponse:
    return render(
        request,
        "onsite_interaction/guest_error.html",
        {"error": exc, "language": language, "switch": _switch(request, language)},
        status=exc.status,
    )


def _keyed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of ``/x/<key>/``: the settings and event found by the key (else 404), the participant."""

    @wraps(view)
    def wrapper(request: HttpRequest, key: str, *, language: str, **kwargs: Any) -> HttpResponse:
        conf = settings_for_key(key)
        if conf is None:
            return _error(request, NotFound(_("链接无效:找不到这场活动的现场互动。")), language)
        who = participants.participant_of(request, conf.event_id)
        response = view(request, conf, who, language=language, **kwargs)
        return participants.remember(response, conf.event_id, who)

    return wrapper


def _frame(
    request: HttpRequest, conf: InteractionSettings, who: participants.Participant, language: str
) -> dict[str, Any]:
    event = conf.event
    guest_name = ""
    if who.guest_id is not None:
        from huodong.outreach.models import Guest

        guest_name = (
            Guest.objects.filter(pk=who.guest_id, event_id=event.pk).values_list("name", flat=True).first()
            or ""
        )
    return {
        "event": event,
        "conf": conf,
        "key": conf.key,
        "language": language,
        "switch": _switch(request, language),
        "guest_name": guest_name,
        "live": event.step in ONSITE_STEPS,
        "en": language == EN,
    }


def _home(
    request: HttpRequest,
    conf: InteractionSettings,
    who: participants.Participant,
    language: str,
    *,
    form: AskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    event = conf.event
    done = DONE.get(request.GET.get("done", ""))
    mine = list(
        Question.objects.filter(event_id=event.pk, respondent=who.respondent).order_by("-asked_at", "-id")[
            :20
        ]
    )
    draws = list(
        Draw.objects.filter(event_id=event.pk, status=DrawStatus.DRAWN).order_by("-drawn_at", "-id")[:10]
    )
    ctx = {
        **_frame(request, conf, who, language),
        "form": form or AskForm(),
        "done": done() if done else "",
        "mine": mine,
        "approved": selectors.screen_questions(event.pk),
        "answered_survey": SurveyAnswer.objects.filter(event_id=event.pk, respondent=who.respondent).exists(),
        "draws": draws,
        "flood": qa.QUESTIONS_PER_MINUTE,
    }
    return render(request, "onsite_interaction/guest_home.html", ctx, status=status)


@require_GET
@public_page
def guest_from_ticket(request: HttpRequest, access_key: str, *, language: str) -> HttpResponse:
    try:
        guest = guest_for_key(access_key)
    except DomainError as exc:
        return _error(request, exc, language)
    if guest.status not in (GuestStatus.REGISTERED, GuestStatus.CHECKED_IN):
        return _error(
            request,
            DomainError(
                {"__all__": [_("这份报名目前没有有效的电子票,无法以嘉宾身份参与互动。")]}, code="no_ticket"
            ),
            language,
        )
    conf = settings_of(guest.event_id)
    url = reverse("onsite_interaction:guest_home", args=[conf.key])
    if language == EN:
        url += "?lang=en"
    return participants.remember(HttpResponseRedirect(url), guest.event_id, participants.for_guest(guest.pk))


@require_GET
@public_page
@_keyed
def guest_home(
    request: HttpRequest, conf: InteractionSettings, who: participants.Participant, *, language: str
) -> HttpResponse:
    return _home(request, conf, who, language)


@require_POST
@public_page
@_keyed
def guest_ask(
    request: HttpRequest, conf: InteractionSettings, who: participants.Participant, *, language: str
) -> HttpResponse:
    form = AskForm(request.POST)
    form.is_valid()
    try:
        qa.question_ask(
            event=conf.event,
            respondent=who.respondent,
            guest_id=who.guest_id,
            text=request.POST.get("text", ""),
            name=request.POST.get("name", ""),
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            return _error(request, exc, language)
        apply_domain_errors(form, exc)
        return _home(request, conf, who, language, form=form, status=exc.status)
    url = reverse("onsite_interaction:guest_home", args=[conf.key]) + "?done=asked#qa"
    return HttpResponseRedirect(url)


@require_http_methods(["GET", "POST"])
@public_page
@_keyed
def guest_survey(
    request: HttpRequest, conf: InteractionSettings, who: participants.Participant, *, language: str
) -> HttpResponse:
    event = conf.event
    form = SurveyForm(request.POST or None)
    status, repeat = 200, ""
    if request.method == "POST":
        form.is_valid()
        data = {
            k: request.POST.get(k, "")
            for k in ("rating", "rating_content", "rating_organisation", "nps", "comment")
        }
        try:
            survey.survey_answer(event=event, respondent=who.respondent, guest_id=who.guest_id, **data)
        except Conflict as exc:  # already answered: the thanks card says so, the form is not shown again
            repeat, status = exc.message, exc.status
        except DomainError as exc:
            if exc.status in (403, 404):
                return _error(request, exc, language)
            apply_domain_errors(form, exc)
            status = exc.status
        else:
            return HttpResponseRedirect(
                reverse("onsite_interaction:guest_survey", args=[conf.key]) + "?done=answered"
            )
    done = DONE.get(request.GET.get("done", "")) if request.method == "GET" else None
    answered = SurveyAnswer.objects.filter(event_id=event.pk, respondent=who.respondent).exists()
    ctx = {
        **_frame(request, conf, who, language),
        "form": form,
        "done": done() if done else "",
        "answered": answered or bool(repeat),
        "repeat": repeat,
    }
    return render(request, "onsite_interaction/guest_survey.html", ctx, status=status)


urlpatterns = [
    path("x/t/<str:access_key>/", guest_from_ticket, name="guest_from_ticket"),
    path("x/<str:key>/", guest_home, name="guest_home"),
    path("x/<str:key>/ask/", guest_ask, name="guest_ask"),
    path("x/<str:key>/survey/", guest_survey, name="guest_survey"),
]
