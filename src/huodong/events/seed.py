"""The five event types of the specification (SC-2) with their templates, loaded by data migrations.

Each type has its own template: run of show (PL-2), risk register (EX-5), budget categories with their
typical shares (PL-3) and materials (MT-1). Figures are examples kept as data, so an administrator can change
them on the event type page.

Template rows (run-of-show segments and risks) carry an ``owner_role``, one of ``OWNER_ROLES``. When a plan
is prefilled from the template, the row's owner is the person of the event's team that has that role
(``owner_role_match``); a row whose role nobody on the team has stays without owner, for the planner to
choose (the plan gate asks for it).

Budget categories carry ``share``: the typical share of the budget total in percent (one decimal at most).
The shares of a type add up to 100 and the contingency reserve's share lies inside the PL-3 band (5%–10%).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

CONTINGENCY = "contingency"

# The owner roles of template rows: key → label, and how a team member is recognised (see owner_role_match).
OWNER_ROLES: dict[str, Any] = {
    "organiser": _("活动负责人"),
    "host": _("主持人"),
    "stage_manager": _("舞台监督"),
    "tech": _("技术保障"),
    "reception": _("接待礼宾"),
    "content": _("内容与讲者"),
    "marketing": _("市场宣传"),
    "sales": _("销售与客户"),
    "logistics": _("后勤物料"),
}

# A team member has a role when their title (职务) contains one of its words (case-insensitive); failing
# that, when their department is one of its departments. "organiser" is always the event's owner.
OWNER_ROLE_TITLE_WORDS: dict[str, tuple[str, ...]] = {
    "organiser": (),
    "host": ("主持", "host", "mc"),
    "stage_manager": ("舞台", "导演", "现场", "stage"),
    "tech": ("技术", "音响", "灯光", "视频", "tech", "engineer"),
    "reception": ("接待", "礼宾", "礼仪", "reception", "hospitality"),
    "content": ("产品", "内容", "讲师", "议程", "product", "content"),
    "marketing": ("市场", "宣传", "品牌", "公关", "媒体", "marketing", "brand", "media"),
    "sales": ("销售", "客户", "商务", "sales", "account"),
    "logistics": ("后勤", "物料", "采购", "行政", "logistics", "procurement"),
}
OWNER_ROLE_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "tech": ("tech",),
    "content": ("product",),
    "marketing": ("marketing",),
    "sales": ("sales",),
    "reception": ("admin",),
    "logistics": ("admin",),
}


def owner_role_match(role: str, *, owner: Any, team: list[Any]) -> Any:
    """The person who owns a template row of ``role``: the event owner for "organiser"; else the first team
    member (in the order given) whose title contains a word of the role; else the first whose department is
    one of the role's; else None (the planner chooses)."""
    if role == "organiser":
        return owner
    words = OWNER_ROLE_TITLE_WORDS.get(role)
    if not words and role not in OWNER_ROLE_DEPARTMENTS:
        return None
    for person in team:
        title = (getattr(person, "title", "") or "").casefold()
        if title and any(w.casefold() in title for w in words or ()):
            return person
    codes = OWNER_ROLE_DEPARTMENTS.get(role, ())
    for person in team:
        dept = getattr(person, "department", None)
        if dept is not None and dept.code in codes:
            return person
    return None


def _cat(code: str, name: str, name_en: str, share: str) -> dict[str, Any]:
    return {"code": code, "name": name, "name_en": name_en, "share": share}


def _seg(title: str, title_en: str, minutes: int, actions: str, role: str) -> dict[str, Any]:
    return {
        "title": title,
        "title_en": title_en,
        "duration_minutes": minutes,
        "key_actions": actions,
        "owner_role": role,
    }


def _risk(risk: str, likelihood: str, impact: str, response: str, backup: str, role: str) -> dict[str, Any]:
    return {
        "risk": risk,
        "likelihood": likelihood,
        "impact": impact,
        "response": response,
        "backup": backup,
        "owner_role": role,
    }


def _mat(kind: str, name: str, quantity: int, spec: str = "") -> dict[str, Any]:
    return {"kind": kind, "name": name, "quantity": quantity, "spec": spec}


# ---------------------------------------------------------------- 产品发布会 (product launch)
# PL-3: the budget categories of a launch, contingency reserve last.
BUDGET_CATEGORIES: list[dict[str, Any]] = [
    _cat("venue", "场地租赁", "Venue rental", "30"),
    _cat("equipment", "设备租赁", "Equipment rental", "25"),
    _cat("promotion", "推广宣传", "Promotion", "20"),
    _cat("materials", "物料制作", "Materials production", "10"),
    _cat("labour", "人员劳务", "Staff labour", "8"),
    _cat(CONTINGENCY, "应急备用金", "Contingency reserve", "7"),
]

# PL-2: the example timeline of a launch.
LAUNCH_RUN_OF_SHOW: list[dict[str, Any]] = [
    _seg("签到", "Check-in", 30, "扫码签到、发放资料袋", "reception"),
    _seg("开场", "Opening", 10, "主持人开场、播放暖场视频", "host"),
    _seg("领导致辞", "Leader's speech", 15, "总经理致辞", "host"),
    _seg("产品讲解", "Product presentation", 40, "产品经理讲解新品", "content"),
    _seg("互动体验", "Hands-on experience", 45, "体验区开放、现场答疑", "content"),
    _seg("签约仪式", "Signing ceremony", 20, "重点客户签约", "sales"),
    _seg("合影", "Group photo", 10, "全体嘉宾合影", "stage_manager"),
]

# EX-5: the incidents the spec names, with their prepared responses.
DEFAULT_RISKS: list[dict[str, Any]] = [
    _risk(
        "设备故障(投影、音响)",
        "medium",
        "high",
        "立即启用备用设备,技术人员 15 分钟内到场",
        "备用投影仪、备用麦克风",
        "tech",
    ),
    _risk(
        "主持人或礼仪人员缺席",
        "low",
        "high",
        "启用预先安排的替补人员",
        "备用主持人、备用礼仪",
        "stage_manager",
    ),
    _risk("负面舆情", "low", "medium", "监测社交媒体,统一口径回应负面信息", "公关口径模板", "marketing"),
    _risk(
        "开场延误",
        "medium",
        "medium",
        "第一时间通知相关人员并调整后续环节",
        "暖场视频、互动节目",
        "stage_manager",
    ),
]

# MT-1: the three kinds of materials.
DEFAULT_MATERIALS: list[dict[str, Any]] = [
    _mat("publicity", "海报", 10, "A1"),
    _mat("publicity", "易拉宝", 6, "80×200 cm"),
    _mat("publicity", "产品手册", 300, "A4 16 页"),
    _mat("event", "签到台", 2, "2 m"),
    _mat("event", "背景板", 1, "8×3 m"),
    _mat("event", "指示牌", 8, "60×90 cm"),
    _mat("gift", "定制礼品", 220),
    _mat("gift", "伴手礼", 220),
]

# ---------------------------------------------------------------- 行业峰会 (industry summit)
SUMMIT_RUN_OF_SHOW: list[dict[str, Any]] = [
    _seg("签到", "Check-in", 30, "扫码签到、发放胸牌与会议手册", "reception"),
    _seg("开幕致辞", "Opening address", 15, "主办方致辞", "host"),
    _seg("主旨演讲", "Keynotes", 90, "三位嘉宾主旨演讲,讲者提前 20 分钟候场", "content"),
    _seg("茶歇", "Coffee break", 20, "茶歇区开放、展位交流", "logistics"),
    _seg("圆桌论坛", "Panel", 60, "主持人引导讨论、现场提问", "host"),
    _seg("闭幕总结", "Closing remarks", 10, "主办方总结、预告下届峰会", "organiser"),
]
SUMMIT_RISKS: list[dict[str, Any]] = [
    _risk(
        "演讲嘉宾临时缺席",
        "medium",
        "high",
        "由备选嘉宾顶替或调整议程顺序",
        "备选嘉宾名单、录播演讲",
        "content",
    ),
    _risk("议程超时", "high", "medium", "主持人控场,按时提示讲者,压缩问答环节", "计时提示牌", "host"),
    _risk(
        "同传或音视频故障", "medium", "high", "切换备用同传通道与备用音响", "备用同传设备、备用麦克风", "tech"
    ),
    _risk("会场超员", "low", "medium", "开放分会场直播,按报名顺序引导入场", "分会场、直播设备", "reception"),
    _risk("敏感言论引发舆情", "low", "high", "会前审阅演讲稿,会后统一口径回应", "公关口径模板", "marketing"),
]
SUMMIT_BUDGET: list[dict[str, Any]] = [
    _cat("venue", "场地租赁", "Venue rental", "28"),
    _cat("speakers", "嘉宾讲者费用", "Speaker fees", "15"),
    _cat("catering", "餐饮茶歇", "Catering", "15"),
    _cat("equipment", "设备租赁", "Equipment rental", "12"),
    _cat("promotion", "推广宣传", "Promotion", "12"),
    _cat("materials", "物料制作", "Materials production", "6"),
    _cat("labour", "人员劳务", "Staff labour", "4"),
    _cat(CONTINGENCY, "应急备用金", "Contingency reserve", "8"),
]
SUMMIT_MATERIALS: list[dict[str, Any]] = [
    _mat("publicity", "会议手册", 500, "A5 32 页"),
    _mat("publicity", "易拉宝", 8, "80×200 cm"),
    _mat("event", "嘉宾胸牌", 500, "9×13 cm"),
    _mat("event", "主背景板", 1, "12×4 m"),
    _mat("event", "嘉宾桌签", 30, "A5 三角"),
    _mat("gift", "嘉宾礼品", 30),
]

# ---------------------------------------------------------------- 客户答谢会 (customer appreciation)
APPRECIATION_RUN_OF_SHOW: list[dict[str, Any]] = [
    _seg("签到", "Check-in", 30, "签到、发放伴手礼、引导入座", "reception"),
    _seg("致辞", "Welcome speech", 10, "领导致谢", "host"),
    _seg("年度回顾", "Year in review", 15, "播放合作回顾视频", "sales"),
    _seg("答谢晚宴", "Dinner", 90, "晚宴与节目,逐桌敬酒", "logistics"),
    _seg("抽奖", "Lottery", 20, "现场抽奖、颁发礼品", "host"),
    _seg("送别", "Farewell", 15, "送别嘉宾、安排车辆", "reception"),
]
APPRECIATION_RISKS: list[dict[str, Any]] = [
    _risk(
        "嘉宾礼品短缺",
        "medium",
        "medium",
        "按 10% 余量备货,短缺时以备用礼品补足并登记后寄",
        "备用礼品",
        "logistics",
    ),
    _risk(
        "餐饮食品安全",
        "low",
        "high",
        "选用有资质的餐饮方,留样 48 小时,现场备医护人员",
        "急救箱、附近医院联系方式",
        "logistics",
    ),
    _risk(
        "重要客户临时缺席", "medium", "medium", "会前三天确认出席,调整座次与致谢名单", "备选座次表", "sales"
    ),
    _risk(
        "酒后安全问题", "low", "high", "安排代驾与车辆送客,控制饮酒环节时长", "代驾联系人、车辆", "reception"
    ),
    _risk(
        "节目演出延误", "medium", "low", "调整节目顺序,由主持人串场", "备用节目、暖场视频", "stage_manager"
    ),
]
APPRECIATION_BUDGET: list[dict[str, Any]] = [
    _cat("catering", "餐饮宴请", "Catering", "30"),
    _cat("venue", "场地租赁", "Venue rental", "20"),
    _cat("gifts", "嘉宾礼品", "Guest gifts", "20"),
    _cat("entertainment", "节目演出", "Entertainment", "10"),
    _cat("materials", "物料制作", "Materials production", "8"),
    _cat("labour", "人员劳务", "Staff labour", "5"),
    _cat(CONTINGENCY, "应急备用金", "Contingency reserve", "7"),
]
APPRECIATION_MATERIALS: list[dict[str, Any]] = [
    _mat("publicity", "邀请函", 200, "对折 210×140 mm"),
    _mat("event", "桌卡与座次牌", 25, "A6"),
    _mat("event", "背景板", 1, "6×3 m"),
    _mat("gift", "伴手礼", 220),
    _mat("gift", "抽奖奖品", 20, "一、二、三等奖"),
]

# ---------------------------------------------------------------- 促销推广活动 (promotion)
PROMOTION_RUN_OF_SHOW: list[dict[str, Any]] = [
    _seg("开场", "Opening", 10, "主持开场、介绍优惠规则", "host"),
    _seg("产品演示", "Demo", 30, "现场演示主推产品", "content"),
    _seg("互动促销", "Interactive offers", 60, "限时优惠、互动游戏", "sales"),
    _seg("抽奖与兑奖", "Prize draw", 20, "扫码抽奖、现场兑奖", "marketing"),
    _seg("收尾", "Wrap-up", 10, "统计成交与线索、清场", "organiser"),
]
PROMOTION_RISKS: list[dict[str, Any]] = [
    _risk(
        "客流过大导致拥挤",
        "medium",
        "high",
        "设置排队通道与限流,安保人员疏导",
        "隔离带、安保人员",
        "stage_manager",
    ),
    _risk("促销库存不足", "medium", "medium", "实时盘点,缺货时改为预订并登记", "预订登记表", "sales"),
    _risk(
        "优惠规则引发投诉",
        "medium",
        "medium",
        "规则提前公示,现场设投诉受理点统一解释",
        "规则说明牌",
        "marketing",
    ),
    _risk(
        "恶劣天气影响户外场地",
        "low",
        "high",
        "提前关注天气预报,启用室内备选区域",
        "雨棚、备选场地",
        "logistics",
    ),
]
PROMOTION_BUDGET: list[dict[str, Any]] = [
    _cat("promotion", "推广宣传", "Promotion", "30"),
    _cat("prizes", "促销奖品", "Prizes and offers", "20"),
    _cat("venue", "场地租赁", "Venue rental", "15"),
    _cat("materials", "物料制作", "Materials production", "15"),
    _cat("labour", "人员劳务", "Staff labour", "10"),
    _cat("equipment", "设备租赁", "Equipment rental", "5"),
    _cat(CONTINGENCY, "应急备用金", "Contingency reserve", "5"),
]
PROMOTION_MATERIALS: list[dict[str, Any]] = [
    _mat("publicity", "宣传单页", 2000, "A5 双面"),
    _mat("publicity", "促销海报", 20, "A1"),
    _mat("event", "促销展台", 2, "3×2 m"),
    _mat("event", "价格牌", 50, "A6"),
    _mat("gift", "抽奖奖品", 100),
]

# ---------------------------------------------------------------- 品牌沙龙 (brand salon)
SALON_RUN_OF_SHOW: list[dict[str, Any]] = [
    _seg("签到", "Check-in", 20, "签到、领取资料", "reception"),
    _seg("主题分享", "Talk", 45, "嘉宾分享", "content"),
    _seg("互动问答", "Q&A", 20, "主持人收集问题、嘉宾回答", "host"),
    _seg("自由交流", "Open discussion", 45, "茶歇交流", "marketing"),
]
SALON_RISKS: list[dict[str, Any]] = [
    _risk("讲者临时缺席", "low", "high", "启用备选讲者或改为品牌团队分享", "备选讲者、备用课件", "content"),
    _risk(
        "报名人数不足",
        "medium",
        "medium",
        "活动前一周追加社群推广,邀请老客户带新",
        "社群推广素材",
        "marketing",
    ),
    _risk("现场讨论冷场", "medium", "low", "主持人预设问题,安排暖场互动", "预设问题清单", "host"),
    _risk("投影或麦克风故障", "low", "medium", "启用备用设备", "备用麦克风、便携投影", "tech"),
]
SALON_BUDGET: list[dict[str, Any]] = [
    _cat("speakers", "嘉宾讲者费用", "Speaker fees", "25"),
    _cat("venue", "场地租赁", "Venue rental", "25"),
    _cat("catering", "餐饮茶歇", "Catering", "15"),
    _cat("promotion", "推广宣传", "Promotion", "15"),
    _cat("materials", "物料制作", "Materials production", "12"),
    _cat(CONTINGENCY, "应急备用金", "Contingency reserve", "8"),
]
SALON_MATERIALS: list[dict[str, Any]] = [
    _mat("publicity", "活动海报", 5, "A2"),
    _mat("event", "签到墙", 1, "3×2.4 m"),
    _mat("event", "桌签", 40, "A6"),
    _mat("gift", "品牌伴手礼", 60),
]

# TR-1, NT-1, NT-2, EX-1, EX-3: the relative schedule, as offsets before the start.
DEFAULT_SCHEDULE: list[dict[str, Any]] = [
    {
        "code": "collaboration_letter",
        "name": "发送活动协作函",
        "offset_minutes": -7 * 24 * 60,
        "rule": "NT-1",
    },
    {"code": "execution_meeting", "name": "执行会议", "offset_minutes": -3 * 24 * 60, "rule": "TR-1"},
    {"code": "guest_reminder", "name": "嘉宾提醒", "offset_minutes": -3 * 24 * 60, "rule": "NT-2"},
    {"code": "setup_rehearsal", "name": "场地搭建与彩排", "offset_minutes": -1 * 24 * 60, "rule": "EX-1"},
    {"code": "owners_on_site", "name": "环节负责人到位", "offset_minutes": -30, "rule": "EX-3"},
]


# TM-2: the project team's groups. The spec's three for every type; a summit adds speakers, an appreciation
# evening hospitality, a promotion sales support; a salon, small, runs with two.
def _group(code: str, name: str, name_en: str, duties: str) -> dict[str, str]:
    return {"code": code, "name": name, "name_en": name_en, "duties": duties}


EXECUTION_GROUP = _group("execution", "执行组", "Execution", "场地对接、流程执行、现场控场")
PUBLICITY_GROUP = _group("publicity", "宣传组", "Publicity", "物料设计、推广宣传、媒体对接")
LOGISTICS_GROUP = _group("logistics", "后勤组", "Logistics", "物资采购、嘉宾接待、应急物资")
DEFAULT_TEAM_GROUPS: list[dict[str, str]] = [EXECUTION_GROUP, PUBLICITY_GROUP, LOGISTICS_GROUP]
TEAM_GROUPS: dict[str, list[dict[str, str]]] = {
    "product-launch": DEFAULT_TEAM_GROUPS,
    "industry-summit": [
        *DEFAULT_TEAM_GROUPS,
        _group("speakers", "嘉宾组", "Speakers", "演讲嘉宾邀约与对接、议程与讲稿协调、嘉宾接送"),
    ],
    "customer-appreciation": [
        *DEFAULT_TEAM_GROUPS,
        _group("hospitality", "接待组", "Hospitality", "客户迎宾与座次、餐饮与节目衔接、礼品发放"),
    ],
    "promotion": [
        *DEFAULT_TEAM_GROUPS,
        _group("sales-support", "销售支持组", "Sales support", "促销政策讲解、订单登记、现场成交跟进"),
    ],
    "brand-salon": [
        _group("execution", "执行组", "Execution", "场地对接、流程执行、物资与嘉宾接待"),
        PUBLICITY_GROUP,
    ],
}

BUILTIN_TYPES: list[dict[str, Any]] = [
    {
        "code": "product-launch",
        "name": "产品发布会",
        "name_en": "Product launch",
        "run_of_show": LAUNCH_RUN_OF_SHOW,
        "risks": DEFAULT_RISKS,
        "budget_categories": BUDGET_CATEGORIES,
        "materials": DEFAULT_MATERIALS,
    },
    {
        "code": "industry-summit",
        "name": "行业峰会",
        "name_en": "Industry summit",
        "run_of_show": SUMMIT_RUN_OF_SHOW,
        "risks": SUMMIT_RISKS,
        "budget_categories": SUMMIT_BUDGET,
        "materials": SUMMIT_MATERIALS,
    },
    {
        "code": "customer-appreciation",
        "name": "客户答谢会",
        "name_en": "Customer appreciation",
        "run_of_show": APPRECIATION_RUN_OF_SHOW,
        "risks": APPRECIATION_RISKS,
        "budget_categories": APPRECIATION_BUDGET,
        "materials": APPRECIATION_MATERIALS,
    },
    {
        "code": "promotion",
        "name": "促销推广活动",
        "name_en": "Promotion",
        "run_of_show": PROMOTION_RUN_OF_SHOW,
        "risks": PROMOTION_RISKS,
        "budget_categories": PROMOTION_BUDGET,
        "materials": PROMOTION_MATERIALS,
    },
    {
        "code": "brand-salon",
        "name": "品牌沙龙",
        "name_en": "Brand salon",
        "run_of_show": SALON_RUN_OF_SHOW,
        "risks": SALON_RISKS,
        "budget_categories": SALON_BUDGET,
        "materials": SALON_MATERIALS,
    },
]


# EX-2: the kit handed out at the door of each type (code, name, English name); the check-in settings of
# a new event start from it (``checkin.services.redeem.settings_for``).
def _kit(code: str, name: str, name_en: str) -> dict[str, str]:
    return {"code": code, "name": name, "name_en": name_en}


KIT_AGENDA = _kit("agenda", "议程", "Agenda")
KITS: dict[str, list[dict[str, str]]] = {
    "product-launch": [KIT_AGENDA, _kit("bag", "资料袋", "Info pack"), _kit("gift", "伴手礼", "Gift")],
    "industry-summit": [
        KIT_AGENDA,
        _kit("badge", "胸牌", "Badge"),
        _kit("proceedings", "会刊", "Proceedings"),
        _kit("bag", "资料袋", "Info pack"),
    ],
    "customer-appreciation": [
        _kit("programme", "节目单", "Programme"),
        _kit("seat", "座位卡", "Seat card"),
        _kit("gift", "答谢礼品", "Thank-you gift"),
    ],
    "promotion": [
        _kit("brochure", "产品手册", "Brochure"),
        _kit("offer", "优惠券", "Offer voucher"),
        _kit("gift", "小礼品", "Small gift"),
    ],
    "brand-salon": [KIT_AGENDA, _kit("gift", "伴手礼", "Gift")],
}


# The template keys each built-in type sets (schedule is common to all).
TYPE_TEMPLATE_KEYS = ("run_of_show", "risks", "budget_categories", "materials")


def share_total(categories: list[dict[str, Any]]) -> Decimal:
    """The sum of the typical shares (percent) of a template's budget categories."""
    return sum((Decimal(str(c.get("share") or 0)) for c in categories), Decimal(0))


def seed_event_types(EventType: Any) -> None:  # noqa: N803  (a historical model in a migration)
    for spec in BUILTIN_TYPES:
        defaults = {
            "name": spec["name"],
            "name_en": spec["name_en"],
            "is_builtin": True,
            **{key: spec[key] for key in TYPE_TEMPLATE_KEYS},
            "schedule": DEFAULT_SCHEDULE,
        }
        if any(f.name == "team_groups" for f in EventType._meta.get_fields()):  # from migration 0005 on
            defaults["team_groups"] = TEAM_GROUPS[spec["code"]]
        if any(f.name == "kit" for f in EventType._meta.get_fields()):  # from migration 0007 on
            defaults["kit"] = KITS[spec["code"]]
        EventType.objects.update_or_create(code=spec["code"], defaults=defaults)
