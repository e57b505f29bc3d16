"""The live satisfaction survey (EX-4): ratings 1–5, NPS 0–10, free text; one answer per guest or phone
(the second refused, the first kept); out of range → a field error; the results (average, NPS,
distribution) computed for the screen and the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.core.errors import Conflict, DomainError

from .. import selectors
from ..models import InteractionSettings, SurveyAnswer
from ..services import survey
from .support import all_guests, guest_url, key_of, phone, show_event

pytestmark = pytest.mark.django_db

GOOD = {"rating": 5, "rating_content": 4, "rating_organisation": 4, "nps": 9, "comment": "很好"}


@pytest.fixture
def event(organiser):
    return show_event(organiser, 2)


def _answer(event, respondent="a:phone-one-xyz", **data):  # noqa: ANN001, ANN202
    return survey.survey_answer(event=event, respondent=respondent, guest_id=None, **{**GOOD, **data})


def test_an_answer_is_recorded_once_and_the_second_is_refused(event):
    # REQ: EX-4
    _answer(event)
    with pytest.raises(Conflict, match="已提交过"):
        _answer(event, rating=1)
    assert SurveyAnswer.objects.get(event=event).rating == 5  # the first stays


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", 0),
        ("rating", 6),
        ("rating_content", ""),
        ("rating_organisation", "x"),
        ("nps", -1),
        ("nps", 11),
        ("nps", "3.5"),
        ("nps", True),
        ("comment", "长" * 501),
        ("comment", "坏\x00字"),
    ],
)
def test_out_of_range_values_are_field_errors(event, field, value):
    # REQ: EX-4
    with pytest.raises(DomainError) as caught:
        _answer(event, **{field: value})
    assert list(caught.value.errors) == [field]
    assert not SurveyAnswer.objects.exists()


def test_the_summary_has_average_nps_and_distribution(event):
    # REQ: EX-4
    assert selectors.survey_summary(event.pk)["nps"] is None
    for i, (rating, nps) in enumerate([(5, 10), (4, 9), (3, 7), (2, 3)]):
        _answer(event, respondent=f"a:phone-{i}-xyzxyz", rating=rating, nps=nps)
    s = selectors.survey_summary(event.pk)
    assert s["count"] == 4
    assert s["rating_avg"] == 3.5
    assert s["nps"] == 25  # 2 promoters, 1 detractor of 4: 50% − 25%
    assert s["distribution"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert (s["promoters"], s["passives"], s["detractors"]) == (2, 1, 1)
    assert selectors.interaction_counts(event.pk)["survey_answers"] == 4


def test_a_closed_survey_refuses(event):
    # REQ: EX-4
    key_of(event)
    InteractionSettings.objects.filter(event=event).update(survey_open=False)
    with pytest.raises(DomainError, match="尚未开放或已结束"):
        _answer(event)


# ---------------------------------------------------------------- pages
def test_a_phone_answers_on_the_page_once(event):
    # REQ: EX-4
    client = phone()
    assert client.get(guest_url(event, "guest_survey")).status_code == 200
    data = {"rating": "5", "rating_content": "4", "rating_organisation": "3", "nps": "10", "comment": ""}
    r = client.post(guest_url(event, "guest_survey"), data)
    assert r.status_code == 302
    r = client.post(guest_url(event, "guest_survey"), {**data, "rating": "1"})
    assert r.status_code == 409 and "每人只能提交一次" in r.content.decode()
    assert SurveyAnswer.objects.count() == 1 and SurveyAnswer.objects.get().rating == 5
    other = phone()  # another phone is another participant
    assert other.post(guest_url(event, "guest_survey"), {**data, "nps": "0"}).status_code == 302
    assert selectors.survey_summary(event.pk)["nps"] == 0


def test_an_out_of_range_answer_on_the_page_names_the_field(event):
    # REQ: EX-4
    r = phone().post(
        guest_url(event, "guest_survey"), {"rating": "9", "rating_content": "4", "rating_organisation": "4"}
    )
    body = r.content.decode()
    assert r.status_code == 400
    assert "1 到 5 之间" in body and "请为“推荐意愿”打分" in body
    assert 'name="rating_content" value="4" id="id_rating_content_3" checked' in body  # what was chosen stays
    assert not SurveyAnswer.objects.exists()


def test_from_the_ticket_page_the_guest_is_the_participant(event):
    # REQ: EX-4
    guest = all_guests(event)[0]
    client = phone()
    ticket = client.get(reverse("outreach:ticket", args=[guest.access_key]))
    assert reverse("onsite_interaction:guest_from_ticket", args=[guest.access_key]) in ticket.content.decode()
    r = client.get(reverse("onsite_interaction:guest_from_ticket", args=[guest.access_key]))
    assert r.status_code == 302 and r["Location"] == guest_url(event)
    home = client.get(guest_url(event))
    assert guest.name in home.content.decode()
    client.post(
        guest_url(event, "guest_survey"),
        {"rating": "4", "rating_content": "4", "rating_organisation": "4", "nps": "8"},
    )
    row = SurveyAnswer.objects.get()
    assert row.guest_id == guest.pk and row.respondent == f"g:{guest.pk}"
    assert phone().get(reverse("onsite_interaction:guest_from_ticket", args=["wrong-key"])).status_code == 404


def test_a_forged_participant_cookie_is_a_new_anonymous_participant(event):
    # REQ: EX-4
    client = phone()
    client.cookies[f"hdx{event.pk}"] = "g:1"  # not signed
    client.post(
        guest_url(event, "guest_survey"),
        {"rating": "4", "rating_content": "4", "rating_organisation": "4", "nps": "8"},
    )
    row = SurveyAnswer.objects.get()
    assert row.guest_id is None and row.respondent.startswith("a:")


def test_the_results_screen_shows_the_answers(event):
    # REQ: EX-4
    _answer(event)
    r = phone().get(guest_url(event, "screen_data") + "?view=survey")
    assert r.json()["survey"]["count"] == 1 and r.json()["survey"]["rating_avg"] == 5.0
    page = phone().get(guest_url(event, "screen") + "?view=survey")
    assert page.status_code == 200 and 'data-testid="screen-survey-count">1<' in page.content.decode()
