"""The day-before checklist each event type starts with (EX-1): the venue built (backdrop, stage, check-in
area), the equipment tested (sound, light, projection, network) and a full rehearsal of transitions,
timing and equipment. Keyed by the event type's code (``events.seed.BUILTIN_TYPES``); a type an
administrator added gets ``COMMON_ITEMS``. Copied into an event the first time its checklist is opened;
afterwards the event's editors change the event's copy, never this table.
"""

from __future__ import annotations

from typing import Any

from .models import Section


def _item(section: str, code: str, name: str, name_en: str) -> dict[str, Any]:
    return {"section": section, "code": code, "name": name, "name_en": name_en}


B, E, R = Section.BUILD.value, Section.EQUIPMENT.value, Section.REHEARSAL.value

# EX-1: what every event checks the day before, in the specification's words.
COMMON_ITEMS: list[dict[str, Any]] = [
    _item(B, "backdrop", "主背景板搭建完成、画面无误", "Backdrop built, artwork correct"),
    _item(B, "stage", "舞台搭建完成、稳固安全", "Stage built, stable and safe"),
    _item(B, "checkin_area", "签到区布置完成(签到台、指引、物料)", "Check-in area ready (desks, signs, kit)"),
    _item(E, "sound", "音响测试(话筒、返送、背景音乐)", "Sound test (microphones, monitors, music)"),
    _item(E, "light", "灯光测试(面光、追光、氛围灯)", "Light test (front, follow spot, ambience)"),
    _item(
        E,
        "projection",
        "投影/大屏测试(画面、切换、备用信号)",
        "Projection / LED test (image, switching, backup)",
    ),
    _item(
        E, "network", "网络测试(现场 Wi-Fi、直播与签到网络)", "Network test (Wi-Fi, streaming and check-in)"
    ),
    _item(
        R,
        "full_rehearsal",
        "全流程彩排:环节衔接、时间控制、设备配合",
        "Full rehearsal: transitions, timing, equipment cues",
    ),
]

DEFAULT_ITEMS: dict[str, list[dict[str, Any]]] = {
    "product-launch": [
        *COMMON_ITEMS,
        _item(B, "demo_area", "产品体验区布置完成、样机到位", "Demo area set, units in place"),
        _item(E, "demo_units", "演示样机与演示视频调试", "Demo units and demo video tested"),
        _item(R, "reveal_cue", "产品揭幕环节走位与音视频配合", "Product reveal: blocking and A/V cues"),
    ],
    "industry-summit": [
        *COMMON_ITEMS,
        _item(B, "speaker_area", "嘉宾休息室与候场区布置", "Speakers' lounge and waiting area set"),
        _item(E, "interpretation", "同传设备测试", "Simultaneous interpretation tested"),
        _item(R, "panel_walkthrough", "圆桌对话走位与计时提示", "Panel walk-through and timing cues"),
    ],
    "customer-appreciation": [
        *COMMON_ITEMS,
        _item(B, "tables", "宴会桌位与席卡摆放", "Banquet tables and place cards"),
        _item(R, "award_walkthrough", "颁奖/抽奖环节走位与道具", "Awards / lottery walk-through and props"),
    ],
    "promotion": [
        *COMMON_ITEMS,
        _item(B, "booth", "促销展位与价签陈列", "Promotion booth and price tags"),
        _item(E, "pos", "收银与扫码设备测试", "Till and QR payment devices tested"),
    ],
    "brand-salon": [
        *COMMON_ITEMS,
        _item(B, "salon_seating", "沙龙座位与茶歇区布置", "Salon seating and refreshment area"),
    ],
}


def items_for(type_code: str) -> list[dict[str, Any]]:
    """The default items of the event type ``type_code`` (the common ones for a type not listed)."""
    return DEFAULT_ITEMS.get(type_code or "", COMMON_ITEMS)
