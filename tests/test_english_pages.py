"""English mode shows no Chinese but what people typed (issue 7, point 4).

The reader switches to English (the language cookie) and opens every page of the planning phase for an
event at 审批定稿 with a complete plan, a rejected and a submitted version, notices and audit rows. A Han
character on a page fails the test unless it belongs to user data: the texts this test typed (event name,
goals, run of show, budget items, risks, opinions), people's names and titles, the organisation's name and
the departments' Chinese names when they have no English one. Built-in names (event types, departments,
budget categories) are NOT user data: they have English names and must show them.

Text the system generates (notices, audit summaries) is stored as a msgid and parameters and rendered in
the reader's language at display time; notices written before keep their stored text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation

from huodong.core.audit import Joined, Message, audit_record
from huodong.core.models import AuditEntry, Department, Notification, Organisation, User
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import (
    BudgetLine,
    DepartmentReview,
    Goal,
    PlanVersion,
    Risk,
    RunOfShowSegment,
    Signature,
)
from huodong.planning.services.department_review import department_review_decide
from huodong.planning.tests.conftest import build_plan_event, move, pass_all_reviews, sign, submit
from tests.factories import login

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# The language switcher names each language in itself; the product's name is a name.
ALWAYS_ALLOWED = ["简体中文", "中文", "活动 huodong"]


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def user_data(event: Event) -> list[str]:
    """Every text people typed that a page of ``event`` may show, longest first."""
    texts: list[str] = [event.name, *ALWAYS_ALLOWED]
    for user in User.objects.all():
        texts += [user.name, user.title, user.username]
    texts += [o.name for o in Organisation.objects.all()]
    texts += [d.name for d in Department.objects.all() if not d.name_en]
    for goal in Goal.objects.filter(event=event):
        texts += [goal.description, goal.unit, goal.objective]
    plan = event.plan
    texts += typed_fields(event) + typed_fields(plan)
    texts += [s.title for s in RunOfShowSegment.objects.filter(plan=plan)]
    for line in BudgetLine.objects.filter(plan=plan):
        texts.append(line.item)
    for risk in Risk.objects.filter(plan=plan):
        texts += [risk.risk, risk.response, risk.backup_resource]
    for review in DepartmentReview.objects.filter(version__plan=plan):
        texts += [review.feasibility_opinion, review.budget_opinion, review.risk_opinion, review.conditions]
    texts += [s.comment for v in PlanVersion.objects.filter(plan=plan) for s in v.signatures.all()]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def typed_fields(record: Any) -> list[str]:
    """The text columns of ``record``: what people typed into its form (name, theme, venue…)."""
    return [
        str(getattr(record, f.attname) or "")
        for f in record._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def chinese_left(html: str, allowed: list[str]) -> list[str]:
    """The Han runs of ``html`` (scripts and styles aside) once the user data is taken out, in context."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    for t in allowed:
        text = text.replace(t, " ")
    return [text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ") for m in HAN.finditer(text)]


@pytest.fixture
def approval_event(organiser, reviewers, approver_exec, approver_gm) -> Event:
    """At 审批定稿: v1 rejected by legal (the event went back and came forward again), v2 reviewed by
    every department and signed by the executive in charge; the owner has notices, the log has rows."""
    event = build_plan_event(organiser, name="2027 新品发布会")
    v1 = submit(event, organiser)
    legal = DepartmentReview.objects.get(version=v1, department__code="legal")
    department_review_decide(
        review=legal,
        actor=reviewers["legal"],
        decision=DepartmentReview.Decision.REJECT,
        feasibility_opinion="合同条款需要重审",
    )
    event.refresh_from_db()
    move(event, Step.APPROVAL)
    v2 = pass_all_reviews(submit(event, organiser), reviewers)
    sign(v2, approver_exec, comment="同意,注意控制预算")
    event.refresh_from_db()
    return event


def test_notices_and_audit_summaries_keep_a_code_and_show_in_the_readers_language(approval_event, organiser):
    notices = Notification.objects.filter(recipient=organiser)
    assert notices.exists()
    assert all(n.message_key for n in notices)
    rows = AuditEntry.objects.filter(event_id=approval_event.pk).exclude(summary="")
    assert rows.exists()
    assert all(r.summary_key for r in rows), [r.summary for r in rows if not r.summary_key]
    rejected = notices.get(kind="department_review.rejected")
    with translation.override("zh-hans"):
        assert rejected.text == rejected.message  # the stored Chinese text is the Chinese rendering
        assert "法务" in rejected.text
    with translation.override("en"):
        assert "Legal" in rejected.text
        assert "合同条款需要重审" in rejected.text  # the opinion stays as typed


def test_an_old_notice_without_a_code_shows_its_stored_text(organiser):
    old = Notification.objects.create(recipient=organiser, kind="x", message="旧通知")
    with translation.override("en"):
        assert old.text == "旧通知"


@pytest.mark.django_db
def test_a_message_translates_codes_and_keeps_typed_text():
    legal = Department.objects.get(code="legal")
    msg = Message("提交 v%(n)s 评审:%(depts)s", n=2, depts=Joined([legal]))
    assert msg == "提交 v2 评审:" + legal.name
    row = audit_record(actor=None, action="test", summary=msg)
    row.refresh_from_db()
    with translation.override("en"):
        assert row.summary_text == f"v2 submitted for review: {legal.name_en}"


def planning_pages(event: Event) -> list[tuple[str, str]]:
    ids: dict[str, Any] = {"event_id": event.pk}
    goal = Goal.objects.filter(event=event).first()
    pages = [
        ("event", reverse("events:detail", args=[event.pk])),
        ("needs", reverse("planning:needs", kwargs=ids)),
        ("goals", reverse("planning:goals", kwargs=ids)),
        ("plan", reverse("planning:plan", kwargs=ids)),
        ("approval", reverse("planning:approval", kwargs=ids)),
        ("version 1", reverse("planning:version_detail", kwargs={**ids, "number": 1})),
        ("version 2", reverse("planning:version_detail", kwargs={**ids, "number": 2})),
        ("diff", reverse("planning:version_diff", kwargs=ids) + "?a=1&b=2"),
        ("inbox", reverse("planning:inbox")),
        ("documents", reverse("documents:index", kwargs=ids)),
    ]
    if goal:
        pages.append(("goal edit", reverse("planning:goal_edit", kwargs={**ids, "goal_id": goal.pk})))
    for doc in ("needs-report", "plan", "approval-form"):
        pages.append((f"print {doc}", reverse("documents:print", kwargs={**ids, "doc": doc})))
    return pages


def english_leftovers(
    client: Client, pages: list[tuple[str, str]], allowed: list[str]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert response.headers.get("Content-Language", "en").startswith("en")
        left = chinese_left(response.content.decode(), allowed)
        if left:
            found[name] = left
    return found


def test_the_inbox_and_approval_pages_in_english_show_chinese_only_in_user_data(
    client, approval_event, organiser, reviewers
):
    ids = {"event_id": approval_event.pk}
    pages = [("inbox", reverse("planning:inbox")), ("approval", reverse("planning:approval", kwargs=ids))]
    login(english(client), organiser)
    found = english_leftovers(client, pages, user_data(approval_event))
    login(client, reviewers["legal"])  # the reviewer sees the department names on the page too
    found |= english_leftovers(client, pages, user_data(approval_event))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_every_planning_page_in_english_shows_chinese_only_in_user_data(client, approval_event, organiser):
    login(english(client), organiser)
    found = english_leftovers(client, planning_pages(approval_event), user_data(approval_event))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_the_audit_log_in_english_shows_summaries_in_english(client, approval_event, admin_user):
    login(english(client), admin_user)
    pages = [("audit log", reverse("core:audit") + f"?event={approval_event.pk}")]
    found = english_leftovers(client, pages, user_data(approval_event))
    assert not found, "\n".join(f"{page}: {runs}" for page, runs in found.items())


def test_a_rejection_reason_in_the_history_is_rendered_in_the_readers_language(
    client, approval_event, organiser
):
    # The move back of v1 was written by the system: it keeps a code, and shows "Legal" in English while
    # the opinion stays as typed; the API's history says the same.
    back = approval_event.transitions.get(direction="back")
    assert back.reason_key and "法务" in back.reason
    with translation.override("en"):
        assert "Legal" in back.reason_text and "法务" not in back.reason_text
        assert "合同条款需要重审" in back.reason_text
    login(client, organiser)
    url = f"/api/events/{approval_event.pk}/history"
    english_rows = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese_rows = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    [en] = [r for r in english_rows if r["direction"] == "back"]
    [zh] = [r for r in chinese_rows if r["direction"] == "back"]
    assert "Legal" in en["reason"] and "合同条款需要重审" in en["reason"]
    assert zh["reason"] == back.reason


def test_an_organisers_typed_reason_is_kept_as_typed(approval_event, organiser):
    from huodong.events.lifecycle import event_move_back

    event_move_back(
        event=approval_event,
        actor=organiser,
        to_step=Step.PLAN,
        reason="  预算需要再压缩  ",
        from_step="approval",
    )
    typed = approval_event.transitions.filter(direction="back").last()
    assert typed is not None and typed.reason_key == ""
    with translation.override("en"):
        assert typed.reason_text == "预算需要再压缩"


def test_built_in_budget_categories_show_their_english_names_in_the_api(client, approval_event, organiser):
    login(client, organiser)
    url = f"/api/events/{approval_event.pk}/plan"
    english_plan = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese_plan = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english_names = {c["code"]: c["name"] for c in english_plan["budget_summary"]["categories"]}
    chinese_names = {c["code"]: c["name"] for c in chinese_plan["budget_summary"]["categories"]}
    assert english_names["venue"] == "Venue rental" and chinese_names["venue"] == "场地租赁"
    assert english_names["contingency"] == "Contingency reserve"


@pytest.mark.django_db
def test_a_voided_signatures_reason_is_shown_in_the_readers_language():
    from huodong.planning.versioning import VOID_REASON

    with translation.override("zh-hans"):
        stored = str(VOID_REASON)
    signature = Signature(void_reason=stored)
    with translation.override("en"):
        assert signature.void_reason_text and not HAN.search(signature.void_reason_text)
    with translation.override("zh-hans"):
        assert signature.void_reason_text == stored


def test_pinyin_keys_find_a_chinese_name_by_full_pinyin_and_initials():
    from huodong.core.widgets import pinyin_keys

    assert pinyin_keys("王策划") == "wangcehua wch"
    assert pinyin_keys("") == ""
