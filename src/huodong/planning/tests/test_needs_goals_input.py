"""No 500 on any input to the needs report, its inputs and methods, and the goals (issue 6, finding 5).

Every bad value — a NUL byte, a lone surrogate, control characters, text longer than its column, null for
required text, ids no row can have, dates in year 9999 or 0001, a body that is not an object — is a 4xx
with the documented JSON shape (API) or the message beside its field (pages), and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport
from huodong.planning.services import needs as needs_services

from .conftest import move, smart_goal

pytestmark = pytest.mark.django_db

J = "application/json"
HUGE = 2**63  # more than any id column holds
SURROGATE = '"a\\ud800b"'  # a lone surrogate, as JSON writes it


@pytest.fixture
def rows(event, organiser) -> dict[str, Any]:
    """The event at 目标设定 with one goal, one input and one method."""
    move(event, Step.GOALS)
    return {
        "event": event,
        "goal": smart_goal(event, organiser),
        "input": needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="原输入"),
        "method": needs_services.needs_method_add(
            actor=organiser, event=event, method="interview", findings="原发现"
        ),
    }


def _state() -> tuple:
    """Everything the tests could write, to compare before and after a refused request."""
    return (
        list(Goal.objects.values_list("id", "revision", "unit", "target_value", "due_date", "objective")),
        list(NeedsInput.objects.values_list("id", "revision", "content", "source")),
        list(NeedsMethod.objects.values_list("id", "revision", "findings", "conducted_on")),
        list(NeedsReport.objects.values_list("id", "revision", "background", "requested_on")),
        AuditEntry.objects.count(),
    )


def _raw(fields: dict[str, str]) -> str:
    """A JSON object whose values are given as JSON text (so a lone surrogate can be sent as \\ud800)."""
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


def _documented(resp) -> dict[str, Any]:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.content[:300])
    body = resp.json()
    assert set(body) >= {"code", "message", "errors"} and isinstance(body["errors"], dict)
    assert body["message"]
    return body


GOAL = {
    "metric": '"attendees"',
    "target_value": '"300"',
    "unit": '"人"',
    "due_date": '"2027-04-01"',
    "owner": '"organiser"',
    "objective": '"扩大影响力"',
}

# (method, url tail, body as JSON text, the field named in the errors)
BAD_BODIES = [
    # NUL bytes, lone surrogates, control characters in any string
    ("post", "needs/inputs", _raw({"kind": '"other"', "content": '"a\\u0000b"'}), "content"),
    ("post", "needs/inputs", _raw({"kind": '"other"', "content": SURROGATE}), "content"),
    ("post", "needs/inputs", _raw({"kind": '"other"', "content": '"x"', "source": '"a\\u0007b"'}), "source"),
    ("post", "needs/inputs", _raw({"kind": '"other"', "content": '"x"', "source": '"a\\nb"'}), "source"),
    ("post", "needs/methods", _raw({"method": '"interview"', "findings": SURROGATE}), "findings"),
    ("patch", "needs/inputs/{input}", _raw({"revision": "1", "content": '"\\u0000"'}), "content"),
    ("patch", "needs/methods/{method}", _raw({"revision": "1", "participants": SURROGATE}), "participants"),
    ("put", "needs", _raw({"revision": "1", "background": '"\\u0000"'}), "background"),
    ("put", "needs", _raw({"revision": "1", "requesters": f"[{SURROGATE}]"}), "requesters.0"),
    ("put", "needs", _raw({"revision": "1", "requesting_department": SURROGATE}), "requesting_department"),
    ("post", "goals", _raw({**GOAL, "objective": SURROGATE}), "objective"),
    ("post", "goals", _raw({**GOAL, "owner": '"a\\u0000"'}), "owner"),
    ("patch", "goals/{goal}", _raw({"revision": "1", "description": '"\\u001b[31m"'}), "description"),
    # longer than the column (PostgreSQL refuses, SQLite would keep it)
    ("post", "needs/inputs", json.dumps({"kind": "other", "content": "x", "source": "源" * 201}), "source"),
    ("post", "needs/inputs", json.dumps({"kind": "other", "content": "长" * 5001}), "content"),
    ("post", "needs/inputs", json.dumps({"kind": "k" * 31, "content": "x"}), "kind"),
    ("post", "goals", _raw({**GOAL, "unit": json.dumps("单" * 21)}), "unit"),
    ("post", "goals", _raw({**GOAL, "objective": json.dumps("目" * 301)}), "objective"),
    ("post", "goals", _raw({**GOAL, "custom_metric": json.dumps("名" * 101)}), "custom_metric"),
    ("put", "needs", json.dumps({"revision": 1, "core_needs": "需" * 5001}), "core_needs"),
    # null for required text
    ("post", "needs/inputs", json.dumps({"kind": "other", "content": None}), "content"),
    ("post", "needs/methods", json.dumps({"method": None, "findings": "x"}), "method"),
    ("patch", "needs/inputs/{input}", json.dumps({"revision": 1, "content": None}), "content"),
    ("patch", "goals/{goal}", json.dumps({"revision": 1, "objective": None}), "objective"),
    # numbers out of range
    ("post", "goals", _raw({**GOAL, "target_value": "1e30"}), "target_value"),
    ("post", "goals", _raw({**GOAL, "target_value": '"NaN"'}), "target_value"),
    ("post", "goals", _raw({**GOAL, "baseline": "-1"}), "baseline"),
    ("patch", "goals/{goal}", json.dumps({"revision": -1, "unit": "个"}), "revision"),
    ("patch", "goals/{goal}", json.dumps({"revision": HUGE, "unit": "个"}), "revision"),
    ("put", "needs", json.dumps({"revision": 1, "history_event_ids": [-1]}), "history_event_ids.0"),
    ("put", "needs", json.dumps({"revision": 1, "history_event_ids": [HUGE]}), "history_event_ids.0"),
    # dates in year 9999 or 0001
    ("post", "goals", _raw({**GOAL, "due_date": '"9999-12-31"'}), "due_date"),
    ("post", "goals", _raw({**GOAL, "due_date": '"0001-01-01"'}), "due_date"),
    (
        "post",
        "needs/methods",
        json.dumps({"method": "interview", "findings": "x", "conducted_on": "9999-12-31"}),
        "conducted_on",
    ),
    ("put", "needs", json.dumps({"revision": 1, "requested_on": "0001-01-01"}), "requested_on"),
    (
        "patch",
        "needs/methods/{method}",
        json.dumps({"revision": 1, "conducted_on": "0001-01-01"}),
        "conducted_on",
    ),
    # a body that is not an object
    ("post", "goals", "[null, null]", None),
    ("post", "needs/inputs", "[null, null]", None),
    ("patch", "goals/{goal}", "[null, null]", None),
    ("patch", "needs/methods/{method}", "[null, null]", None),
    ("put", "needs", "[null, null]", None),
    ("put", "needs", "null", None),
    ("patch", "goals/{goal}", '"text"', None),
]


@pytest.mark.parametrize(("method", "tail", "body", "field"), BAD_BODIES)
def test_a_bad_body_is_a_4xx_naming_the_field_and_nothing_is_written(
    as_organiser, rows, method, tail, body, field
):
    # issue 6 finding 5: every input bounded by its schema, every error the documented shape.
    url = f"/api/events/{rows['event'].pk}/" + tail.format(
        goal=rows["goal"].pk, input=rows["input"].pk, method=rows["method"].pk
    )
    before = _state()
    resp = getattr(as_organiser, method)(url, body, content_type=J)
    errors = _documented(resp)["errors"]
    assert resp.status_code == 400
    if field is not None:
        assert field in errors, errors
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/events/-1/needs"),
        ("get", f"/api/events/{HUGE}/goals"),
        ("get", "/api/events/0/needs/history"),
        ("get", "/api/events/{event}/goals/-5"),
        ("get", f"/api/events/{{event}}/goals/{HUGE}"),
        ("get", f"/api/events/{{event}}/needs/inputs/{HUGE}"),
        ("get", "/api/events/{event}/needs/methods/0"),
        ("patch", f"/api/events/{{event}}/goals/{HUGE}"),
        ("patch", "/api/events/{event}/needs/inputs/-1"),
        ("delete", f"/api/events/{{event}}/needs/methods/{HUGE}?revision=1"),
        ("delete", "/api/events/{event}/goals/{goal}?revision=-3"),
        ("delete", "/api/events/{event}/goals/{goal}?revision=abc"),
        ("delete", f"/api/events/{{event}}/goals/{{goal}}?revision={HUGE}"),
        ("put", f"/api/events/{HUGE}/needs"),
        ("post", "/api/events/-7/goals"),
    ],
)
def test_ids_no_row_can_have_are_a_4xx_in_the_documented_shape(as_organiser, rows, method, path):
    # issue 6 finding 5: negative or huge ids were a 500.
    url = path.format(event=rows["event"].pk, goal=rows["goal"].pk)
    before = _state()
    call = getattr(as_organiser, method)
    resp = (
        call(url, json.dumps({"revision": 1, "unit": "个"}), content_type=J)
        if method in ("patch", "put", "post")
        else call(url)
    )
    _documented(resp)
    assert _state() == before


# ---------------------------------------------------------------- the same values through the pages
def _field_error(html: str, label: str) -> bool:
    """The message is shown beside the field (``includes/form_fields.html`` prefixes it with the label)."""
    return f'<div class="field-error" role="alert">{label}:' in html


@pytest.mark.parametrize(
    ("tail", "data", "label"),
    [
        ("needs/inputs/", {"kind": "other", "content": "a\x00b"}, "内容"),
        ("needs/inputs/", {"kind": "other", "content": "响铃\x07"}, "内容"),
        ("needs/inputs/", {"kind": "other", "content": "长" * 5001}, "内容"),
        ("needs/inputs/", {"kind": "other", "content": "x", "source": "源" * 201}, "来源"),
        ("needs/inputs/", {"kind": "other", "content": "x", "source": "a\x1bb"}, "来源"),
        ("needs/methods/", {"method": "interview", "findings": "x", "conducted_on": "9999-12-31"}, "日期"),
        ("needs/methods/", {"method": "interview", "findings": "x", "conducted_on": "0001-01-01"}, "日期"),
        ("needs/methods/", {"method": "interview", "findings": "x", "participants": "\x00"}, "参与对象"),
        ("needs/report/", {"background": "\x00"}, "需求背景"),
        ("needs/report/", {"core_needs": "控制\x08字符"}, "核心需求描述"),
        ("needs/requested-by/", {"requested_on": "0001-01-01"}, "提出日期"),
        ("needs/inputs/{input}/", {"revision": 1, "kind": "other", "content": "x", "source": "\x7f"}, "来源"),
        ("needs/methods/{method}/", {"revision": 1, "method": "interview", "findings": "\x00"}, "发现"),
        ("goals/add/", {"metric": "attendees", "target_value": "1e30"}, "目标值"),
        ("goals/add/", {"metric": "attendees", "due_date": "0001-01-01"}, "截止日期"),
        ("goals/add/", {"metric": "attendees", "due_date": "9999-12-31"}, "截止日期"),
        ("goals/add/", {"metric": "attendees", "unit": "\x00"}, "单位"),
        (
            "goals/{goal}/",
            {"revision": 1, "metric": "valid_leads", "objective": "目\x0c标"},
            "服务的业务目标",
        ),
        ("goals/{goal}/", {"revision": 1, "metric": "valid_leads", "description": "描" * 301}, "具体描述"),
    ],
)
def test_the_same_bad_values_through_the_pages_are_400_with_the_message_beside_the_field(
    as_organiser, rows, organiser, tail, data, label
):
    # issue 6 finding 5: the page forms go through the same services, which refuse what PostgreSQL cannot store.
    event = rows["event"]
    report = NeedsReport.objects.get(event=event)
    needs_services.needs_report_update(
        actor=organiser, event=event, seen=report.revision, background="原背景"
    )
    if tail.startswith(("needs/report/", "needs/requested-by/")):
        data = {**data, "revision": report.revision + 1}
    goal_form = {
        "target_value": "300",
        "unit": "人",
        "due_date": "2027-04-01",
        "owner": organiser.pk,
        "objective": "扩大影响力",
    }
    if tail.startswith("goals/"):
        data = {**goal_form, **data}
    url = f"/events/{event.pk}/planning/" + tail.format(
        goal=rows["goal"].pk, input=rows["input"].pk, method=rows["method"].pk
    )
    before = _state()
    resp = as_organiser.post(url, data)
    assert resp.status_code == 400
    assert _field_error(resp.content.decode(), label), resp.content.decode()[-3000:]
    assert _state() == before


@pytest.mark.parametrize(
    "path",
    [
        f"/events/{HUGE}/planning/needs/",
        "/events/{event}/planning/goals/{huge}/",
        "/events/{event}/planning/needs/inputs/{huge}/",
        "/events/{event}/planning/needs/methods/{huge}/",
    ],
)
def test_ids_no_row_can_have_are_404_on_the_pages(as_organiser, rows, path):
    url = path.format(event=rows["event"].pk, huge=HUGE)
    assert as_organiser.get(url).status_code == 404
    before = _state()
    assert as_organiser.post(url, {"revision": 1}).status_code in (404, 405)
    assert _state() == before


def test_a_removal_with_a_bad_revision_changes_nothing(as_organiser, rows):
    url = f"/events/{rows['event'].pk}/planning/goals/{rows['goal'].pk}/remove/"
    before = _state()
    for revision in ("-1", "abc", str(HUGE), ""):
        resp = as_organiser.post(url, {"revision": revision})
        assert resp.status_code == 302
    assert _state() == before
