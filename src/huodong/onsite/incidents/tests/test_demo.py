"""The demo's incidents (``demo.onsite_incidents_demo``): resolved, matched to the risk register, loaded once."""

from __future__ import annotations

import pytest

from huodong.demo.onsite_incidents_demo import demo_incidents_load
from huodong.events.steps import Step
from huodong.onsite.incidents import selectors
from huodong.onsite.incidents.models import Incident

from .support import show_event

pytestmark = pytest.mark.django_db


def test_the_demo_loads_resolved_incidents_once(organiser, marketing_mgr, checkin_staff):
    event = show_event(organiser, [marketing_mgr], step=Step.RESOURCES)
    people = {"organiser": organiser, "marketing_mgr": marketing_mgr, "checkin_staff": checkin_staff}
    demo_incidents_load(event=event, people=people)
    demo_incidents_load(event=event, people=people)
    assert Incident.objects.filter(event=event).count() == 2
    stats = selectors.incident_stats(event.pk)
    assert stats["open"] == 0 and stats["sla_met"] == 1
    assert stats["mean_minutes_to_respond"] == 2.5 and stats["mean_minutes_to_resolve"] == 21.5
    mic = Incident.objects.get(event=event, category="equipment")
    assert "备用麦克风" in selectors.playbook(mic)["backup_resource"]
    assert selectors.statements_of(event)
