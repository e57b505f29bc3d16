"""Templates per event type (issue 7, point 6): each built-in type has its own run of show, risks, budget
categories with typical shares and materials; template rows carry an owner role that pre-fills the owner
from the event's team."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.events.models import EventType
from huodong.events.seed import OWNER_ROLES, share_total
from huodong.events.steps import Step
from huodong.events.type_templates import template_section_clean
from huodong.planning.selectors_plan import budget_categories, reserve_band
from huodong.planning.services.plan import plan_get_or_create, plan_prefill_from_template
from huodong.planning.tests.conftest import make_event
from tests.factories import person

pytestmark = pytest.mark.django_db

CODES = ["product-launch", "industry-summit", "customer-appreciation", "promotion", "brand-salon"]


def types() -> dict[str, EventType]:
    return {et.code: et for et in EventType.objects.filter(code__in=CODES)}


def risks_of(et: EventType) -> set[str]:
    return {r["risk"] for r in et.risks}


def test_each_built_in_type_has_its_own_run_of_show_risks_budget_and_materials():
    by_code = types()
    assert len(by_code) == 5
    for key in ("run_of_show", "risks", "budget_categories", "materials"):
        values = [repr(by_code[c].__dict__[key]) for c in CODES]
        assert len(set(values)) == 5, key
    launch = risks_of(by_code["product-launch"])
    appreciation = risks_of(by_code["customer-appreciation"])
    salon = risks_of(by_code["brand-salon"])
    assert {"嘉宾礼品短缺", "餐饮食品安全"} <= appreciation and not appreciation & launch
    assert {"讲者临时缺席", "报名人数不足"} <= salon and not salon & launch


def test_each_types_budget_shares_add_up_to_100_with_the_reserve_inside_the_band():
    # REQ: PL-3
    lo, hi = reserve_band()
    for code, et in types().items():
        cats = et.budget_categories
        assert all(c.get("share") not in (None, "") for c in cats), code
        assert share_total(cats) == 100, code
        reserve = next(c for c in cats if c["code"] == "contingency")
        assert lo * 100 <= Decimal(reserve["share"]) <= hi * 100, code
    launch = {c["code"]: c["share"] for c in types()["product-launch"].budget_categories}
    assert launch == {
        "venue": "30",
        "equipment": "25",
        "promotion": "20",
        "materials": "10",
        "labour": "8",
        "contingency": "7",
    }


def test_every_built_in_template_passes_the_editors_own_checks():
    band = reserve_band()
    for code, et in types().items():
        for section in ("run_of_show", "risks", "budget_categories"):
            rows, problems = template_section_clean(section, getattr(et, section), band=band)
            assert problems == [], (code, section, problems)
            assert rows == getattr(et, section), (code, section)
        assert all(r.get("owner_role") in OWNER_ROLES for r in et.run_of_show + et.risks), code
        assert all(r.get("name_en") for r in et.budget_categories), code


def test_the_budget_form_is_offered_the_types_categories_with_their_typical_shares(organiser):
    event = make_event(organiser, step=Step.PLAN, type_code="customer-appreciation")
    offered = {c["code"]: c["share"] for c in budget_categories(event)}
    assert offered["catering"] == "30" and offered["gifts"] == "20" and offered["contingency"] == "7"


def test_a_new_plan_gives_each_template_row_the_team_member_of_its_role(organiser):
    event = make_event(organiser, step=Step.PLAN, type_code="industry-summit")
    host = person("mc_li", "staff", "legal", "主持人")  # by title; legal has no role
    techie = person("tech_wu", "staff", "tech", "工程师")  # title "工程师" (engineer) and department tech
    speaker_coord = person("pm_zhao", "staff", "product", "")  # department product: content
    brand = person("brand_he", "staff", "marketing", "")  # department marketing
    event.team_members.set([host, techie, speaker_coord, brand])
    plan = plan_get_or_create(event=event, actor=organiser)
    owners = {s.title: s.owner for s in plan.segments.all()}
    assert owners["开幕致辞"] == host and owners["圆桌论坛"] == host
    assert owners["主旨演讲"] == speaker_coord
    assert owners["闭幕总结"] == organiser  # "organiser" is the event's owner
    assert owners["签到"] is None and owners["茶歇"] is None  # nobody on the team receives or caters
    risk_owners = {r.risk: r.owner for r in plan.risks.all()}
    assert risk_owners["同传或音视频故障"] == techie
    assert risk_owners["敏感言论引发舆情"] == brand
    assert risk_owners["会场超员"] is None


def test_prefilling_after_the_team_was_picked_gives_the_ownerless_rows_their_owner(organiser):
    event = make_event(organiser, step=Step.PLAN, type_code="brand-salon")
    plan = plan_get_or_create(event=event, actor=organiser)
    assert not plan.segments.exclude(owner=None).exists()
    talk = plan.segments.get(title="主题分享")
    talk.owner = organiser
    talk.save()
    host = person("salon_host", "staff", "marketing", "活动主持")
    event.team_members.set([host])
    added = plan_prefill_from_template(event=event, actor=organiser)
    assert added["segments"] == 0 and added["owners"] >= 3
    owners = {s.title: s.owner for s in plan.segments.all()}
    assert owners["互动问答"] == host  # host role: the title holds "主持"
    assert owners["自由交流"] == host  # marketing role: the department
    assert owners["主题分享"] == organiser  # an owner the planner chose is kept
    assert owners["签到"] is None
    assert plan.risks.get(risk="现场讨论冷场").owner == host
    assert plan.segments.get(title="互动问答").revision == 2
