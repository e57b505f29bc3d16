"""Forms mark what is required (issue 7, point 5): the ``*`` on every field the gate of 方案设计 requires,
even where the row may be saved without it, and 预计人数 with no made-up default of 0."""

from __future__ import annotations

import re

import pytest

from huodong.core.models import Department
from huodong.events.forms import EventForm
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.forms.plan import PlanBasicsForm, RiskForm, SegmentForm
from huodong.planning.models import Risk
from huodong.planning.tests.conftest import move

pytestmark = pytest.mark.django_db


def starred(html: str, field_id: str) -> bool:
    """Whether the label of the field with this id carries the required mark."""
    match = re.search(rf'<label for="{field_id}"[^>]*>(.*?)</label>', html, re.S)
    return bool(match) and 'class="req"' in match.group(1)


@pytest.mark.parametrize(
    "field_id",
    [
        "id_theme",
        "id_tone",
        "id_background",
        "id_approved_budget",
        "id_seg-owner",
        "id_seg-key_actions",
        "id_risk-owner",
        "id_risk-response",
    ],
)
def test_every_field_the_plan_gate_requires_is_marked_required(as_organiser, event, field_id):
    # REQ: PL-1, PL-2, PL-3, DOC-2
    move(event, Step.PLAN)
    html = as_organiser.get(f"/events/{event.pk}/planning/plan/").content.decode()
    assert starred(html, field_id), field_id


def test_a_field_the_gate_requires_may_still_be_saved_empty_and_has_no_browser_required(as_organiser, event):
    form = RiskForm(data={"risk": "停电", "likelihood": "low", "impact": "high"}, prefix=None)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner"] is None and form.cleaned_data["response"] == ""
    assert "required" not in str(form["owner"]) and "required" not in str(form["response"])
    assert SegmentForm(tz=None).fields["owner"].required
    assert PlanBasicsForm().fields["theme"].required
    move(event, Step.PLAN)
    resp = as_organiser.post(
        f"/events/{event.pk}/planning/plan/risks/add/",
        {"risk-risk": "停电", "risk-likelihood": "low", "risk-impact": "high"},
    )
    assert resp.status_code in (302, 200), resp.status_code
    assert Risk.objects.filter(plan__event=event, risk="停电", owner=None).exists()


def test_the_expected_attendance_has_no_default_and_is_required(as_organiser, organiser):
    assert EventForm().fields["expected_attendance"].initial is None
    html = as_organiser.get("/events/new/").content.decode()
    field = re.search(r'<input[^>]*name="expected_attendance"[^>]*>', html)
    assert field and 'value="0"' not in field.group(0)
    assert starred(html, "id_expected_attendance")
    resp = as_organiser.post(
        "/events/new/",
        {
            "name": "春季客户答谢会",
            "event_type": EventType.objects.get(code="customer-appreciation").pk,
            "time_zone": "Asia/Shanghai",
            "starts_at": "2027-04-10T18:00",
            "ends_at": "2027-04-10T21:00",
            "owner": organiser.pk,
            "requesting_department": Department.objects.get(code="sales").pk,
        },
    )
    assert resp.status_code == 400
    assert "请填写预计人数" in resp.content.decode()
    assert not Event.objects.filter(name="春季客户答谢会").exists()


@pytest.mark.parametrize("field_id", ["id_target_value", "id_due_date", "id_owner", "id_objective"])
def test_every_field_a_smart_goal_needs_is_marked_required(as_organiser, event, field_id):
    # REQ: GO-1 — the form leaves them to the service (which names the missing letter), but shows the `*`.
    html = as_organiser.get(f"/events/{event.pk}/planning/goals/").content.decode()
    assert starred(html, field_id), field_id
