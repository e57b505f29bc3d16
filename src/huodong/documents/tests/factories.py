"""Planning records for document tests and the benchmark, written straight through the ORM.

(The planning services are written in parallel; documents only read the models, so the tests build
the rows directly.) ``planning_records`` fills an event with a needs report, goals, a plan with any
number of segments, budget lines and risks, and optionally a submitted, reviewed and signed version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from huodong.core.models import Department, Role, User
from huodong.events.models import Event
from huodong.planning.models import (
    CONTINGENCY,
    ApprovalLevel,
    BudgetLine,
    DepartmentReview,
    Goal,
    NeedsInput,
    NeedsMethod,
    NeedsReport,
    Plan,
    PlanAttachment,
    PlanVersion,
    Risk,
    RunOfShowSegment,
    Signature,
)

CATEGORIES = [
    ("venue", "场地租赁"),
    ("materials", "物料制作"),
    ("equipment", "设备租赁"),
    ("labour", "人员劳务"),
    ("promotion", "推广宣传"),
]
REVIEW_DEPARTMENTS = ("sales", "product", "legal", "finance")


def person(username: str, *, role: str, dept: str, title: str, name: str) -> User:
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name,
            "role": role,
            "department": Department.objects.get(code=dept),
            "title": title,
        },
    )
    return user


def default_people() -> dict[str, User]:
    """The demo personas (names as in the shared test fixtures), created if missing."""
    return {
        "organiser": person(
            "organiser", role=Role.ORGANISER, dept="marketing", title="市场部主管", name="王策划"
        ),
        "sales": person(
            "reviewer_sales", role=Role.REVIEWER, dept="sales", title="销售部总监", name="李总监"
        ),
        "product": person(
            "reviewer_product", role=Role.REVIEWER, dept="product", title="产品部经理", name="周经理"
        ),
        "legal": person("reviewer_legal", role=Role.REVIEWER, dept="legal", title="法务主管", name="吴律师"),
        "finance": person(
            "reviewer_finance", role=Role.REVIEWER, dept="finance", title="财务经理", name="郑会计"
        ),
        "exec": person(
            "approver_exec", role=Role.APPROVER_EXEC, dept="marketing", title="分管市场副总裁", name="赵总"
        ),
        "gm": person("approver_gm", role=Role.APPROVER_GM, dept="admin", title="总经理", name="孙总"),
    }


@dataclass
class PlanningRecords:
    event: Event
    report: NeedsReport
    plan: Plan
    segments: list[RunOfShowSegment]
    lines: list[BudgetLine]
    risks: list[Risk]
    version: PlanVersion | None
    reviews: list[DepartmentReview] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def subtotal(self, category: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.category == category), Decimal("0.00"))


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def planning_records(
    event: Event,
    *,
    people: dict[str, User] | None = None,
    segments: int = 7,
    budget_lines: int = 12,
    risks: int = 4,
    signed: bool = True,
    history: list[Event] | None = None,
) -> PlanningRecords:
    people = people or default_people()
    organiser = people["organiser"]
    report = NeedsReport.objects.create(
        event=event,
        background="公司将于明年春季发布新一代智能终端,需要面向行业客户集中展示。",
        audience_persona="行业客户的采购决策者与技术负责人,35–50 岁,关注投入产出。",
        core_needs="展示新品能力,收集有效销售线索,提升品牌在行业中的专业形象。",
        initial_goals="吸引 200+ 行业客户到场,收集 150 条有效线索,媒体曝光 50 万次。",
        requesting_department=Department.objects.get(code="sales"),
        requested_on=dt.date(2026, 11, 2),
        history_event_ids=[e.pk for e in history or []],
    )
    report.requesters.set([people["sales"], organiser])
    NeedsInput.objects.bulk_create(
        [
            NeedsInput(
                report=report,
                kind=NeedsInput.Kind.CUSTOMER_FEEDBACK,
                content="客户希望现场体验新品。",
                source="客服记录",
                position=2,
            ),
            NeedsInput(
                report=report,
                kind=NeedsInput.Kind.BUSINESS_GOAL,
                content="下季度新增 30 家行业客户。",
                source="销售部",
                position=1,
            ),
            NeedsInput(
                report=report,
                kind=NeedsInput.Kind.MARKET_TREND,
                content="行业数字化采购需求上升。",
                source="行业报告",
                position=0,
            ),
        ]
    )
    NeedsMethod.objects.bulk_create(
        [
            NeedsMethod(
                report=report,
                method=NeedsMethod.Method.INTERVIEW,
                findings="销售部希望以体验区带动签约。",
                conducted_on=dt.date(2026, 10, 20),
                participants="销售部、产品部",
            ),
            NeedsMethod(
                report=report,
                method=NeedsMethod.Method.QUESTIONNAIRE,
                findings="68% 的客户偏好下午场。",
                conducted_on=dt.date(2026, 10, 25),
                participants="120 位客户",
                position=1,
            ),
        ]
    )
    Goal.objects.bulk_create(
        [
            Goal(
                event=event,
                metric=Goal.Metric.ATTENDEES,
                description="行业客户到场",
                target_value=Decimal("200"),
                unit="人",
                baseline=Decimal("150"),
                due_date=dt.date(2027, 3, 18),
                owner=organiser,
                objective="扩大行业客户覆盖",
                position=0,
            ),
            Goal(
                event=event,
                metric=Goal.Metric.VALID_LEADS,
                description="有效销售线索",
                target_value=Decimal("150"),
                unit="条",
                due_date=dt.date(2027, 3, 25),
                owner=people["sales"],
                objective="新增签约客户",
                position=1,
            ),
            Goal(
                event=event,
                metric=Goal.Metric.MEDIA_EXPOSURE,
                target_value=Decimal("500000"),
                unit="次",
                due_date=dt.date(2027, 3, 31),
                owner=organiser,
                position=2,
            ),
        ]
    )
    plan = Plan.objects.create(
        event=event,
        background="新品发布会是年度最重要的市场活动之一。",
        positioning="高端专业,突出技术领先。",
        approved_budget=Decimal("2000000.00"),
    )
    # Run of show: back to back from the event's start, all inside the event's time (PL-2).
    minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
    duration = max(1, min(45, minutes // max(1, segments)))
    owners = [organiser, people["product"], people["sales"]]
    seg_rows = [
        RunOfShowSegment(
            plan=plan,
            position=i,
            title=f"环节{i + 1:02d}",
            starts_at=event.starts_at + dt.timedelta(minutes=i * duration),
            duration_minutes=duration,
            owner=owners[i % len(owners)],
            key_actions=f"关键动作{i + 1}:主持串场、灯光音响就位",
        )
        for i in range(segments)
    ]
    RunOfShowSegment.objects.bulk_create(seg_rows)
    # Budget: the lines spread over the five categories, the last line the contingency reserve at 8%
    # of the total (PL-3 band 5–10%).
    line_rows: list[BudgetLine] = []
    for i in range(max(0, budget_lines - 1)):
        code, name = CATEGORIES[i % len(CATEGORIES)]
        qty = Decimal(i % 4 + 1)
        price = Decimal(1000 + 137 * i) + Decimal("0.50")
        line_rows.append(
            BudgetLine(
                plan=plan,
                position=i,
                category=code,
                category_name=name,
                item=f"{name}项目{i + 1}",
                quantity=qty,
                unit="项",
                unit_price=price,
                amount=_money(qty * price),
            )
        )
    normal = sum((line.amount for line in line_rows), Decimal("0.00"))
    if budget_lines:
        reserve = _money(normal * Decimal("8") / Decimal("92"))
        line_rows.append(
            BudgetLine(
                plan=plan,
                position=budget_lines,
                category=CONTINGENCY,
                category_name="应急备用金",
                item="应急备用金",
                quantity=Decimal("1"),
                unit="项",
                unit_price=reserve,
                amount=reserve,
            )
        )
    BudgetLine.objects.bulk_create(line_rows)
    risk_rows = [
        Risk(
            plan=plan,
            position=i,
            risk=f"风险{i + 1}:设备故障",
            likelihood="medium",
            impact="high",
            owner=organiser,
            response="立即启用备用设备",
            backup_resource="备用投影仪、备用麦克风",
        )
        for i in range(risks)
    ]
    Risk.objects.bulk_create(risk_rows)
    PlanAttachment.objects.create(
        plan=plan,
        kind=PlanAttachment.Kind.FLOOR_PLAN,
        file="plans/floor.pdf",
        original_name="场地平面图.pdf",
        size=204800,
        sha256="0" * 64,
        uploaded_by=organiser,
    )
    PlanAttachment.objects.create(
        plan=plan,
        kind=PlanAttachment.Kind.MATERIALS_LIST,
        file="plans/materials.xlsx",
        original_name="物料清单.xlsx",
        size=18000,
        sha256="1" * 64,
        uploaded_by=organiser,
    )

    records = PlanningRecords(
        event=event,
        report=report,
        plan=plan,
        segments=seg_rows,
        lines=line_rows,
        risks=risk_rows,
        version=None,
    )
    if not signed:
        return records
    content_hash = hashlib.sha256(f"plan-{plan.pk}-v1".encode()).hexdigest()
    submitted = dt.datetime(2027, 2, 1, 2, 0, tzinfo=dt.UTC)
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        content={"plan": plan.pk},
        content_hash=content_hash,
        status=PlanVersion.Status.APPROVED,
        submitted_by=organiser,
        submitted_at=submitted,
        closed_at=submitted + dt.timedelta(days=4),
    )
    decisions = {
        "sales": DepartmentReview.Decision.APPROVE,
        "product": DepartmentReview.Decision.APPROVE,
        "legal": DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
        "finance": DepartmentReview.Decision.APPROVE,
    }
    reviews = []
    for day, code in enumerate(REVIEW_DEPARTMENTS):
        reviews.append(
            DepartmentReview.objects.create(
                version=version,
                department=Department.objects.get(code=code),
                reviewer=people[code],
                decision=decisions[code],
                feasibility_opinion=f"{code} 可行性:流程安排合理。",
                budget_opinion=f"{code} 预算:费用构成清晰。",
                risk_opinion=f"{code} 风险:预案充分。",
                conditions="合同须经法务审核后签署。" if code == "legal" else "",
                decided_at=submitted + dt.timedelta(days=1, hours=day),
            )
        )
    signatures = [
        Signature.objects.create(
            version=version,
            level=ApprovalLevel.EXECUTIVE,
            approver=people["exec"],
            decision=Signature.Decision.APPROVE,
            comment="同意,注意控制成本。",
            content_hash=content_hash,
            signed_at=submitted + dt.timedelta(days=2, hours=1),
        ),
        Signature.objects.create(
            version=version,
            level=ApprovalLevel.GENERAL_MANAGER,
            approver=people["gm"],
            decision=Signature.Decision.APPROVE,
            comment="同意。",
            content_hash=content_hash,
            signed_at=submitted + dt.timedelta(days=3, hours=2),
        ),
    ]
    records.version, records.reviews, records.signatures = version, reviews, signatures
    return records
