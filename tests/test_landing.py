"""Issue 7, point 3 "Finding one's work": where a person lands after signing in, and the ☰ badge.

A reviewer or approver with pending work lands on 我的待办; everyone else (and a reviewer with nothing
waiting) on the event list; a ``?next=`` still wins. On a phone the ☰ button carries the pending count and
says it ("菜单,3 项待办").
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huodong.planning.tests.conftest import build_plan_event, pass_all_reviews, submit
from tests.factories import PASSWORD, login

pytestmark = pytest.mark.django_db

INBOX = reverse("planning:inbox")
EVENTS = reverse("events:list")


def sign_in(client: Client, user, next_url: str = "") -> str:
    """Sign in through the login form; the address the answer sends the person to."""
    url = reverse("core:login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


@pytest.fixture
def submitted(organiser, reviewers, approver_exec, approver_gm):
    """An event at 审批定稿 with v1 submitted to the four departments (each reviewer has one review)."""
    return submit(build_plan_event(organiser), organiser)


def test_a_reviewer_with_a_pending_review_lands_on_the_inbox(client, submitted, reviewer_legal):
    assert sign_in(client, reviewer_legal) == INBOX


def test_an_approver_with_a_plan_to_sign_lands_on_the_inbox(client, submitted, reviewers, approver_exec):
    pass_all_reviews(submitted, reviewers)
    assert sign_in(client, approver_exec) == INBOX


def test_an_approver_with_nothing_to_sign_yet_lands_on_the_event_list(client, submitted, approver_exec):
    assert sign_in(client, approver_exec) == EVENTS  # the reviews are not done: nothing waits for them


def test_a_reviewer_with_nothing_pending_lands_on_the_event_list(client, reviewer_legal):
    assert sign_in(client, reviewer_legal) == EVENTS


def test_an_organiser_lands_on_the_event_list(client, submitted, organiser):
    assert sign_in(client, organiser) == EVENTS


def test_next_still_says_where_a_reviewer_with_pending_work_goes(client, submitted, reviewer_legal):
    assert sign_in(client, reviewer_legal, next_url=EVENTS) == EVENTS


def test_a_signed_in_reviewer_who_opens_the_login_page_goes_to_the_inbox(client, submitted, reviewer_legal):
    login(client, reviewer_legal)
    response = client.get(reverse("core:login"))
    assert response.status_code == 302 and response["Location"] == INBOX


def test_the_menu_button_carries_the_pending_count_and_says_it(client, submitted, reviewers, reviewer_legal):
    login(client, reviewer_legal)
    html = client.get(EVENTS).content.decode()
    assert 'aria-label="菜单,1 项待办"' in html
    assert '<span class="badge" data-testid="menu-pending">1</span>' in html


def test_the_menu_button_has_no_badge_without_pending_work(client, organiser):
    login(client, organiser)
    html = client.get(EVENTS).content.decode()
    assert 'aria-label="菜单"' in html
    assert 'data-testid="menu-pending"' not in html
