"""Signed approval (AP-1) and the gate for leaving 审批定稿 (LC-2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import AuditEntry, Notification, Role
from huodong.events.lifecycle import GateBlocked, event_advance, gate_evaluate
from huodong.events.models import Event, StepTransition
from huodong.events.steps import Step
from huodong.planning.gates.approval import plan_is_approved
from huodong.planning.models import ApprovalLevel, BudgetLine, PlanVersion, Signature
from huodong.planning.services.approval import approval_sign
from huodong.planning.versioning import plan_content_hash, plan_touch
from tests.factories import person

from .conftest import pass_all_reviews, reviewed_version, sign, submit


def _criteria(event: Event) -> dict[str, tuple[bool, str]]:
    return {c.code: (c.met, str(c.detail)) for c in plan_is_approved(event)}


def _written() -> tuple[int, int, int]:
    return Signature.objects.count(), AuditEntry.objects.count(), Notification.objects.count()


@pytest.fixture
def reviewed(plan_event, organiser, reviewers) -> PlanVersion:
    return reviewed_version(plan_event, organiser, reviewers)


def test_executive_then_general_manager_approve_and_the_version_is_final(
    plan_event, reviewed, organiser, approver_exec, approver_gm
):
    # REQ: AP-1 — the executive in charge, then the general manager; their signatures finalise it.
    sign(reviewed, approver_exec, comment="同意,注意控制预算")
    reviewed.refresh_from_db()
    assert reviewed.status == PlanVersion.Status.REVIEWED
    assert Notification.objects.filter(recipient=approver_gm, kind="approval.requested").exists()
    sign(reviewed, approver_gm)
    reviewed.refresh_from_db()
    assert reviewed.status == PlanVersion.Status.APPROVED
    first, second = Signature.objects.filter(version=reviewed).order_by("signed_at", "id")
    assert (first.level, first.approver, first.comment) == (
        ApprovalLevel.EXECUTIVE,
        approver_exec,
        "同意,注意控制预算",
    )
    assert (second.level, second.approver) == (ApprovalLevel.GENERAL_MANAGER, approver_gm)
    assert first.content_hash == second.content_hash == reviewed.content_hash
    assert first.signed_at is not None
    assert Notification.objects.filter(recipient=organiser, kind="approval.approved").exists()
    assert AuditEntry.objects.filter(action="approval.sign").count() == 2


@pytest.mark.parametrize(
    "scenario, error, text",
    [
        ("gm_first", DomainError, "须先由「分管领导」批准"),
        ("exec_twice", Conflict, "不能重复签字"),
        ("gm_twice", Conflict, "不能重复签字"),
        ("reviewer_signs", NotAllowed, "只有分管领导或总经理"),
        ("admin_signs", NotAllowed, "只有分管领导或总经理"),
        ("stale_hash", Conflict, "方案已修改,请查看新版本"),
        ("plan_changed", Conflict, "方案已修改,请查看新版本"),
        ("not_reviewed", Conflict, "只有各部门评审全部通过的版本才能审批"),
        ("reject_without_comment", DomainError, "驳回须填写意见"),
        ("unknown_decision", DomainError, "请选择「批准」或「驳回」"),
    ],
)
def test_refused_signatures_say_why_and_write_nothing(
    plan_event, organiser, reviewers, approver_exec, approver_gm, admin_user, scenario, error, text
):
    # REQ: AP-1
    if scenario == "not_reviewed":
        version = submit(plan_event, organiser)
    else:
        version = reviewed_version(plan_event, organiser, reviewers)
    actor, decision, comment, seen = approver_gm, "approve", "", version.content_hash
    if scenario in (
        "exec_twice",
        "gm_twice",
        "stale_hash",
        "plan_changed",
        "reject_without_comment",
        "unknown_decision",
    ):
        sign(version, approver_exec)
    if scenario == "gm_twice":
        sign(version, approver_gm)
    if scenario == "exec_twice":
        actor = approver_exec
    elif scenario == "reviewer_signs":
        actor = reviewers["finance"]
    elif scenario == "admin_signs":
        actor = admin_user
    elif scenario == "not_reviewed":
        actor = approver_exec
    elif scenario == "stale_hash":
        seen = "0" * 64
    elif scenario == "plan_changed":
        BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("1.00"))
    elif scenario == "reject_without_comment":
        decision = "reject"
    elif scenario == "unknown_decision":
        decision = "maybe"
    version.refresh_from_db()
    before = _written()
    with pytest.raises(error) as exc:
        approval_sign(version=version, actor=actor, decision=decision, comment=comment, content_hash=seen)
    assert text in exc.value.message
    assert _written() == before


def test_stale_hash_is_a_409(plan_event, reviewed, approver_exec):
    # REQ: AP-1 — a signature on a stale version.
    with pytest.raises(Conflict) as exc:
        approval_sign(version=reviewed, actor=approver_exec, decision="approve", content_hash="f" * 64)
    assert exc.value.status == 409


def test_the_database_refuses_two_live_signatures_of_one_level(plan_event, reviewed, approver_exec):
    # REQ: AP-1 — the constraint behind "cannot sign twice".
    sign(reviewed, approver_exec)
    deputy = person("approver_exec_2", Role.APPROVER_EXEC, "marketing")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            version=reviewed,
            level=ApprovalLevel.EXECUTIVE,
            approver=deputy,
            decision="approve",
            content_hash=reviewed.content_hash,
        )


def test_a_second_executive_cannot_sign_the_same_level(plan_event, reviewed, approver_exec):
    # REQ: AP-1
    sign(reviewed, approver_exec)
    deputy = person("approver_exec_2", Role.APPROVER_EXEC, "marketing")
    with pytest.raises(Conflict):
        sign(reviewed, deputy)


@pytest.mark.parametrize("level", ["executive", "general_manager"])
def test_a_rejection_by_an_approver_returns_the_event_to_the_plan_step(
    plan_event, reviewed, organiser, approver_exec, approver_gm, level
):
    # REQ: AP-1
    if level == "general_manager":
        sign(reviewed, approver_exec)
    actor = approver_exec if level == "executive" else approver_gm
    sign(reviewed, actor, decision="reject", comment="预算过高,压缩 10%")
    reviewed.refresh_from_db()
    plan_event.refresh_from_db()
    assert reviewed.status == PlanVersion.Status.REJECTED
    assert plan_event.step == Step.PLAN
    assert "预算过高,压缩 10%" in StepTransition.objects.get(event=plan_event, direction="back").reason
    assert "预算过高" in Notification.objects.get(recipient=organiser, kind="approval.rejected").message


def test_gate_lists_what_is_missing_at_each_stage(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: LC-2, RV-1, AP-1
    assert _criteria(plan_event) == {
        "approval.submitted": (False, "尚未提交评审"),
        "approval.reviews": (False, "尚无评审"),
        "approval.executive": (False, "尚未签字"),
        "approval.general_manager": (False, "尚未签字"),
    }
    version = submit(plan_event, organiser)
    crit = _criteria(plan_event)
    assert crit["approval.submitted"] == (True, "")
    met, detail = crit["approval.reviews"]
    assert not met and all(name in detail for name in ("销售部", "产品部", "法务部", "财务部"))
    pass_all_reviews(version, reviewers)
    assert _criteria(plan_event)["approval.reviews"] == (True, "")
    sign(version, approver_exec)
    crit = _criteria(plan_event)
    assert crit["approval.executive"] == (True, "") and crit["approval.general_manager"] == (
        False,
        "尚未签字",
    )
    sign(version, approver_gm)
    assert all(met for met, _ in _criteria(plan_event).values())


def test_no_preparation_before_the_plan_is_approved(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: LC-2 — no preparation before the plan is approved.
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=plan_event, actor=organiser, from_step=plan_event.step)
    assert {c.code for c in exc.value.unmet} >= {
        "approval.submitted",
        "approval.executive",
        "approval.general_manager",
    }
    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec)
    with pytest.raises(GateBlocked) as exc:
        event_advance(event=plan_event, actor=organiser, from_step=plan_event.step)
    assert [c.code for c in exc.value.unmet] == ["approval.general_manager"]
    sign(version, approver_gm)
    plan_event.refresh_from_db()
    result = event_advance(event=plan_event, actor=organiser, from_step=plan_event.step)
    assert result.event.step == Step.RESOURCES


def test_an_edit_after_signature_makes_the_gate_name_the_stale_signature(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1 — editing after any signature voids the signatures; the gate says which version they signed.
    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec)
    sign(version, approver_gm)
    BudgetLine.objects.filter(item="LED 屏").update(note="换了供应商")
    plan_touch(event=plan_event, actor=organiser, what="预算")
    crit = _criteria(plan_event)
    assert crit["approval.submitted"] == (False, "v1 提交后方案已修改,请重新提交评审")
    assert crit["approval.reviews"] == (False, "评审针对的是旧版本 v1,须对修改后的方案重新评审")
    assert crit["approval.executive"] == (False, "签字针对的是旧版本 v1")
    assert crit["approval.general_manager"] == (False, "签字针对的是旧版本 v1")
    with pytest.raises(GateBlocked):
        event_advance(event=plan_event, actor=organiser, from_step=plan_event.step)

    # Resubmission goes round again: new reviews, new signatures on v2.
    v2 = submit(plan_event, organiser)
    assert _criteria(plan_event)["approval.executive"] == (False, "签字针对的是旧版本 v1")
    pass_all_reviews(v2, reviewers)
    sign(v2, approver_exec)
    sign(v2, approver_gm)
    assert all(met for met, _ in _criteria(plan_event).values())
    assert Signature.objects.filter(version=version, voided_at__isnull=False).count() == 2
    assert (
        Signature.objects.filter(
            version=v2, voided_at__isnull=True, content_hash=plan_content_hash(plan_event)
        ).count()
        == 2
    )


def test_a_change_that_bypassed_plan_touch_still_blocks_the_gate(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1 — the gate compares the signed hash with the plan as it is now.
    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec)
    sign(version, approver_gm)
    BudgetLine.objects.filter(item="LED 屏").update(note="悄悄改了")
    crit = _criteria(plan_event)
    assert crit["approval.executive"] == (False, "签字针对的是旧版本 v1")
    assert not crit["approval.submitted"][0]


def test_the_gate_names_a_rejecting_department(plan_event, organiser, reviewers):
    from huodong.planning.services.department_review import department_review_decide

    version = submit(plan_event, organiser)
    review = version.reviews.get(department__code="legal")
    department_review_decide(
        review=review, actor=reviewers["legal"], decision="reject", feasibility_opinion="合规风险"
    )
    crit = {c.code: c for c in gate_evaluate(plan_event, Step.APPROVAL)}
    assert crit["approval.reviews"].met is False and "法务部" in str(crit["approval.reviews"].detail)
    assert "v1 已被驳回" in str(crit["approval.submitted"].detail)
