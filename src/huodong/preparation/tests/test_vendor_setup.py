"""Fixtures and helpers of the vendor tests (VD-1, VD-2), imported by the other ``test_vendor*`` modules.

``prep_event``: the planning tests' event with a complete, approved plan (budget lines 主会场 200,000,
LED 屏 160,000, 不可预见费用 30,000), moved to 资源协调. ``vendors``: three active stage builders of the
register, the second with an expired licence. ``need``: a stage need of the event on the LED line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.core.models import User
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine
from huodong.planning.tests.conftest import build_plan_event, media_root, move  # noqa: F401
from huodong.preparation.models import Quote, Vendor, VendorNeed, VendorQualification
from huodong.preparation.services import vendors as services

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "quote.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def line(event: Event, item: str) -> BudgetLine:
    return BudgetLine.objects.get(plan__event=event, item=item)


def make_vendor(
    name: str, *, categories: list[str] | None = None, expired: bool = False, **kw: Any
) -> Vendor:
    vendor = Vendor.objects.create(name=name, categories=categories or ["stage"], **kw)
    VendorQualification.objects.create(
        vendor=vendor,
        name="营业执照" if not expired else "舞台搭建资质证书",
        number="91310000",
        expires_on=dt.date(2020, 1, 1) if expired else dt.date(2030, 1, 1),
    )
    return vendor


def add_quote(actor: User, event: Event, need: VendorNeed, vendor: Vendor, amount: str, **kw: Any) -> Quote:
    return services.quote_add(actor=actor, event=event, need_id=need.pk, vendor=vendor, amount=amount, **kw)


def three_quotes(actor: User, event: Event, need: VendorNeed, vendors: list[Vendor]) -> list[Quote]:
    """150,000 / 120,000 / 100,000 with scores: the comparison tests' figures."""
    return [
        add_quote(
            actor,
            event,
            need,
            vendors[0],
            "150000",
            qualification_score=90,
            cases_score=80,
            delivery_score=70,
        ),
        add_quote(
            actor,
            event,
            need,
            vendors[1],
            "120000",
            qualification_score=60,
            cases_score=90,
            delivery_score=80,
        ),
        add_quote(
            actor,
            event,
            need,
            vendors[2],
            "100000",
            qualification_score=70,
            cases_score=60,
            delivery_score=90,
        ),
    ]


@pytest.fixture
def prep_event(organiser, media_root) -> Event:  # noqa: F811
    event = build_plan_event(organiser)
    return move(event, Step.RESOURCES)


@pytest.fixture
def vendors(db) -> list[Vendor]:
    return [
        make_vendor("星光舞美", contact_name="张三", contact_phone="021-5555 0101"),
        make_vendor("华彩搭建", expired=True),
        make_vendor("东方演艺工程"),
    ]


@pytest.fixture
def need(prep_event, organiser) -> VendorNeed:
    return services.need_add(
        actor=organiser,
        event=prep_event,
        title="主舞台与 LED 屏搭建",
        category="stage",
        budget_line=line(prep_event, "LED 屏"),
        needed_by=dt.date(2027, 3, 17),
        owner=organiser,
    )


def test_the_fixtures_make_an_event_in_resources_with_a_need_on_a_budget_line(prep_event, need, vendors):
    assert prep_event.step == Step.RESOURCES
    assert need.budget_line.amount == Decimal("160000.00")
    assert [v.is_active for v in vendors] == [True, True, True]
