"""The five event types of the specification (SC-2) with their templates, loaded by a data migration.

Figures are the spec's examples, kept as data so an administrator can change them.
"""

from __future__ import annotations

from typing import Any

# PL-3: the budget categories, contingency reserve last.
BUDGET_CATEGORIES: list[dict[str, str]] = [
    {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
    {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
    {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
    {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
    {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
    {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
]

# PL-2: the example timeline of a launch.
LAUNCH_RUN_OF_SHOW: list[dict[str, Any]] = [
    {"title": "签到", "title_en": "Check-in", "duration_minutes": 30, "key_actions": "扫码签到、发放资料袋"},
    {
        "title": "开场",
        "title_en": "Opening",
        "duration_minutes": 10,
        "key_actions": "主持人开场、播放暖场视频",
    },
    {"title": "领导致辞", "title_en": "Leader's speech", "duration_minutes": 15, "key_actions": "总经理致辞"},
    {
        "title": "产品讲解",
        "title_en": "Product presentation",
        "duration_minutes": 40,
        "key_actions": "产品经理讲解新品",
    },
    {
        "title": "互动体验",
        "title_en": "Hands-on experience",
        "duration_minutes": 45,
        "key_actions": "体验区开放、现场答疑",
    },
    {
        "title": "签约仪式",
        "title_en": "Signing ceremony",
        "duration_minutes": 20,
        "key_actions": "重点客户签约",
    },
    {"title": "合影", "title_en": "Group photo", "duration_minutes": 10, "key_actions": "全体嘉宾合影"},
]

# EX-5: the incidents the spec names, with their prepared responses.
DEFAULT_RISKS: list[dict[str, str]] = [
    {
        "risk": "设备故障(投影、音响)",
        "likelihood": "medium",
        "impact": "high",
        "response": "立即启用备用设备,技术人员 15 分钟内到场",
        "backup": "备用投影仪、备用麦克风",
    },
    {
        "risk": "主持人或礼仪人员缺席",
        "likelihood": "low",
        "impact": "high",
        "response": "启用预先安排的替补人员",
        "backup": "备用主持人、备用礼仪",
    },
    {
        "risk": "负面舆情",
        "likelihood": "low",
        "impact": "medium",
        "response": "监测社交媒体,统一口径回应负面信息",
        "backup": "公关口径模板",
    },
    {
        "risk": "开场延误",
        "likelihood": "medium",
        "impact": "medium",
        "response": "第一时间通知相关人员并调整后续环节",
        "backup": "暖场视频、互动节目",
    },
]

# MT-1: the three kinds of materials.
DEFAULT_MATERIALS: list[dict[str, Any]] = [
    {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
    {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
    {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
    {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
    {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
    {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
    {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
    {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
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

BUILTIN_TYPES: list[dict[str, Any]] = [
    {
        "code": "product-launch",
        "name": "产品发布会",
        "name_en": "Product launch",
        "run_of_show": LAUNCH_RUN_OF_SHOW,
    },
    {
        "code": "industry-summit",
        "name": "行业峰会",
        "name_en": "Industry summit",
        "run_of_show": [
            {"title": "签到", "title_en": "Check-in", "duration_minutes": 30, "key_actions": "扫码签到"},
            {
                "title": "开幕致辞",
                "title_en": "Opening address",
                "duration_minutes": 15,
                "key_actions": "主办方致辞",
            },
            {"title": "主旨演讲", "title_en": "Keynotes", "duration_minutes": 90, "key_actions": "嘉宾演讲"},
            {
                "title": "圆桌论坛",
                "title_en": "Panel",
                "duration_minutes": 60,
                "key_actions": "主持人引导讨论",
            },
            {
                "title": "交流午宴",
                "title_en": "Networking lunch",
                "duration_minutes": 60,
                "key_actions": "商务交流",
            },
        ],
    },
    {
        "code": "customer-appreciation",
        "name": "客户答谢会",
        "name_en": "Customer appreciation",
        "run_of_show": [
            {
                "title": "签到",
                "title_en": "Check-in",
                "duration_minutes": 30,
                "key_actions": "签到、发放伴手礼",
            },
            {
                "title": "致辞",
                "title_en": "Welcome speech",
                "duration_minutes": 10,
                "key_actions": "领导致谢",
            },
            {"title": "答谢晚宴", "title_en": "Dinner", "duration_minutes": 90, "key_actions": "晚宴与节目"},
            {"title": "抽奖", "title_en": "Lottery", "duration_minutes": 20, "key_actions": "现场抽奖"},
        ],
    },
    {
        "code": "promotion",
        "name": "促销推广活动",
        "name_en": "Promotion",
        "run_of_show": [
            {"title": "开场", "title_en": "Opening", "duration_minutes": 10, "key_actions": "主持开场"},
            {"title": "产品演示", "title_en": "Demo", "duration_minutes": 30, "key_actions": "现场演示"},
            {
                "title": "互动促销",
                "title_en": "Interactive offers",
                "duration_minutes": 60,
                "key_actions": "限时优惠、互动游戏",
            },
        ],
    },
    {
        "code": "brand-salon",
        "name": "品牌沙龙",
        "name_en": "Brand salon",
        "run_of_show": [
            {"title": "签到", "title_en": "Check-in", "duration_minutes": 20, "key_actions": "签到"},
            {"title": "主题分享", "title_en": "Talk", "duration_minutes": 45, "key_actions": "嘉宾分享"},
            {
                "title": "自由交流",
                "title_en": "Open discussion",
                "duration_minutes": 45,
                "key_actions": "茶歇交流",
            },
        ],
    },
]


def seed_event_types(EventType: Any) -> None:  # noqa: N803  (a historical model in a migration)
    for spec in BUILTIN_TYPES:
        defaults = {
            "name": spec["name"],
            "name_en": spec["name_en"],
            "is_builtin": True,
            "run_of_show": spec["run_of_show"],
            "budget_categories": BUDGET_CATEGORIES,
            "risks": DEFAULT_RISKS,
            "materials": DEFAULT_MATERIALS,
            "schedule": DEFAULT_SCHEDULE,
        }
        EventType.objects.update_or_create(code=spec["code"], defaults=defaults)
