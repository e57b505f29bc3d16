"""What the checklist page, the API and the gate of 场地布置 read (EX-1).

- ``gate_criteria(event)``: the three criteria of the gate (``gates.py``), met or not, each unmet one
  saying what is missing in the reader's words: every item checked; no failed item whose follow-up is not
  done (an item checked again and passing has none); the full rehearsal (the items of section 彩排) done.
- ``sections(items)``: the items grouped by section, in the sections' order.
- ``summary(items)``: counts for the page's head and the API.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion
from huodong.events.models import Event

from .models import Checklist, ChecklistItem, FollowUp, Result, Section
from .services.checklist import items_of, open_follow_up

NAMES_SHOWN = 8  # an unmet criterion names this many items, then "等 N 项"


def _names(items: list[ChecklistItem]) -> str:
    shown = gettext("、").join(gettext("「%(title)s」") % {"title": i.label} for i in items[:NAMES_SHOWN])
    if len(items) > NAMES_SHOWN:
        shown += gettext("等 %(n)s 项") % {"n": len(items)}
    return shown


def _when(row: FollowUp, event: Event) -> str:
    return timezone.localtime(row.due_at, event.tz).strftime("%m-%d %H:%M")


def gate_criteria(event: Event) -> list[Criterion]:
    """The gate of 场地布置 (EX-1): every criterion, met or not."""
    if not Checklist.objects.filter(event_id=event.pk).exists():
        missing = _("彩排检查清单尚未建立:请在「彩排」标签页打开清单,逐项检查。")
        return [
            Criterion("rehearsal.all_checked", _("彩排检查清单的每一项都已检查"), met=False, detail=missing),
            Criterion("rehearsal.failures_resolved", _("未通过的检查项都已整改完成或复查通过"), met=True),
            Criterion("rehearsal.full_rehearsal", _("全流程彩排已完成并通过"), met=False, detail=missing),
        ]
    items = items_of(event)
    unchecked = [i for i in items if i.result == Result.UNCHECKED]
    criteria = [
        Criterion(
            "rehearsal.all_checked",
            _("彩排检查清单的每一项都已检查"),
            met=bool(items) and not unchecked,
            detail=(
                gettext("还有 %(n)s 项未检查:%(names)s。") % {"n": len(unchecked), "names": _names(unchecked)}
                if unchecked
                else gettext("检查清单是空的,请添加检查项。")
            ),
        )
    ]
    problems: list[str] = []
    for item in items:
        if item.result != Result.FAILED:
            continue
        row = open_follow_up(item)
        if row is None:
            if not any(f.done for f in item.follow_ups.all()):
                problems.append(gettext("「%(title)s」未通过,尚无整改任务。") % {"title": item.label})
            continue
        problems.append(
            gettext("「%(title)s」未通过,整改任务(负责人 %(owner)s,截止 %(due)s)尚未完成。")
            % {"title": item.label, "owner": row.owner.name, "due": _when(row, event)}
        )
    criteria.append(
        Criterion(
            "rehearsal.failures_resolved",
            _("未通过的检查项都已整改完成或复查通过"),
            met=not problems,
            detail=" ".join(problems),
        )
    )
    rehearsal = [i for i in items if i.section == Section.REHEARSAL]
    not_done = [i for i in rehearsal if i.result != Result.OK]
    if not rehearsal:
        detail: Any = gettext("清单中没有「彩排」项:请添加全流程彩排(环节衔接、时间控制、设备配合)。")
    else:
        detail = gettext("彩排项目尚未通过:%(names)s。") % {"names": _names(not_done)}
    criteria.append(
        Criterion(
            "rehearsal.full_rehearsal",
            _("全流程彩排已完成并通过"),
            met=bool(rehearsal) and not not_done,
            detail=detail,
        )
    )
    return criteria


def sections(items: list[ChecklistItem]) -> list[dict[str, Any]]:
    """``[{"code", "label", "items"}]`` in the order 场地搭建, 设备测试, 彩排 (empty sections kept)."""
    return [
        {"code": value, "label": label, "items": [i for i in items if i.section == value]}
        for value, label in Section.choices
    ]


def summary(items: list[ChecklistItem]) -> dict[str, int]:
    return {
        "total": len(items),
        "ok": sum(1 for i in items if i.result == Result.OK),
        "failed": sum(1 for i in items if i.result == Result.FAILED),
        "unchecked": sum(1 for i in items if i.result == Result.UNCHECKED),
        "open_follow_ups": sum(1 for i in items for f in i.follow_ups.all() if not f.done),
    }
