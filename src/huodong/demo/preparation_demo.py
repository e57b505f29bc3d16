"""The preparation part of the demo: a second launch, 「智启未来·华东巡展(杭州站)」, taken through planning
to an approved plan by the demo personas (through the services: the gates, reviews and signatures are real)
and into 资源协调 with its preparation under way (TM-1, TM-2, VD-1, IR-1, MT-1, TR-1):

- the team: the default groups, 王策划 leading, 陈经理, 钱同学 and 冯同学 in their groups;
- the T-minus tasks of the type's template, most with their RACI, two still without (the gate says so);
- a venue need with three quotes from the vendor register (one vendor's fire certificate has expired),
  not chosen yet: comparing and choosing is the user's to try;
- a request to 技术部 for the on-site network, waiting for the department's answer;
- the materials list from the template; the execution meeting scheduled three days before.

Loading twice changes nothing: each part is written only when it is missing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from huodong.core.models import Department, User
from huodong.events.lifecycle import event_advance
from huodong.events.models import Event, EventType
from huodong.events.services import event_create
from huodong.events.steps import Step, step_index
from huodong.planning.models import DepartmentReview, PlanVersion
from huodong.planning.services.approval import approval_sign
from huodong.planning.services.department_review import department_review_decide, plan_submit_for_approval
from huodong.preparation.models import (
    MaterialItem,
    ResourceRequest,
    Task,
    TeamGroup,
    TeamMember,
    Training,
    Vendor,
    VendorNeed,
)
from huodong.preparation.services import materials as materials_services
from huodong.preparation.services import resources as resources_services
from huodong.preparation.services import tasks as tasks_services
from huodong.preparation.services import team as team_services
from huodong.preparation.services import training as training_services
from huodong.preparation.services import vendors as vendor_services

from .planning_demo import demo_planning_load

PREP_EVENT_NAME = "智启未来·华东巡展(杭州站)"

# name, categories, contact, phone, cases, qualification (name, number, expires)
VENDORS: list[tuple[str, list[str], str, str, str, tuple[str, str, dt.date]]] = [
    (
        "杭州国际博览中心",
        ["venue", "catering"],
        "沈经理",
        "0571-8888 6000",
        "2025 华东经销商大会(800 人);2026 智慧城市论坛",
        ("营业执照", "91330100MA2B000001", dt.date(2031, 12, 31)),
    ),
    (
        "西湖国宾馆会议中心",
        ["venue", "catering"],
        "陆经理",
        "0571-8797 9889",
        "2026 新品品鉴会(200 人)",
        ("营业执照", "91330100MA2B000002", dt.date(2030, 6, 30)),
    ),
    (
        "钱江新城会展服务有限公司",
        ["venue", "stage", "av"],
        "方经理",
        "0571-8600 1234",
        "2025 年度客户答谢会舞台搭建",
        ("消防安全检查合格证", "XF-2024-031", dt.date(2025, 12, 31)),  # expired: flagged on every page
    ),
]
# vendor name → amount, includes, days before the event it delivers, scores (qualification, cases, delivery)
QUOTES: dict[str, tuple[str, str, int, tuple[int, int, int]]] = {
    "杭州国际博览中心": ("168000.00", "主会场 4 小时、音响灯光、LED 屏、茶歇 150 人", 1, (95, 90, 90)),
    "西湖国宾馆会议中心": ("152000.00", "主会场 4 小时、茶歇 150 人(LED 屏另计)", 1, (85, 75, 85)),
    "钱江新城会展服务有限公司": ("139000.00", "临时场地搭建、音响灯光、LED 屏", 2, (55, 60, 70)),
}


def demo_preparation_load(*, people: dict[str, User]) -> Event:
    organiser = people["organiser"]
    event = Event.objects.filter(name=PREP_EVENT_NAME).first()
    if event is None:
        tz = zoneinfo.ZoneInfo("Asia/Shanghai")
        event = event_create(
            actor=organiser,
            name=PREP_EVENT_NAME,
            event_type=EventType.objects.get(code="product-launch"),
            theme="智启未来",
            tone="高端专业",
            starts_at=dt.datetime(2027, 4, 22, 13, 30, tzinfo=tz),
            ends_at=dt.datetime(2027, 4, 22, 17, 30, tzinfo=tz),
            time_zone="Asia/Shanghai",
            venue="杭州国际博览中心 2 楼 201 厅",
            expected_attendance=150,
            requesting_department=Department.objects.get(code="sales"),
            owner=organiser,
            team_members=[people["marketing_mgr"], people["staff"]],
        )
    demo_planning_load(event=event, people=people)
    _approve(event, people)
    event.refresh_from_db()
    if event.step == Step.RESOURCES:
        _prepare(event, people)
    return event


def _advance_to(event: Event, target: str, actor: User) -> None:
    while step_index(event.step) < step_index(target):
        event_advance(event=event, actor=actor, from_step=event.step)
        event.refresh_from_db()


def _approve(event: Event, people: dict[str, User]) -> None:
    """Needs → goals → plan → approval, then the four departments' reviews and both signatures (AP-1)."""
    organiser = people["organiser"]
    if step_index(event.step) >= step_index(Step.RESOURCES):
        return
    _advance_to(event, Step.APPROVAL, organiser)
    version = PlanVersion.objects.filter(plan__event=event).order_by("-number").first()
    if version is None or version.status in (PlanVersion.Status.REJECTED, PlanVersion.Status.SUPERSEDED):
        version = plan_submit_for_approval(event=event, actor=organiser)
    opinions = {
        "sales": ("客户邀约名单已与华东区销售对齐。", ""),
        "product": ("演示机与讲解材料由产品部提供。", ""),
        "legal": ("场地与直播授权条款已审核。", "直播须取得嘉宾肖像授权。"),
        "finance": ("预算结构合理,备用金比例符合要求。", ""),
    }
    for review in DepartmentReview.objects.filter(
        version=version, decision=DepartmentReview.Decision.PENDING
    ).select_related("department"):
        opinion, conditions = opinions.get(review.department.code, ("可行。", ""))
        department_review_decide(
            review=review,
            actor=people[f"reviewer_{review.department.code}"],
            decision=DepartmentReview.Decision.APPROVE_WITH_CONDITIONS
            if conditions
            else DepartmentReview.Decision.APPROVE,
            feasibility_opinion=opinion,
            conditions=conditions,
        )
    for signer, comment in (("approver_exec", "同意,注意控制场地费用。"), ("approver_gm", "同意。")):
        version.refresh_from_db()
        if version.status == PlanVersion.Status.APPROVED:
            break
        if not version.signatures.filter(approver=people[signer], voided_at__isnull=True).exists():
            approval_sign(
                version=version,
                actor=people[signer],
                decision="approve",
                comment=comment,
                content_hash=version.content_hash,
            )
    _advance_to(event, Step.RESOURCES, organiser)


def _prepare(event: Event, people: dict[str, User]) -> None:
    organiser = people["organiser"]
    if not TeamGroup.objects.filter(event=event).exists():
        team_services.team_defaults(event, organiser, system=True)
    groups = {g.code: g for g in TeamGroup.objects.filter(event=event)}
    roster = [
        ("organiser", "execution", "项目统筹,对接场地与流程", True),
        ("marketing_mgr", "publicity", "物料设计、推广与媒体邀约", False),
        ("staff", "logistics", "采购、嘉宾接待与应急物资", False),
        ("checkin_staff", "logistics", "签到台与资料发放", False),
    ]
    for username, group, duties, leader in roster:
        member = TeamMember.objects.filter(event=event, person=people[username]).first()
        if member is not None and member.group_id is None and not member.duties:
            # On the roster since the groups were made (the event's planning team): placed and given duties.
            team_services.member_update(
                actor=organiser,
                event=event,
                member_id=member.pk,
                seen=member.revision,
                group=groups.get(group),
                duties=duties,
                is_leader=leader,
                system=True,
            )
        elif member is None:
            team_services.member_add(
                actor=organiser,
                event=event,
                person=people[username],
                group=groups.get(group),
                duties=duties,
                is_leader=leader,
                system=True,
            )
    if not Task.objects.filter(event=event).exists():
        tasks_services.tasks_from_template(event, organiser, system=True)
        tasks = list(Task.objects.filter(event=event).order_by("due_at", "id"))
        for task in tasks[:-2]:  # the last two are left for the user: the gate lists them
            tasks_services.task_raci_set(
                task,
                {
                    organiser.pk: "A",
                    people["marketing_mgr"].pk: "R",
                    people["staff"].pk: "C",
                    people["approver_exec"].pk: "I",
                },
                actor=organiser,
                event=event,
                seen=task.revision,
                system=True,
            )
    if not VendorNeed.objects.filter(event=event).exists():
        _vendors(event, people)
    if not ResourceRequest.objects.filter(event=event).exists():
        resources_services.request_add(
            actor=organiser,
            event=event,
            department=Department.objects.get(code="tech"),
            what="现场网络保障:主会场与直播区独立专线,签到区无线覆盖,两名工程师全程值守",
            needed_at=event.starts_at - dt.timedelta(hours=4),
            contact=people["staff"],
            system=True,
        )
    if not MaterialItem.objects.filter(event=event).exists():
        materials_services.materials_from_template(actor=organiser, event=event, system=True)
    if not Training.objects.filter(event=event).exists():
        training_services.meeting_create(actor=organiser, event=event, system=True)


def _vendors(event: Event, people: dict[str, User]) -> None:
    organiser = people["organiser"]
    for name, categories, contact, phone, cases, (qual, number, expires) in VENDORS:
        vendor = Vendor.objects.filter(name=name).first()
        if vendor is None:
            vendor = vendor_services.vendor_add(
                actor=organiser,
                system=True,
                name=name,
                categories=categories,
                contact_name=contact,
                contact_phone=phone,
                cases=cases,
            )
            vendor_services.qualification_add(
                actor=organiser,
                vendor_id=vendor.pk,
                name=qual,
                number=number,
                expires_on=expires,
                system=True,
            )
    venue_line = event.plan.budget_lines.filter(category="venue").order_by("position", "id").first()
    need = vendor_services.need_add(
        actor=organiser,
        event=event,
        title="主会场租赁",
        category="venue",
        description="150 人主会场 4 小时,含音响灯光与 LED 屏,会前一天下午布场",
        budget_line=venue_line.pk if venue_line is not None else None,
        needed_by=(event.starts_at - dt.timedelta(days=1)).date(),
        owner=organiser,
        system=True,
    )
    for name, (amount, includes, days, (qual_score, cases_score, delivery_score)) in QUOTES.items():
        vendor_services.quote_add(
            actor=organiser,
            event=event,
            need_id=need.pk,
            vendor=Vendor.objects.get(name=name),
            amount=Decimal(amount),
            includes=includes,
            delivery_on=(event.starts_at - dt.timedelta(days=days)).date(),
            qualification_score=qual_score,
            cases_score=cases_score,
            delivery_score=delivery_score,
            system=True,
        )
