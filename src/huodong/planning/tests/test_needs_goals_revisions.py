"""Edits of the needs report, its inputs and methods, and the goals never lose each other (issue 6, finding 2).

Two edits from the same revision: the second is refused (409 / "已被某某修改") and nothing is lost; an edit
writes and audits only the fields it changed; a write that does not say what it saw is 428.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.models import AuditEntry
from huodong.events.steps import Step
from huodong.planning import versioning
from huodong.planning.models import Goal, NeedsInput, NeedsMethod, NeedsReport
from huodong.planning.services import goals as goal_services
from huodong.planning.services import needs as needs_services
from tests.factories import login

from .conftest import move, smart_goal

pytestmark = pytest.mark.django_db

J = "application/json"


def _api(event, tail: str) -> str:
    return f"/api/events/{event.pk}/{tail}"


def _page(event, tail: str) -> str:
    return f"/events/{event.pk}/planning/{tail}"


@pytest.fixture
def goal(event, organiser) -> Goal:
    return smart_goal(move(event, Step.GOALS), organiser, description="收集有效线索150条")


@pytest.fixture
def as_admin_too(admin_user) -> Client:
    """A second person at another browser, editing the same records."""
    return login(Client(), admin_user)


# ---------------------------------------------------------------- services
def test_a_second_goal_edit_from_the_same_revision_is_refused_and_the_first_is_kept(
    goal, organiser, admin_user
):
    # REQ: GO-1 — issue 6 finding 2: concurrent edits were lost silently.
    goal_services.goal_update(
        actor=admin_user, event=goal.event, goal_id=goal.pk, seen=1, target_value=Decimal("180")
    )
    with pytest.raises(Stale) as exc:
        goal_services.goal_update(actor=organiser, event=goal.event, goal_id=goal.pk, seen=1, unit="个")
    assert exc.value.status == 409
    assert exc.value.current["revision"] == 2 and exc.value.current["target_value"] == "180.00"
    assert exc.value.changed_by == admin_user.name
    goal.refresh_from_db()
    assert (goal.target_value, goal.unit, goal.revision) == (Decimal("180.00"), "条", 2)
    assert AuditEntry.objects.filter(action="goal.update").count() == 1


@pytest.mark.parametrize("kind", ["input", "method"])
def test_a_second_row_edit_from_the_same_revision_is_refused_and_the_first_is_kept(event, organiser, kind):
    # REQ: NI-1
    # REQ: NI-2
    if kind == "input":
        row = needs_services.needs_input_add(actor=organiser, event=event, kind="market_trend", content="旧")
        update, id_arg, field = needs_services.needs_input_update, "input_id", "content"
    else:
        row = needs_services.needs_method_add(actor=organiser, event=event, method="interview", findings="旧")
        update, id_arg, field = needs_services.needs_method_update, "method_id", "findings"
    update(actor=organiser, event=event, seen=1, **{id_arg: row.pk, field: "甲的修改"})
    with pytest.raises(Stale):
        update(actor=organiser, event=event, seen=1, **{id_arg: row.pk, field: "乙的修改"})
    row.refresh_from_db()
    assert getattr(row, field) == "甲的修改" and row.revision == 2


def test_a_second_report_edit_from_the_same_revision_is_refused_and_the_first_is_kept(event, organiser):
    # REQ: DOC-1
    needs_services.needs_report_update(actor=organiser, event=event, seen=1, background="甲写的背景")
    with pytest.raises(Stale) as exc:
        needs_services.needs_report_update(actor=organiser, event=event, seen=1, core_needs="乙写的需求")
    assert exc.value.current["background"] == "甲写的背景"
    report = NeedsReport.objects.get(event=event)
    assert (report.background, report.core_needs, report.revision) == ("甲写的背景", "", 2)


def test_adding_an_input_raises_the_report_revision_so_a_put_from_before_cannot_drop_it(event, organiser):
    # REQ: NI-1 — the whole-report PUT replaces the inputs; based on an old read it would delete this one.
    needs_services.needs_report_update(actor=organiser, event=event, seen=1, background="背景")
    needs_services.needs_input_add(actor=organiser, event=event, kind="business_goal", content="新增的输入")
    assert NeedsReport.objects.get(event=event).revision == 3
    with pytest.raises(Stale):
        needs_services.needs_report_update(actor=organiser, event=event, seen=2, inputs=[])
    assert NeedsInput.objects.filter(content="新增的输入").exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda a, g: goal_services.goal_update(actor=a, event=g.event, goal_id=g.pk, seen=None, unit="个"),
        lambda a, g: goal_services.goal_remove(actor=a, event=g.event, goal_id=g.pk, seen=None),
        lambda a, g: needs_services.needs_report_update(actor=a, event=g.event, seen=None, background="x"),
    ],
)
def test_an_edit_that_does_not_say_which_revision_it_saw_is_refused(goal, organiser, call):
    with pytest.raises(PreconditionRequired) as exc:
        call(organiser, goal)
    assert exc.value.status == 428
    goal.refresh_from_db()
    assert goal.unit == "条" and not NeedsReport.objects.exists()


def test_the_audit_row_of_a_goal_edit_lists_only_the_changed_fields_with_the_real_before_and_after(
    goal, organiser
):
    # REQ: GO-1 — issue 6 finding 2: the audit log recorded "X → X" for fields nobody changed.
    same = {name: getattr(goal, name) for name in goal_services.GOAL_FIELDS}
    goal_services.goal_update(
        actor=organiser, event=goal.event, goal_id=goal.pk, seen=1, **{**same, "unit": "个", "baseline": 90}
    )
    entry = AuditEntry.objects.get(action="goal.update")
    assert entry.before == {"unit": "条", "baseline": None}
    assert entry.after == {"unit": "个", "baseline": "90.00"}


def test_the_audit_row_of_a_row_edit_lists_only_the_changed_fields(event, organiser):
    # REQ: NI-2
    row = needs_services.needs_method_add(
        actor=organiser, event=event, method="interview", findings="发现", participants="销售部"
    )
    needs_services.needs_method_update(
        actor=organiser,
        event=event,
        method_id=row.pk,
        seen=1,
        findings="发现",
        conducted_on=dt.date(2026, 12, 1),
    )
    entry = AuditEntry.objects.get(action="needs.method.update")
    assert entry.before == {"conducted_on": None} and entry.after == {"conducted_on": "2026-12-01"}


def test_the_audit_row_of_a_report_edit_lists_only_the_changed_fields(event, organiser):
    # REQ: DOC-1
    needs_services.needs_report_update(
        actor=organiser, event=event, seen=1, background="背景", core_needs="需求"
    )
    needs_services.needs_report_update(
        actor=organiser, event=event, seen=2, background="背景", core_needs="新需求"
    )
    last = AuditEntry.objects.filter(action="needs.report.update").order_by("-id").first()
    assert last.before == {"core_needs": "需求"} and last.after == {"core_needs": "新需求"}


def test_an_edit_that_changes_nothing_writes_nothing(goal, organiser, monkeypatch):
    touched: list[str] = []
    monkeypatch.setattr(versioning, "plan_touch", lambda **kw: touched.append(kw["what"]))
    goal_services.goal_update(actor=organiser, event=goal.event, goal_id=goal.pk, seen=1, unit="条")
    goal.refresh_from_db()
    assert goal.revision == 1 and touched == []
    assert not AuditEntry.objects.filter(action="goal.update").exists()


def test_removing_a_goal_seen_at_an_old_revision_is_refused(goal, organiser):
    goal_services.goal_update(actor=organiser, event=goal.event, goal_id=goal.pk, seen=1, unit="个")
    with pytest.raises(Stale):
        goal_services.goal_remove(actor=organiser, event=goal.event, goal_id=goal.pk, seen=1)
    assert Goal.objects.filter(pk=goal.pk).exists()


# ---------------------------------------------------------------- API
def test_a_goal_read_carries_its_revision_in_the_body_and_as_etag(as_organiser, goal):
    resp = as_organiser.get(_api(goal.event, f"goals/{goal.pk}"))
    assert resp.status_code == 200
    assert resp.json()["revision"] == 1 and resp["ETag"] == '"r1"'
    listed = as_organiser.get(_api(goal.event, "goals")).json()
    assert listed[0]["revision"] == 1


def test_the_report_and_its_rows_carry_their_revisions(as_organiser, event, organiser):
    resp = as_organiser.get(_api(event, "needs"))
    assert resp.json()["revision"] == 1 and resp["ETag"] == '"r1"'
    row = needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="x")
    method = needs_services.needs_method_add(actor=organiser, event=event, method="interview", findings="y")
    resp = as_organiser.get(_api(event, "needs"))
    assert resp.json()["revision"] == 3 and resp["ETag"] == '"r3"'
    assert [i["revision"] for i in resp.json()["inputs"]] == [1]
    one = as_organiser.get(_api(event, f"needs/inputs/{row.pk}"))
    assert one.status_code == 200 and one["ETag"] == '"r1"' and one.json()["content"] == "x"
    assert as_organiser.get(_api(event, f"needs/methods/{method.pk}"))["ETag"] == '"r1"'


def test_two_api_edits_of_a_goal_from_the_same_revision_the_second_gets_409_with_the_current_state(
    as_organiser, as_admin_too, goal, admin_user
):
    # REQ: GO-1 — issue 6 finding 2
    url = _api(goal.event, f"goals/{goal.pk}")
    first = as_admin_too.patch(url, {"target_value": "180"}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert first.status_code == 200 and first["ETag"] == '"r2"' and first.json()["revision"] == 2
    second = as_organiser.patch(url, {"unit": "个"}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "stale" and set(body) >= {"message", "errors"}
    assert body["current"]["target_value"] == "180.00" and body["current"]["revision"] == 2
    assert body["changed_by"] == admin_user.name
    goal.refresh_from_db()
    assert (goal.target_value, goal.unit) == (Decimal("180.00"), "条")


def test_two_api_puts_of_the_report_from_the_same_revision_the_second_gets_409(as_organiser, event):
    # REQ: DOC-1
    url = _api(event, "needs")
    assert (
        as_organiser.put(url, {"background": "甲"}, content_type=J, HTTP_IF_MATCH='"r1"').status_code == 200
    )
    resp = as_organiser.put(url, {"background": "乙"}, content_type=J, HTTP_IF_MATCH='"r1"')
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    assert resp.json()["current"]["background"] == "甲"
    assert NeedsReport.objects.get(event=event).background == "甲"


@pytest.mark.parametrize("kind", ["inputs", "methods"])
def test_two_api_edits_of_a_row_from_the_same_revision_the_second_gets_409(
    as_organiser, event, organiser, kind
):
    # REQ: NI-1
    # REQ: NI-2
    if kind == "inputs":
        row = needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="旧")
        field, model = "content", NeedsInput
    else:
        row = needs_services.needs_method_add(actor=organiser, event=event, method="interview", findings="旧")
        field, model = "findings", NeedsMethod
    url = _api(event, f"needs/{kind}/{row.pk}")
    assert as_organiser.patch(url, {"revision": 1, field: "甲"}, content_type=J).status_code == 200
    resp = as_organiser.patch(url, {"revision": 1, field: "乙"}, content_type=J)
    assert resp.status_code == 409 and resp.json()["current"][field] == "甲"
    resp = as_organiser.delete(f"{url}?revision=1")
    assert resp.status_code == 409
    assert getattr(model.objects.get(pk=row.pk), field) == "甲"


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("patch", "goals/{goal}", {"unit": "个"}),
        ("delete", "goals/{goal}", None),
        ("put", "needs", {"background": "x"}),
        ("patch", "needs/inputs/{input}", {"content": "x"}),
        ("delete", "needs/methods/{method}", None),
    ],
)
def test_an_api_edit_without_a_revision_is_428_and_changes_nothing(
    as_organiser, goal, organiser, method, tail, body
):
    event = goal.event
    row = needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="旧")
    found = needs_services.needs_method_add(actor=organiser, event=event, method="interview", findings="旧")
    before = AuditEntry.objects.count()
    url = _api(event, tail.format(goal=goal.pk, input=row.pk, method=found.pk))
    call = getattr(as_organiser, method)
    resp = call(url, body, content_type=J) if body is not None else call(url)
    assert resp.status_code == 428
    assert resp.json()["code"] == "revision_required" and "revision" in resp.json()["errors"]
    assert AuditEntry.objects.count() == before
    assert Goal.objects.filter(pk=goal.pk, unit="条").exists()


def test_the_revision_field_wins_over_if_match(as_organiser, goal):
    url = _api(goal.event, f"goals/{goal.pk}")
    resp = as_organiser.patch(url, {"revision": 1, "unit": "个"}, content_type=J, HTTP_IF_MATCH='"r7"')
    assert resp.status_code == 200
    resp = as_organiser.patch(url, {"revision": 1, "unit": "次"}, content_type=J, HTTP_IF_MATCH='"r2"')
    assert resp.status_code == 409


def test_adding_rows_needs_no_revision(as_organiser, goal):
    event = goal.event
    resp = as_organiser.post(_api(event, "needs/inputs"), {"kind": "other", "content": "x"}, content_type=J)
    assert resp.status_code == 201 and resp["ETag"] == '"r1"'


# ---------------------------------------------------------------- pages
def test_two_page_edits_of_a_goal_from_the_same_revision_the_second_says_who_changed_it(
    as_organiser, as_admin_too, goal, organiser, admin_user
):
    # REQ: GO-1 — issue 6 finding 2: the page shows "已被某某修改" with the other person's change.
    url = _page(goal.event, f"goals/{goal.pk}/")
    form = {
        "revision": 1,
        "metric": "valid_leads",
        "target_value": "150",
        "unit": "条",
        "due_date": "2027-04-01",
        "owner": organiser.pk,
        "objective": goal.objective,
        "description": goal.description,
    }
    assert as_admin_too.post(url, {**form, "target_value": "180"}).status_code == 302
    resp = as_organiser.post(url, {**form, "unit": "个"})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert f"已被{admin_user.name}修改" in html
    assert "180.00" in html  # the other person's value beside the field
    assert 'name="revision" value="2"' in html  # a second submit is a deliberate overwrite
    goal.refresh_from_db()
    assert (goal.target_value, goal.unit) == (Decimal("180.00"), "条")
    assert as_organiser.post(url, {**form, "revision": 2, "unit": "个"}).status_code == 302
    goal.refresh_from_db()
    assert goal.unit == "个"


def test_two_page_edits_of_the_report_from_the_same_revision_the_second_says_who_changed_it(
    as_organiser, as_admin_too, event, admin_user
):
    # REQ: DOC-1
    url = _page(event, "needs/report/")
    text = {"background": "", "audience_persona": "", "core_needs": "", "initial_goals": ""}
    assert as_admin_too.post(url, {**text, "revision": 1, "background": "管理员写的背景"}).status_code == 302
    resp = as_organiser.post(url, {**text, "revision": 1, "core_needs": "策划写的需求"})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert f"已被{admin_user.name}修改" in html and "管理员写的背景" in html
    report = NeedsReport.objects.get(event=event)
    assert (report.background, report.core_needs) == ("管理员写的背景", "")


def test_two_page_edits_of_an_input_from_the_same_revision_the_second_says_who_changed_it(
    as_organiser, as_admin_too, event, organiser, admin_user
):
    # REQ: NI-1
    row = needs_services.needs_input_add(actor=organiser, event=event, kind="other", content="旧")
    url = _page(event, f"needs/inputs/{row.pk}/")
    assert 'name="revision" value="1"' in as_organiser.get(url).content.decode()
    assert (
        as_admin_too.post(url, {"revision": 1, "kind": "other", "content": "管理员改的"}).status_code == 302
    )
    resp = as_organiser.post(url, {"revision": 1, "kind": "other", "content": "策划改的"})
    assert resp.status_code == 409
    assert f"已被{admin_user.name}修改" in resp.content.decode()
    assert NeedsInput.objects.get(pk=row.pk).content == "管理员改的"


def test_removing_a_goal_from_a_page_shown_before_it_changed_is_refused(as_organiser, goal, organiser):
    goal_services.goal_update(actor=organiser, event=goal.event, goal_id=goal.pk, seen=1, unit="个")
    resp = as_organiser.post(_page(goal.event, f"goals/{goal.pk}/remove/"), {"revision": 1}, follow=True)
    assert "已被" in resp.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_a_page_form_without_its_revision_is_refused_and_says_so(as_organiser, goal):
    url = _page(goal.event, f"goals/{goal.pk}/")
    resp = as_organiser.post(url, {"metric": "valid_leads", "target_value": "1", "unit": "个"})
    assert resp.status_code == 400
    assert "修订号" in resp.content.decode()
    goal.refresh_from_db()
    assert goal.unit == "条"
