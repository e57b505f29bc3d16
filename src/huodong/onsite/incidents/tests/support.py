"""Helpers the incident tests share (no tests here).

``show_event`` is an event on the day (at 流程执行, starting in an hour) whose plan carries the risk register
of a launch (equipment, people, public opinion, a late opening), with marketing_mgr on the team, a stage
manager named in the check-in settings, and a 企业微信 robot of its requesting department.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from huodong.checkin.models import CheckinSettings
from huodong.checkin.services.redeem import settings_for
from huodong.core.models import Role
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.outreach.models import Robot
from huodong.planning.models import Plan, Risk
from huodong.planning.tests.conftest import make_event
from tests.factories import department, person

RISKS = [
    ("设备故障(投影、音响)", "立即启用备用设备,技术人员 15 分钟内到场", "备用投影仪、备用麦克风"),
    ("主持人或礼仪人员缺席", "启用预先安排的替补人员", "备用主持人、备用礼仪"),
    ("负面舆情", "监测社交媒体,统一口径回应负面信息", "公关口径模板"),
    ("开场延误", "第一时间通知相关人员并调整后续环节", "暖场视频、互动节目"),
]


def stage_manager() -> Any:
    return person("stage_mgr", Role.STAFF, "marketing", "舞台监督", "舞台监督老周")


def show_event(owner: Any, team: list[Any] | None = None, *, step: str = Step.RUN) -> Event:
    event = make_event(owner, step=step, starts=timezone.now() + dt.timedelta(hours=1))
    Event.objects.filter(pk=event.pk).update(requesting_department=department("marketing"))
    event.refresh_from_db()
    for member in team or []:
        event.team_members.add(member)
    plan, _ = Plan.objects.get_or_create(event=event)
    plan.risks.all().delete()
    for i, (risk, response, backup) in enumerate(RISKS, start=1):
        Risk.objects.create(plan=plan, position=i, risk=risk, response=response, backup_resource=backup)
    conf = settings_for(event)
    CheckinSettings.objects.filter(pk=conf.pk).update(stage_manager=stage_manager())
    Robot.objects.get_or_create(
        name="市场部企业微信群",
        defaults={"kind": "wecom", "department": department("marketing"), "token": "KEY1"},
    )
    return event


def risk(event: Event, text: str) -> Risk:
    return Risk.objects.get(plan__event=event, risk__contains=text)


def post(client: Client, url: str, data: Any, **extra: Any):  # noqa: ANN201
    return client.post(url, json.dumps(data, default=str), "application/json", **extra)


def put(client: Client, url: str, data: Any, **extra: Any):  # noqa: ANN201
    return client.put(url, json.dumps(data, default=str), "application/json", **extra)
