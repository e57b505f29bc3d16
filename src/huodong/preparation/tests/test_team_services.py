"""The project team (TM-1) and its groups (TM-2): services, valid and invalid."""

from __future__ import annotations

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.steps import Step
from huodong.planning.tests.conftest import move
from huodong.preparation.models import TeamGroup, TeamMember
from huodong.preparation.services import team as svc

from .test_team_fixtures import *  # noqa: F403  (the fixtures: prep_event, staff, engineer)

pytestmark = pytest.mark.django_db


def test_default_groups_with_their_duties_are_created_once(prep_event, organiser):
    # REQ: TM-2
    assert svc.team_defaults(prep_event, organiser) == 3
    groups = svc.groups_of(prep_event)
    assert [(g.code, g.name, g.name_en) for g in groups] == [
        ("execution", "执行组", "Execution"),
        ("publicity", "宣传组", "Publicity"),
        ("logistics", "后勤组", "Logistics"),
    ]
    assert "场地对接" in groups[0].duties and "媒体" in groups[1].duties and "嘉宾接待" in groups[2].duties
    assert svc.team_defaults(prep_event, organiser) == 0
    assert TeamGroup.objects.filter(event=prep_event).count() == 3


def test_groups_are_added_edited_and_removed(prep_event, organiser):
    # REQ: TM-2
    svc.team_defaults(prep_event, organiser)
    group = svc.group_add(
        actor=organiser, event=prep_event, name="技术组", name_en="Tech", duties="网络与音视频"
    )
    assert group.position == 4
    group = svc.group_update(
        actor=organiser, event=prep_event, group_id=group.pk, seen=group.revision, duties="网络、音视频、直播"
    )
    assert group.duties == "网络、音视频、直播" and group.revision == 2
    with pytest.raises(DomainError) as exc:
        svc.group_add(actor=organiser, event=prep_event, name="  ")
    assert "name" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        svc.group_add(actor=organiser, event=prep_event, name="执行组")
    assert "已有名为" in str(exc.value.errors["name"][0])
    with pytest.raises(Stale):
        svc.group_update(actor=organiser, event=prep_event, group_id=group.pk, seen=1, name="技术保障组")
    with pytest.raises(PreconditionRequired):
        svc.group_remove(actor=organiser, event=prep_event, group_id=group.pk, seen=None)
    svc.group_remove(actor=organiser, event=prep_event, group_id=group.pk, seen=group.revision)
    assert TeamGroup.objects.filter(event=prep_event).count() == 3


def test_members_come_from_any_department_with_duties(prep_event, organiser, engineer):
    # REQ: TM-1
    svc.team_defaults(prep_event, organiser)
    execution = svc.groups_of(prep_event)[0]
    member = svc.member_add(
        actor=organiser, event=prep_event, person=engineer, group=execution, duties="现场网络保障"
    )
    assert (member.group, member.duties, member.is_leader) == (execution, "现场网络保障", False)
    with pytest.raises(DomainError) as exc:
        svc.member_add(actor=organiser, event=prep_event, person=engineer)
    assert "已在团队中" in str(exc.value.errors["person"][0])
    engineer.is_active = False
    engineer.save()
    with pytest.raises(DomainError) as exc:
        svc.member_add(actor=organiser, event=prep_event, person=None)
    assert "person" in exc.value.errors


def test_exactly_one_leader_who_is_a_marketing_organiser(
    prep_event, organiser, marketing_mgr, staff, engineer
):
    # REQ: TM-1 — the leader is a marketing supervisor; one per event
    lead = svc.member_add(actor=organiser, event=prep_event, person=organiser, is_leader=True)
    with pytest.raises(DomainError) as exc:
        svc.member_add(actor=organiser, event=prep_event, person=staff, is_leader=True)
    assert "项目负责人须为市场部的活动策划/负责人或管理员" in str(exc.value.errors["is_leader"][0])
    with pytest.raises(DomainError):
        svc.member_add(actor=organiser, event=prep_event, person=engineer, is_leader=True)
    assert not TeamMember.objects.filter(event=prep_event, person__in=[staff, engineer]).exists()
    # Another marketing organiser takes over: the former leader stops being one.
    mgr = svc.member_add(actor=organiser, event=prep_event, person=marketing_mgr)
    svc.member_update(actor=organiser, event=prep_event, member_id=mgr.pk, seen=mgr.revision, is_leader=True)
    assert list(TeamMember.objects.filter(event=prep_event, is_leader=True)) == [mgr]
    lead.refresh_from_db()
    assert not lead.is_leader
    member = svc.member_add(actor=organiser, event=prep_event, person=staff)
    with pytest.raises(DomainError) as exc:
        svc.member_update(
            actor=organiser, event=prep_event, member_id=member.pk, seen=member.revision, is_leader=True
        )
    assert "TM-1" in str(exc.value.errors["is_leader"][0])
    assert TeamMember.objects.get(pk=mgr.pk).is_leader


def test_member_update_and_remove_say_the_revision_they_saw(prep_event, organiser, staff):
    # REQ: TM-1
    member = svc.member_add(actor=organiser, event=prep_event, person=staff, duties="签到")
    svc.member_update(
        actor=organiser, event=prep_event, member_id=member.pk, seen=member.revision, duties="签到与引导"
    )
    with pytest.raises(Stale):
        svc.member_update(actor=organiser, event=prep_event, member_id=member.pk, seen=1, duties="x")
    with pytest.raises(DomainError) as exc:
        svc.member_update(actor=organiser, event=prep_event, member_id=member.pk, seen=2, group=999_999)
    assert "group" in exc.value.errors
    with pytest.raises(DomainError):
        svc.member_update(actor=organiser, event=prep_event, member_id=member.pk, seen=2, person=organiser)
    svc.member_remove(actor=organiser, event=prep_event, member_id=member.pk, seen=2)
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_only_editors_change_the_team_and_only_in_preparation(prep_event, organiser, staff, outsider):
    # REQ: TM-1
    with pytest.raises(NotAllowed):
        svc.member_add(actor=outsider, event=prep_event, person=staff)
    move(prep_event, Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        svc.member_add(actor=organiser, event=prep_event, person=staff)
    assert exc.value.code == "wrong_step"
    assert not TeamMember.objects.exists()


def test_a_roster_member_is_on_the_events_team(prep_event, organiser, engineer):
    # REQ: TM-1 — people of other departments on the roster see the event as team members
    from huodong.events.access import Member, event_access

    svc.member_add(actor=organiser, event=prep_event, person=engineer)
    assert Member.TEAM in event_access(engineer, prep_event).members


def test_the_tm1_team_and_the_events_team_are_one_list(prep_event, organiser, staff, engineer):
    # REQ: TM-1 — the project team starts as the event's planning team and both lists stay the same
    prep_event.team_members.add(staff)
    svc.team_defaults(prep_event, organiser)
    assert set(TeamMember.objects.filter(event=prep_event).values_list("person", flat=True)) == {
        organiser.pk,
        staff.pk,
    }
    member = svc.member_add(actor=organiser, event=prep_event, person=engineer, duties="现场网络")
    assert engineer in prep_event.team_members.all()  # the overview's 团队成员 names them too
    svc.member_remove(actor=organiser, event=prep_event, member_id=member.pk, seen=member.revision)
    assert engineer not in prep_event.team_members.all()
    assert svc.team_defaults(prep_event, organiser) == 0  # once only: nobody is added again


def test_an_event_starts_with_its_types_project_groups(organiser):
    # REQ: TM-2 — the groups come from the event type's template (a summit adds 嘉宾组)
    from huodong.events.models import EventType
    from huodong.planning.tests.conftest import make_event

    summit = make_event(organiser, step=Step.RESOURCES, name="2027 行业峰会")
    summit.event_type = EventType.objects.get(code="industry-summit")
    summit.save(update_fields=["event_type"])
    assert svc.team_defaults(summit, organiser) == 4
    groups = list(TeamGroup.objects.filter(event=summit).order_by("position"))
    assert [g.code for g in groups] == ["execution", "publicity", "logistics", "speakers"]
    assert (
        groups[-1].name == "嘉宾组" and groups[-1].name_en == "Speakers" and "演讲嘉宾" in groups[-1].duties
    )
    EventType.objects.filter(pk=summit.event_type_id).update(team_groups=[])  # a type that names none
    other = make_event(organiser, step=Step.RESOURCES, name="另一场峰会")
    other.event_type = EventType.objects.get(code="industry-summit")
    other.save(update_fields=["event_type"])
    svc.team_defaults(other, organiser)
    assert [g.code for g in TeamGroup.objects.filter(event=other)] == ["execution", "publicity", "logistics"]
