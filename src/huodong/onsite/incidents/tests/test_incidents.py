"""The incident log's rules (EX-5): report with a category, the playbook from the plan's risk register, the
moves through one table, the timeline and the times to respond and resolve, 舆情 posts and the one agreed
statement, the gate of 突发应对 and the selectors the dashboard reads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Notification
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.onsite.incidents import selectors
from huodong.onsite.incidents.models import (
    MOVES,
    TECHNICIAN_SLA,
    Category,
    Incident,
    IncidentAction,
    Move,
    Status,
)
from huodong.onsite.incidents.services import incidents as services
from huodong.planning.tests.conftest import move as move_event

from .support import risk, show_event, stage_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser, marketing_mgr, checkin_staff):
    return show_event(organiser, [marketing_mgr, checkin_staff])


def report(event, who, category="equipment", title="主会场投影无信号", **kw):
    return services.incident_report(actor=who, event=event, category=category, title=title, **kw)


# ---------------------------------------------------------------- report
def test_an_incident_is_reported_with_its_reporter_and_the_servers_time(event, checkin_staff):
    # REQ: EX-5
    moment = dt.datetime(2026, 5, 1, 5, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        incident = report(event, checkin_staff, severity="high", description="投影仪突然黑屏")
    assert incident.reporter == checkin_staff and incident.reported_at == moment
    assert incident.category == Category.EQUIPMENT and incident.severity == "high"
    assert incident.status == Status.OPEN
    assert list(incident.actions.values_list("kind", flat=True)) == [IncidentAction.Kind.REPORT]


@pytest.mark.parametrize("category", [None, "", "fire", 3, ["equipment"]])
def test_an_incident_without_a_category_is_a_field_error(event, checkin_staff, category):
    # REQ: EX-5
    with pytest.raises(DomainError) as caught:
        report(event, checkin_staff, category=category)
    assert "category" in caught.value.errors
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "两行\n标题"}, "title"),
        ({"severity": "huge"}, "severity"),
        ({"description": "x" * 2001}, "description"),
        ({"risk": 999999}, "risk"),
        ({"risk": "abc"}, "risk"),
    ],
)
def test_bad_input_of_a_report_names_its_field_and_writes_nothing(event, checkin_staff, fields, field):
    # REQ: EX-5
    data = {"category": "equipment", "title": "投影无信号", **fields}
    with pytest.raises(DomainError) as caught:
        services.incident_report(actor=checkin_staff, event=event, **data)
    assert field in caught.value.errors
    assert Incident.objects.count() == 0 and IncidentAction.objects.count() == 0


def test_a_risk_of_another_event_cannot_be_picked(event, organiser, checkin_staff):
    other = show_event(organiser)
    with pytest.raises(DomainError) as caught:
        report(event, checkin_staff, risk=risk(other, "设备").pk)
    assert "risk" in caught.value.errors


def test_someone_outside_the_team_on_the_day_cannot_report(event, reviewer_sales):
    with pytest.raises(NotAllowed):
        report(event, reviewer_sales)


def test_incidents_are_logged_only_in_the_execution_phase(event, organiser):
    move_event(event, Step.NOTIFICATION)
    with pytest.raises(DomainError) as caught:
        report(event, organiser)
    assert caught.value.code == "wrong_step"
    move_event(event, Step.SETUP)
    assert report(event, organiser).pk


def test_the_supervisor_is_told_of_a_new_incident(event, checkin_staff, organiser):
    report(event, checkin_staff)
    told = set(
        Notification.objects.filter(kind=services.REPORT_KIND).values_list("recipient__username", flat=True)
    )
    assert told == {organiser.username, stage_manager().username}


# ---------------------------------------------------------------- playbook
def test_the_playbook_of_an_equipment_incident_shows_the_backup_equipment_at_once(event, checkin_staff):
    # REQ: EX-5
    incident = report(event, checkin_staff)
    book = selectors.playbook(incident)
    assert book["risk"] == risk(event, "设备故障")
    assert book["response"] == "立即启用备用设备,技术人员 15 分钟内到场"
    assert book["backup_resource"] == "备用投影仪、备用麦克风"


def test_a_personnel_incident_shows_the_substitute(event, checkin_staff):
    # REQ: EX-5
    incident = report(event, checkin_staff, category="personnel", title="主持人堵车来不了")
    book = selectors.playbook(incident)
    assert book["risk"] == risk(event, "主持人")
    assert book["substitute"] == "备用主持人、备用礼仪"


def test_an_opinion_incident_offers_the_agreed_statements(event, organiser, checkin_staff):
    # REQ: EX-5
    agreed = services.statement_add(
        actor=organiser, event=event, title="产品质量", text="我们高度重视,已安排专人跟进。"
    )
    incident = report(event, checkin_staff, category="opinion", title="微博出现负面评论")
    book = selectors.playbook(incident)
    assert book["risk"] == risk(event, "舆情")
    assert book["statements"] == [agreed]


def test_the_reporter_may_pick_the_risk(event, checkin_staff):
    # REQ: EX-5
    late = risk(event, "开场延误")
    incident = report(event, checkin_staff, category="other", title="嘉宾入场慢", risk=late.pk)
    assert incident.risk == late
    assert selectors.playbook(incident)["response"] == late.response


def test_no_matching_risk_says_so(event, checkin_staff):
    incident = report(event, checkin_staff, category="safety", title="有人滑倒")
    book = selectors.playbook(incident)
    assert book["risk"] is None and book["none"]


# ---------------------------------------------------------------- moves
def _seen(incident):
    incident.refresh_from_db()
    return incident.revision


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("move", list(Move))
def test_only_the_moves_of_the_table_are_allowed(event, organiser, status, move):
    # REQ: EX-5
    incident = report(event, organiser)
    Incident.objects.filter(pk=incident.pk).update(status=status)
    leaves, reaches = MOVES[move]
    call = {
        "actor": organiser,
        "event": event,
        "incident_id": incident.pk,
        "seen": _seen(incident),
        "move": move,
    }
    if move == Move.RESOLVE:
        call["resolution"] = "已更换备用投影仪"
    if status in leaves:
        assert services.incident_move(**call).status == reaches
    else:
        with pytest.raises(DomainError) as caught:
            services.incident_move(**call)
        assert "move" in caught.value.errors
        incident.refresh_from_db()
        assert incident.status == status


def test_an_unknown_move_is_a_field_error(event, organiser):
    incident = report(event, organiser)
    with pytest.raises(DomainError) as caught:
        services.incident_move(actor=organiser, event=event, incident_id=incident.pk, seen=1, move="close")
    assert "move" in caught.value.errors


def test_a_move_needs_the_revision_it_saw(event, organiser):
    incident = report(event, organiser)
    with pytest.raises(PreconditionRequired):
        services.incident_move(actor=organiser, event=event, incident_id=incident.pk, seen=None, move="start")
    services.incident_move(actor=organiser, event=event, incident_id=incident.pk, seen=1, move="start")
    with pytest.raises(Stale):
        services.incident_move(
            actor=organiser, event=event, incident_id=incident.pk, seen=1, move="resolve", resolution="好了"
        )


def test_resolving_needs_a_resolution_and_the_stage_manager(event, organiser, checkin_staff):
    # REQ: EX-5
    incident = report(event, checkin_staff)
    with pytest.raises(NotAllowed):
        services.incident_move(
            actor=checkin_staff,
            event=event,
            incident_id=incident.pk,
            seen=1,
            move="resolve",
            resolution="好了",
        )
    with pytest.raises(DomainError) as caught:
        services.incident_move(
            actor=stage_manager(), event=event, incident_id=incident.pk, seen=1, move="resolve"
        )
    assert "resolution" in caught.value.errors
    done = services.incident_move(
        actor=stage_manager(),
        event=event,
        incident_id=incident.pk,
        seen=1,
        move="resolve",
        resolution="已更换",
    )
    assert done.status == Status.RESOLVED and done.resolution == "已更换"


def test_the_team_on_the_day_takes_an_incident_up(event, checkin_staff):
    incident = report(event, checkin_staff)
    started = services.incident_move(
        actor=checkin_staff, event=event, incident_id=incident.pk, seen=1, move="start"
    )
    assert started.status == Status.IN_PROGRESS


def test_reopening_clears_the_resolution_time(event, organiser):
    incident = report(event, organiser)
    services.incident_move(
        actor=organiser, event=event, incident_id=incident.pk, seen=1, move="resolve", resolution="好了"
    )
    again = services.incident_move(
        actor=organiser, event=event, incident_id=incident.pk, seen=2, move="reopen"
    )
    assert again.status == Status.OPEN and again.resolved_at is None
    kinds = list(again.actions.values_list("kind", flat=True))
    assert kinds == ["report", "resolve", "reopen"]


# ---------------------------------------------------------------- times
def test_times_to_respond_and_to_resolve_are_computed(event, organiser, checkin_staff):
    # REQ: EX-5
    start = dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        incident = report(event, checkin_staff)
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        services.incident_note(actor=checkin_staff, event=event, incident_id=incident.pk, text="已联系技术")
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        services.incident_note(actor=checkin_staff, event=event, incident_id=incident.pk, text="再次确认")
    with time_machine.travel(start + dt.timedelta(minutes=21), tick=False):
        services.incident_move(
            actor=organiser, event=event, incident_id=incident.pk, seen=1, move="resolve", resolution="已恢复"
        )
    incident.refresh_from_db()
    assert selectors.minutes_to_respond(incident) == 4.0
    assert selectors.minutes_to_resolve(incident) == 21.0
    stats = selectors.incident_stats(event.pk)
    assert stats["mean_minutes_to_respond"] == 4.0 and stats["mean_minutes_to_resolve"] == 21.0


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, None])
def test_a_note_needs_text(event, organiser, text):
    incident = report(event, organiser)
    with pytest.raises(DomainError) as caught:
        services.incident_note(actor=organiser, event=event, incident_id=incident.pk, text=text)
    assert "text" in caught.value.errors


def test_an_incident_of_another_event_is_not_found(event, organiser):
    other = show_event(organiser)
    incident = report(other, organiser)
    with pytest.raises(NotFound):
        services.incident_note(actor=organiser, event=event, incident_id=incident.pk, text="x")


def test_people_assigned_are_of_the_team_on_the_day_and_are_told(
    event, organiser, marketing_mgr, reviewer_sales
):
    # REQ: EX-5
    incident = report(event, organiser)
    with pytest.raises(DomainError) as caught:
        services.incident_assign(
            actor=organiser, event=event, incident_id=incident.pk, seen=1, people=[reviewer_sales.pk]
        )
    assert "people" in caught.value.errors
    with pytest.raises(DomainError):
        services.incident_assign(actor=organiser, event=event, incident_id=incident.pk, seen=1, people="x")
    done = services.incident_assign(
        actor=organiser,
        event=event,
        incident_id=incident.pk,
        seen=1,
        people=[marketing_mgr.pk, stage_manager().pk],
    )
    assert set(done.assignees.values_list("username", flat=True)) == {marketing_mgr.username, "stage_mgr"}
    assert done.revision == 2 and done.responded_at is not None
    assert Notification.objects.filter(recipient=marketing_mgr, message__contains="指派").exists()
    with pytest.raises(Stale):
        services.incident_assign(actor=organiser, event=event, incident_id=incident.pk, seen=1, people=[])


# ---------------------------------------------------------------- 舆情
def test_an_opinion_incident_records_posts_with_a_valid_link(event, checkin_staff):
    # REQ: EX-5
    incident = report(event, checkin_staff, category="opinion", title="负面帖子")
    row = services.incident_post_add(
        actor=checkin_staff, event=event, incident_id=incident.pk,
        url="https://weibo.com/123/abc", platform="weibo", text="发布会太拖沓",
    )  # fmt: skip
    assert row.platform == "weibo" and row.url == "https://weibo.com/123/abc"
    for url in ("", "weibo.com/x", "javascript:alert(1)", "ftp://x.cn/a", "https://" + "a" * 500 + ".cn"):
        with pytest.raises(DomainError) as caught:
            services.incident_post_add(
                actor=checkin_staff, event=event, incident_id=incident.pk, url=url, platform="weibo"
            )
        assert "url" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        services.incident_post_add(
            actor=checkin_staff,
            event=event,
            incident_id=incident.pk,
            url="https://x.cn/a",
            platform="myspace",
        )
    assert "platform" in caught.value.errors
    assert incident.posts.count() == 1


def test_posts_and_statements_are_for_opinion_incidents_only(event, organiser):
    incident = report(event, organiser)
    with pytest.raises(DomainError):
        services.incident_post_add(
            actor=organiser, event=event, incident_id=incident.pk, url="https://x.cn", platform="weibo"
        )
    agreed = services.statement_add(actor=organiser, event=event, title="口径", text="内容")
    with pytest.raises(DomainError):
        services.incident_statement_set(
            actor=organiser, event=event, incident_id=incident.pk, seen=1, statement=agreed.pk
        )


def test_one_agreed_statement_per_incident_changed_only_by_the_stage_manager(event, organiser, checkin_staff):
    # REQ: EX-5
    first = services.statement_add(actor=organiser, event=event, title="口径一", text="我们高度重视。")
    second = services.statement_add(
        actor=stage_manager(), event=event, title="口径二", text="详情请见官方公告。"
    )
    incident = report(event, checkin_staff, category="opinion", title="负面帖子")
    chosen = services.incident_statement_set(
        actor=checkin_staff, event=event, incident_id=incident.pk, seen=1, statement=first.pk
    )
    assert chosen.statement == first
    with pytest.raises(NotAllowed):
        services.incident_statement_set(
            actor=checkin_staff,
            event=event,
            incident_id=incident.pk,
            seen=chosen.revision,
            statement=second.pk,
        )
    changed = services.incident_statement_set(
        actor=stage_manager(), event=event, incident_id=incident.pk, seen=chosen.revision, statement=second.pk
    )
    assert changed.statement == second
    with pytest.raises(DomainError) as caught:
        services.incident_statement_set(
            actor=organiser, event=event, incident_id=incident.pk, seen=changed.revision, statement=999999
        )
    assert "statement" in caught.value.errors


def test_statements_are_agreed_by_the_stage_manager_with_a_unique_title(event, organiser, checkin_staff):
    with pytest.raises(NotAllowed):
        services.statement_add(actor=checkin_staff, event=event, title="口径", text="内容")
    services.statement_add(actor=organiser, event=event, title="口径", text="内容")
    for title, text, field in (
        ("口径", "内容", "title"),
        ("", "内容", "title"),
        ("新", "", "text"),
        ("新", "x" * 1001, "text"),
    ):
        with pytest.raises(DomainError) as caught:
            services.statement_add(actor=organiser, event=event, title=title, text=text)
        assert field in caught.value.errors


# ---------------------------------------------------------------- edit
def test_an_incident_is_edited_with_its_revision(event, organiser):
    incident = report(event, organiser)
    done = services.incident_update(
        actor=organiser, event=event, incident_id=incident.pk, seen=1, severity="critical"
    )
    assert done.severity == "critical" and done.revision == 2
    with pytest.raises(Stale):
        services.incident_update(
            actor=organiser, event=event, incident_id=incident.pk, seen=1, title="新标题"
        )
    with pytest.raises(DomainError) as caught:
        services.incident_update(
            actor=organiser, event=event, incident_id=incident.pk, seen=2, category="other"
        )
    assert "category" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        services.incident_update(actor=organiser, event=event, incident_id=incident.pk, seen=2, title="")
    assert "title" in caught.value.errors


# ---------------------------------------------------------------- selectors and the gate
def test_open_incidents_and_stats_have_their_documented_shape(event, organiser):
    # REQ: EX-5
    start = dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        equipment = report(event, organiser)
        report(event, organiser, category="personnel", title="礼仪缺一人")
        done = report(event, organiser, category="other", title="签到台缺笔")
        services.incident_move(
            actor=organiser, event=event, incident_id=done.pk, seen=1, move="resolve", resolution="补上"
        )
    rows = selectors.open_incidents(event.pk, now=start + dt.timedelta(minutes=5))
    assert [r["id"] for r in rows] == [equipment.pk, equipment.pk + 1]
    first = rows[0]
    assert set(first) >= {
        "id", "title", "category", "category_label", "severity", "reported_at", "sla_due_at", "sla_state", "escalated",
    }  # fmt: skip
    assert first["sla_due_at"] == start + TECHNICIAN_SLA and first["sla_state"] == "running"
    assert first["category_label"] == "设备" and first["escalated"] is False
    assert rows[1]["sla_due_at"] is None and rows[1]["sla_state"] is None
    late = selectors.open_incidents(event.pk, now=start + dt.timedelta(minutes=16))
    assert late[0]["sla_state"] == "breached"
    stats = selectors.incident_stats(event.pk)
    assert stats["count"] == 3 and stats["open"] == 2
    assert stats["by_category"] == {"equipment": 1, "personnel": 1, "opinion": 0, "safety": 0, "other": 1}
    assert set(stats) == {
        "count", "open", "by_category", "mean_minutes_to_respond", "mean_minutes_to_resolve", "sla_met", "sla_breached",
    }  # fmt: skip


def test_the_gate_of_incidents_lists_every_open_incident(event, organiser):
    # REQ: EX-5
    move_event(event, Step.INCIDENTS)
    assert all(c.met for c in gate_evaluate(event, Step.INCIDENTS) if c.code.startswith("incidents."))
    a = report(event, organiser, title="投影无信号")
    report(event, organiser, category="safety", title="出口堵塞")
    unmet = [c for c in gate_evaluate(event, Step.INCIDENTS) if c.code.startswith("incidents.") and not c.met]
    assert len(unmet) == 2
    assert (
        "投影无信号" in str(unmet[0].detail)
        and "设备" in str(unmet[0].detail)
        and "分钟" in str(unmet[0].detail)
    )
    services.incident_move(
        actor=organiser, event=event, incident_id=a.pk, seen=1, move="resolve", resolution="好了"
    )
    unmet = [c for c in gate_evaluate(event, Step.INCIDENTS) if c.code.startswith("incidents.") and not c.met]
    assert len(unmet) == 1 and "出口堵塞" in str(unmet[0].detail)
