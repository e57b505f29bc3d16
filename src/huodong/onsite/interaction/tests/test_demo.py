"""The demo's interaction (EX-4): loaded on the prepared event, twice is once."""

from __future__ import annotations

import pytest

from huodong.demo.onsite_interaction_demo import demo_interaction_load

from .. import selectors
from ..models import Draw
from ..services import lottery
from .support import show_event

pytestmark = pytest.mark.django_db


def test_the_demo_fills_interaction_once(organiser, marketing_mgr):
    # REQ: EX-4
    event = show_event(organiser, 4, checked_in=2)
    people = {"organiser": organiser, "marketing_mgr": marketing_mgr}
    demo_interaction_load(event=event, people=people)
    demo_interaction_load(event=event, people=people)
    counts = selectors.interaction_counts(event.pk)
    assert counts["questions"] == 5 and counts["survey_answers"] == 4
    assert selectors.survey_summary(event.pk)["nps"] == 25
    draw = Draw.objects.get(event=event)
    assert len(draw.eligible) == 2 and draw.seed_commitment == lottery.commitment(draw.seed)
    draw = lottery.draw_run(actor=organiser, event=event.pk, draw_id=draw.pk, seen=draw.revision)
    assert lottery.draw_replay(draw.pk).match
