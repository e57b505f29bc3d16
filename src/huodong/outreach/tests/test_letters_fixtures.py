"""Fixtures of the notices tests (letters, schedule, templates, gate): an event at 通知发布 with a RACI
matrix over two departments, a quota for a third, a robot, and guests. Imported by the test modules
(``from .test_letters_fixtures import *``); no tests here."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from huodong.core.models import Department, Role
from huodong.events.steps import Step
from huodong.outreach.models import (
    DepartmentQuota,
    Guest,
    GuestStatus,
    Message,
    RegistrationSettings,
    Robot,
)
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import Task, TaskAssignment
from tests.factories import person

__all__ = ["notices_world", "guest_factory", "mark"]


_PHONES = itertools.count(1)


def guest_factory(
    event, n: int, *, status=GuestStatus.INVITED, department=None, language="zh-hans", prefix="g"
):
    return [
        Guest.objects.create(
            event=event,
            name=f"嘉宾{prefix}{i}",
            company="华东制造",
            email=f"{prefix}{i}@example.com",
            phone=f"+86138{next(_PHONES):08d}",
            status=status,
            department=department,
            language=language,
        )
        for i in range(n)
    ]


def mark(qs, status) -> int:
    """What the worker would do: mark messages with ``status`` (sent gets ``sent_at``)."""
    extra = {"sent_at": dt.datetime.now(dt.UTC)} if status == Message.Status.SENT else {}
    return qs.update(status=status, **extra)


@pytest.fixture
def notices_world(organiser, marketing_mgr):
    """销售部 (two people with tasks, a quota of 3 with a contact, a robot), 市场部 (one task), 法务部 (a
    quota only); the organiser owns the event, at 通知发布, starting 2027-03-18 13:30 Shanghai."""
    event = make_event(organiser, step=Step.NOTIFICATION)
    event.team_members.add(marketing_mgr)
    sales = Department.objects.get(code="sales")
    marketing = Department.objects.get(code="marketing")
    legal = Department.objects.get(code="legal")
    seller = person("seller_li", Role.STAFF, "sales", "销售经理", "李销售")
    seller.phone = "13900001111"
    seller.save()
    seller2 = person("seller_wang", Role.STAFF, "sales", "销售专员", "王销售")
    designer = person("designer_zhao", Role.STAFF, "marketing", "设计师", "赵设计")
    lawyer = person("lawyer_qian", Role.STAFF, "legal", "法务", "钱法务")
    starts = event.starts_at
    invite = Task.objects.create(event=event, title="邀请重点客户", due_at=starts - dt.timedelta(days=10))
    TaskAssignment.objects.create(task=invite, person=seller, role="R")
    TaskAssignment.objects.create(task=invite, person=seller2, role="C")
    TaskAssignment.objects.create(task=invite, person=organiser, role="A")
    poster = Task.objects.create(event=event, title="设计活动海报", due_at=starts - dt.timedelta(days=12))
    TaskAssignment.objects.create(task=poster, person=designer, role="R")
    TaskAssignment.objects.create(task=poster, person=marketing_mgr, role="A")
    cancelled = Task.objects.create(
        event=event, title="已取消的任务", due_at=starts - dt.timedelta(days=5), status=Task.Status.CANCELLED
    )
    TaskAssignment.objects.create(task=cancelled, person=lawyer, role="R")
    quota = DepartmentQuota.objects.create(event=event, department=sales, quota=3, contact=seller)
    legal_quota = DepartmentQuota.objects.create(event=event, department=legal, quota=0, contact=lawyer)
    robot = Robot.objects.create(name="销售部群", kind=Robot.Kind.WECOM, department=sales, token="k-sales")
    Robot.objects.create(
        name="停用的群", kind=Robot.Kind.WECOM, department=sales, token="k-off", is_active=False
    )
    registration = RegistrationSettings.objects.create(
        event=event, highlights="新品首发", notes="请提前 15 分钟入场"
    )
    return SimpleNamespace(
        event=event,
        organiser=organiser,
        sales=sales,
        marketing=marketing,
        legal=legal,
        seller=seller,
        seller2=seller2,
        designer=designer,
        lawyer=lawyer,
        invite=invite,
        poster=poster,
        quota=quota,
        legal_quota=legal_quota,
        robot=robot,
        registration=registration,
    )
