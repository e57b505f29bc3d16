"""After approval the event's facts are part of the signed plan: changing them needs the event sent back."""

from __future__ import annotations

import datetime as dt

import pytest

from huodong.core.errors import DomainError
from huodong.events.lifecycle import event_move_back
from huodong.events.models import Event
from huodong.events.services import event_update
from huodong.planning.models import PlanVersion


def _revision(event: Event) -> int:
    """The event's revision as it is now (what a page or API client would send)."""
    return Event.objects.values_list("revision", flat=True).get(pk=event.pk)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", ["resources", "materials", "setup", "data"])
def test_it_refuses_to_move_an_approved_event_without_sending_it_back(event, organiser, step):
    # REQ: LC-2
    # REQ: AP-1
    Event.objects.filter(pk=event.pk).update(step=step)
    event.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        event_update(
            actor=organiser,
            event=event,
            revision=_revision(event),
            starts_at=event.starts_at + dt.timedelta(days=1),
            ends_at=event.ends_at + dt.timedelta(days=1),
            venue="另一个会场",
        )
    assert set(exc.value.errors) == {"starts_at", "ends_at", "venue"}
    assert "退回" in exc.value.message
    event.refresh_from_db()
    assert event.venue != "另一个会场"  # nothing written


def test_team_changes_stay_possible_after_approval(event, organiser, marketing_mgr):
    Event.objects.filter(pk=event.pk).update(step="resources")
    event.refresh_from_db()
    event_update(actor=organiser, event=event, revision=_revision(event), team_members=[marketing_mgr])
    assert list(event.team_members.all()) == [marketing_mgr]


def test_after_sending_the_event_back_the_facts_change_and_the_approved_version_is_superseded(
    organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1
    from .conftest import build_plan_event, pass_all_reviews, sign, submit

    event = build_plan_event(organiser)
    version = pass_all_reviews(submit(event, organiser), reviewers)
    sign(version, approver_exec)
    sign(version, approver_gm)
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.APPROVED
    Event.objects.filter(pk=event.pk).update(step="resources")
    event.refresh_from_db()
    with pytest.raises(DomainError):
        event_update(actor=organiser, event=event, revision=_revision(event), venue="另一个会场")
    event_move_back(event=event, actor=organiser, to_step="plan", reason="场地变更", from_step=event.step)
    event_update(actor=organiser, event=event, revision=_revision(event), venue="另一个会场")
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.SUPERSEDED
