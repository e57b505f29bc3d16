"""The live run of show (EX-3): starting and ending segments, the refusals, the projection that a late
start or an overrun shifts, the owners told at once (in-app and the event's robots through the outbox,
once per shift), punctuality and the gate of 流程执行."""
# ruff: noqa: F811  (the outbox fixtures are imported by name, and named by the tests)

from __future__ import annotations

import pytest
from django.db import connection

from huodong.core.errors import Conflict, DomainError, NotAllowed, NotFound
from huodong.core.models import Notification
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.onsite.show import selectors
from huodong.onsite.show.models import SegmentRun, ShiftNotice
from huodong.onsite.show.services import run as services
from huodong.outreach.models import Message
from huodong.outreach.tests.test_delivery_fixtures import deliverer, http_stub  # noqa: F401
from huodong.planning.tests.conftest import move

from .support import T0, minutes, robot_for, show_event

pytestmark = pytest.mark.django_db


def _start(show, title, at, actor):
    return services.segment_start(actor=actor, event=show.event.pk, segment_id=show.seg(title).pk, at=at)


def _end(show, title, at, actor):
    return services.segment_end(actor=actor, event=show.event.pk, segment_id=show.seg(title).pk, at=at)


def _projected(show, now):
    return {r.segment.title: (r.start, r.end, r.status) for r in selectors.projection(show.event, now)}


def test_a_late_opening_shifts_every_later_segment_and_tells_their_owners_in_app_and_by_robot(
    organiser, http_stub, settings
):
    # REQ: EX-3 — the opening starts 10 minutes late: 主题演讲, 产品发布, 抽奖 and the parallel 展区开放
    # move 10 minutes; each owner hears of it once, in the inbox and in the requesting department's robot
    # group (a local HTTP server receives the webhook from the outbox worker).
    settings.HUODONG_WECOM_BASE_URL = http_stub.base
    show = show_event(organiser)
    robot_for(show.event)
    _start(show, "开场", T0 + minutes(10), organiser)
    p = _projected(show, T0 + minutes(10))
    assert p["开场"][:2] == (T0 + minutes(10), T0 + minutes(20))
    assert p["主题演讲"][0] == T0 + minutes(20)
    assert p["展区开放"][0] == T0 + minutes(20)  # parallel: follows its anchor, 主题演讲... via the opening
    assert p["产品发布"][0] == T0 + minutes(50)
    assert p["抽奖"][0] == T0 + minutes(70)

    speaker, expo, crew, host = (show.owners[k] for k in ("speaker", "expo", "crew", "host"))
    notes = {n.recipient_id: n for n in Notification.objects.filter(kind=services.SHIFT_KIND)}
    assert set(notes) == {speaker.pk, expo.pk, crew.pk}  # not the host: the opening itself runs
    assert "主题演讲" in notes[speaker.pk].message and "13:50" in notes[speaker.pk].message
    assert "另有 1 个环节" in notes[speaker.pk].message  # 产品发布 too: one message per owner
    assert "14:40" in notes[crew.pk].message and host.pk not in notes
    assert notes[crew.pk].url.endswith(f"/events/{show.event.pk}/show/mine/")

    robots = Message.objects.filter(event=show.event, channel="robot").order_by("id")
    assert robots.count() == 3
    outcomes = deliverer().run_once()
    assert outcomes["sent"] == 3
    bodies = [r.body["markdown"]["content"] for r in http_stub.requests]
    assert all(r.path == "/cgi-bin/webhook/send?key=SHOW-KEY" for r in http_stub.requests)
    speaker_body = next(b for b in bodies if "讲者老李" in b)
    assert "「主题演讲」预计 13:50 开始(原计划 13:40)" in speaker_body
    assert "「产品发布」预计 14:20 开始(原计划 14:10)" in speaker_body


def test_the_same_shift_computed_again_tells_nobody_twice(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    robot_for(show.event)
    _start(show, "开场", T0 + minutes(10), organiser)
    counts = (Notification.objects.count(), Message.objects.count(), ShiftNotice.objects.count())
    assert services.announce_shifts(show.event, now=T0 + minutes(10)) == 0
    assert (
        services.announce_shifts(
            show.event,
            now=T0
            + minutes(
                10,
            ),
        )
        == 0
    )
    # Even with the "told" marks lost, the notice's key stops a second message for the same shift.
    SegmentRun.objects.filter(event=show.event).update(notified_start=None)
    assert services.announce_shifts(show.event, now=T0 + minutes(10)) == 0
    assert (Notification.objects.count(), Message.objects.count(), ShiftNotice.objects.count()) == counts


def test_a_shift_under_a_minute_is_not_told(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    _start(show, "开场", T0 + minutes(0.5), organiser)
    assert not Notification.objects.filter(kind=services.SHIFT_KIND).exists()
    assert minutes(1) == services.SHIFT_NOTICE


def test_an_overrun_shifts_what_follows_and_is_told_when_it_ends(organiser):
    # REQ: EX-3 — on time, then 主题演讲 runs 8 minutes over: 产品发布 and 抽奖 move 8 minutes.
    show = show_event(organiser)
    _start(show, "开场", T0, organiser)
    _end(show, "开场", T0 + minutes(10), organiser)
    _start(show, "主题演讲", T0 + minutes(10), organiser)
    _start(show, "展区开放", T0 + minutes(10), organiser)
    assert not Notification.objects.filter(kind=services.SHIFT_KIND).exists()
    # While it runs over, the projection already moves (the stage view shows it) …
    p = _projected(show, T0 + minutes(45))
    assert p["主题演讲"][1] == T0 + minutes(45) and p["产品发布"][0] == T0 + minutes(45)
    # … and ending it 8 minutes late tells the owners of the shifted segments.
    _end(show, "主题演讲", T0 + minutes(48), organiser)
    p = _projected(show, T0 + minutes(48))
    assert p["产品发布"][0] == T0 + minutes(48) and p["抽奖"][0] == T0 + minutes(68)
    told = set(Notification.objects.filter(kind=services.SHIFT_KIND).values_list("recipient_id", flat=True))
    assert told == {show.owners["speaker"].pk, show.owners["crew"].pk}


def test_projections_are_never_earlier_than_planned_and_a_skip_takes_no_time(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    _start(show, "开场", T0 - minutes(3), organiser)
    _end(show, "开场", T0 + minutes(2), organiser)  # ended 8 minutes early
    p = _projected(show, T0 + minutes(2))
    assert p["主题演讲"][0] == T0 + minutes(10) and p["展区开放"][0] == T0 + minutes(10)
    services.segment_skip(
        actor=organiser, event=show.event.pk, segment_id=show.seg("产品发布").pk, reason="讲者航班延误",
        at=T0 + minutes(5),
    )  # fmt: skip
    p = _projected(show, T0 + minutes(5))
    assert p["产品发布"][2] == "skipped" and p["抽奖"][0] == T0 + minutes(60)


def test_a_parallel_segment_follows_its_anchor_and_may_run_alongside(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    _start(show, "开场", T0, organiser)
    _end(show, "开场", T0 + minutes(15), organiser)  # 5 minutes over
    p = _projected(show, T0 + minutes(15))
    assert p["主题演讲"][0] == T0 + minutes(15) and p["展区开放"][0] == T0 + minutes(15)
    _start(show, "主题演讲", T0 + minutes(15), organiser)
    _start(show, "展区开放", T0 + minutes(16), organiser)  # alongside the keynote: allowed
    state = selectors.stage_state(show.event.pk, T0 + minutes(17))
    assert state["current"]["title"] == "主题演讲" and state["next"]["title"] == "产品发布"


def test_a_segment_started_twice_is_refused_and_says_when_and_by_whom(organiser, marketing_mgr):
    # REQ: EX-3
    show = show_event(organiser)
    _start(show, "开场", T0 + minutes(1), organiser)
    before = SegmentRun.objects.get(segment=show.seg("开场"))
    with pytest.raises(Conflict) as exc:
        _start(show, "开场", T0 + minutes(2), organiser)
    assert "已于 13:31" in exc.value.message and organiser.name in exc.value.message
    after = SegmentRun.objects.get(segment=show.seg("开场"))
    assert (after.started_at, after.revision) == (before.started_at, before.revision)


def test_a_segment_ended_before_it_started_or_twice_is_refused(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    with pytest.raises(DomainError) as exc:
        _end(show, "开场", T0, organiser)
    assert exc.value.status == 400 and "尚未开始" in exc.value.message
    assert not SegmentRun.objects.filter(event=show.event, ended_at__isnull=False).exists()
    _start(show, "开场", T0, organiser)
    with pytest.raises(DomainError) as early:
        _end(show, "开场", T0 - minutes(1), organiser)
    assert "早于开始时间" in early.value.message
    _end(show, "开场", T0 + minutes(10), organiser)
    with pytest.raises(Conflict):
        _end(show, "开场", T0 + minutes(11), organiser)


def test_a_main_segment_cannot_start_while_another_runs_and_the_refusal_names_it(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    _start(show, "开场", T0, organiser)
    with pytest.raises(Conflict) as exc:
        _start(show, "主题演讲", T0 + minutes(5), organiser)
    assert "「开场」" in exc.value.message and "仍在进行" in exc.value.message
    assert SegmentRun.objects.get(segment=show.seg("主题演讲")).started_at is None


def test_skipping_needs_a_reason_and_a_waiting_segment(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    seg = show.seg("产品发布").pk
    for bad in ("", "   ", "a" * 201, "换行\n不行", None):
        with pytest.raises(DomainError) as exc:
            services.segment_skip(actor=organiser, event=show.event.pk, segment_id=seg, reason=bad)
        assert "reason" in exc.value.errors
    services.segment_skip(actor=organiser, event=show.event.pk, segment_id=seg, reason="时间不够")
    with pytest.raises(Conflict):
        services.segment_skip(actor=organiser, event=show.event.pk, segment_id=seg, reason="再跳")
    with pytest.raises(DomainError) as started:
        _start(show, "产品发布", T0, organiser)
    assert "已跳过" in started.value.message
    _start(show, "开场", T0, organiser)
    with pytest.raises(Conflict):
        services.segment_skip(
            actor=organiser, event=show.event.pk, segment_id=show.seg("开场").pk, reason="晚了"
        )


def test_outside_the_execution_phase_nothing_is_started(organiser):
    # REQ: EX-3
    show = show_event(organiser, step=Step.NOTIFICATION)
    with pytest.raises(DomainError) as exc:
        _start(show, "开场", T0, organiser)
    assert exc.value.code == "wrong_step" and "场地布置" in exc.value.message
    assert not SegmentRun.objects.exists()
    move(show.event, Step.DATA)
    with pytest.raises(DomainError):
        _start(show, "开场", T0, organiser)


def test_only_the_stage_may_press_and_only_segments_of_the_event(organiser, outsider, checkin_staff):
    # REQ: EX-3
    from huodong.checkin.models import CheckinSettings

    show = show_event(organiser)
    other = show_event(organiser, name="另一场活动")
    with pytest.raises(NotAllowed):
        _start(show, "开场", T0, outsider)
    with pytest.raises(NotFound):
        services.segment_start(actor=organiser, event=show.event.pk, segment_id=other.seg("开场").pk, at=T0)
    with pytest.raises(NotFound):
        services.segment_start(actor=organiser, event=show.event.pk, segment_id="x", at=T0)
    CheckinSettings.objects.create(event=show.event, stage_manager=checkin_staff)
    assert _start(show, "开场", T0, checkin_staff).started_by_id == checkin_staff.pk  # the stage manager


def test_punctuality_and_the_stage_state(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    assert selectors.punctuality(show.event.pk) == {
        "segments": 5, "started": 0, "ended": 0, "skipped": 0, "on_time": 0,
        "late_minutes_max": 0, "late_minutes_total": 0, "current": None,
    }  # fmt: skip
    _start(show, "开场", T0 + minutes(1), organiser)
    _end(show, "开场", T0 + minutes(12), organiser)
    _start(show, "主题演讲", T0 + minutes(16), organiser)
    services.segment_skip(
        actor=organiser, event=show.event.pk, segment_id=show.seg("展区开放").pk, reason="场地"
    )
    got = selectors.punctuality(show.event.pk)
    assert got == {
        "segments": 5, "started": 2, "ended": 1, "skipped": 1, "on_time": 1,
        "late_minutes_max": 6, "late_minutes_total": 7, "current": "主题演讲",
    }  # fmt: skip
    state = selectors.stage_state(show.event.pk, T0 + minutes(20))
    assert state["current"]["title"] == "主题演讲" and state["next"]["title"] == "产品发布"
    assert state["late_minutes"] == 6 and state["next"]["projected_label"] == "14:16–14:36"
    assert state["projected_end_label"] == "14:51" and state["planned_end_label"] == "14:45"


def test_the_gate_of_run_waits_for_every_segment_ended_or_skipped_with_a_reason(organiser):
    # REQ: EX-3
    show = show_event(organiser)
    (criterion,) = [c for c in gate_evaluate(show.event, Step.RUN) if c.code == "show.segments_done"]
    assert not criterion.met and "开场" in str(criterion.detail) and "抽奖" in str(criterion.detail)
    at = T0
    for title in ("开场", "主题演讲", "产品发布"):
        _start(show, title, at, organiser)
        at += minutes(20)
        _end(show, title, at, organiser)
    services.segment_skip(
        actor=organiser, event=show.event.pk, segment_id=show.seg("展区开放").pk, reason="下雨"
    )
    (criterion,) = [c for c in gate_evaluate(show.event, Step.RUN) if c.code == "show.segments_done"]
    assert not criterion.met and str(criterion.detail) == "尚未结束的环节:抽奖"
    _start(show, "抽奖", at, organiser)
    _end(show, "抽奖", at + minutes(15), organiser)
    (criterion,) = [c for c in gate_evaluate(show.event, Step.RUN) if c.code == "show.segments_done"]
    assert criterion.met


def test_two_phones_pressing_start_at_once_record_one_start(organiser, marketing_mgr):
    # REQ: EX-3 — on PostgreSQL with threads (the SQLite test database is shared by threads); the
    # conditional update itself is shown below on either database.
    show = show_event(organiser)
    services.runs_ensure(show.event)
    run = SegmentRun.objects.get(segment=show.seg("开场"))
    first = SegmentRun.objects.filter(pk=run.pk, started_at__isnull=True).update(started_at=T0)
    second = SegmentRun.objects.filter(pk=run.pk, started_at__isnull=True).update(started_at=T0 + minutes(1))
    assert (first, second) == (1, 0)
    assert SegmentRun.objects.get(pk=run.pk).started_at == T0
    assert connection.vendor in ("sqlite", "postgresql")


def test_the_demo_loader_prepares_a_live_record_per_segment_and_is_idempotent(organiser):
    # REQ: EX-3
    from huodong.demo.onsite_show_demo import demo_show_load

    show = show_event(organiser, step=Step.RESOURCES)
    demo_show_load(event=show.event, people={"organiser": organiser})
    demo_show_load(event=show.event, people={"organiser": organiser})
    assert SegmentRun.objects.filter(event=show.event).count() == 5
    assert selectors.stage_state(show.event.pk, T0 - minutes(60))["next"]["title"] == "开场"
