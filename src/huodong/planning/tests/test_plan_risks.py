"""Plan basics (PL-1) and the risk register (DOC-2): theme and tone through the Event, risks add/edit/remove."""

from __future__ import annotations

import pytest

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry
from huodong.planning.models import Risk
from huodong.planning.services.plan import plan_update
from huodong.planning.services.risks import risk_add, risk_remove, risk_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]


def test_theme_and_tone_are_saved_on_the_event_with_the_plan_fields(plan, event, organiser):
    # REQ: PL-1
    plan_update(
        actor=organiser,
        event=event,
        seen=plan.revision,
        theme="智启未来·2027新品发布会",
        tone="年轻活力",
        background="背景",
        positioning="定位",
        approved_budget="600000",
    )
    event.refresh_from_db()
    plan.refresh_from_db()
    assert (event.theme, event.tone) == ("智启未来·2027新品发布会", "年轻活力")
    assert (plan.background, plan.positioning, str(plan.approved_budget)) == ("背景", "定位", "600000.00")
    assert AuditEntry.objects.filter(action="event.update", event_id=event.pk).exists()
    assert AuditEntry.objects.filter(action="plan.update", event_id=event.pk).exists()


def test_a_too_long_theme_is_refused_and_nothing_changes(plan, event, organiser):
    # REQ: PL-1
    with pytest.raises(DomainError) as exc:
        plan_update(actor=organiser, event=event, seen=plan.revision, theme="长" * 201, background="不应写入")
    assert "theme" in exc.value.errors
    event.refresh_from_db()
    plan.refresh_from_db()
    assert event.theme == "智启未来" and plan.background == ""


def test_an_outsider_cannot_change_the_theme(plan, event, outsider):
    # REQ: PL-1
    with pytest.raises(NotAllowed):
        plan_update(actor=outsider, event=event, seen=plan.revision, theme="改名")


def test_risks_can_be_added_edited_and_removed(plan, event, organiser):
    r = risk_add(
        actor=organiser,
        event=event,
        risk="嘉宾迟到",
        likelihood="high",
        impact="low",
        owner=organiser,
        response="调整流程",
        backup_resource="暖场节目",
    )
    assert (r.likelihood, r.impact, r.owner) == ("high", "low", organiser)
    risk_update(actor=organiser, event=event, risk_id=r.pk, seen=r.revision, impact="high")
    r.refresh_from_db()
    assert r.impact == "high" and r.response == "调整流程"
    risk_remove(actor=organiser, event=event, risk_id=r.pk, seen=r.revision)
    assert not Risk.objects.filter(pk=r.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [("risk", "", "风险不能为空"), ("likelihood", "extreme", "low(低)"), ("impact", "", "影响须为以下之一")],
)
def test_a_bad_risk_is_refused_naming_the_field(plan, event, organiser, field, value, words):
    kwargs = {"risk": "设备故障", "likelihood": "medium", "impact": "medium", field: value}
    count = Risk.objects.count()
    with pytest.raises(DomainError) as exc:
        risk_add(actor=organiser, event=event, **kwargs)
    assert words in str(exc.value.errors[field][0])
    assert Risk.objects.count() == count


# ---------------------------------------------------------------- issue 6: changing a risk's text
def test_the_text_of_a_risk_can_be_changed_through_the_api(as_organiser, plan, event):
    # Issue 6, finding 5: PATCH of a risk's text answered 500 (the field ``risk`` clashed with the service's
    # argument naming the row).
    row = plan.risks.first()
    resp = as_organiser.patch(
        f"/api/events/{event.pk}/plan/risks/{row.pk}",
        {"risk": "投影与音响同时故障", "revision": row.revision},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["risk"] == "投影与音响同时故障"
    row.refresh_from_db()
    assert row.risk == "投影与音响同时故障"


def test_the_risk_edit_form_saves_the_text(as_organiser, plan, event, organiser):
    # Issue 6, finding 5: the risk edit form always answered 500.
    row = plan.risks.first()
    page = as_organiser.get(f"/events/{event.pk}/planning/plan/?edit=risk-{row.pk}").content.decode()
    assert 'name="risk"' in page and 'name="revision"' in page
    resp = as_organiser.post(
        f"/events/{event.pk}/planning/plan/risks/{row.pk}/",
        {
            "risk": "嘉宾大面积迟到",
            "likelihood": "high",
            "impact": "medium",
            "owner": organiser.pk,
            "response": "调整流程",
            "revision": row.revision,
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.risk, row.likelihood, row.owner) == ("嘉宾大面积迟到", "high", organiser)
