"""Each built-in event type gets its own template (issue 7): run of show, risks, budget categories with
typical shares, materials, and owner roles on the rows.

Only the five built-in types are touched (``is_builtin`` and one of the seeded codes); types administrators
added keep their templates. Within a built-in type, a template section is replaced only while it still
holds what migration 0002 seeded (``SEEDED_0002``): a section an administrator already edited is kept.
An updated type's revision goes up, so an edit form opened before the migration is told it is stale.
"""

from django.db import migrations
from django.db.models import F

# What 0002 seeded for every built-in type, frozen here (the seed module has moved on).
SEEDED_0002 = {
    "product-launch": {
        "run_of_show": [
            {
                "title": "签到",
                "title_en": "Check-in",
                "duration_minutes": 30,
                "key_actions": "扫码签到、发放资料袋",
            },
            {
                "title": "开场",
                "title_en": "Opening",
                "duration_minutes": 10,
                "key_actions": "主持人开场、播放暖场视频",
            },
            {
                "title": "领导致辞",
                "title_en": "Leader's speech",
                "duration_minutes": 15,
                "key_actions": "总经理致辞",
            },
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
            {
                "title": "合影",
                "title_en": "Group photo",
                "duration_minutes": 10,
                "key_actions": "全体嘉宾合影",
            },
        ],
        "risks": [
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
        ],
        "budget_categories": [
            {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
            {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
            {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
            {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
            {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
            {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
        ],
        "materials": [
            {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
            {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
            {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
            {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
            {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
            {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
            {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
            {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
        ],
    },
    "industry-summit": {
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
        "risks": [
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
        ],
        "budget_categories": [
            {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
            {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
            {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
            {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
            {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
            {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
        ],
        "materials": [
            {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
            {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
            {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
            {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
            {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
            {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
            {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
            {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
        ],
    },
    "customer-appreciation": {
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
        "risks": [
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
        ],
        "budget_categories": [
            {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
            {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
            {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
            {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
            {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
            {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
        ],
        "materials": [
            {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
            {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
            {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
            {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
            {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
            {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
            {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
            {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
        ],
    },
    "promotion": {
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
        "risks": [
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
        ],
        "budget_categories": [
            {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
            {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
            {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
            {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
            {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
            {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
        ],
        "materials": [
            {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
            {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
            {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
            {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
            {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
            {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
            {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
            {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
        ],
    },
    "brand-salon": {
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
        "risks": [
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
        ],
        "budget_categories": [
            {"code": "venue", "name": "场地租赁", "name_en": "Venue rental"},
            {"code": "materials", "name": "物料制作", "name_en": "Materials production"},
            {"code": "equipment", "name": "设备租赁", "name_en": "Equipment rental"},
            {"code": "labour", "name": "人员劳务", "name_en": "Staff labour"},
            {"code": "promotion", "name": "推广宣传", "name_en": "Promotion"},
            {"code": "contingency", "name": "应急备用金", "name_en": "Contingency reserve"},
        ],
        "materials": [
            {"kind": "publicity", "name": "海报", "quantity": 10, "spec": "A1"},
            {"kind": "publicity", "name": "易拉宝", "quantity": 6, "spec": "80×200 cm"},
            {"kind": "publicity", "name": "产品手册", "quantity": 300, "spec": "A4 16 页"},
            {"kind": "event", "name": "签到台", "quantity": 2, "spec": "2 m"},
            {"kind": "event", "name": "背景板", "quantity": 1, "spec": "8×3 m"},
            {"kind": "event", "name": "指示牌", "quantity": 8, "spec": "60×90 cm"},
            {"kind": "gift", "name": "定制礼品", "quantity": 220, "spec": ""},
            {"kind": "gift", "name": "伴手礼", "quantity": 220, "spec": ""},
        ],
    },
}

SECTIONS = ("run_of_show", "risks", "budget_categories", "materials")


def forwards(apps, schema_editor):
    from huodong.events.seed import BUILTIN_TYPES

    EventType = apps.get_model("events", "EventType")  # noqa: N806
    for spec in BUILTIN_TYPES:
        et = EventType.objects.filter(code=spec["code"], is_builtin=True).first()
        if et is None:
            continue
        changes = {
            key: spec[key]
            for key in SECTIONS
            if getattr(et, key) == SEEDED_0002[spec["code"]][key] and getattr(et, key) != spec[key]
        }
        if changes:
            EventType.objects.filter(pk=et.pk).update(**changes, revision=F("revision") + 1)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_revisions")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
