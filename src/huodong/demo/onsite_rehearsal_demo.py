"""The rehearsal part of the demo (EX-1), on 「智启未来·华东巡展(杭州站)」: its day-before checklist, partly done.

- the checklist of a product launch (``onsite.rehearsal.defaults``), plus one item the organiser added
  (「VIP 休息室布置」);
- 场地搭建 done (背景板, 舞台 checked by 钱同学 ``staff``; 签到区 by 冯同学 ``checkin_staff``), 音响 passed;
- 投影 failed (「左侧投影偏色,需更换灯泡」), its follow-up owned by 陈经理 ``marketing_mgr``, due two hours
  later; light, network, the demo units and the rehearsals not checked yet — so the gate of 场地布置 lists
  what is left.

While the event is in the execution phase the checks go through ``services.checklist.item_check`` (the
rules are real). The demo's event is still in preparation, where checks are refused, so they are written
as the record of a walk-through (the items' results and the follow-up), as the check-in demo writes its
scans. Loading twice changes nothing: it runs only while the event has no checklist.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huodong.core.models import User
from huodong.events.models import Event
from huodong.onsite.rehearsal.models import Checklist, ChecklistItem, FollowUp, Result
from huodong.onsite.rehearsal.rules import CHECK_STEPS, EDIT_STEPS
from huodong.onsite.rehearsal.services import checklist as services

CHECKS: list[tuple[str, str, str, str]] = [
    # (item code, who, result, note)
    ("backdrop", "staff", Result.OK, ""),
    ("stage", "staff", Result.OK, "舞台已加固,台阶贴防滑条"),
    ("checkin_area", "checkin_staff", Result.OK, "签到台 3 张,指引牌 6 块"),
    ("demo_area", "staff", Result.OK, ""),
    ("sound", "marketing_mgr", Result.OK, "两只无线话筒电量满格"),
    ("projection", "marketing_mgr", Result.FAILED, "左侧投影偏色,需更换灯泡"),
]


def _who(people: dict[str, User], key: str) -> User:
    return people.get(key) or people["organiser"]


def demo_rehearsal_load(*, event: Event, people: dict[str, User]) -> None:
    if Checklist.objects.filter(event=event).exists():
        return
    organiser = people["organiser"]
    services.checklist_for(event)
    if event.step in EDIT_STEPS:  # an event still in planning keeps the type's list as it is
        services.item_add(
            actor=organiser, event=event, section="build", title="VIP 休息室布置", title_en="VIP lounge set up",
            system=True,
        )  # fmt: skip
    live = event.step in CHECK_STEPS
    start = timezone.now() - dt.timedelta(hours=1)
    for n, (code, who, result, note) in enumerate(CHECKS):
        item = ChecklistItem.objects.filter(event=event, code=code).first()
        if item is None:
            continue
        person = _who(people, who)
        owner = _who(people, "marketing_mgr")
        if live:
            services.item_check(
                actor=person, event=event, item_id=item.pk, seen=item.revision, result=result, note=note,
                owner=owner if result == Result.FAILED else None,
            )  # fmt: skip
            continue
        at = start + dt.timedelta(minutes=8 * n)
        ChecklistItem.objects.filter(pk=item.pk).update(
            result=result, checked_by=person, checked_at=at, note=note, revision=item.revision + 1
        )
        if result == Result.FAILED:
            FollowUp.objects.create(
                event=event,
                item=item,
                owner=owner,
                due_at=at + dt.timedelta(hours=services.FOLLOW_UP_HOURS),
                note="联系供应商送备用灯泡",
                created_by=person,
                created_at=at,
            )
