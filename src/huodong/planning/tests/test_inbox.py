"""The in-app inbox: who is told when it is their turn (RV-1, AP-1), pending lists per persona, mark as read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huodong.core.models import Notification
from huodong.planning.selectors_approval import (
    pending_approvals_for,
    pending_count,
    pending_department_reviews_for,
)
from tests.factories import login

from .conftest import pass_all_reviews, sign, submit

PERSONAS = ["organiser", "reviewer_sales", "reviewer_finance", "approver_exec", "approver_gm", "outsider"]

# stage → persona → (pending reviews, pending approvals)
EXPECTED = {
    "submitted": {
        "organiser": (0, 0),
        "reviewer_sales": (1, 0),
        "reviewer_finance": (1, 0),
        "approver_exec": (0, 0),
        "approver_gm": (0, 0),
        "outsider": (0, 0),
    },
    "sales decided": {
        "organiser": (0, 0),
        "reviewer_sales": (0, 0),
        "reviewer_finance": (1, 0),
        "approver_exec": (0, 0),
        "approver_gm": (0, 0),
        "outsider": (0, 0),
    },
    "reviewed": {
        "organiser": (0, 0),
        "reviewer_sales": (0, 0),
        "reviewer_finance": (0, 0),
        "approver_exec": (0, 1),
        "approver_gm": (0, 0),
        "outsider": (0, 0),
    },
    "executive signed": {
        "organiser": (0, 0),
        "reviewer_sales": (0, 0),
        "reviewer_finance": (0, 0),
        "approver_exec": (0, 0),
        "approver_gm": (0, 1),
        "outsider": (0, 0),
    },
    "approved": {p: (0, 0) for p in PERSONAS},
}


@pytest.fixture
def people(organiser, reviewers, approver_exec, approver_gm, outsider):
    return {
        "organiser": organiser,
        "reviewer_sales": reviewers["sales"],
        "reviewer_finance": reviewers["finance"],
        "approver_exec": approver_exec,
        "approver_gm": approver_gm,
        "outsider": outsider,
    }


def _advance_to(stage, event, people, reviewers):
    from huodong.planning.services.department_review import department_review_decide

    version = submit(event, people["organiser"])
    if stage == "submitted":
        return
    department_review_decide(
        review=version.reviews.get(department__code="sales"), actor=reviewers["sales"], decision="approve"
    )
    if stage == "sales decided":
        return
    version = pass_all_reviews(version, reviewers)
    if stage == "reviewed":
        return
    sign(version, people["approver_exec"])
    if stage == "executive signed":
        return
    version.refresh_from_db()
    sign(version, people["approver_gm"])


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_each_persona_sees_exactly_their_turn(plan_event, people, reviewers, stage):
    # REQ: RV-1, AP-1 — reviewers and approvers are told when it is their turn.
    _advance_to(stage, plan_event, people, reviewers)
    for name, (n_reviews, n_approvals) in EXPECTED[stage].items():
        user = people[name]
        assert (pending_department_reviews_for(user).count(), pending_approvals_for(user).count()) == (
            n_reviews,
            n_approvals,
        ), name
        assert pending_count(user) == n_reviews + n_approvals


def test_the_inbox_page_lists_pending_items_with_links(client, plan_event, people, reviewers):
    # REQ: RV-1
    submit(plan_event, people["organiser"])
    login(client, reviewers["legal"])
    res = client.get(reverse("planning:inbox"))
    assert res.status_code == 200
    html = res.content.decode()
    assert plan_event.name in html and "法务部" in html
    assert reverse("planning:approval", kwargs={"event_id": plan_event.pk}) in html
    # The navigation badge counts the pending items.
    assert res.context["pending_count"] == 1
    assert '<span class="badge">1</span>' in html


def test_the_organiser_is_told_of_each_decision(plan_event, people, reviewers):
    # REQ: RV-1, AP-1 — the organiser is told when a decision is made.
    _advance_to("approved", plan_event, people, reviewers)
    kinds = list(Notification.objects.filter(recipient=people["organiser"]).values_list("kind", flat=True))
    assert kinds.count("department_review.decided") == 4
    assert {"department_review.passed", "approval.progress", "approval.approved"} <= set(kinds)


def test_notifications_are_marked_read(client, plan_event, people, reviewers):
    submit(plan_event, people["organiser"])
    user = reviewers["sales"]
    note = Notification.objects.get(recipient=user)
    login(client, user)
    assert "标为已读" in client.get(reverse("planning:inbox")).content.decode()
    res = client.post(reverse("planning:inbox_read", args=[note.pk]))
    assert res.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_marks_someone_elses_notification(client, plan_event, people, reviewers, outsider):
    submit(plan_event, people["organiser"])
    note = Notification.objects.get(recipient=reviewers["sales"])
    login(client, outsider)
    client.post(reverse("planning:inbox_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(client, plan_event, people, reviewers):
    _advance_to("approved", plan_event, people, reviewers)
    login(client, people["organiser"])
    client.post(reverse("planning:inbox_read_all"))
    assert not Notification.objects.filter(recipient=people["organiser"], read_at__isnull=True).exists()


def test_the_inbox_needs_sign_in(client):
    res = client.get(reverse("planning:inbox"))
    assert res.status_code == 302 and "login" in res["Location"]
