"""Helpers the show's tests share (no tests here).

``show_event`` is an event in 流程执行 whose plan has five segments (one of them parallel), each with an
owner, and a 企业微信 robot in its requesting department (销售部). ``T0`` is the planned opening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from huodong.core.models import Role
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import Plan, RunOfShowSegment
from huodong.planning.tests.conftest import make_event
from tests.factories import person

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2027, 3, 18, 13, 30, tzinfo=SHANGHAI)


@dataclass
class Show:
    event: Event
    segments: dict[str, RunOfShowSegment]
    owners: dict[str, Any]

    def seg(self, title: str) -> RunOfShowSegment:
        return self.segments[title]


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def show_event(owner: Any, *, starts: dt.datetime = T0, step: str = Step.RUN, name: str = "") -> Show:
    """开场 (10 min, 主持人) → 主题演讲 (30, 讲者) → 产品发布 (20, 讲者) → 抽奖 (15, 场务), with 展区开放
    (60, 展区负责人) parallel to 主题演讲."""
    event = make_event(owner, step=step, starts=starts, **({"name": name} if name else {}))
    plan = Plan.objects.create(event=event)
    owners = {
        "host": person("show_host", Role.STAFF, "marketing", name="主持人小王"),
        "speaker": person("show_speaker", Role.STAFF, "product", name="讲者老李"),
        "expo": person("show_expo", Role.STAFF, "sales", name="展区小陈"),
        "crew": person("show_crew", Role.STAFF, "marketing", name="场务小赵"),
    }
    rows = [
        ("开场", 0, 10, "host", False),
        ("主题演讲", 10, 30, "speaker", False),
        ("展区开放", 10, 60, "expo", True),
        ("产品发布", 40, 20, "speaker", False),
        ("抽奖", 60, 15, "crew", False),
    ]
    segments = {}
    for i, (title, offset, duration, who, parallel) in enumerate(rows, start=1):
        segments[title] = RunOfShowSegment.objects.create(
            plan=plan,
            position=i,
            title=title,
            starts_at=starts + minutes(offset),
            duration_minutes=duration,
            owner=owners[who],
            parallel=parallel,
        )
    return Show(event=event, segments=segments, owners=owners)


def robot_for(event: Event, base_url: str | None = None) -> Any:
    from huodong.outreach.models import Robot

    return Robot.objects.create(
        kind="wecom", name="销售部企业微信群", token="SHOW-KEY", department=event.requesting_department
    )
