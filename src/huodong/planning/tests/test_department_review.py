"""Submission for review and the departments' decisions (RV-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import AuditEntry, Department, Notification, Role
from huodong.events.models import Event, StepTransition
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, DepartmentReview, PlanVersion
from huodong.planning.services.department_review import department_review_decide, plan_submit_for_approval
from tests.factories import person

from .conftest import pass_all_reviews, submit


def _review(version: PlanVersion, code: str) -> DepartmentReview:
    return DepartmentReview.objects.get(version=version, department__code=code)


def _written() -> tuple[int, int, int, int]:
    return (
        PlanVersion.objects.count(),
        DepartmentReview.objects.exclude(decision=DepartmentReview.Decision.PENDING).count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def test_submission_freezes_a_version_with_one_pending_review_per_default_department(
    plan_event, organiser, reviewers
):
    # REQ: RV-1 — sales, product, legal and finance take part by default.
    version = submit(plan_event, organiser)
    assert version.number == 1
    assert version.status == PlanVersion.Status.IN_REVIEW
    assert len(version.content_hash) == 64
    assert sorted(r.department.code for r in version.reviews.all()) == [
        "finance",
        "legal",
        "product",
        "sales",
    ]
    assert all(r.decision == DepartmentReview.Decision.PENDING for r in version.reviews.all())
    notified = set(
        Notification.objects.filter(kind="department_review.requested").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {u.username for u in reviewers.values()}
    assert AuditEntry.objects.filter(action="plan_version.submit", event_id=plan_event.pk).exists()


def test_a_submission_may_add_a_department_to_the_required_ones(plan_event, organiser, reviewers):
    # REQ: RV-1 — the required departments review; another department may be asked as well.
    person("reviewer_tech", Role.REVIEWER, "tech", "技术总监")
    version = submit(plan_event, organiser, ["finance", "legal", "sales", "product", "tech"])
    assert sorted(r.department.code for r in version.reviews.all()) == [
        "finance",
        "legal",
        "product",
        "sales",
        "tech",
    ]
    assert "reviewer_tech" in set(Notification.objects.values_list("recipient__username", flat=True))
    assert version.review_exception_departments == [] and version.review_exception_by is None


@pytest.mark.parametrize(
    "setup, who, departments, error, field",
    [
        ("none", "outsider", None, NotAllowed, "__all__"),
        ("none", "approver_exec", None, NotAllowed, "__all__"),
        ("plan_step", "organiser", None, DomainError, "__all__"),
        ("none", "organiser", [], DomainError, "departments"),
        ("no_reviewer", "organiser", ["tech"], DomainError, "departments"),
        ("submitted", "organiser", None, Conflict, "__all__"),
    ],
    ids=[
        "outsider",
        "approver",
        "event not at approval",
        "no department",
        "department without reviewer",
        "same content twice",
    ],
)
def test_submission_is_refused_with_a_reason_and_nothing_written(
    plan_event, organiser, outsider, approver_exec, setup, who, departments, error, field
):
    # REQ: RV-1
    if setup == "plan_step":
        Event.objects.filter(pk=plan_event.pk).update(step=Step.PLAN)
    if setup == "submitted":
        submit(plan_event, organiser)
    actor = {"outsider": outsider, "approver_exec": approver_exec, "organiser": organiser}[who]
    before = _written()
    depts = None if departments is None else [Department.objects.get(code=c) for c in departments]
    with pytest.raises(error) as exc:
        plan_submit_for_approval(event=plan_event, actor=actor, departments=depts)
    assert field in exc.value.errors
    assert _written() == before


def test_an_admin_may_submit(plan_event, admin_user):
    assert submit(plan_event, admin_user).number == 1


def test_reviewer_of_another_department_is_refused_with_403(plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    before = _written()
    with pytest.raises(NotAllowed) as exc:
        department_review_decide(
            review=_review(version, "finance"), actor=reviewers["sales"], decision="approve"
        )
    assert exc.value.status == 403
    assert "评审人不属于该部门" in exc.value.message
    assert _written() == before


@pytest.mark.parametrize("who", ["organiser", "approver_exec", "admin_user"])
def test_only_a_reviewer_may_review(plan_event, organiser, approver_exec, admin_user, who):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    actor = {"organiser": organiser, "approver_exec": approver_exec, "admin_user": admin_user}[who]
    with pytest.raises(NotAllowed):
        department_review_decide(review=_review(version, "sales"), actor=actor, decision="approve")


@pytest.mark.parametrize(
    "decision, opinions, field",
    [
        ("maybe", {}, "decision"),
        ("pending", {}, "decision"),
        ("approve_with_conditions", {"feasibility_opinion": "可行"}, "conditions"),
        ("reject", {"conditions": "只写条件"}, "feasibility_opinion"),
        ("approve", {"budget_opinion": "长" * 5001}, "budget_opinion"),
    ],
    ids=[
        "unknown decision",
        "pending",
        "conditions missing",
        "rejection without opinion",
        "opinion too long",
    ],
)
def test_bad_decisions_are_refused_naming_the_field(
    plan_event, organiser, reviewers, decision, opinions, field
):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    before = _written()
    with pytest.raises(DomainError) as exc:
        department_review_decide(
            review=_review(version, "sales"), actor=reviewers["sales"], decision=decision, **opinions
        )
    assert field in exc.value.errors
    assert _written() == before
    assert _review(version, "sales").decision == DepartmentReview.Decision.PENDING


def test_a_review_cannot_be_decided_twice(plan_event, organiser, reviewers):
    version = submit(plan_event, organiser)
    department_review_decide(review=_review(version, "sales"), actor=reviewers["sales"], decision="approve")
    with pytest.raises(Conflict):
        department_review_decide(
            review=_review(version, "sales"), actor=reviewers["sales"], decision="reject", risk_opinion="x"
        )
    assert _review(version, "sales").decision == DepartmentReview.Decision.APPROVE


def test_a_review_of_a_changed_plan_is_refused_as_stale(plan_event, organiser, reviewers):
    version = submit(plan_event, organiser)
    # Changed behind plan_touch's back: the service still notices from the hash.
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("1.00"))
    with pytest.raises(Conflict) as exc:
        department_review_decide(
            review=_review(version, "sales"), actor=reviewers["sales"], decision="approve"
        )
    assert "方案已修改" in exc.value.message


def test_a_rejection_returns_the_event_to_the_plan_step_with_the_opinions(plan_event, organiser, reviewers):
    # REQ: RV-1 — a rejection returns the plan to the organiser with the opinions.
    version = submit(plan_event, organiser)
    department_review_decide(
        review=_review(version, "finance"),
        actor=reviewers["finance"],
        decision="reject",
        budget_opinion="LED 屏报价偏高,请补充三家比价",
        risk_opinion="缺少雨天预案",
    )
    version.refresh_from_db()
    plan_event.refresh_from_db()
    assert version.status == PlanVersion.Status.REJECTED
    assert plan_event.step == Step.PLAN
    back = StepTransition.objects.get(event=plan_event, direction="back")
    assert back.from_step == Step.APPROVAL and back.to_step == Step.PLAN
    assert "LED 屏报价偏高" in back.reason and "缺少雨天预案" in back.reason
    note = Notification.objects.get(recipient=organiser, kind="department_review.rejected")
    assert "LED 屏报价偏高" in note.message
    # The other departments can no longer decide on the rejected version.
    with pytest.raises(Conflict):
        department_review_decide(
            review=_review(version, "sales"), actor=reviewers["sales"], decision="approve"
        )


def test_when_every_department_passed_the_version_is_reviewed_and_the_executive_told(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: RV-1, AP-1
    version = submit(plan_event, organiser)
    department_review_decide(
        review=_review(version, "legal"),
        actor=reviewers["legal"],
        decision="approve_with_conditions",
        conditions="合同须法务复核",
    )
    for code in ("sales", "product"):
        department_review_decide(review=_review(version, code), actor=reviewers[code], decision="approve")
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.IN_REVIEW
    assert not Notification.objects.filter(recipient=approver_exec).exists()
    department_review_decide(
        review=_review(version, "finance"), actor=reviewers["finance"], decision="approve"
    )
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.REVIEWED
    assert Notification.objects.filter(recipient=approver_exec, kind="approval.requested").exists()
    assert not Notification.objects.filter(recipient=approver_gm).exists()
    assert _review(version, "legal").reviewer == reviewers["legal"]
    assert _review(version, "legal").conditions == "合同须法务复核"


def test_a_second_reviewer_of_the_same_department_may_decide(plan_event, organiser, reviewers):
    # REQ: RV-1 — any reviewer of the department speaks for it.
    deputy = person("reviewer_sales_2", Role.REVIEWER, "sales", "销售副总监")
    version = submit(plan_event, organiser)
    department_review_decide(review=_review(version, "sales"), actor=deputy, decision="approve")
    assert _review(version, "sales").reviewer == deputy


def test_resubmission_after_rejection_goes_round_again(plan_event, organiser, reviewers):
    # REQ: RV-1 — a new version goes round again.
    v1 = submit(plan_event, organiser)
    department_review_decide(
        review=_review(v1, "legal"), actor=reviewers["legal"], decision="reject", risk_opinion="需要免责条款"
    )
    BudgetLine.objects.filter(item="LED 屏").update(note="已补免责条款")
    Event.objects.filter(pk=plan_event.pk).update(step=Step.APPROVAL)
    plan_event.refresh_from_db()
    v2 = submit(plan_event, organiser)
    assert v2.number == 2
    assert v2.reviews.filter(decision=DepartmentReview.Decision.PENDING).count() == 4
    v2 = pass_all_reviews(v2, reviewers)
    assert v2.status == PlanVersion.Status.REVIEWED
    v1.refresh_from_db()
    assert v1.status == PlanVersion.Status.REJECTED
