"""Run of show (PL-2): template prefill, inside the event's time, no overlap unless parallel, move."""

from __future__ import annotations

import pytest

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.planning.models import RunOfShowSegment
from huodong.planning.services.run_of_show import (
    segment_add,
    segment_move,
    segment_remove,
    segment_update,
    segments_relayout,
)

from .conftest import at, move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def test_a_new_plan_is_prefilled_with_the_launch_template_back_to_back(plan, event):
    # REQ: PL-2
    segments = list(plan.segments.order_by("starts_at"))
    assert [s.title for s in segments] == [
        "签到",
        "开场",
        "领导致辞",
        "产品讲解",
        "互动体验",
        "签约仪式",
        "合影",
    ]
    assert segments[0].starts_at == event.starts_at
    for a, b in zip(segments, segments[1:], strict=False):
        assert b.starts_at == a.ends_at
    assert segments[-1].ends_at == at(16, 20)
    assert plan.risks.count() == 4
    assert plan.currency == "CNY"


@pytest.mark.parametrize(
    ("start", "minutes", "field", "words"),
    [
        (at(13, 0), 20, "starts_at", ["早于活动开始 13:30", "13:30–17:30"]),
        (at(17, 20), 20, "duration_minutes", ["结束于 17:40", "晚于活动结束 17:30", "Asia/Shanghai"]),
        (at(16, 30), 0, "duration_minutes", ["大于 0"]),
        (at(16, 30), -5, "duration_minutes", ["大于 0"]),
        (at(13, 30), 241, "duration_minutes", ["超过活动总时长 240 分钟"]),
    ],
)
def test_it_refuses_a_segment_outside_the_event_time_and_writes_nothing(
    plan, event, organiser, start, minutes, field, words
):
    # REQ: PL-2
    before = (RunOfShowSegment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        segment_add(
            actor=organiser,
            event=event,
            title="合影",
            starts_at=start,
            duration_minutes=minutes,
            owner=organiser,
            key_actions="拍照",
        )
    assert field in exc.value.errors
    message = str(exc.value.errors[field][0])
    for w in words:
        assert w in message
    assert (RunOfShowSegment.objects.count(), AuditEntry.objects.count()) == before


def test_a_naive_start_is_read_in_the_event_time_zone(plan, event, organiser):
    # REQ: PL-2
    import datetime as dt

    seg = segment_add(
        actor=organiser,
        event=event,
        title="媒体专访",
        starts_at=dt.datetime(2027, 3, 18, 16, 30),
        duration_minutes=30,
        owner=organiser,
        key_actions="专访",
    )
    assert seg.starts_at == at(16, 30)


@pytest.mark.parametrize(
    ("parallel_new", "parallel_existing", "refused"),
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_overlap_is_refused_unless_one_of_the_segments_is_parallel(
    plan, event, organiser, parallel_new, parallel_existing, refused
):
    # REQ: PL-2
    existing = plan.segments.get(title="互动体验")  # 15:05–15:50
    RunOfShowSegment.objects.filter(pk=existing.pk).update(parallel=parallel_existing)
    kwargs = dict(
        actor=organiser,
        event=event,
        title="媒体专访",
        starts_at=at(15, 10),
        duration_minutes=20,
        parallel=parallel_new,
    )
    if refused:
        with pytest.raises(DomainError) as exc:
            segment_add(**kwargs)
        message = str(exc.value.errors["starts_at"][0])
        assert "「互动体验」" in message and "15:05–15:50" in message and "并行" in message
        assert not plan.segments.filter(title="媒体专访").exists()
    else:
        assert segment_add(**kwargs).pk


def test_updating_a_segment_checks_the_window_again_and_keeps_the_old_values(plan, event, organiser):
    # REQ: PL-2
    photo = plan.segments.get(title="合影")  # 16:10–16:20
    with pytest.raises(DomainError) as exc:
        segment_update(
            actor=organiser, event=event, segment_id=photo.pk, seen=photo.revision, starts_at=at(17, 30)
        )
    assert "晚于活动结束 17:30" in str(exc.value.errors["duration_minutes"][0])
    photo.refresh_from_db()
    assert photo.starts_at == at(16, 10)
    assert segment_update(
        actor=organiser,
        event=event,
        segment_id=photo.pk,
        seen=photo.revision,
        starts_at=at(17, 0),
        duration_minutes=30,
    ).ends_at == at(17, 30)


def test_moving_a_segment_up_swaps_it_with_its_neighbour_inside_their_span(plan, event, organiser):
    # REQ: PL-2
    speech = plan.segments.get(title="领导致辞")  # 14:10–14:25 after 开场 14:00–14:10
    segment_move(actor=organiser, event=event, segment_id=speech.pk, direction="up")
    titles = list(plan.segments.order_by("starts_at").values_list("title", flat=True))
    assert titles[:3] == ["签到", "领导致辞", "开场"]
    assert list(plan.segments.order_by("position").values_list("title", flat=True))[:3] == titles[:3]
    speech.refresh_from_db()
    opening = plan.segments.get(title="开场")
    assert speech.starts_at == at(14, 0) and opening.starts_at == at(14, 15) and opening.ends_at == at(14, 25)
    first = plan.segments.get(title="签到")
    with pytest.raises(DomainError):
        segment_move(actor=organiser, event=event, segment_id=first.pk, direction="up")


def test_relayout_lays_segments_back_to_back_from_the_start(plan, event, organiser):
    # REQ: PL-2
    seg = plan.segments.get(title="签到")
    segment_remove(actor=organiser, event=event, segment_id=seg.pk, seen=seg.revision)
    assert segments_relayout(actor=organiser, event=event) == 6
    first = plan.segments.order_by("starts_at").first()
    assert first.title == "开场" and first.starts_at == event.starts_at


def test_an_outsider_may_not_change_the_run_of_show(plan, event, outsider):
    # REQ: PL-2
    with pytest.raises(NotAllowed):
        segment_add(actor=outsider, event=event, title="x", starts_at=at(16, 30), duration_minutes=10)


@pytest.mark.parametrize("step", [Step.NEEDS, Step.RESOURCES])
def test_the_run_of_show_cannot_change_outside_the_plan_steps(plan, event, organiser, step):
    # REQ: LC-2
    move(event, step)
    with pytest.raises(DomainError) as exc:
        segment_add(actor=organiser, event=event, title="x", starts_at=at(16, 30), duration_minutes=10)
    assert exc.value.code == "wrong_step"
    assert not plan.segments.filter(title="x").exists()
