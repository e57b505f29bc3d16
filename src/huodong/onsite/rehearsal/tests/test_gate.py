"""The gate of 场地布置 (EX-1): every item checked, no failed item without its follow-up done (or re-checked
ok), the full rehearsal passed — every unmet criterion listed at once, in words a user understands."""

from __future__ import annotations

import pytest
from django.utils import translation

from huodong.events.lifecycle import GateBlocked, event_advance, gate_checks, gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.onsite.rehearsal.models import Checklist, ChecklistItem, Section
from huodong.onsite.rehearsal.services import checklist as services
from huodong.planning.tests.conftest import make_event

from .support import check_all_ok, day_before, item, team_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def _unmet(event):
    return {
        c.code: c for c in gate_evaluate(event, Step.SETUP) if c.code.startswith("rehearsal.") and not c.met
    }


def test_the_gate_is_registered_for_setup():
    # REQ: EX-1
    assert "onsite.rehearsal" in gate_checks(Step.SETUP)


def test_a_fresh_checklist_lists_every_unchecked_item_and_the_rehearsal(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    unmet = _unmet(event)
    assert set(unmet) == {"rehearsal.all_checked", "rehearsal.full_rehearsal"}
    n = ChecklistItem.objects.filter(event=event).count()
    assert f"还有 {n} 项未检查" in str(unmet["rehearsal.all_checked"].detail)
    assert "主背景板" in str(unmet["rehearsal.all_checked"].detail)
    assert "全流程彩排" in str(unmet["rehearsal.full_rehearsal"].detail)


def test_a_checklist_never_opened_says_where_to_open_it(organiser):
    # REQ: EX-1
    event = make_event(organiser, step=Step.SETUP)
    assert not Checklist.objects.filter(event=event).exists()
    unmet = _unmet(event)
    assert "「彩排」标签页" in str(unmet["rehearsal.all_checked"].detail)
    assert not Checklist.objects.filter(event=event).exists()  # the gate only reads


def test_a_failure_blocks_until_its_follow_up_is_done_or_the_item_passes(organiser):
    # REQ: EX-1
    crew = team_member()
    event = day_before(organiser, team=[crew])
    check_all_ok(event, organiser)
    assert _unmet(event) == {}
    row = item(event, "projection")
    out = services.item_check(
        actor=crew, event=event, item_id=row.pk, seen=row.revision, result="failed", note="偏色"
    )
    unmet = _unmet(event)
    assert set(unmet) == {"rehearsal.failures_resolved"}
    detail = str(unmet["rehearsal.failures_resolved"].detail)
    assert "投影" in detail and crew.name in detail and "尚未完成" in detail
    # done by hand: the gate opens even though the item still says failed
    services.follow_up_update(actor=crew, event=event, follow_up_id=out.follow_up.pk, seen=1, done=True)
    assert _unmet(event) == {}
    # a new failure opens a new follow-up; passing on a re-check closes it
    row.refresh_from_db()
    services.item_check(
        actor=crew, event=event, item_id=row.pk, seen=row.revision, result="failed", note="又坏了"
    )
    assert set(_unmet(event)) == {"rehearsal.failures_resolved"}
    row.refresh_from_db()
    services.item_check(actor=crew, event=event, item_id=row.pk, seen=row.revision, result="ok")
    assert _unmet(event) == {}


def test_a_failed_rehearsal_keeps_the_gate_shut_even_with_its_follow_up_done(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    check_all_ok(event, organiser)
    row = item(event, "full_rehearsal")
    out = services.item_check(
        actor=organiser,
        event=event,
        item_id=row.pk,
        seen=row.revision,
        result="failed",
        note="转场超时 5 分钟",
    )
    services.follow_up_update(actor=organiser, event=event, follow_up_id=out.follow_up.pk, seen=1, done=True)
    unmet = _unmet(event)
    assert set(unmet) == {"rehearsal.full_rehearsal"}
    assert "全流程彩排" in str(unmet["rehearsal.full_rehearsal"].detail)


def test_a_list_without_rehearsal_items_cannot_pass(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    for row in ChecklistItem.objects.filter(event=event, section=Section.REHEARSAL):
        services.item_remove(actor=organiser, event=event, item_id=row.pk, seen=row.revision)
    check_all_ok(event, organiser)
    unmet = _unmet(event)
    assert set(unmet) == {"rehearsal.full_rehearsal"}
    assert "没有「彩排」项" in str(unmet["rehearsal.full_rehearsal"].detail)


def test_advancing_is_refused_with_every_unmet_criterion_then_allowed(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step=Step.SETUP)
    codes = {c.code for c in exc.value.unmet}
    assert {"rehearsal.all_checked", "rehearsal.full_rehearsal"} <= codes
    check_all_ok(event, organiser)
    remaining = [c for c in gate_evaluate(event, Step.SETUP) if not c.met]
    if not remaining:  # other parts' gates of 场地布置 (if any) are theirs to meet
        event_advance(event=event, actor=organiser, from_step=Step.SETUP)
        assert Event.objects.get(pk=event.pk).step == Step.RUN
    else:
        assert all(not c.code.startswith("rehearsal.") for c in remaining)


def test_the_gate_speaks_english_when_switched(organiser):
    # REQ: EX-1
    event = day_before(organiser)
    with translation.override("en"):
        unmet = _unmet(event)
        detail = str(unmet["rehearsal.all_checked"].detail)
    assert "Backdrop built" in detail  # the items' English names
