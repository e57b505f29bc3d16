"""Who may open every page and call every API operation: one declared table, walked persona by persona.

Each URL pattern of the site and each operation of the OpenAPI document has a row: the personas allowed
and, for a write, a request that is valid for the schema (so a refusal can only come from the access
check). An allowed persona must get past access (any answer but 401/403/404 — a gate or a wrong step may
still say no); every other signed-in persona must get 403, and an anonymous visitor the login page
(pages) or 401 (API). A new endpoint without a row fails ``test_every_endpoint_has_a_row``.

The world: an event at 审批定稿 with a complete plan and version v1 submitted to sales, product, legal
and finance; its owner, an organiser and a staff member on its team; the organiser of another event; the
four department reviewers; both approvers; check-in staff and a colleague who are not on the team.
Each persona's request runs in a savepoint that is rolled back, so every persona sees the same world.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huodong.core.models import Notification, Role
from huodong.core.services import token_create
from huodong.events.models import Event
from huodong.planning.models import DepartmentReview, NeedsInput, NeedsMethod, PlanVersion
from huodong.planning.tests.conftest import media_root  # noqa: F401  (a fixture the world uses)
from tests.factories import EventFactory, person
from tests.permission_rows import (  # noqa: F401
    ADMIN,
    APPROVERS,
    CREATORS,
    EDIT,
    EVERYONE,
    PUBLIC,
    REVIEWERS,
    VIEW_APPROVAL,
    Row,
)
from tests.permissions import AREAS

pytestmark = pytest.mark.django_db


@dataclass
class World:
    event: Event
    other_event: Event
    version: PlanVersion
    ids: dict[str, Any]
    people: dict[str, Any]
    revisions: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(
    admin_user,
    organiser,
    marketing_mgr,
    reviewers,
    approver_exec,
    approver_gm,
    checkin_staff,
    outsider,
    media_root,  # noqa: F811  (the planning tests' fixture, imported above)
):
    from huodong.planning.services.attachments import attachment_add
    from huodong.planning.tests.conftest import build_plan_event, submit

    team_member = person("team_staff", Role.STAFF, "marketing")
    other_organiser = person("other_organiser", Role.ORGANISER, "marketing")
    event = build_plan_event(organiser)
    event.team_members.add(marketing_mgr, team_member)
    other_event = EventFactory(owner=other_organiser, name="别人的活动")
    report_input = NeedsInput.objects.create(
        report=_needs_report(event, organiser), kind="business_goal", content="提升线索"
    )
    method = NeedsMethod.objects.create(report=report_input.report, method="interview", findings="访谈结论")
    plan = event.plan
    attachment = attachment_add(actor=organiser, event=event, file=_pdf())
    version = submit(event, organiser)
    people = {
        "admin": admin_user,
        "owner": organiser,
        "team_organiser": marketing_mgr,
        "team_member": team_member,
        "other_organiser": other_organiser,
        **{f"reviewer_{code}": user for code, user in reviewers.items()},
        "approver_exec": approver_exec,
        "approver_gm": approver_gm,
        "checkin_staff": checkin_staff,
        "colleague": outsider,
    }
    notice = Notification.objects.create(recipient=organiser, kind="test", message="测试通知")
    ids = {
        "event_id": event.pk,
        "pk": event.pk,
        "input_id": report_input.pk,
        "method_id": method.pk,
        "goal_id": event.goals.first().pk,
        "segment_id": plan.segments.first().pk,
        "line_id": plan.budget_lines.first().pk,
        "risk_id": plan.risks.first().pk,
        "attachment_id": attachment.pk,
        "number": version.number,
        "review_id": DepartmentReview.objects.get(version=version, department__code="sales").pk,
        "notification_id": notice.pk,
        "doc": "needs-report",
        "fmt": "docx",
        "department_pk": people["admin"].department_id or 1,
        "person_pk": outsider.pk,
        "type_pk": event.event_type_id,
        "token_pk": token_create(user=organiser, name="自动化")[0].pk,
    }
    world = World(event=event, other_event=other_event, version=version, ids=ids, people=people)
    for area in AREAS:  # later phases' records in the same world (tests/permissions/*.py)
        world.ids.update(area.ids(world))
    return world


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf"
    )


def _needs_report(event, owner):
    from huodong.planning.models import NeedsReport

    report, _ = NeedsReport.objects.get_or_create(event=event)
    return report


def _rev(world: World, key: str) -> int:
    from huodong.planning import models as pm

    for area in AREAS:
        if key in area.REVISIONS:
            return area.REVISIONS[key].objects.get(pk=world.ids[key]).revision

    model = {
        "input_id": pm.NeedsInput,
        "method_id": pm.NeedsMethod,
        "goal_id": pm.Goal,
        "segment_id": pm.RunOfShowSegment,
        "line_id": pm.BudgetLine,
        "risk_id": pm.Risk,
        "attachment_id": pm.PlanAttachment,
        "event_id": Event,
        "report": pm.NeedsReport,
    }[key]
    if key == "report":
        return model.objects.get(event=world.event).revision
    return model.objects.get(pk=world.ids[key]).revision


# ---------------------------------------------------------------- pages (URL name → row); GET unless data
PAGES: dict[str, Row] = {
    # foundation
    "healthz": Row(PUBLIC),
    "set_language": Row(PUBLIC, data={"language": "en", "next": "/"}),
    "core:home": Row(EVERYONE),
    "core:login": Row(PUBLIC),
    "core:logout": Row(PUBLIC, data={}),
    "core:password_change": Row(EVERYONE),
    "core:password_change_done": Row(EVERYONE),
    "core:tokens": Row(EVERYONE),
    "core:token_revoke": Row({"owner", "admin"}, data={}, kwargs={"pk": "token_pk"}, denied=404),
    "core:organisation": Row(ADMIN),
    "core:departments": Row(ADMIN),
    "core:department_new": Row(ADMIN),
    "core:department_edit": Row(ADMIN, kwargs={"pk": "department_pk"}),
    "core:people": Row(ADMIN),
    "core:person_new": Row(ADMIN),
    "core:person_edit": Row(ADMIN, kwargs={"pk": "person_pk"}),
    "core:audit": Row(ADMIN),
    # events
    "events:list": Row(EVERYONE),
    "events:create": Row(CREATORS),
    "events:detail": Row(EVERYONE),
    "events:edit": Row(EDIT),
    "events:advance": Row(EDIT, data=lambda w: {"from_step": w.event.step}),
    "events:back": Row(
        EDIT, data=lambda w: {"from_step": w.event.step, "to_step": "plan", "reason": "重新设计"}
    ),
    "events:types": Row(ADMIN),
    "events:type_new": Row(ADMIN),
    "events:type_edit": Row(ADMIN, kwargs={"pk": "type_pk"}),
    # planning: needs and goals
    "planning:needs": Row(EVERYONE),
    "planning:needs_report": Row(EDIT, data={"background": "背景"}, revision_of="report"),
    "planning:needs_request": Row(EDIT, data={}, revision_of="report"),
    "planning:needs_history": Row(EDIT, data={}, revision_of="report"),
    "planning:needs_input_add": Row(EDIT, data={"kind": "business_goal", "content": "新需求"}),
    "planning:needs_input_edit": Row(EDIT),
    "planning:needs_input_remove": Row(EDIT, data={}, revision_of="input_id"),
    "planning:needs_method_add": Row(EDIT, data={"method": "interview", "findings": "结论"}),
    "planning:needs_method_edit": Row(EDIT),
    "planning:needs_method_remove": Row(EDIT, data={}, revision_of="method_id"),
    "planning:goals": Row(EVERYONE),
    "planning:goal_add": Row(EDIT, data={"metric": "attendees", "target_value": "300", "unit": "人"}),
    "planning:goal_edit": Row(EDIT),
    "planning:goal_remove": Row(EDIT, data={}, revision_of="goal_id"),
    # planning: the plan
    "planning:plan": Row(EVERYONE),
    "planning:plan_basics": Row(EDIT, data={"theme": "新主题"}),
    "planning:plan_prefill": Row(EDIT, data={}),
    "planning:segment_add": Row(
        EDIT, data={"title": "茶歇", "starts_at": "2027-03-18 11:00", "duration_minutes": "15"}
    ),
    "planning:segment_relayout": Row(EDIT, data={}),
    "planning:segment_edit": Row(
        EDIT,
        data={"title": "签到入场", "starts_at": "2027-03-18 09:00", "duration_minutes": "30"},
        revision_of="segment_id",
    ),
    "planning:segment_delete": Row(EDIT, data={}, revision_of="segment_id"),
    "planning:segment_move": Row(EDIT, data={"direction": "down"}, revision_of="segment_id"),
    "planning:budget_add": Row(
        EDIT, data={"category": "venue", "item": "茶歇", "quantity": "1", "unit_price": "100"}
    ),
    "planning:budget_edit": Row(
        EDIT,
        data={"category": "venue", "item": "主会场", "quantity": "1", "unit_price": "200000"},
        revision_of="line_id",
    ),
    "planning:budget_delete": Row(EDIT, data={}, revision_of="line_id"),
    "planning:risk_add": Row(EDIT, data={"risk": "停电", "likelihood": "low", "impact": "high"}),
    "planning:risk_edit": Row(
        EDIT, data={"risk": "投影设备故障", "likelihood": "low", "impact": "high"}, revision_of="risk_id"
    ),
    "planning:risk_delete": Row(EDIT, data={}, revision_of="risk_id"),
    "planning:attachment_add": Row(EDIT, data={"description": "无文件"}),
    "planning:attachment_download": Row(EVERYONE),
    "planning:attachment_delete": Row(EDIT, data={}, revision_of="attachment_id"),
    # planning: department review and approval
    "planning:approval": Row(VIEW_APPROVAL),
    "planning:approval_submit": Row(EDIT, data={"departments": []}),
    "planning:department_review_decide": Row(
        {"reviewer_sales"}, data={"decision": "approve", "feasibility_opinion": "可行"}
    ),
    "planning:approval_sign": Row(
        APPROVERS,
        data=lambda w: {"decision": "approve", "comment": "同意", "content_hash": w.version.content_hash},
    ),
    "planning:version_detail": Row(VIEW_APPROVAL),
    "planning:version_diff": Row(VIEW_APPROVAL),
    "planning:inbox": Row(EVERYONE),
    "planning:inbox_read": Row(EVERYONE, data={}),
    "planning:inbox_read_all": Row(EVERYONE, data={}),
    # documents
    "documents:index": Row(EVERYONE),
    "documents:print": Row(EVERYONE),
    "documents:download": Row(EVERYONE),
}
# ---------------------------------------------------------------- API ("METHOD /path" → row)
API: dict[str, Row] = {
    "GET /api/events/types": Row(EVERYONE),
    "GET /api/events": Row(EVERYONE),
    "POST /api/events": Row(
        CREATORS,
        data={
            "name": "新活动",
            "event_type": "product-launch",
            "starts_at": "2027-05-01T09:00:00+08:00",
            "ends_at": "2027-05-01T17:00:00+08:00",
        },
    ),
    "GET /api/events/{event_id}": Row(EVERYONE),
    "PATCH /api/events/{event_id}": Row(EDIT, data={"venue": "新会场"}, revision_of="event_id"),
    "GET /api/events/{event_id}/gate": Row(EVERYONE),
    "POST /api/events/{event_id}/advance": Row(EDIT, data=lambda w: {"from_step": w.event.step}),
    "POST /api/events/{event_id}/back": Row(
        EDIT, data=lambda w: {"from_step": w.event.step, "to_step": "plan", "reason": "重新设计"}
    ),
    "GET /api/events/{event_id}/history": Row(EVERYONE),
    "GET /api/events/{event_id}/needs": Row(EVERYONE),
    "PUT /api/events/{event_id}/needs": Row(EDIT, data={"background": "背景"}, revision_of="report"),
    "GET /api/events/{event_id}/needs/inputs/{input_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/needs/methods/{method_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/goals/{goal_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/needs/history": Row(EVERYONE),
    "POST /api/events/{event_id}/needs/inputs": Row(
        EDIT, data={"kind": "business_goal", "content": "新需求"}
    ),
    "PATCH /api/events/{event_id}/needs/inputs/{input_id}": Row(
        EDIT, data={"content": "改"}, revision_of="input_id"
    ),
    "DELETE /api/events/{event_id}/needs/inputs/{input_id}": Row(EDIT, revision_of="input_id"),
    "POST /api/events/{event_id}/needs/methods": Row(EDIT, data={"method": "interview", "findings": "结论"}),
    "PATCH /api/events/{event_id}/needs/methods/{method_id}": Row(
        EDIT, data={"findings": "改"}, revision_of="method_id"
    ),
    "DELETE /api/events/{event_id}/needs/methods/{method_id}": Row(EDIT, revision_of="method_id"),
    "GET /api/events/{event_id}/goals": Row(EVERYONE),
    "POST /api/events/{event_id}/goals": Row(
        EDIT, data={"metric": "attendees", "target_value": "300", "unit": "人"}
    ),
    "PATCH /api/events/{event_id}/goals/{goal_id}": Row(EDIT, data={"unit": "条"}, revision_of="goal_id"),
    "DELETE /api/events/{event_id}/goals/{goal_id}": Row(EDIT, revision_of="goal_id"),
    "GET /api/events/{event_id}/plan": Row(EVERYONE),
    "GET /api/events/{event_id}/plan/segments/{segment_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/plan/budget-lines/{line_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/plan/risks/{risk_id}": Row(EVERYONE),
    "GET /api/events/{event_id}/plan/attachments/{attachment_id}": Row(EVERYONE),
    "PUT /api/events/{event_id}/plan": Row(EDIT, data={"background": "新背景"}),
    "POST /api/events/{event_id}/plan/segments": Row(
        EDIT, data={"title": "茶歇", "starts_at": "2027-03-18T11:00:00+08:00", "duration_minutes": 15}
    ),
    "PATCH /api/events/{event_id}/plan/segments/{segment_id}": Row(
        EDIT, data={"title": "入场"}, revision_of="segment_id"
    ),
    "DELETE /api/events/{event_id}/plan/segments/{segment_id}": Row(EDIT, revision_of="segment_id"),
    "POST /api/events/{event_id}/plan/segments/{segment_id}/move": Row(
        EDIT, data={"direction": "down"}, revision_of="segment_id"
    ),
    "POST /api/events/{event_id}/plan/budget-lines": Row(
        EDIT, data={"category": "venue", "item": "茶歇", "quantity": "1", "unit_price": "100"}
    ),
    "PATCH /api/events/{event_id}/plan/budget-lines/{line_id}": Row(
        EDIT, data={"item": "主会场租金"}, revision_of="line_id"
    ),
    "DELETE /api/events/{event_id}/plan/budget-lines/{line_id}": Row(EDIT, revision_of="line_id"),
    "POST /api/events/{event_id}/plan/risks": Row(EDIT, data={"risk": "停电"}),
    "PATCH /api/events/{event_id}/plan/risks/{risk_id}": Row(
        EDIT, data={"risk": "投影故障"}, revision_of="risk_id"
    ),
    "DELETE /api/events/{event_id}/plan/risks/{risk_id}": Row(EDIT, revision_of="risk_id"),
    "POST /api/events/{event_id}/plan/attachments": Row(
        EDIT, data=lambda w: {"file": _pdf(), "kind": "other"}
    ),
    "DELETE /api/events/{event_id}/plan/attachments/{attachment_id}": Row(EDIT, revision_of="attachment_id"),
    "GET /api/events/{event_id}/plan/attachments/{attachment_id}/download": Row(EVERYONE),
    "GET /api/events/{event_id}/plan/versions": Row(VIEW_APPROVAL),
    "GET /api/events/{event_id}/plan/versions/{number}": Row(VIEW_APPROVAL),
    "GET /api/events/{event_id}/plan/diff": Row(VIEW_APPROVAL, data={"from": 1, "to": 1}),
    "POST /api/events/{event_id}/plan/submit": Row(EDIT, data={}),
    "GET /api/events/{event_id}/department-reviews": Row(VIEW_APPROVAL),
    "POST /api/events/{event_id}/department-reviews/{review_id}/decide": Row(
        {"reviewer_sales"}, data={"decision": "approve", "feasibility_opinion": "可行"}
    ),
    "POST /api/events/{event_id}/approvals/sign": Row(
        APPROVERS,
        data=lambda w: {"decision": "approve", "comment": "同意", "content_hash": w.version.content_hash},
    ),
    "GET /api/events/me/pending": Row(EVERYONE),
    "GET /api/events/{event_id}/documents/{doc}.{fmt}": Row(EVERYONE),
}


for _area in AREAS:
    PAGES.update(_area.PAGES)
    API.update(_area.API)


def _page_rows() -> dict[str, Row]:
    return PAGES


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str | None) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver(), None)
    return {n for n in names if not n.startswith("api:")}


def _all_operations() -> set[str]:
    from huodong.api.urls import api

    schema = api.get_openapi_schema()
    return {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops}


def test_every_endpoint_has_a_row():
    missing_pages = sorted(_all_url_names() - set(PAGES))
    missing_ops = sorted(_all_operations() - set(API))
    assert not missing_pages and not missing_ops, (
        "declare who may use these in tests/test_permission_matrix.py: "
        + ", ".join(missing_pages + missing_ops)
    )
    assert not set(PAGES) - _all_url_names(), "rows for pages that no longer exist"
    assert not set(API) - _all_operations(), "rows for operations that no longer exist"


def _personas(row: Row) -> list[str]:
    return sorted(EVERYONE) + ["anonymous"]


def _allowed(row: Row) -> set[str]:
    return EVERYONE | {"anonymous"} if row.allowed == PUBLIC else set(row.allowed)  # type: ignore[arg-type]


def _path_kwargs(pattern_kwargs: list[str], world: World, row: Row) -> dict[str, Any]:
    mapping = row.kwargs or {}
    return {k: world.ids[mapping.get(k, k)] for k in pattern_kwargs}


def _in_savepoint(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with transaction.atomic():
        response = call(*args, **kwargs)
        transaction.set_rollback(True)
    return response


def _api_call(client: Client, method: str, url: str, data: Any, headers: dict[str, str]) -> Any:
    if method == "GET":
        return client.get(url, data or {}, **headers)
    if data and any(hasattr(v, "read") for v in data.values()):  # a file: multipart
        return client.post(url, data, **headers)
    return client.generic(
        method, url, json.dumps(data if data is not None else {}), "application/json", **headers
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(name, world):
    row = PAGES[name]
    url = _reverse(name, world, row)
    failures = []
    for persona in _personas(row):
        client = Client()
        if persona != "anonymous":
            client.force_login(world.people[persona])
        data = row.data(world) if callable(row.data) else row.data
        if data is None:
            response = _in_savepoint(client.get, url)
        else:
            if row.revision_of:
                data = {**data, "revision": _rev(world, row.revision_of)}
            response = _in_savepoint(client.post, url, data)
        status = response.status_code
        allowed = persona in _allowed(row)
        if allowed and status in (401, 403, 404):
            failures.append(f"{persona}: expected access, got {status}")
        if not allowed:
            if persona == "anonymous":
                if not (status == 302 and "/login/" in response["Location"]):
                    failures.append(f"anonymous: expected the login page, got {status}")
            elif status != row.denied:
                failures.append(f"{persona}: expected {row.denied}, got {status}")
    assert not failures, f"{name} {url}: " + "; ".join(failures)


def _reverse(name: str, world: World, row: Row) -> str:
    from django.urls import NoReverseMatch

    for keys in (
        [],
        ["pk"],
        ["event_id"],
        ["event_id", "input_id"],
        ["event_id", "method_id"],
        ["event_id", "goal_id"],
        ["event_id", "segment_id"],
        ["event_id", "line_id"],
        ["event_id", "risk_id"],
        ["event_id", "attachment_id"],
        ["event_id", "number"],
        ["event_id", "review_id"],
        ["event_id", "doc"],
        ["event_id", "doc", "fmt"],
        ["notification_id"],
        *(keys for area in AREAS for keys in area.URL_KEYS),
    ):
        try:
            return reverse(name, kwargs=_path_kwargs(keys, world, row))
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


@pytest.mark.parametrize("key", sorted(API))
def test_api_access(key, world):
    row = API[key]
    method, path = key.split(" ", 1)
    import re

    url = re.sub(r"\{(\w+)\}", lambda m: str(world.ids[(row.kwargs or {}).get(m.group(1), m.group(1))]), path)
    tokens = {p: token_create(user=u)[1] for p, u in world.people.items()}
    failures = []
    for persona in _personas(row):
        headers = {} if persona == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {tokens[persona]}"}
        if row.revision_of:
            headers["HTTP_IF_MATCH"] = f'"r{_rev(world, row.revision_of)}"'
        data = row.data(world) if callable(row.data) else row.data
        client = Client()

        response = _in_savepoint(_api_call, client, method, url, data, headers)
        status = response.status_code
        allowed = persona in _allowed(row)
        if allowed and status in (401, 403, 404):
            failures.append(f"{persona}: expected access, got {status} {response.content[:120]!r}")
        if not allowed:
            expected = 401 if persona == "anonymous" else row.denied
            if status != expected:
                failures.append(f"{persona}: expected {expected}, got {status} {response.content[:120]!r}")
    assert not failures, f"{key}: " + "; ".join(failures)
