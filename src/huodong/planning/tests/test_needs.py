"""Needs research: the services (NI-1, NI-2, DOC-1), the historical-review selector, the gate (LC-2), the demo."""

from __future__ import annotations

import datetime as dt

import pytest

from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import AuditEntry, Department
from huodong.events.lifecycle import GateBlocked, event_advance
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning import selectors
from huodong.planning.gates.needs_goals import needs_report_complete
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport
from huodong.planning.services import needs as services

from .conftest import complete_needs, make_event, move, smart_goal

pytestmark = pytest.mark.django_db


def _audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def _seen(event) -> int:
    """The report's revision as a page or a client would have read it (1 before the first save)."""
    return NeedsReport.objects.filter(event=event).values_list("revision", flat=True).first() or 1


# ---------------------------------------------------------------- inputs (NI-1)
def test_an_organiser_records_each_kind_of_input(event, organiser):
    # REQ: NI-1
    for kind, content in [
        (NeedsInput.Kind.BUSINESS_GOAL, "新品上市需提升30%线索量"),
        (NeedsInput.Kind.MARKET_TREND, "行业热点转向 AI"),
        (NeedsInput.Kind.CUSTOMER_FEEDBACK, "调研显示目标受众对现场互动需求提升"),
    ]:
        services.needs_input_add(actor=organiser, event=event, kind=kind, content=content, source="销售部")
    report = NeedsReport.objects.get(event=event)
    assert [i.kind for i in report.inputs.all()] == ["business_goal", "market_trend", "customer_feedback"]
    assert _audit("needs.input.add") == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "gossip", "content": "x"}, "kind"),
        ({"kind": None, "content": "x"}, "kind"),
        ({"kind": "business_goal", "content": "   "}, "content"),
        ({"kind": "business_goal", "content": ["x"]}, "content"),
        ({"kind": "business_goal", "content": "x" * 5001}, "content"),
        ({"kind": "business_goal", "content": "x", "source": "y" * 201}, "source"),
    ],
)
def test_a_bad_input_is_refused_naming_the_field_and_nothing_is_written(event, organiser, data, field):
    # REQ: NI-1
    with pytest.raises(DomainError) as exc:
        services.needs_input_add(actor=organiser, event=event, **data)
    assert field in exc.value.errors
    assert not NeedsReport.objects.filter(event=event).exists()
    assert _audit("needs.input.add") == 0


def test_an_input_can_be_edited_and_removed(event, organiser):
    # REQ: NI-1
    row = services.needs_input_add(actor=organiser, event=event, kind="market_trend", content="旧")
    services.needs_input_update(
        actor=organiser,
        event=event,
        input_id=row.pk,
        seen=row.revision,
        content="新",
        kind="customer_feedback",
    )
    row.refresh_from_db()
    assert (row.kind, row.content) == ("customer_feedback", "新")
    services.needs_input_remove(actor=organiser, event=event, input_id=row.pk, seen=row.revision)
    assert not NeedsInput.objects.filter(pk=row.pk).exists()
    assert _audit("needs.input.update") == 1 and _audit("needs.input.remove") == 1


def test_an_edit_that_empties_an_input_changes_nothing(event, organiser):
    row = services.needs_input_add(actor=organiser, event=event, kind="market_trend", content="原内容")
    with pytest.raises(DomainError) as exc:
        services.needs_input_update(
            actor=organiser, event=event, input_id=row.pk, seen=row.revision, content=""
        )
    assert "content" in exc.value.errors
    row.refresh_from_db()
    assert row.content == "原内容"


def test_an_input_of_another_event_is_not_found(event, organiser):
    other = make_event(organiser, name="另一场")
    row = services.needs_input_add(actor=organiser, event=other, kind="market_trend", content="x")
    with pytest.raises(NotFound):
        services.needs_input_remove(actor=organiser, event=event, input_id=row.pk, seen=row.revision)
    assert NeedsInput.objects.filter(pk=row.pk).exists()


# ---------------------------------------------------------------- methods (NI-2)
@pytest.mark.parametrize("method", [m.value for m in NeedsMethod.Method])
def test_each_research_method_is_recorded_with_its_findings(event, organiser, method):
    # REQ: NI-2
    row = services.needs_method_add(
        actor=organiser,
        event=event,
        method=method,
        findings="发现",
        conducted_on=dt.date(2026, 12, 1),
        participants="销售部",
    )
    assert row.method == method and row.findings == "发现"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"method": "astrology", "findings": "x"}, "method"),
        ({"method": "interview", "findings": ""}, "findings"),
        ({"method": "interview", "findings": "x", "conducted_on": "昨天"}, "conducted_on"),
        ({"method": "interview", "findings": "x", "participants": "p" * 301}, "participants"),
    ],
)
def test_a_bad_method_is_refused_naming_the_field(event, organiser, data, field):
    # REQ: NI-2
    with pytest.raises(DomainError) as exc:
        services.needs_method_add(actor=organiser, event=event, **data)
    assert field in exc.value.errors
    assert not NeedsMethod.objects.exists()


def test_a_method_can_be_edited_and_removed(event, organiser):
    # REQ: NI-2
    row = services.needs_method_add(actor=organiser, event=event, method="interview", findings="初稿")
    services.needs_method_update(
        actor=organiser,
        event=event,
        method_id=row.pk,
        seen=row.revision,
        findings="定稿",
        method="questionnaire",
    )
    row.refresh_from_db()
    assert (row.method, row.findings) == ("questionnaire", "定稿")
    services.needs_method_remove(actor=organiser, event=event, method_id=row.pk, seen=row.revision)
    assert not NeedsMethod.objects.exists()


# ---------------------------------------------------------------- the report (DOC-1)
def test_the_report_records_persona_needs_and_who_asked_when(event, organiser, marketing_mgr, reviewer_sales):
    # REQ: DOC-1
    report = services.needs_report_update(
        actor=organiser,
        event=event,
        seen=1,
        background="新品上市",
        audience_persona="行业客户",
        core_needs="现场互动",
        initial_goals="200+ 人",
        requesting_department=Department.objects.get(code="sales"),
        requesters=[marketing_mgr, reviewer_sales],
        requested_on=dt.date(2026, 12, 12),
    )
    report.refresh_from_db()
    assert report.audience_persona == "行业客户"
    assert {u.username for u in report.requesters.all()} == {"marketing_mgr", "reviewer_sales"}
    assert report.requested_on == dt.date(2026, 12, 12)
    fields, people = AuditEntry.objects.filter(action="needs.report.update").order_by("id")
    assert fields.before["background"] == "" and fields.after["background"] == "新品上市"
    assert people.before == {"requesters": []}
    assert people.after == {"requesters": ["marketing_mgr", "reviewer_sales"]}


def test_fields_left_out_keep_their_value(event, organiser):
    services.needs_report_update(actor=organiser, event=event, seen=1, background="背景", core_needs="需求")
    services.needs_report_update(actor=organiser, event=event, seen=_seen(event), core_needs="新需求")
    report = NeedsReport.objects.get(event=event)
    assert (report.background, report.core_needs) == ("背景", "新需求")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"background": "x" * 5001}, "background"),
        ({"audience_persona": ["列表"]}, "audience_persona"),
        ({"requesting_department": "sales"}, "requesting_department"),
        ({"requesters": "organiser"}, "requesters"),
        ({"requesters": ["organiser"]}, "requesters"),
        ({"requested_on": "2026-12-12"}, "requested_on"),
        ({"requested_on": dt.date(2027, 3, 19)}, "requested_on"),
        ({"history_event_ids": ["1"]}, "history_event_ids"),
        ({"inputs": [{"kind": "business_goal", "content": ""}]}, "inputs.0.content"),
        (
            {"methods": [{"method": "interview", "findings": "ok"}, {"method": "x", "findings": "ok"}]},
            "methods.1.method",
        ),
    ],
)
def test_a_bad_report_is_refused_naming_the_field_and_nothing_is_written(event, organiser, kwargs, field):
    # REQ: DOC-1
    with pytest.raises(DomainError) as exc:
        services.needs_report_update(
            actor=organiser, event=event, seen=1, **{"core_needs": "不应写入", **kwargs}
        )
    assert field in exc.value.errors
    assert not NeedsReport.objects.filter(event=event).exists()


def test_inputs_and_methods_given_as_lists_replace_the_rows(event, organiser):
    services.needs_input_add(actor=organiser, event=event, kind="other", content="旧")
    services.needs_report_update(
        actor=organiser,
        event=event,
        seen=_seen(event),
        inputs=[
            {"kind": "business_goal", "content": "新品上市需提升30%线索量"},
            {"kind": "market_trend", "content": "趋势"},
        ],
        methods=[{"method": "interview", "findings": "访谈发现"}],
    )
    report = NeedsReport.objects.get(event=event)
    assert [i.content for i in report.inputs.all()] == ["新品上市需提升30%线索量", "趋势"]
    assert [m.findings for m in report.methods.all()] == ["访谈发现"]


# ---------------------------------------------------------------- who and when (LC-2)
@pytest.mark.parametrize(
    "call",
    [
        lambda a, e: services.needs_input_add(actor=a, event=e, kind="business_goal", content="x"),
        lambda a, e: services.needs_method_add(actor=a, event=e, method="interview", findings="x"),
        lambda a, e: services.needs_report_update(actor=a, event=e, seen=1, background="x"),
    ],
)
def test_an_outsider_may_not_change_the_report(event, outsider, call):
    with pytest.raises(NotAllowed) as exc:
        call(outsider, event)
    assert exc.value.status == 403
    assert not NeedsReport.objects.exists()


def test_an_administrator_may_change_the_report(event, admin_user):
    services.needs_report_update(actor=admin_user, event=event, seen=1, background="管理员补充")
    assert NeedsReport.objects.get(event=event).background == "管理员补充"


@pytest.mark.parametrize("step", [Step.RESOURCES, Step.RUN, Step.CLOSED])
def test_the_report_cannot_change_after_the_planning_phase(event, organiser, step):
    # REQ: LC-2
    move(event, step)
    with pytest.raises(DomainError) as exc:
        services.needs_input_add(actor=organiser, event=event, kind="business_goal", content="x")
    assert exc.value.code == "wrong_step"
    assert "需求洞察" in exc.value.message
    assert not NeedsInput.objects.exists()


@pytest.mark.parametrize("step", [Step.NEEDS, Step.GOALS, Step.PLAN, Step.APPROVAL])
def test_the_report_can_change_in_every_planning_step(event, organiser, step):
    move(event, step)
    services.needs_input_add(actor=organiser, event=event, kind="business_goal", content="x")
    assert NeedsInput.objects.count() == 1


def test_a_stale_event_object_does_not_bypass_the_step_check(event, organiser):
    # REQ: LC-2
    stale = event
    Event.objects.filter(pk=event.pk).update(step=Step.RESOURCES)
    assert stale.step == Step.NEEDS
    with pytest.raises(DomainError):
        services.needs_input_add(actor=organiser, event=stale, kind="business_goal", content="x")


# ---------------------------------------------------------------- historical review (LC-3)
def test_history_lists_archived_events_of_the_same_type_only(event, organiser):
    archived = move(make_event(organiser, name="2025 新品发布会"), Step.CLOSED)
    move(make_event(organiser, name="进行中的发布会"), Step.RUN)
    move(make_event(organiser, name="客户答谢会", type_code="customer-appreciation"), Step.CLOSED)
    smart_goal(archived, organiser, target_value=120)
    candidates = selectors.needs_history_candidates(event)
    assert [c.name for c in candidates] == ["2025 新品发布会"]
    assert candidates[0].results == [] and candidates[0].actual_attendance is None
    assert candidates[0].goals[0]["metric"] == "有效线索"


def test_history_is_empty_before_any_event_is_archived(event):
    assert selectors.needs_history_candidates(event) == []


def test_the_organiser_selects_archived_events_for_the_historical_review(event, organiser):
    archived = move(make_event(organiser, name="2025 新品发布会"), Step.CLOSED)
    services.needs_report_update(
        actor=organiser, event=event, seen=1, history_event_ids=[archived.pk, archived.pk]
    )
    assert NeedsReport.objects.get(event=event).history_event_ids == [archived.pk]
    assert [c.selected for c in selectors.needs_history_candidates(event)] == [True]


@pytest.mark.parametrize("which", ["open", "other_type", "self", "missing"])
def test_only_archived_events_of_the_same_type_may_be_selected(event, organiser, which):
    if which == "open":
        target = move(make_event(organiser, name="未归档"), Step.RUN).pk
    elif which == "other_type":
        target = move(make_event(organiser, name="答谢会", type_code="customer-appreciation"), Step.CLOSED).pk
    elif which == "self":
        target = event.pk
    else:
        target = 999999
    with pytest.raises(DomainError) as exc:
        services.needs_report_update(actor=organiser, event=event, seen=1, history_event_ids=[target])
    assert "history_event_ids" in exc.value.errors
    assert not NeedsReport.objects.filter(event=event).exists()


# ---------------------------------------------------------------- the gate (LC-2, NI-1, NI-2, DOC-1)
def test_leaving_needs_lists_every_missing_part_of_the_report(event, organiser):
    # REQ: LC-2
    # REQ: DOC-1
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=event, actor=organiser, from_step=event.step)
    codes = {c.code for c in exc.value.unmet}
    assert {
        "needs.background",
        "needs.inputs",
        "needs.methods",
        "needs.persona",
        "needs.core_needs",
        "needs.requested_by",
    } <= codes
    by_code = {c.code: c for c in exc.value.unmet}
    assert "需求提出部门" in str(by_code["needs.requested_by"].detail)
    assert "提出日期" in str(by_code["needs.requested_by"].detail)


def test_an_input_without_a_business_goal_does_not_satisfy_the_gate(event, organiser):
    # REQ: NI-1
    services.needs_input_add(actor=organiser, event=event, kind="market_trend", content="趋势")
    criterion = {c.code: c for c in needs_report_complete(event)}["needs.inputs"]
    assert not criterion.met
    assert "业务部门目标" in str(criterion.detail)
    assert "客户反馈" in str(criterion.detail)


def test_a_business_goal_input_satisfies_the_inputs_criterion_and_names_the_kinds_still_missing(
    event, organiser
):
    # REQ: NI-1
    services.needs_input_add(
        actor=organiser, event=event, kind="business_goal", content="新品上市需提升30%线索量"
    )
    criterion = {c.code: c for c in needs_report_complete(event)}["needs.inputs"]
    assert criterion.met
    assert "市场趋势分析" in str(criterion.label)


def test_a_method_needs_findings_to_count(event, organiser):
    # REQ: NI-2
    report = NeedsReport.objects.create(event=event)
    NeedsMethod.objects.create(report=report, method="interview", findings="  ")
    assert not {c.code: c for c in needs_report_complete(event)}["needs.methods"].met


def test_a_complete_report_lets_the_event_move_from_needs_to_goals(event, organiser, reviewer_sales):
    # REQ: LC-2
    # REQ: NI-1
    # REQ: NI-2
    # REQ: DOC-1
    complete_needs(event, [reviewer_sales])
    assert all(c.met for c in needs_report_complete(event))
    result = event_advance(event=event, actor=organiser, from_step=event.step)
    assert result.event.step == Step.GOALS


# ---------------------------------------------------------------- the demo
def test_the_demo_fills_the_needs_report_and_goals_once(event, organiser, marketing_mgr, reviewer_sales):
    # REQ: GO-1
    from huodong.demo.needs_goals_demo import demo_needs_goals

    people = {"organiser": organiser, "marketing_mgr": marketing_mgr, "reviewer_sales": reviewer_sales}
    demo_needs_goals(event=event, people=people)
    demo_needs_goals(event=event, people=people)
    report = NeedsReport.objects.get(event=event)
    assert (
        report.inputs.filter(kind="business_goal", content="新品上市需提升30%线索量", source="销售部").count()
        == 1
    )
    assert report.inputs.filter(content="调研显示目标受众对现场互动需求提升").exists()
    assert {m.method for m in report.methods.all()} == {m.value for m in NeedsMethod.Method}
    assert {u.username for u in report.requesters.all()} == {"marketing_mgr", "reviewer_sales"}
    targets = {g.metric: g.target_value for g in Goal.objects.filter(event=event)}
    assert targets == {"attendees": 200, "valid_leads": 150, "media_exposure": 500000}
    assert all(c.met for c in needs_report_complete(event))
