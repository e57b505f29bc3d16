"""Questions from the floor (EX-4): a guest asks, the stage manager moderates, the screen shows the
approved ones; bad input, a flood from one phone, a closed Q&A and the wrong step are refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.models import Event
from huodong.events.steps import Step
from tests.factories import login

from .. import selectors
from ..models import InteractionSettings, Question, QuestionStatus
from ..services import qa
from .support import guest_url, key_of, phone, show_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return show_event(organiser, 2)


def _ask(event, text="产品什么时候上市?", respondent="a:phone-one-xyz", **kw):  # noqa: ANN001, ANN202
    return qa.question_ask(event=event, respondent=respondent, guest_id=None, text=text, **kw)


def test_a_question_waits_for_moderation_then_shows_on_the_screen(organiser, event):
    # REQ: EX-4
    q = _ask(event, name="王先生")
    assert q.status == QuestionStatus.PENDING
    assert selectors.screen_questions(event.pk) == []
    q = qa.question_moderate(
        actor=organiser, event=event.pk, question_id=q.pk, action="approve", seen=q.revision
    )
    assert [x["text"] for x in selectors.screen_questions(event.pk)] == ["产品什么时候上市?"]
    other = _ask(event, text="价格多少?", respondent="a:phone-two-xyz")
    other = qa.question_moderate(
        actor=organiser, event=event.pk, question_id=other.pk, action="approve", seen=1
    )
    qa.question_moderate(
        actor=organiser, event=event.pk, question_id=other.pk, action="pin", seen=other.revision
    )
    assert [x["text"] for x in selectors.screen_questions(event.pk)] == ["价格多少?", "产品什么时候上市?"]
    q = qa.question_moderate(
        actor=organiser, event=event.pk, question_id=q.pk, action="answer", seen=q.revision
    )
    assert q.status == QuestionStatus.ANSWERED
    assert [x["text"] for x in selectors.screen_questions(event.pk)] == ["价格多少?"]
    counts = selectors.interaction_counts(event.pk)
    assert counts["questions"] == 2 and counts["questions_approved"] == 2


@pytest.mark.parametrize(
    ("text", "name", "field"),
    [
        ("", "", "text"),
        ("?", "", "text"),
        ("长" * 301, "", "text"),
        ("有\x00空字符", "", "text"),
        ("好问题", "名\n字", "name"),
        ("好问题", "名" * 41, "name"),
    ],
)
def test_bad_questions_are_refused_on_their_field(event, text, name, field):
    # REQ: EX-4
    with pytest.raises(DomainError) as caught:
        _ask(event, text=text, name=name)
    assert field in caught.value.errors
    assert not Question.objects.exists()


def test_a_flood_from_one_phone_is_refused_with_when_to_try_again(event):
    # REQ: EX-4
    for i in range(qa.QUESTIONS_PER_MINUTE):
        _ask(event, text=f"第 {i} 个问题")
    with pytest.raises(qa.Flood) as caught:
        _ask(event, text="再来一个")
    assert caught.value.status == 429
    assert "每分钟最多 3 个问题" in caught.value.message
    assert Question.objects.count() == qa.QUESTIONS_PER_MINUTE
    _ask(event, text="另一部手机", respondent="a:phone-two-xyz")  # other phones are not held up
    Question.objects.update(asked_at=timezone.now() - dt.timedelta(seconds=61))
    _ask(event, text="一分钟后可以再问")


def test_closed_qa_and_the_wrong_step_refuse_a_question(organiser, event):
    # REQ: EX-4
    key_of(event)
    InteractionSettings.objects.filter(event=event).update(qa_open=False)
    with pytest.raises(DomainError, match="提问环节尚未开放"):
        _ask(event)
    InteractionSettings.objects.filter(event=event).update(qa_open=True)
    Event.objects.filter(pk=event.pk).update(step=Step.NOTIFICATION)
    event.refresh_from_db()
    with pytest.raises(DomainError, match="执行阶段"):
        _ask(event)


def test_moderation_needs_the_stage_a_revision_and_a_known_action(organiser, checkin_staff, event):
    # REQ: EX-4
    q = _ask(event)
    with pytest.raises(NotAllowed):
        qa.question_moderate(actor=checkin_staff, event=event.pk, question_id=q.pk, action="approve", seen=1)
    with pytest.raises(PreconditionRequired):
        qa.question_moderate(actor=organiser, event=event.pk, question_id=q.pk, action="approve", seen=None)
    with pytest.raises(DomainError) as caught:
        qa.question_moderate(actor=organiser, event=event.pk, question_id=q.pk, action="delete", seen=1)
    assert "action" in caught.value.errors
    with pytest.raises(DomainError, match="不适用"):
        qa.question_moderate(actor=organiser, event=event.pk, question_id=q.pk, action="pin", seen=1)
    qa.question_moderate(actor=organiser, event=event.pk, question_id=q.pk, action="reject", seen=1)
    with pytest.raises(Stale):
        qa.question_moderate(actor=organiser, event=event.pk, question_id=q.pk, action="approve", seen=1)


def test_the_stage_manager_moderates(organiser, checkin_staff, event):
    # REQ: EX-4
    from huodong.checkin.services.redeem import settings_for

    settings_for(event)
    from huodong.checkin.models import CheckinSettings

    CheckinSettings.objects.filter(event=event).update(stage_manager=checkin_staff)
    q = _ask(event)
    q = qa.question_moderate(actor=checkin_staff, event=event.pk, question_id=q.pk, action="approve", seen=1)
    assert q.status == QuestionStatus.APPROVED and q.moderated_by == checkin_staff


# ---------------------------------------------------------------- pages
def test_a_guest_asks_on_the_page_and_is_told_about_a_flood(event):
    # REQ: EX-4
    client = phone()
    page = client.get(guest_url(event))
    assert page.status_code == 200 and "现场提问" in page.content.decode()
    for i in range(qa.QUESTIONS_PER_MINUTE):
        r = client.post(guest_url(event, "guest_ask"), {"text": f"问题 {i}", "name": "李"})
        assert r.status_code == 302
    r = client.post(guest_url(event, "guest_ask"), {"text": "太多了"})
    assert r.status_code == 429 and "提问太频繁" in r.content.decode()
    assert Question.objects.filter(event=event).count() == 3
    assert len({q.respondent for q in Question.objects.all()}) == 1  # one phone, one participant
    r = client.post(guest_url(event, "guest_ask"), {"text": ""})
    assert r.status_code == 400 and "不能为空" in r.content.decode()
    assert "问题 0" in client.get(guest_url(event)).content.decode()  # my questions


def test_a_wrong_key_is_404_and_english_is_one_switch_away(event):
    # REQ: EX-4
    client = phone()
    assert client.get("/x/nothing-here/").status_code == 404
    page = client.get(guest_url(event) + "?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.content.decode()
    assert page["Content-Language"] == "en"


def test_the_moderation_page_approves_and_the_screen_data_changes(client, organiser, event):
    # REQ: EX-4
    q = _ask(event, text="大屏能看到吗?")
    login(client, organiser)
    page = client.get(reverse("onsite_interaction:questions", args=[event.pk]))
    assert page.status_code == 200 and "大屏能看到吗?" in page.content.decode()
    data_url = guest_url(event, "screen_data") + "?view=questions"
    first = phone().get(data_url)
    assert first.status_code == 200 and first.json()["questions"] == []
    tag = first["ETag"]
    assert phone().get(data_url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    r = client.post(
        reverse("onsite_interaction:question_moderate", args=[event.pk, q.pk, "approve"]),
        {"revision": q.revision},
    )
    assert r.status_code == 302
    after = phone().get(data_url, HTTP_IF_NONE_MATCH=tag)
    assert after.status_code == 200 and after.json()["questions"][0]["text"] == "大屏能看到吗?"
    # a stale button: said on the page, nothing changed
    r = client.post(
        reverse("onsite_interaction:question_moderate", args=[event.pk, q.pk, "reject"]),
        {"revision": q.revision},
    )
    assert r.status_code == 302
    assert Question.objects.get(pk=q.pk).status == QuestionStatus.APPROVED
    screen = phone().get(guest_url(event, "screen") + "?view=questions")
    assert screen.status_code == 200 and "大屏能看到吗?" in screen.content.decode()


def test_the_moderation_list_refreshes_itself_and_huge_ids_are_not_found(client, organiser, event):
    # REQ: EX-4
    _ask(event, text="轮询能看到吗?")
    login(client, organiser)
    url = reverse("onsite_interaction:questions", args=[event.pk])
    part = client.get(url + "?part=list", HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and "轮询能看到吗?" in part.content.decode()
    assert "<html" not in part.content.decode()
    r = client.post(
        reverse("onsite_interaction:question_moderate", args=[event.pk, 10**20, "approve"]), {"revision": 1}
    )
    assert r.status_code == 404
    assert phone().get(guest_url(event, "lottery_result", 10**20)).status_code == 404
