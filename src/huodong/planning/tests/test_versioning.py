"""Plan snapshot, content hash, diff, and what an edit does to a version in review or approval (AP-1, DOC-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huodong.core.models import AuditEntry, Notification
from huodong.events.models import Event
from huodong.events.services import event_update
from huodong.planning.models import (
    BudgetLine,
    DepartmentReview,
    Plan,
    PlanAttachment,
    PlanVersion,
    RunOfShowSegment,
    Signature,
)
from huodong.planning.versioning import (
    canonical_json,
    plan_content_hash,
    plan_snapshot,
    plan_summary,
    plan_touch,
    version_diff,
)

from .conftest import reviewed_version, sign, submit


def _revision(event: Event) -> int:
    """The event's revision as it is now (what a page or API client would send)."""
    return Event.objects.values_list("revision", flat=True).get(pk=event.pk)


def test_snapshot_holds_everything_the_signed_plan_contains(plan_event):
    # REQ: DOC-2
    snap = plan_snapshot(plan_event)
    assert snap["event"]["venue"] == "上海国际会议中心"
    assert snap["event"]["starts_at"] == "2027-03-18T13:30:00+08:00"
    assert snap["plan"]["approved_budget"] == "500000.00"
    assert [s["title"] for s in snap["segments"]] == ["签到入场", "CEO 主题演讲"]
    assert [b["amount"] for b in snap["budget_lines"]] == ["200000.00", "160000.00", "30000.00"]
    assert snap["goals"][0]["owner"] == "organiser"
    assert snap["goals"][0]["target_value"] == "300.00"
    assert snap["risks"][0]["backup_resource"] == "备用投影仪"
    # JSON-ready: the canonical form round-trips without custom encoders.
    assert canonical_json(snap)


def test_hash_is_stable_and_ignores_row_ids(plan_event):
    before = plan_content_hash(plan_event)
    assert plan_content_hash(plan_event) == before
    line = BudgetLine.objects.get(item="LED 屏")
    data = {
        f.name: getattr(line, f.name)
        for f in BudgetLine._meta.concrete_fields
        if f.name not in ("id", "plan")
    }
    line.delete()
    BudgetLine.objects.create(plan=Plan.objects.get(event=plan_event), **data)
    assert plan_content_hash(plan_event) == before


@pytest.mark.parametrize(
    "change",
    [
        lambda e: BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("170000.00")),
        lambda e: RunOfShowSegment.objects.filter(title="签到入场").update(duration_minutes=40),
        lambda e: Plan.objects.filter(event=e).update(background="改了背景"),
        lambda e: e.goals.update(target_value=Decimal("350")),
        lambda e: type(e).objects.filter(pk=e.pk).update(venue="北京国家会议中心"),
    ],
    ids=["budget amount", "segment duration", "plan background", "goal target", "event venue"],
)
def test_any_change_to_plan_content_changes_the_hash(plan_event, change):
    before = plan_content_hash(plan_event)
    change(plan_event)
    plan_event.refresh_from_db()
    assert plan_content_hash(plan_event) != before


def test_summary_totals_budget_and_reserve_share(plan_event):
    summary = plan_summary(plan_snapshot(plan_event))
    assert summary["budget_total"] == Decimal("390000.00")
    assert summary["reserve"] == Decimal("30000.00")
    assert summary["reserve_share"] == Decimal("7.7")


def test_diff_lists_changed_fields_and_added_removed_changed_rows(plan_event):
    old = plan_snapshot(plan_event)
    plan_event.venue = "北京国家会议中心"
    plan_event.save()
    plan = Plan.objects.get(event=plan_event)
    BudgetLine.objects.filter(item="LED 屏").update(
        unit_price=Decimal("170000.00"), amount=Decimal("170000.00")
    )
    RunOfShowSegment.objects.filter(title="签到入场").delete()
    RunOfShowSegment.objects.create(
        plan=plan,
        position=3,
        title="产品体验",
        starts_at=plan_event.starts_at + dt.timedelta(hours=2),
        duration_minutes=60,
    )
    diff = version_diff(old, plan_snapshot(plan_event))
    assert diff["changed"] is True
    assert [(c["field"], c["old"], c["new"]) for c in diff["fields"]] == [
        ("venue", "上海国际会议中心", "北京国家会议中心")
    ]
    tables = {t["key"]: t for t in diff["tables"]}
    assert [r["title"] for r in tables["segments"]["added"]] == ["产品体验"]
    assert [r["title"] for r in tables["segments"]["removed"]] == ["签到入场"]
    changed = tables["budget_lines"]["changed"]
    assert len(changed) == 1 and {f["field"] for f in changed[0]["fields"]} == {"unit_price", "amount"}
    assert not tables["risks"]["has_changes"]


def test_diff_of_identical_snapshots_is_empty(plan_event):
    snap = plan_snapshot(plan_event)
    assert version_diff(snap, snap)["changed"] is False


def test_touch_without_a_change_leaves_the_version_alone(plan_event, organiser):
    version = submit(plan_event, organiser)
    plan_touch(event=plan_event, actor=organiser, what="预算")
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.IN_REVIEW


def test_an_edit_during_review_supersedes_the_version_and_closes_its_reviews(
    plan_event, organiser, reviewers
):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("170000.00"))
    plan_touch(event=plan_event, actor=organiser, what="预算")
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.SUPERSEDED
    assert version.closed_at is not None
    # The pending reviews stay pending but no longer show up for anyone.
    assert (
        DepartmentReview.objects.filter(version=version, decision=DepartmentReview.Decision.PENDING).count()
        == 4
    )
    from huodong.planning.selectors_approval import pending_department_reviews_for

    assert not pending_department_reviews_for(reviewers["sales"]).exists()


def test_an_edit_after_a_signature_voids_it_and_the_audit_log_keeps_both_versions(
    plan_event, organiser, reviewers, approver_exec
):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec)
    old_hash = version.content_hash
    BudgetLine.objects.filter(item="LED 屏").update(
        unit_price=Decimal("180000.00"), amount=Decimal("180000.00")
    )
    plan_touch(event=plan_event, actor=organiser, what="预算")

    version.refresh_from_db()
    assert version.status == PlanVersion.Status.SUPERSEDED
    signature = Signature.objects.get(version=version)
    assert signature.voided_at is not None
    assert signature.void_reason == "方案在签字后被修改"
    entry = AuditEntry.objects.get(action="plan_version.supersede")
    assert entry.before["number"] == 1 and entry.before["content_hash"] == old_hash
    assert entry.after["content_hash"] == plan_content_hash(plan_event) != old_hash
    assert entry.after["voided_signatures"] == [signature.pk]
    assert any("LED 屏" in line for line in entry.after["changes"])
    # The owner and the signer are told.
    assert Notification.objects.filter(kind="plan.superseded", recipient=organiser).exists()
    assert Notification.objects.filter(kind="plan.superseded", recipient=approver_exec).exists()

    # The organiser re-submits: v2 is frozen, v1 keeps its content, and the diff shows the change.
    v2 = submit(plan_event, organiser)
    assert v2.number == 2 and v2.content_hash != old_hash
    assert version.content_hash == old_hash
    diff = version_diff(version.content, v2.content)
    changed = {t["key"]: t for t in diff["tables"]}["budget_lines"]["changed"]
    assert changed[0]["title"].endswith("LED 屏")
    assert {(f["field"], f["old"], f["new"]) for f in changed[0]["fields"]} == {
        ("unit_price", "160000.00", "180000.00"),
        ("amount", "160000.00", "180000.00"),
    }
    assert AuditEntry.objects.filter(action="plan_version.submit").count() == 2


def test_changing_the_event_facts_supersedes_the_signed_version_through_the_signal(
    plan_event, organiser, reviewers, approver_exec, approver_gm
):
    # REQ: AP-1 — theme, tone, time and place are part of the signed plan.
    import huodong.planning.receivers  # noqa: F401  (connects the receiver, as PlanningConfig.ready does)

    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec)
    sign(version, approver_gm)
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.APPROVED
    event_update(actor=organiser, event=plan_event, revision=_revision(plan_event), venue="北京国家会议中心")
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.SUPERSEDED
    assert Signature.objects.filter(version=version, voided_at__isnull=True).count() == 0


def test_an_attachment_is_part_of_the_content(plan_event, organiser):
    before = plan_content_hash(plan_event)
    PlanAttachment.objects.create(
        plan=Plan.objects.get(event=plan_event),
        kind="floor_plan",
        file="plans/x.pdf",
        original_name="平面图.pdf",
        size=10,
        sha256="a" * 64,
        uploaded_by=organiser,
    )
    assert plan_content_hash(plan_event) != before
    assert plan_snapshot(plan_event)["attachments"] == [
        {"original_name": "平面图.pdf", "kind": "floor_plan", "sha256": "a" * 64, "size": 10}
    ]
