"""Separation of duties (issue 6, finding 4; RV-1, AP-1).

The owner of an event and the submitter of a version may not review it (any department) or sign it (any
level); the departments that must review are an organisation setting that a submission may not drop
unless an administrator records an exception with a reason.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Department, Notification, Role, User
from huodong.core.services import organisation_get, token_create
from huodong.planning.models import BudgetLine, DepartmentReview, PlanVersion, Signature
from huodong.planning.selectors_approval import (
    pending_approvals_for,
    pending_department_reviews_for,
    required_review_departments,
)
from huodong.planning.services.approval import approval_sign
from huodong.planning.services.department_review import department_review_decide, plan_submit_for_approval
from tests.factories import login, person

from .conftest import build_plan_event, pass_all_reviews, sign, submit

SEPARATION = "职责分离"


def _written() -> tuple[int, int, int, int, int]:
    return (
        PlanVersion.objects.count(),
        DepartmentReview.objects.exclude(decision=DepartmentReview.Decision.PENDING).count(),
        Signature.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _superuser(username: str, role: str, dept: str) -> User:
    """Someone who holds a reviewer's or an approver's role and is also an administrator (is_superuser):
    they may submit any plan, which is what separation of duties must then stop."""
    user = person(username, role, dept, name=username)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _api(user: User) -> Client:
    _, secret = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(user: User, path: str, body: object) -> tuple[int, dict]:
    res = _api(user).post(f"/api/events{path}", json.dumps(body), content_type="application/json")
    return res.status_code, res.json()


# ---------------------------------------------------------------- department review (RV-1)
@pytest.mark.parametrize("code", ["sales", "product", "legal", "finance"])
def test_the_owner_of_the_event_may_not_review_it_in_any_department(
    reviewers, approver_exec, approver_gm, admin_user, code
):
    # REQ: RV-1 — separation of duties: the owner may not review their own event's plan.
    owner = reviewers[code]
    person(f"reviewer_{code}_2", Role.REVIEWER, code, "副总监")  # the department can still review
    event = build_plan_event(owner)
    version = submit(event, admin_user)
    review = version.reviews.get(department__code=code)
    before = _written()
    with pytest.raises(NotAllowed) as exc:
        department_review_decide(review=review, actor=owner, decision="approve", feasibility_opinion="可行")
    assert exc.value.code == "separation_of_duties"
    assert "您是本活动的负责人,不能评审本活动的方案" in exc.value.message and SEPARATION in exc.value.message
    assert _written() == before
    review.refresh_from_db()
    assert review.decision == DepartmentReview.Decision.PENDING


@pytest.mark.parametrize("code", ["sales", "product", "legal", "finance"])
def test_the_submitter_of_a_version_may_not_review_it_in_any_department(plan_event, reviewers, code):
    # REQ: RV-1 — separation of duties: whoever submitted a version may not review it.
    submitter = _superuser(f"reviewer_{code}_admin", Role.REVIEWER, code)
    version = submit(plan_event, submitter)
    review = version.reviews.get(department__code=code)
    before = _written()
    with pytest.raises(NotAllowed) as exc:
        department_review_decide(review=review, actor=submitter, decision="approve")
    assert exc.value.code == "separation_of_duties"
    assert "方案 v1 由您提交,不能评审自己提交的版本" in exc.value.message
    assert _written() == before
    # Another reviewer of the same department still speaks for it.
    department_review_decide(review=review, actor=reviewers[code], decision="approve")
    review.refresh_from_db()
    assert review.reviewer == reviewers[code]


def test_the_owner_reviewer_is_neither_asked_nor_listed(reviewers, approver_exec, approver_gm, admin_user):
    # REQ: RV-1 — "my pending" lists only work the person may do.
    owner = reviewers["finance"]
    deputy = person("reviewer_finance_2", Role.REVIEWER, "finance", "财务副经理")
    event = build_plan_event(owner)
    submit(event, admin_user)
    assert not pending_department_reviews_for(owner).exists()
    assert pending_department_reviews_for(deputy).count() == 1
    assert not Notification.objects.filter(recipient=owner, kind="department_review.requested").exists()
    assert pending_department_reviews_for(reviewers["legal"]).count() == 1


def test_a_department_whose_only_reviewer_is_the_owner_cannot_be_asked(
    reviewers, approver_exec, approver_gm, admin_user
):
    # REQ: RV-1 — a review nobody may decide would block the plan forever: refused at submission.
    event = build_plan_event(reviewers["legal"])
    before = _written()
    with pytest.raises(DomainError) as exc:
        submit(event, admin_user)
    assert "法务部" in exc.value.errors["departments"][0] and SEPARATION in exc.value.errors["departments"][0]
    assert _written() == before


# ---------------------------------------------------------------- signatures (AP-1)
@pytest.mark.parametrize("level", ["executive", "general_manager"])
def test_the_owner_of_the_event_may_not_sign_it_at_any_level(
    reviewers, approver_exec, approver_gm, admin_user, level
):
    # REQ: AP-1 — issue 6: "an approver can own an event, write its plan, submit it … and sign it".
    owner = approver_exec if level == "executive" else approver_gm
    event = build_plan_event(owner)
    version = pass_all_reviews(submit(event, owner), reviewers)
    if level == "general_manager":
        sign(version, approver_exec)
    assert not pending_approvals_for(owner).exists()
    before = _written()
    with pytest.raises(NotAllowed) as exc:
        approval_sign(version=version, actor=owner, decision="approve", content_hash=version.content_hash)
    assert exc.value.code == "separation_of_duties"
    assert "您是本活动的负责人,不能审批签字本活动的方案" in exc.value.message
    assert _written() == before


@pytest.mark.parametrize("level", ["executive", "general_manager"])
def test_the_submitter_of_a_version_may_not_sign_it_at_any_level(
    plan_event, reviewers, approver_exec, approver_gm, level
):
    # REQ: AP-1 — separation of duties: whoever submitted a version may not sign it.
    role = Role.APPROVER_EXEC if level == "executive" else Role.APPROVER_GM
    submitter = _superuser(f"{level}_admin", role, "admin")
    version = pass_all_reviews(submit(plan_event, submitter), reviewers)
    if level == "general_manager":
        sign(version, approver_exec)
    assert not pending_approvals_for(submitter).exists()
    before = _written()
    with pytest.raises(NotAllowed) as exc:
        approval_sign(version=version, actor=submitter, decision="approve", content_hash=version.content_hash)
    assert exc.value.code == "separation_of_duties"
    assert "方案 v1 由您提交,不能审批签字自己提交的版本" in exc.value.message
    assert _written() == before


def test_the_owner_approver_is_not_asked_to_sign_and_the_api_says_why(
    reviewers, approver_exec, approver_gm, admin_user
):
    # REQ: AP-1
    event = build_plan_event(approver_exec)
    version = pass_all_reviews(submit(event, admin_user), reviewers)
    assert not Notification.objects.filter(recipient=approver_exec, kind="approval.requested").exists()
    status, body = _post(
        approver_exec,
        f"/{event.pk}/approvals/sign",
        {"decision": "approve", "content_hash": version.content_hash},
    )
    assert status == 403 and body["code"] == "separation_of_duties"
    assert SEPARATION in body["message"]
    assert not Signature.objects.exists()


def test_the_approval_page_tells_the_owner_approver_why_there_is_no_sign_form(
    client, reviewers, approver_exec, approver_gm, admin_user
):
    # REQ: AP-1
    event = build_plan_event(approver_exec)
    pass_all_reviews(submit(event, admin_user), reviewers)
    login(client, approver_exec)
    html = client.get(reverse("planning:approval", kwargs={"event_id": event.pk})).content.decode()
    assert 'data-testid="sign-form"' not in html
    assert 'data-testid="duty-conflict"' in html and "不能评审或审批签字本活动的方案" in html


# ---------------------------------------------------------------- required departments (RV-1)
def test_the_required_departments_are_an_organisation_setting_seeded_with_the_four(db):
    # REQ: RV-1 — sales, product, legal and finance by default.
    assert [d.code for d in required_review_departments()] == ["sales", "product", "legal", "finance"]
    org = organisation_get()
    org.required_review_departments.set(Department.objects.filter(code__in=["legal", "finance"]))
    assert [d.code for d in required_review_departments()] == ["legal", "finance"]


@pytest.mark.parametrize("dropped", ["sales", "product", "legal", "finance"])
def test_an_organiser_may_not_drop_a_required_department(plan_event, organiser, reviewers, dropped):
    # REQ: RV-1 — issue 6: "submit it to one department" is refused.
    keep = [c for c in ("sales", "product", "legal", "finance") if c != dropped]
    before = _written()
    with pytest.raises(DomainError) as exc:
        plan_submit_for_approval(
            event=plan_event,
            actor=organiser,
            departments=list(Department.objects.filter(code__in=keep)),
            exception_reason="赶时间",
        )
    name = Department.objects.get(code=dropped).name
    assert f"{name}是组织规定必须参与评审的部门" in exc.value.errors["departments"][0]
    assert "管理员" in exc.value.errors["departments"][0]
    assert _written() == before


def test_a_submission_to_one_department_is_refused_through_the_api(plan_event, organiser, reviewers):
    # REQ: RV-1
    status, body = _post(organiser, f"/{plan_event.pk}/plan/submit", {"departments": ["finance"]})
    assert status == 400
    assert "销售部、产品部、法务部是组织规定必须参与评审的部门" in body["errors"]["departments"][0]
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "原因\x00", "长" * 2001])
def test_an_administrator_must_give_a_clean_reason_to_drop_a_required_department(
    plan_event, admin_user, reviewers, reason
):
    # REQ: RV-1
    before = _written()
    with pytest.raises(DomainError) as exc:
        plan_submit_for_approval(
            event=plan_event,
            actor=admin_user,
            departments=list(Department.objects.filter(code__in=["sales", "finance"])),
            exception_reason=reason,
        )
    assert list(exc.value.errors) == ["exception_reason"]
    assert _written() == before


def test_an_administrators_exception_is_recorded_audited_and_shown(
    client, plan_event, admin_user, organiser, reviewers
):
    # REQ: RV-1 — an administrator's recorded exception: on the version, in the audit log, on the page,
    # in the API.
    reason = "产品部、法务部已在框架协议中预审,本次免评审。"
    status, body = _post(
        admin_user,
        f"/{plan_event.pk}/plan/submit",
        {"departments": ["sales", "finance"], "exception_reason": reason},
    )
    assert status == 201, body
    assert body["review_exception_departments"] == ["product", "legal"]
    assert body["review_exception_reason"] == reason and body["review_exception_by"] == "admin"
    version = PlanVersion.objects.get()
    assert (version.review_exception_departments, version.review_exception_by) == (
        ["product", "legal"],
        admin_user,
    )
    assert sorted(version.reviews.values_list("department__code", flat=True)) == ["finance", "sales"]
    entry = AuditEntry.objects.get(action="plan_version.review_exception")
    assert entry.actor == admin_user and reason in entry.summary and "产品部、法务部" in entry.summary
    assert entry.after["review_exception_departments"] == ["product", "legal"]
    login(client, organiser)
    html = client.get(reverse("planning:approval", kwargs={"event_id": plan_event.pk})).content.decode()
    assert 'data-testid="review-exception"' in html and reason in html and "产品部、法务部" in html
    detail = client.get(reverse("planning:version_detail", kwargs={"event_id": plan_event.pk, "number": 1}))
    assert reason in detail.content.decode()
    versions = _api(organiser).get(f"/api/events/{plan_event.pk}/plan/versions").json()
    assert versions[0]["review_exception_reason"] == reason


def test_a_reduced_organisation_setting_needs_no_exception(plan_event, organiser, reviewers):
    # REQ: RV-1 — the setting decides; a department outside it may be left out.
    organisation_get().required_review_departments.set(
        Department.objects.filter(code__in=["sales", "finance"])
    )
    version = submit(plan_event, organiser)
    assert sorted(version.reviews.values_list("department__code", flat=True)) == ["finance", "sales"]
    assert version.review_exception_departments == []


def test_the_submit_form_offers_the_required_departments_checked_and_the_reason_only_to_admins(
    client, plan_event, organiser, admin_user, reviewers
):
    # REQ: RV-1
    url = reverse("planning:approval", kwargs={"event_id": plan_event.pk})
    login(client, organiser)
    form = client.get(url).context["submit_form"]
    checked = Department.objects.filter(pk__in=form.initial["departments"]).values_list("code", flat=True)
    assert sorted(checked) == ["finance", "legal", "product", "sales"]
    assert "exception_reason" not in form.fields
    assert "销售部、产品部、法务部、财务部" in str(form.fields["departments"].help_text)
    client.logout()
    login(client, admin_user)
    assert "exception_reason" in client.get(url).context["submit_form"].fields


def test_an_organiser_dropping_a_department_on_the_page_sees_why(client, plan_event, organiser, reviewers):
    # REQ: RV-1
    login(client, organiser)
    sales = Department.objects.get(code="sales")
    res = client.post(
        reverse("planning:approval_submit", kwargs={"event_id": plan_event.pk}), {"departments": [sales.pk]}
    )
    assert res.status_code == 400
    assert "是组织规定必须参与评审的部门" in res.content.decode()
    assert not PlanVersion.objects.exists()


def test_an_administrator_gives_the_exception_on_the_page(client, plan_event, admin_user, reviewers):
    # REQ: RV-1
    login(client, admin_user)
    url = reverse("planning:approval_submit", kwargs={"event_id": plan_event.pk})
    picked = list(
        Department.objects.filter(code__in=["sales", "finance", "legal"]).values_list("pk", flat=True)
    )
    res = client.post(url, {"departments": picked})
    assert res.status_code == 400 and "须填写例外原因" in res.content.decode()
    res = client.post(url, {"departments": picked, "exception_reason": "产品部负责人出差,已书面同意"})
    assert res.status_code == 302
    version = PlanVersion.objects.get()
    assert version.review_exception_departments == ["product"]
    assert version.review_exception_reason == "产品部负责人出差,已书面同意"


def test_a_page_submission_of_a_plan_changed_since_it_was_shown_is_refused_then_deliberate(
    client, plan_event, organiser, reviewers
):
    # REQ: RV-1 — the submitter names the plan they saw (the page's hidden content hash).
    login(client, organiser)
    url = reverse("planning:approval", kwargs={"event_id": plan_event.pk})
    form = client.get(url).context["submit_form"]
    shown = form.initial["content_hash"]
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("1.00"))  # a colleague's edit meanwhile
    post = {"departments": form.initial["departments"], "content_hash": shown}
    res = client.post(reverse("planning:approval_submit", kwargs={"event_id": plan_event.pk}), post)
    assert res.status_code == 409 and "方案在您查看后已被修改" in res.content.decode()
    assert not PlanVersion.objects.exists()
    again = res.context["submit_form"]["content_hash"].value()
    assert again != shown
    res = client.post(
        reverse("planning:approval_submit", kwargs={"event_id": plan_event.pk}),
        {**post, "content_hash": again},
    )
    assert res.status_code == 302
    assert PlanVersion.objects.get().content_hash == again
