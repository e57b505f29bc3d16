"""Demo data for needs insight and goals (NI-1, NI-2, GO-1, DOC-1) of the demo product launch.

Figures are the specification's examples: 新品上市需提升30%线索量; 200+ industry customers, 150 valid
leads, 500,000 media exposure. Written through the services (validated, audited) and idempotent: a
part already on record is left as it is, so loading the demo twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from huodong.core.models import Department, User
from huodong.events.models import Event
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport
from huodong.planning.rules import GOALS_EDITABLE_STEPS, NEEDS_EDITABLE_STEPS
from huodong.planning.services import goals as goal_services
from huodong.planning.services import needs as needs_services

BACKGROUND = (
    "公司将于2027年3月发布新一代智能产品线。销售部提出:新品上市需在首季度提升30%的销售线索量;"
    "市场部需通过一场面向行业客户的发布会集中展示新品、收集高质量线索,并扩大品牌在行业媒体中的声量。"
)
PERSONA = (
    "制造、零售、金融等行业中大型企业的信息化负责人与业务决策者(CIO、IT 总监、数字化部门经理),"
    "年龄 30–50 岁,关注降本增效与落地案例,偏好现场体验与同行交流,决策周期 1–3 个月。"
)
CORE_NEEDS = (
    "1. 让目标客户在现场亲手体验新品的核心功能;2. 提供与产品专家、销售一对一交流的机会,"
    "现场完成有效线索登记;3. 借助行业媒体与直播扩大曝光;4. 增加现场互动环节(调研显示受众对现场互动需求提升)。"
)
INITIAL_GOALS = "吸引200+行业客户参与,收集有效线索150条,媒体曝光量达50万。"

INPUTS = [
    (NeedsInput.Kind.BUSINESS_GOAL, "新品上市需提升30%线索量", "销售部"),
    (
        NeedsInput.Kind.MARKET_TREND,
        "行业热点转向 AI 赋能与数字化转型;用户偏好由线上信息获取转向线下深度体验与同行案例交流。",
        "市场部行业趋势分析",
    ),
    (NeedsInput.Kind.CUSTOMER_FEEDBACK, "调研显示目标受众对现场互动需求提升", "客户满意度调研"),
]

METHODS = [
    (
        NeedsMethod.Method.INTERVIEW,
        "销售部希望发布会以收集有效线索为首要目标,现场需安排销售与客户一对一洽谈区;产品部建议设置体验区。",
        dt.date(2026, 12, 1),
        "销售部、产品部负责人",
    ),
    (
        NeedsMethod.Method.QUESTIONNAIRE,
        "回收问卷 326 份:72% 的受访客户希望现场体验产品,58% 希望与同行交流,41% 关注直播回看。",
        dt.date(2026, 12, 5),
        "老客户及潜在客户",
    ),
    (
        NeedsMethod.Method.BENCHMARKING,
        "对标两家竞品的年度发布会:均设互动体验区与签约仪式,线上直播观看量约 30–40 万。",
        dt.date(2026, 12, 8),
        "",
    ),
    (
        NeedsMethod.Method.HISTORICAL_REVIEW,
        "上一届新品发布会到场 160 人、有效线索 115 条;签到排队过长、互动环节偏少是主要不足。",
        dt.date(2026, 12, 10),
        "市场部",
    ),
]


def _goals(event: Event, people: dict[str, User]) -> list[dict]:
    day = event.local_end().date()
    return [
        {
            "metric": Goal.Metric.ATTENDEES,
            "description": "吸引200+行业客户参与",
            "target_value": Decimal("200"),
            "unit": "人",
            "baseline": Decimal("160"),
            "due_date": day,
            "owner": people["organiser"],
            "objective": "扩大新品在目标行业客户中的影响力",
        },
        {
            "metric": Goal.Metric.VALID_LEADS,
            "description": "收集有效线索150条",
            "target_value": Decimal("150"),
            "unit": "条",
            "baseline": Decimal("115"),
            "due_date": day + dt.timedelta(days=14),
            "owner": people["reviewer_sales"],
            "objective": "新品上市需提升30%线索量",
        },
        {
            "metric": Goal.Metric.MEDIA_EXPOSURE,
            "description": "媒体曝光量达50万",
            "target_value": Decimal("500000"),
            "unit": "次",
            "baseline": None,
            "due_date": day + dt.timedelta(days=30),
            "owner": people["marketing_mgr"],
            "objective": "提升新品品牌声量",
        },
    ]


def demo_needs_goals(*, event: Event, people: dict[str, User]) -> None:
    """Fill the demo launch's needs report and goals once; a second call changes nothing."""
    actor = people["organiser"]
    report = NeedsReport.objects.filter(event=event).first()
    if event.step in NEEDS_EDITABLE_STEPS:
        if report is None or not report.background:
            needs_services.needs_report_update(
                actor=actor,
                event=event,
                seen=report.revision if report is not None else NeedsReport().revision,
                background=BACKGROUND,
                audience_persona=PERSONA,
                core_needs=CORE_NEEDS,
                initial_goals=INITIAL_GOALS,
                requesting_department=Department.objects.get(code="sales"),
                requesters=[people["marketing_mgr"], people["reviewer_sales"]],
                requested_on=dt.date(2026, 12, 12),
            )
            report = NeedsReport.objects.get(event=event)
        if not report.inputs.exists():
            for kind, content, source in INPUTS:
                needs_services.needs_input_add(
                    actor=actor, event=event, kind=kind, content=content, source=source
                )
        if not report.methods.exists():
            for method, findings, on, participants in METHODS:
                needs_services.needs_method_add(
                    actor=actor,
                    event=event,
                    method=method,
                    findings=findings,
                    conducted_on=on,
                    participants=participants,
                )
    if event.step in GOALS_EDITABLE_STEPS:
        existing = set(Goal.objects.filter(event=event).values_list("metric", flat=True))
        for goal in _goals(event, people):
            if goal["metric"] not in existing:
                goal_services.goal_add(actor=actor, event=event, **goal)
