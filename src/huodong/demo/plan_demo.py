"""Demo data of 方案设计 (PL-1, PL-2, PL-3, DOC-2): the launch's plan, filled through the plan services.

The run of show is the product-launch template (PL-2's seven segments, 13:30–16:20 inside the event's
13:30–17:30), with owners; the budget is itemised by the PL-3 categories within an approved ¥600,000
with a contingency reserve of about 8%; the template's risks get owners. The event stays at its step.
Loading twice changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from huodong.core.models import User
from huodong.events.models import Event
from huodong.planning.models import CONTINGENCY, Plan
from huodong.planning.services.budget import budget_line_add
from huodong.planning.services.plan import plan_get_or_create, plan_update
from huodong.planning.services.risks import risk_update
from huodong.planning.services.run_of_show import segment_update

APPROVED_BUDGET = Decimal("600000.00")

BACKGROUND = (
    "公司将于 2027 年 3 月发布新一代智能产品线。销售部提出:新品上市须在首季度内将有效销售线索提升 30%,"
    "并与重点客户完成首批签约。市场调研显示行业客户对“智能化升级”关注度持续上升,竞品已于去年举办同类发布会。"
    "本次发布会面向重点客户、渠道伙伴与行业媒体,集中展示新品价值并促成现场签约。"
)
POSITIONING = "以“智启未来”为主题,定位高端专业:突出技术领先与行业解决方案,兼顾现场体验与商务转化。"

# title → (owner username, key actions)
SEGMENT_OWNERS: dict[str, tuple[str, str]] = {
    "签到": ("checkin_staff", "扫码签到、发放资料袋与胸牌,引导入座"),
    "开场": ("organiser", "主持人开场、播放暖场视频、介绍到场嘉宾"),
    "领导致辞": ("approver_gm", "总经理致辞,阐述公司战略与新品意义"),
    "产品讲解": ("reviewer_product", "产品经理讲解新品功能、应用场景与价格体系"),
    "互动体验": ("reviewer_product", "体验区开放、产品专家现场答疑、收集意向客户信息"),
    "签约仪式": ("reviewer_sales", "重点客户签约、媒体拍照"),
    "合影": ("marketing_mgr", "全体嘉宾合影,引导离场并发放伴手礼"),
}

# category, item, quantity, unit, unit price, note — PL-3 categories; contingency ≈ 8% of the total.
BUDGET_LINES: list[tuple[str, str, str, str, str, str]] = [
    ("venue", "黄浦厅场地租赁(含半天布展)", "1", "天", "120000", "含基础音响与桌椅"),
    ("venue", "舞台与展区搭建", "1", "项", "45000", ""),
    ("materials", "主背景板", "1", "块", "18000", "8×3 m"),
    ("materials", "易拉宝", "6", "个", "350", "80×200 cm"),
    ("materials", "海报", "10", "张", "120", "A1"),
    ("materials", "产品手册", "300", "本", "25", "A4 16 页"),
    ("materials", "伴手礼", "220", "份", "180", ""),
    ("materials", "定制礼品", "220", "份", "120", ""),
    ("equipment", "LED 主屏租赁", "1", "项", "60000", ""),
    ("equipment", "音响灯光系统", "1", "项", "38000", ""),
    ("equipment", "备用投影仪与备用麦克风", "2", "套", "3500", "风险预案备用资源"),
    ("labour", "专业主持人", "1", "人", "20000", ""),
    ("labour", "礼仪人员", "8", "人", "1200", ""),
    ("labour", "摄影摄像", "1", "项", "15000", ""),
    ("labour", "技术保障人员", "4", "人", "2000", ""),
    ("promotion", "行业媒体邀约与发稿", "1", "项", "40000", ""),
    ("promotion", "线上推广投放", "1", "项", "50000", ""),
    (CONTINGENCY, "应急备用金", "1", "项", "44000", "约占预算总额 8%"),
]

# risk (as in the template) → owner username
RISK_OWNERS: dict[str, str] = {
    "设备故障(投影、音响)": "staff",
    "主持人或礼仪人员缺席": "marketing_mgr",
    "负面舆情": "organiser",
    "开场延误": "organiser",
}


def demo_plan(*, event: Event, people: dict[str, User]) -> None:
    """Fill the launch's plan through the services (``system=True``: the event stays at its step)."""
    organiser = people.get("organiser") or event.owner
    plan = Plan.objects.filter(event=event).first()
    if plan is None:
        plan = plan_get_or_create(event=event, actor=organiser, system=True)
    if not plan.background:
        plan_update(
            actor=organiser,
            event=event,
            seen=plan.revision,
            system=True,
            theme=event.theme or "智启未来",
            tone=event.tone or "高端专业",
            background=BACKGROUND,
            positioning=POSITIONING,
            approved_budget=APPROVED_BUDGET,
        )
    for seg in plan.segments.all():
        spec = SEGMENT_OWNERS.get(seg.title)
        if spec is None:
            continue
        owner = people.get(spec[0])
        if seg.owner_id is None and owner is not None:
            segment_update(
                actor=organiser,
                event=event,
                segment_id=seg.pk,
                seen=seg.revision,
                system=True,
                owner=owner,
                key_actions=spec[1],
            )
    if not plan.budget_lines.exists():
        for category, item, quantity, unit, price, note in BUDGET_LINES:
            budget_line_add(
                actor=organiser,
                event=event,
                system=True,
                category=category,
                item=item,
                quantity=quantity,
                unit=unit,
                unit_price=price,
                note=note,
            )
    for risk in plan.risks.all():
        owner = people.get(RISK_OWNERS.get(risk.risk, "organiser"))
        if risk.owner_id is None and owner is not None:
            risk_update(
                actor=organiser, event=event, risk_id=risk.pk, seen=risk.revision, system=True, owner=owner
            )
