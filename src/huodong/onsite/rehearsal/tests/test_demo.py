"""The demo's checklist (EX-1): partly done, once, on an event in preparation or on the day."""

from __future__ import annotations

import pytest

from huodong.checkin.models import GateStaff
from huodong.demo.onsite_rehearsal_demo import demo_rehearsal_load
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.onsite.rehearsal.models import ChecklistItem, FollowUp, Result
from tests.factories import demo_person

from .support import day_before

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", [Step.RESOURCES, Step.SETUP])
def test_the_demo_checklist_is_partly_done_and_loads_once(step):
    # REQ: EX-1
    people = {k: demo_person(k) for k in ("organiser", "marketing_mgr", "staff", "checkin_staff")}
    event = day_before(people["organiser"], step=step, team=[people["marketing_mgr"], people["staff"]])
    GateStaff.objects.create(event=event, person=people["checkin_staff"])
    ChecklistItem.objects.filter(event=event).delete()
    event.rehearsal_checklist.delete()
    demo_rehearsal_load(event=event, people=people)
    demo_rehearsal_load(event=event, people=people)
    items = ChecklistItem.objects.filter(event=event)
    assert items.filter(title="VIP 休息室布置").count() == 1
    assert items.filter(result=Result.OK).count() == 5
    assert items.filter(result=Result.FAILED).get().code == "projection"
    assert FollowUp.objects.get(event=event).owner == people["marketing_mgr"]
    assert items.filter(result=Result.UNCHECKED).exists()
    unmet = {c.code for c in gate_evaluate(event, Step.SETUP) if not c.met}
    assert {"rehearsal.all_checked", "rehearsal.failures_resolved", "rehearsal.full_rehearsal"} <= unmet
