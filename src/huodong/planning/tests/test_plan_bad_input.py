"""No 500 on any input to the plan (issue 6, finding 5): every bad value is a 4xx of the documented JSON
shape (API) or the page again with the message beside its field (status 400), and nothing is written.

The cases are the ones schemathesis and hand-made input found: NUL bytes, lone surrogates and control
characters, text longer than its column (PostgreSQL refuses it; SQLite kept it), ``null`` for required
text, huge or negative ids and revisions, a quantity of 1e30, years 9999 and 0001, a body that is no object.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from huodong.core.models import AuditEntry
from huodong.events.models import Event
from huodong.planning.models import BudgetLine, Plan, PlanAttachment, Risk, RunOfShowSegment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]
JSON = "application/json"
HUGE = 2**31  # one past the largest id a 32-bit column holds
SEGMENT = {"title": "晚宴", "starts_at": "2027-03-18T16:30:00", "duration_minutes": 30}
LINE = {"category": "venue", "item": "场地", "quantity": "1", "unit_price": "100"}
RISK = {"risk": "停电", "likelihood": "low", "impact": "high"}


def state(event: Event) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    event.refresh_from_db()
    plan = Plan.objects.filter(event=event).first()
    return (
        event.theme,
        event.tone,
        event.revision,
        plan.revision if plan else None,
        plan.background if plan else None,
        RunOfShowSegment.objects.count(),
        BudgetLine.objects.count(),
        Risk.objects.count(),
        PlanAttachment.objects.count(),
        AuditEntry.objects.count(),
    )


def assert_error_shape(resp: Any, status: int | None = 400) -> dict[str, Any]:
    assert 400 <= resp.status_code < 500, resp.content
    if status is not None:
        assert resp.status_code == status, resp.content
    body = resp.json()
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict) and body["errors"]
    return body


# ---------------------------------------------------------------- API
@pytest.mark.parametrize(
    ("method", "tail", "body", "field"),
    [
        ("put", "", {"theme": "智启\x00未来"}, "theme"),
        ("put", "", {"theme": "智启\ud800未来"}, "theme"),
        ("put", "", {"theme": "长" * 201}, "theme"),
        ("put", "", {"tone": "调" * 101}, "tone"),
        ("put", "", {"theme": "两\n行"}, "theme"),
        ("put", "", {"background": "背景\x00"}, "background"),
        ("put", "", {"background": "长" * 20_001}, "background"),
        ("put", "", {"approved_budget": 1e30}, "approved_budget"),
        ("put", "", {"approved_budget": "-1"}, "approved_budget"),
        ("put", "", {"approved_budget": "NaN"}, "approved_budget"),
        ("post", "/segments", {**SEGMENT, "title": None}, "title"),
        ("post", "/segments", {**SEGMENT, "title": "响\x07铃"}, "title"),
        ("post", "/segments", {**SEGMENT, "title": "长" * 201}, "title"),
        ("post", "/segments", {**SEGMENT, "starts_at": "9999-12-31T23:59:00"}, "starts_at"),
        ("post", "/segments", {**SEGMENT, "starts_at": "0001-01-01T00:00:00"}, "starts_at"),
        ("post", "/segments", {**SEGMENT, "duration_minutes": HUGE}, "duration_minutes"),
        ("post", "/segments", {**SEGMENT, "duration_minutes": -5}, "duration_minutes"),
        ("post", "/segments", {**SEGMENT, "owner": "org\x00aniser"}, "owner"),
        ("post", "/segments", {**SEGMENT, "key_actions": "\ud800"}, "key_actions"),
        ("post", "/budget-lines", {**LINE, "quantity": 1e30}, "quantity"),
        ("post", "/budget-lines", {**LINE, "quantity": "1e30"}, "quantity"),
        ("post", "/budget-lines", {**LINE, "unit_price": 1e30}, "unit_price"),
        ("post", "/budget-lines", {**LINE, "quantity": "-1"}, "quantity"),
        ("post", "/budget-lines", {**LINE, "item": None}, "item"),
        ("post", "/budget-lines", {**LINE, "category": "venue\x00"}, "category"),
        ("post", "/budget-lines", {**LINE, "note": "长" * 301}, "note"),
        ("post", "/risks", {**RISK, "risk": None}, "risk"),
        ("post", "/risks", {**RISK, "risk": "\ud83d"}, "risk"),
        ("post", "/risks", {**RISK, "likelihood": "\x00"}, "likelihood"),
        ("post", "/risks", {**RISK, "response": "长" * 5001}, "response"),
        ("post", "/segments/1/move", {"direction": "sideways\x00"}, "direction"),
    ],
)
def test_bad_values_are_400_naming_the_field_and_write_nothing(
    as_organiser, plan, event, method, tail, body, field
):
    # Issue 6, finding 5
    before = state(event)
    if method == "put":
        body = {**body, "revision": plan.revision}
    resp = getattr(as_organiser, method)(f"/api/events/{event.pk}/plan{tail}", body, content_type=JSON)
    assert field in assert_error_shape(resp)["errors"]
    assert state(event) == before


@pytest.mark.parametrize("body", ["[null, null]", "null", "[]", '"text"', "{", "1e30"])
@pytest.mark.parametrize("tail", ["/segments", "/budget-lines", "/risks"])
def test_a_body_that_is_no_object_is_400(as_organiser, plan, event, tail, body):
    # Issue 6, finding 5: ``[null, null]`` was accepted with 200.
    before = state(event)
    resp = as_organiser.post(f"/api/events/{event.pk}/plan{tail}", body, content_type=JSON)
    assert_error_shape(resp)
    assert state(event) == before


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("get", "/api/events/-1/plan"),
        ("get", "/api/events/0/plan"),
        ("get", f"/api/events/{HUGE}/plan"),
        ("get", "/api/events/99999999999999999999999/plan"),
        ("get", "/api/events/{e}/plan/segments/-3"),
        ("get", f"/api/events/{{e}}/plan/risks/{HUGE}"),
        ("patch", f"/api/events/{{e}}/plan/budget-lines/{HUGE}"),
        ("delete", "/api/events/{e}/plan/risks/-1"),
        ("delete", "/api/events/{e}/plan/attachments/0"),
        ("get", f"/api/events/{{e}}/plan/attachments/{HUGE}/download"),
        ("delete", "/api/events/{e}/plan/segments/{s}?revision=-1"),
        ("delete", f"/api/events/{{e}}/plan/segments/{{s}}?revision={HUGE}"),
        ("delete", "/api/events/{e}/plan/segments/{s}?revision=abc"),
    ],
)
def test_negative_zero_and_huge_ids_are_4xx(as_organiser, plan, event, method, tail):
    # Issue 6, finding 5
    before = state(event)
    url = tail.format(e=event.pk, s=plan.segments.first().pk)
    kwargs = {"data": {"title": "x", "revision": 1}, "content_type": JSON} if method == "patch" else {}
    assert_error_shape(getattr(as_organiser, method)(url, **kwargs), status=None)
    assert state(event) == before


def test_a_revision_out_of_range_is_400(as_organiser, plan, event):
    # Issue 6, finding 5
    risk = plan.risks.first()
    before = state(event)
    for revision in (-1, 0, HUGE, "r1"):
        resp = as_organiser.patch(
            f"/api/events/{event.pk}/plan/risks/{risk.pk}",
            {"impact": "low", "revision": revision},
            content_type=JSON,
        )
        assert "revision" in assert_error_shape(resp)["errors"], revision
    assert state(event) == before


def test_a_garbled_if_match_is_treated_as_missing(as_organiser, plan, event):
    # Issue 6, finding 5
    risk = plan.risks.first()
    for header in ('"r99999999999999999"', "*", "\x00", 'W/"-1"'):
        resp = as_organiser.patch(
            f"/api/events/{event.pk}/plan/risks/{risk.pk}",
            {"impact": "low"},
            content_type=JSON,
            HTTP_IF_MATCH=header,
        )
        assert resp.status_code == 428, (header, resp.content)


# ---------------------------------------------------------------- pages
def url(event: Event, tail: str) -> str:
    return f"/events/{event.pk}/planning/plan/{tail}"


SEGMENT_FORM = {
    "seg-title": "晚宴",
    "seg-starts_at": "2027-03-18T16:30",
    "seg-duration_minutes": "30",
    "seg-key_actions": "晚宴",
}
LINE_FORM = {"bl-category": "venue", "bl-item": "场地", "bl-quantity": "1", "bl-unit_price": "100"}
RISK_FORM = {"risk-risk": "停电", "risk-likelihood": "low", "risk-impact": "high"}


@pytest.mark.parametrize(
    ("tail", "data", "field"),
    [
        ("basics/", {"theme": "长" * 201}, "theme"),
        ("basics/", {"tone": "调" * 101}, "tone"),
        ("basics/", {"theme": "响\x07铃"}, "theme"),
        ("basics/", {"background": "背景\x00"}, "background"),
        ("basics/", {"approved_budget": "1e30"}, "approved_budget"),
        ("segments/add/", {**SEGMENT_FORM, "seg-title": "响\x07铃"}, "seg-title"),
        ("segments/add/", {**SEGMENT_FORM, "seg-starts_at": "9999-12-31T23:59"}, "seg-starts_at"),
        ("segments/add/", {**SEGMENT_FORM, "seg-starts_at": "0001-01-01T00:00"}, "seg-starts_at"),
        ("segments/add/", {**SEGMENT_FORM, "seg-duration_minutes": str(10**30)}, "seg-duration_minutes"),
        ("segments/add/", {**SEGMENT_FORM, "seg-owner": str(10**20)}, "seg-owner"),
        ("budget/add/", {**LINE_FORM, "bl-quantity": "1e30"}, "bl-quantity"),
        ("budget/add/", {**LINE_FORM, "bl-unit_price": "1e30"}, "bl-unit_price"),
        ("budget/add/", {**LINE_FORM, "bl-quantity": "Infinity"}, "bl-quantity"),
        ("budget/add/", {**LINE_FORM, "bl-item": "场\x00地"}, "bl-item"),
        ("risks/add/", {**RISK_FORM, "risk-risk": "停\x1b电"}, "risk-risk"),
        ("risks/add/", {**RISK_FORM, "risk-response": "长" * 5001}, "risk-response"),
    ],
)
def test_bad_values_in_the_page_forms_are_400_beside_the_field(as_organiser, plan, event, tail, data, field):
    # Issue 6, finding 5
    if tail == "basics/":
        data = {"revision": plan.revision, **data}
    before = state(event)
    resp = as_organiser.post(url(event, tail), data)
    assert resp.status_code == 400, resp.content.decode()[:500]
    html = resp.content.decode()
    # The message sits in the field's own block, right after its input.
    block = re.split(r'<div class="field(?:"| has-error)', html.split(f'name="{field}"', 1)[1])[0]
    assert 'class="field-error"' in block, block[:500]
    assert state(event) == before


@pytest.mark.parametrize(
    "tail",
    [
        f"risks/{HUGE}/",
        "risks/99999999999999999999/",
        f"budget/{HUGE}/delete/",
        f"attachments/{HUGE}/",
        f"segments/{HUGE}/move/",
    ],
)
def test_huge_ids_in_page_urls_are_404(as_organiser, plan, event, tail):
    # Issue 6, finding 5
    before = state(event)
    data = {"risk": "x", "likelihood": "low", "impact": "low", "revision": "1", "direction": "up"}
    resp = (
        as_organiser.get(url(event, tail))
        if tail.startswith("attachments")
        else as_organiser.post(url(event, tail), data)
    )
    assert resp.status_code == 404
    assert state(event) == before


def test_a_huge_event_id_in_a_page_url_is_404(as_organiser):
    # Issue 6, finding 5
    assert as_organiser.get("/events/99999999999999999999/planning/plan/").status_code == 404
    assert (
        as_organiser.post("/events/99999999999999999999/planning/plan/risks/add/", RISK_FORM).status_code
        == 404
    )
