"""The gates of preparation and the readiness that feeds them (issue 8, point 8).

Each test builds an event at 资源协调 with the ORM (``prepared_event``: everything in place), breaks or
removes one record and checks that exactly the criterion it feeds flips, then that
``events.lifecycle.event_advance`` refuses with the unmet list and moves the event once it is met.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from huodong.core.models import Department, Role, User
from huodong.events.lifecycle import GateBlocked, event_advance, gate_evaluate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine
from huodong.planning.tests.conftest import build_plan_event
from huodong.preparation.models import (
    Contract,
    MaterialItem,
    Quote,
    Raci,
    ResourceRequest,
    Task,
    TaskAssignment,
    TeamGroup,
    TeamMember,
    Training,
    TrainingAttendance,
    Vendor,
    VendorNeed,
    VendorQualification,
)
from huodong.preparation.selectors import readiness, readiness_report
from tests.factories import person

pytestmark = pytest.mark.django_db


@dataclass
class Prepared:
    event: Event
    leader: TeamMember
    task: Task
    need: VendorNeed
    quotes: list[Quote]
    contract: Contract
    request: ResourceRequest
    material: MaterialItem
    meeting: Training
    people: dict[str, User]


def prepared_event(organiser: User, leader: User, *, name: str = "2027 新品发布会") -> Prepared:
    """An event at 资源协调 whose three preparation gates are all met, written with the ORM.

    A leader and a member in 执行组, one task with one A and one R, a venue need with three quotes (the
    cheapest chosen) and its contract, a confirmed request to 技术部, one accepted material and the
    execution meeting held with attendance recorded.
    """
    event = build_plan_event(organiser, name=name)
    Event.objects.filter(pk=event.pk).update(step=Step.RESOURCES)
    event.refresh_from_db()
    member = person("prep_member", Role.STAFF, "marketing", "执行专员", "陈执行")
    host = person("prep_host", Role.STAFF, "sales", "销售经理", "周主持")
    group = TeamGroup.objects.create(event=event, code="execution", name="执行组", name_en="Execution")
    lead = TeamMember.objects.create(event=event, person=leader, group=group, is_leader=True, duties="统筹")
    TeamMember.objects.create(event=event, person=member, group=group, duties="场地对接")
    start = event.starts_at
    task = Task.objects.create(
        event=event,
        title="场地对接",
        group=group,
        due_at=start - dt.timedelta(days=7),
        offset_minutes=-7 * 1440,
    )
    TaskAssignment.objects.create(task=task, person=leader, role=Raci.ACCOUNTABLE)
    TaskAssignment.objects.create(task=task, person=member, role=Raci.RESPONSIBLE)

    line = BudgetLine.objects.filter(plan=event.plan).order_by("id").first()
    need = VendorNeed.objects.create(
        event=event,
        title="主会场租赁",
        category="venue",
        description="500 人主会场一天",
        budget_line=line,
        needed_by=(start - dt.timedelta(days=2)).date(),
        owner=leader,
    )
    vendors = [
        Vendor.objects.create(name=name, categories=["venue"], cases=cases, contact_name=contact)
        for name, cases, contact in (
            ("上海国际会议中心", "2025 年度经销商大会", "王经理"),
            ("浦东嘉里酒店", "2026 新品品鉴会", "李经理"),
            ("世博中心", "", "赵经理"),
        )
    ]
    VendorQualification.objects.create(
        vendor=vendors[0], name="营业执照", number="91310000", expires_on=dt.date(2030, 12, 31)
    )
    VendorQualification.objects.create(
        vendor=vendors[2], name="消防安全检查合格证", number="XF-2024-88", expires_on=dt.date(2025, 6, 30)
    )
    quotes = [
        Quote.objects.create(
            need=need,
            vendor=vendor,
            amount=Decimal(amount),
            includes=includes,
            delivery_on=(start - dt.timedelta(days=days)).date(),
            qualification_score=qual,
            cases_score=cases,
            delivery_score=delivery,
        )
        for vendor, amount, includes, days, qual, cases, delivery in (
            (vendors[0], "180000.00", "主会场、音响、LED 屏", 2, 90, 85, 90),
            (vendors[1], "210000.00", "主会场、茶歇", 2, 80, 80, 85),
            (vendors[2], "165000.00", "主会场", 1, 60, 50, 70),
        )
    ]
    need.chosen_quote = quotes[0]
    need.choice_reason = "设备齐全,案例匹配,综合得分最高"
    need.chosen_by = organiser
    need.chosen_at = timezone.now()
    need.status = VendorNeed.Status.CONTRACTED
    need.save()
    contract = Contract.objects.create(
        need=need,
        event=event,
        vendor=vendors[0],
        number="HT-2027-015",
        service_content="主会场租赁一天,含音响与 LED 屏",
        delivery_at=start - dt.timedelta(days=1),
        liability="逾期交付按合同金额每日 1% 支付违约金",
        amount=Decimal("180000.00"),
        signed_on=dt.date(2027, 2, 20),
    )
    request = ResourceRequest.objects.create(
        event=event,
        department=Department.objects.get(code="tech"),
        what="现场网络保障",
        needed_at=start - dt.timedelta(hours=3),
        contact=member,
        status=ResourceRequest.Status.CONFIRMED,
        response="安排两名工程师",
    )
    material = MaterialItem.objects.create(
        event=event,
        kind=MaterialItem.Kind.PUBLICITY,
        name="易拉宝",
        quantity=6,
        spec="80×200cm",
        owner=member,
        due_on=(start - dt.timedelta(days=3)).date(),
        status=MaterialItem.Status.ACCEPTED,
    )
    meeting = Training.objects.create(
        event=event,
        kind=Training.Kind.EXECUTION_MEETING,
        title="执行会议",
        starts_at=start - dt.timedelta(days=3),
        duration_minutes=90,
        location="公司 3 楼大会议室",
        agenda="1. 流程串讲\n2. 岗位分工\n3. 应急预案",
        roles_covered="签到组:核验与引导;舞台组:流程与设备",
        scripts_covered="嘉宾迟到:主持人插入暖场视频",
        minutes="流程确认无误;LED 屏 T-1 日 18:00 前完成调试。",
        held_at=start - dt.timedelta(days=3),
        attendance_recorded_at=start - dt.timedelta(days=3, hours=-2),
        trainer=leader,
    )
    TrainingAttendance.objects.create(training=meeting, person=leader, attended=True)
    TrainingAttendance.objects.create(training=meeting, person=member, attended=True)
    TrainingAttendance.objects.create(training=meeting, person=host, attended=False, note="出差")
    return Prepared(
        event=event,
        leader=lead,
        task=task,
        need=need,
        quotes=quotes,
        contract=contract,
        request=request,
        material=material,
        meeting=meeting,
        people={"organiser": organiser, "leader": leader, "member": member, "host": host},
    )


@pytest.fixture
def prepared(organiser, marketing_mgr) -> Prepared:
    return prepared_event(organiser, marketing_mgr)


def met(event: Event, step: str) -> dict[str, bool]:
    return {c.code: c.met for c in gate_evaluate(event, step)}


def unmet(event: Event, step: str) -> set[str]:
    return {code for code, ok in met(event, step).items() if not ok}


def detail(event: Event, step: str, code: str) -> str:
    return str(next(c.detail for c in gate_evaluate(event, step) if c.code == code))


# ---------------------------------------------------------------- the built event meets every gate
def test_a_prepared_event_meets_all_three_gates(prepared):
    # REQ: TM-1
    # REQ: VD-1
    # REQ: VD-2
    # REQ: IR-1
    # REQ: MT-1
    # REQ: TR-1
    event = prepared.event
    assert met(event, Step.RESOURCES) == {
        "preparation.team_leader": True,
        "preparation.raci": True,
        "preparation.vendor_quotes": True,
        "preparation.vendor_contracts": True,
        "preparation.internal_resources": True,
    }
    assert met(event, Step.MATERIALS) == {
        "preparation.materials_listed": True,
        "preparation.materials_accepted": True,
    }
    assert met(event, Step.TRAINING) == {
        "preparation.meeting_held": True,
        "preparation.meeting_attendance": True,
    }
    assert readiness(event).ready


# ---------------------------------------------------------------- 资源协调
def test_the_team_needs_a_leader(prepared):
    # REQ: TM-1
    event = prepared.event
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=False)
    assert unmet(event, Step.RESOURCES) == {"preparation.team_leader"}
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=True)
    assert not unmet(event, Step.RESOURCES)


@pytest.mark.parametrize(
    "change",
    ["no_accountable", "no_responsible", "no_letters"],
)
def test_every_task_needs_one_accountable_and_a_responsible(prepared, change):
    # REQ: TM-1
    event, task = prepared.event, prepared.task
    if change == "no_accountable":
        task.assignments.filter(role=Raci.ACCOUNTABLE).update(role=Raci.CONSULTED)
    elif change == "no_responsible":
        task.assignments.filter(role=Raci.RESPONSIBLE).update(role=Raci.INFORMED)
    else:
        task.assignments.all().delete()
    assert unmet(event, Step.RESOURCES) == {"preparation.raci"}
    assert "「场地对接」" in detail(event, Step.RESOURCES, "preparation.raci")


def test_a_cancelled_task_does_not_need_a_raci(prepared):
    # REQ: TM-1
    event = prepared.event
    Task.objects.create(
        event=event, title="已取消的任务", due_at=event.starts_at, status=Task.Status.CANCELLED
    )
    assert not unmet(event, Step.RESOURCES)
    Task.objects.create(event=event, title="媒体邀约", due_at=event.starts_at)
    assert unmet(event, Step.RESOURCES) == {"preparation.raci"}
    assert "「媒体邀约」" in detail(event, Step.RESOURCES, "preparation.raci")


def test_without_any_task_the_raci_criterion_says_to_create_them(prepared):
    # REQ: TM-1
    event = prepared.event
    Task.objects.filter(event=event).delete()
    assert unmet(event, Step.RESOURCES) == {"preparation.raci"}
    assert "尚无任务" in detail(event, Step.RESOURCES, "preparation.raci")


def test_a_need_with_fewer_than_three_quotes_needs_an_approved_exception(prepared, approver_exec):
    # REQ: VD-1
    event, need = prepared.event, prepared.need
    Quote.objects.filter(pk=prepared.quotes[2].pk).delete()
    assert unmet(event, Step.RESOURCES) == {"preparation.vendor_quotes"}
    assert "「主会场租赁」" in detail(event, Step.RESOURCES, "preparation.vendor_quotes")
    # A reason alone is not an exception: an approver must record it.
    VendorNeed.objects.filter(pk=need.pk).update(exception_reason="独家场地")
    assert unmet(event, Step.RESOURCES) == {"preparation.vendor_quotes"}
    VendorNeed.objects.filter(pk=need.pk).update(exception_by=approver_exec, exception_at=timezone.now())
    assert not unmet(event, Step.RESOURCES)


def test_every_need_needs_a_signed_contract(prepared):
    # REQ: VD-2
    event, need = prepared.event, prepared.need
    VendorNeed.objects.filter(pk=need.pk).update(status=VendorNeed.Status.CHOSEN)
    assert unmet(event, Step.RESOURCES) == {"preparation.vendor_contracts"}
    VendorNeed.objects.filter(pk=need.pk).update(status=VendorNeed.Status.CONTRACTED)
    Contract.objects.filter(pk=prepared.contract.pk).delete()
    assert unmet(event, Step.RESOURCES) == {"preparation.vendor_contracts"}
    assert "「主会场租赁」" in detail(event, Step.RESOURCES, "preparation.vendor_contracts")


def test_a_cancelled_need_is_not_waited_for(prepared):
    # REQ: VD-1
    # REQ: VD-2
    event = prepared.event
    VendorNeed.objects.create(event=event, title="礼品采购", category="gifts")
    assert unmet(event, Step.RESOURCES) == {"preparation.vendor_quotes", "preparation.vendor_contracts"}
    VendorNeed.objects.filter(title="礼品采购").update(status=VendorNeed.Status.CANCELLED)
    assert not unmet(event, Step.RESOURCES)


@pytest.mark.parametrize(
    ("status", "says"),
    [(ResourceRequest.Status.PENDING, "尚未确认"), (ResourceRequest.Status.DECLINED, "已被拒绝")],
)
def test_internal_requests_must_be_confirmed(prepared, status, says):
    # REQ: IR-1
    event, request = prepared.event, prepared.request
    ResourceRequest.objects.filter(pk=request.pk).update(status=status)
    assert unmet(event, Step.RESOURCES) == {"preparation.internal_resources"}
    text = detail(event, Step.RESOURCES, "preparation.internal_resources")
    assert "技术部" in text and says in text
    # A request no longer needed is cancelled, and then it is not waited for.
    ResourceRequest.objects.filter(pk=request.pk).update(status=ResourceRequest.Status.CANCELLED)
    assert not unmet(event, Step.RESOURCES)


# ---------------------------------------------------------------- 物料筹备
def test_the_materials_list_must_exist(prepared):
    # REQ: MT-1
    event = prepared.event
    MaterialItem.objects.filter(event=event).delete()
    assert unmet(event, Step.MATERIALS) == {"preparation.materials_listed", "preparation.materials_accepted"}


@pytest.mark.parametrize(
    "status",
    [MaterialItem.Status.TO_ORDER, MaterialItem.Status.ORDERED, MaterialItem.Status.ARRIVED],
)
def test_every_material_must_be_accepted(prepared, status):
    # REQ: MT-1
    event = prepared.event
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=status)
    assert unmet(event, Step.MATERIALS) == {"preparation.materials_accepted"}
    assert "「易拉宝」" in detail(event, Step.MATERIALS, "preparation.materials_accepted")
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ACCEPTED)
    assert not unmet(event, Step.MATERIALS)


def test_a_waived_material_counts_only_with_its_reason(prepared):
    # REQ: MT-1
    event = prepared.event
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.WAIVED)
    assert unmet(event, Step.MATERIALS) == {"preparation.materials_accepted"}
    MaterialItem.objects.filter(pk=prepared.material.pk).update(waive_reason="   ")
    assert unmet(event, Step.MATERIALS) == {"preparation.materials_accepted"}
    MaterialItem.objects.filter(pk=prepared.material.pk).update(waive_reason="改用电子屏展示")
    assert not unmet(event, Step.MATERIALS)


# ---------------------------------------------------------------- 人员培训
def test_the_execution_meeting_must_be_held(prepared):
    # REQ: TR-1
    event, meeting = prepared.event, prepared.meeting
    Training.objects.filter(pk=meeting.pk).update(held_at=None)
    assert unmet(event, Step.TRAINING) == {"preparation.meeting_held", "preparation.meeting_attendance"}
    assert "尚未召开" in detail(event, Step.TRAINING, "preparation.meeting_held")
    Training.objects.filter(pk=meeting.pk).delete()
    assert "尚未安排执行会议" in detail(event, Step.TRAINING, "preparation.meeting_held")


def test_a_special_training_is_not_the_execution_meeting(prepared):
    # REQ: TR-1
    event, meeting = prepared.event, prepared.meeting
    Training.objects.filter(pk=meeting.pk).update(kind=Training.Kind.ETIQUETTE)
    assert unmet(event, Step.TRAINING) == {"preparation.meeting_held", "preparation.meeting_attendance"}


def test_the_meetings_attendance_must_be_recorded_for_everyone(prepared):
    # REQ: TR-1
    event, meeting = prepared.event, prepared.meeting
    Training.objects.filter(pk=meeting.pk).update(attendance_recorded_at=None)
    assert unmet(event, Step.TRAINING) == {"preparation.meeting_attendance"}
    Training.objects.filter(pk=meeting.pk).update(attendance_recorded_at=timezone.now())
    assert not unmet(event, Step.TRAINING)
    # Someone expected but neither marked attended nor missed: not recorded yet.
    TrainingAttendance.objects.filter(training=meeting, person=prepared.people["host"]).update(attended=None)
    assert unmet(event, Step.TRAINING) == {"preparation.meeting_attendance"}
    # Nobody on the list at all: nothing was recorded.
    TrainingAttendance.objects.filter(training=meeting).delete()
    assert unmet(event, Step.TRAINING) == {"preparation.meeting_attendance"}


# ---------------------------------------------------------------- event_advance uses these gates
def test_advance_refuses_with_every_unmet_criterion_then_moves_when_met(prepared, organiser):
    # REQ: TM-1
    # REQ: VD-2
    # REQ: IR-1
    event = prepared.event
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=False)
    ResourceRequest.objects.filter(pk=prepared.request.pk).update(status=ResourceRequest.Status.PENDING)
    with pytest.raises(GateBlocked) as refused:
        event_advance(event=event, actor=organiser, from_step=Step.RESOURCES)
    assert {c.code for c in refused.value.unmet} == {
        "preparation.team_leader",
        "preparation.internal_resources",
    }
    assert refused.value.status == 409
    messages = " ".join(str(m) for m in refused.value.errors["__all__"])
    assert "资源协调" in messages and "项目团队已指定负责人" in messages and "技术部" in messages
    assert Event.objects.get(pk=event.pk).step == Step.RESOURCES

    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=True)
    ResourceRequest.objects.filter(pk=prepared.request.pk).update(status=ResourceRequest.Status.CONFIRMED)
    moved = event_advance(event=event, actor=organiser, from_step=Step.RESOURCES)
    assert moved.event.step == Step.MATERIALS
    assert Event.objects.get(pk=event.pk).step == Step.MATERIALS


def test_advance_through_materials_and_training_to_notification(prepared, organiser):
    # REQ: MT-1
    # REQ: TR-1
    event = prepared.event
    event_advance(event=event, actor=organiser, from_step=Step.RESOURCES)
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ARRIVED)
    with pytest.raises(GateBlocked) as refused:
        event_advance(event=event, actor=organiser, from_step=Step.MATERIALS)
    assert [c.code for c in refused.value.unmet] == ["preparation.materials_accepted"]
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ACCEPTED)
    assert event_advance(event=event, actor=organiser, from_step=Step.MATERIALS).event.step == Step.TRAINING

    Training.objects.filter(pk=prepared.meeting.pk).update(attendance_recorded_at=None)
    with pytest.raises(GateBlocked) as refused:
        event_advance(event=event, actor=organiser, from_step=Step.TRAINING)
    assert [c.code for c in refused.value.unmet] == ["preparation.meeting_attendance"]
    Training.objects.filter(pk=prepared.meeting.pk).update(attendance_recorded_at=timezone.now())
    assert (
        event_advance(event=event, actor=organiser, from_step=Step.TRAINING).event.step == Step.NOTIFICATION
    )


# ---------------------------------------------------------------- warnings and the report
def test_warnings_flag_what_is_late_without_blocking(prepared):
    # REQ: TM-1
    # REQ: IR-1
    # REQ: MT-1
    # REQ: VD-1
    event = prepared.event
    now = event.starts_at - dt.timedelta(days=1)  # the task (T-7) and the material (T-3) are late by then
    Task.objects.filter(pk=prepared.task.pk).update(status=Task.Status.DOING)
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ORDERED)
    ResourceRequest.objects.create(
        event=event,
        department=Department.objects.get(code="admin"),
        what="嘉宾接送车辆",
        needed_at=event.starts_at,
    )
    line = prepared.need.budget_line
    BudgetLine.objects.filter(pk=line.pk).update(amount=Decimal("100000.00"))  # the contract is 180,000
    result = readiness(event, now=now)
    warnings = {p.code: str(p.text) for p in result.warnings}
    assert warnings["task_overdue"] == "任务「场地对接」已逾期"
    assert warnings["material_overdue"] == "物料「易拉宝」已过截止日期"
    assert "行政部" in warnings["request_due"] and "嘉宾接送车辆" in warnings["request_due"]
    assert line.item in warnings["budget_overcommitted"]
    assert all(p.severity == "warn" for p in result.warnings)
    # Long before the event nothing is late (the unconfirmed request still blocks the gate).
    early = readiness(event, now=event.starts_at - dt.timedelta(days=30))
    assert {p.code for p in early.warnings} == {"budget_overcommitted"}


def test_the_report_links_each_open_point_to_where_it_is_fixed(prepared, monkeypatch):
    # REQ: TM-1
    # REQ: MT-1
    from django.urls import NoReverseMatch

    from huodong.preparation import selectors

    event = prepared.event
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=False)
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ORDERED)
    TaskAssignment.objects.filter(task=prepared.task, role=Raci.RESPONSIBLE).delete()

    def reverse(name, kwargs):
        if name in ("preparation:materials", "preparation:raci"):
            raise NoReverseMatch(name)
        return f"/{name}/{kwargs['event_id']}/"

    monkeypatch.setattr(selectors, "reverse", reverse)
    report = readiness_report(event)
    points = {p["code"]: p for p in report.open_points}
    assert points["preparation.team_leader"]["url"] == f"/preparation:team/{event.pk}/"
    assert points["preparation.team_leader"]["severity"] == "bad"
    assert points["preparation.team_leader"]["step_label"] == "资源协调"
    assert points["preparation.materials_accepted"]["url"] == ""  # that page does not exist: no link
    # No RACI matrix page: the team page, where the tasks are, instead.
    assert points["preparation.raci"]["url"] == f"/preparation:team/{event.pk}/"
    assert [g.step for g in report.gates] == ["resources", "materials", "training"]
    assert [g.state for g in report.gates] == ["current", "upcoming", "upcoming"]
    assert [g.met for g in report.gates] == [False, False, True]
    assert not report.ready and report.blocking_count == 3
