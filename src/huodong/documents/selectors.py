"""Reads that gather what each document shows (DOC-1, DOC-2, DOC-3), straight from the planning models.

Nothing here formats text for a reader: the layouts do that. Everything a document needs is fetched in
a handful of queries (owners joined, children prefetched), so a plan with 40 segments and 60 budget
lines costs the same few queries as a small one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from huodong.core.models import Department, Organisation, User
from huodong.core.services import organisation_get
from huodong.events.models import Event
from huodong.planning.models import (
    APPROVAL_ORDER,
    CONTINGENCY,
    ApprovalLevel,
    BudgetLine,
    Goal,
    NeedsInput,
    NeedsMethod,
    NeedsReport,
    Plan,
    PlanAttachment,
    PlanVersion,
    Review,
    Risk,
    RunOfShowSegment,
    Signature,
)
from huodong.planning.rules import DEFAULT_REVIEW_DEPARTMENTS

ZERO = Decimal("0.00")


def document_event_get(event_id: int) -> Event | None:
    """The event with what every document header needs joined in."""
    return (
        Event.objects.select_related("event_type", "owner", "requesting_department")
        .filter(pk=event_id)
        .first()
    )


# ---------------------------------------------------------------- DOC-1 活动需求调研报告
@dataclass
class NeedsReportData:
    organisation: Organisation
    event: Event
    report: NeedsReport | None
    inputs: list[NeedsInput]
    methods: list[NeedsMethod]
    requesters: list[User]
    department: Department | None
    requested_on: dt.date | None
    history: list[Event]


def _kind_order(choices: Any) -> dict[str, int]:
    return {value: i for i, value in enumerate(choices.values)}


def needs_report_data(event: Event) -> NeedsReportData:
    report = (
        NeedsReport.objects.select_related("requesting_department")
        .prefetch_related(
            "inputs", "methods", Prefetch("requesters", queryset=User.objects.select_related("department"))
        )
        .filter(event=event)
        .first()
    )
    inputs: list[NeedsInput] = []
    methods: list[NeedsMethod] = []
    requesters: list[User] = []
    history: list[Event] = []
    if report is not None:
        order = _kind_order(NeedsInput.Kind)
        # NI-1: the inputs are shown grouped by kind, in the order the kinds are listed.
        inputs = sorted(report.inputs.all(), key=lambda i: (order.get(i.kind, len(order)), i.position, i.id))
        methods = list(report.methods.all())
        requesters = sorted(report.requesters.all(), key=lambda u: u.pk)
        ids = [int(i) for i in (report.history_event_ids or []) if str(i).isdigit()]
        if ids:
            found = {e.pk: e for e in Event.objects.select_related("event_type").filter(pk__in=ids)}
            history = [found[i] for i in ids if i in found]
    department = (report.requesting_department if report else None) or event.requesting_department
    return NeedsReportData(
        organisation=organisation_get(),
        event=event,
        report=report,
        inputs=inputs,
        methods=methods,
        requesters=requesters,
        department=department,
        requested_on=report.requested_on if report else None,
        history=history,
    )


# ---------------------------------------------------------------- DOC-2 活动策划方案
@dataclass
class BudgetGroup:
    code: str
    name: str
    lines: list[BudgetLine]
    subtotal: Decimal


@dataclass
class BudgetSummary:
    groups: list[BudgetGroup]
    total: Decimal
    contingency: Decimal
    # PL-3: contingency / total, None when there is no budget yet.
    contingency_share: Decimal | None
    reserve_min: Decimal
    reserve_max: Decimal
    approved: Decimal | None
    currency: str

    @property
    def share_in_band(self) -> bool | None:
        if self.contingency_share is None:
            return None
        return self.reserve_min <= self.contingency_share <= self.reserve_max

    @property
    def within_approved(self) -> bool | None:
        if self.approved is None:
            return None
        return self.total <= self.approved

    @property
    def line_count(self) -> int:
        return sum(len(g.lines) for g in self.groups)


def _category_names(event: Event) -> tuple[list[str], dict[str, str]]:
    """Template order of the budget categories and their names in the current language."""
    english = (get_language() or "").startswith("en")
    order: list[str] = []
    names: dict[str, str] = {}
    for cat in event.event_type.budget_categories or []:
        if not isinstance(cat, dict) or not cat.get("code"):
            continue
        order.append(cat["code"])
        names[cat["code"]] = (cat.get("name_en") if english else "") or cat.get("name") or cat["code"]
    return order, names


def budget_summary(
    event: Event, plan: Plan | None, lines: list[BudgetLine], organisation: Organisation
) -> BudgetSummary:
    order, names = _category_names(event)
    groups: dict[str, BudgetGroup] = {}
    for line in lines:
        group = groups.get(line.category)
        if group is None:
            name = names.get(line.category) or line.category_name or line.category
            group = groups[line.category] = BudgetGroup(
                code=line.category, name=name, lines=[], subtotal=ZERO
            )
        group.lines.append(line)
        group.subtotal += line.amount
    rank = {code: i for i, code in enumerate(order)}
    # Template categories first in template order, custom ones after in first-seen order; the
    # contingency reserve is always last (PL-3).
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.code == CONTINGENCY, rank.get(g.code, len(rank))),
    )
    total = sum((g.subtotal for g in ordered), ZERO)
    contingency = groups[CONTINGENCY].subtotal if CONTINGENCY in groups else ZERO
    share = (contingency / total) if total > 0 else None
    return BudgetSummary(
        groups=ordered,
        total=total,
        contingency=contingency,
        contingency_share=share,
        reserve_min=organisation.reserve_min,
        reserve_max=organisation.reserve_max,
        approved=plan.approved_budget if plan else None,
        currency=(plan.currency if plan else "") or organisation.currency,
    )


@dataclass
class PlanData:
    organisation: Organisation
    event: Event
    plan: Plan | None
    goals: list[Goal]
    segments: list[RunOfShowSegment]
    budget: BudgetSummary
    risks: list[Risk]
    attachments: list[PlanAttachment]
    latest_version: PlanVersion | None


def _plan_get(event: Event) -> Plan | None:
    return Plan.objects.filter(event=event).first()


def plan_data(event: Event) -> PlanData:
    organisation = organisation_get()
    plan = _plan_get(event)
    goals = list(Goal.objects.select_related("owner").filter(event=event))
    if plan is not None:
        segments = list(RunOfShowSegment.objects.select_related("owner").filter(plan=plan))
        lines = list(BudgetLine.objects.filter(plan=plan))
        risks = list(Risk.objects.select_related("owner").filter(plan=plan))
        attachments = list(PlanAttachment.objects.filter(plan=plan))
        latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    else:
        segments, lines, risks, attachments, latest = [], [], [], [], None
    return PlanData(
        organisation=organisation,
        event=event,
        plan=plan,
        goals=goals,
        segments=segments,
        budget=budget_summary(event, plan, lines, organisation),
        risks=risks,
        attachments=attachments,
        latest_version=latest,
    )


# ---------------------------------------------------------------- DOC-3 活动策划方案审批表
@dataclass
class ReviewRow:
    department: Department
    review: Review | None  # None: the department is expected to review but no version was submitted yet


@dataclass
class SignatureRow:
    level: str
    label: str
    signature: Signature | None  # None: blank lines to sign


@dataclass
class ApprovalFormData:
    organisation: Organisation
    event: Event
    plan: Plan | None
    version: PlanVersion | None
    reviews: list[ReviewRow]
    signatures: list[SignatureRow]
    budget: BudgetSummary
    reviews_completed_at: dt.datetime | None
    approved_at: dt.datetime | None
    voided_count: int = 0


def approval_form_data(event: Event) -> ApprovalFormData:
    organisation = organisation_get()
    plan = _plan_get(event)
    version = (
        PlanVersion.objects.select_related("submitted_by").filter(plan=plan).order_by("-number").first()
        if plan is not None
        else None
    )
    lines = list(BudgetLine.objects.filter(plan=plan)) if plan is not None else []
    reviews: list[ReviewRow] = []
    signatures: dict[str, Signature] = {}
    voided = 0
    if version is not None:
        reviews = [
            ReviewRow(department=r.department, review=r)
            for r in Review.objects.select_related("department", "reviewer")
            .filter(version=version)
            .order_by("department__sort_order", "id")
        ]
        for sig in (
            Signature.objects.select_related("approver").filter(version=version).order_by("signed_at", "id")
        ):
            if sig.voided_at is not None:
                voided += 1
                continue
            signatures[sig.level] = sig
    if not reviews:
        # No version submitted yet: the form still lists the departments that review by default (RV-1),
        # with blank lines, so it can be printed and filled in by hand.
        depts = {d.code: d for d in Department.objects.filter(code__in=DEFAULT_REVIEW_DEPARTMENTS)}
        reviews = [
            ReviewRow(department=depts[c], review=None) for c in DEFAULT_REVIEW_DEPARTMENTS if c in depts
        ]
    decided = [r.review.decided_at for r in reviews if r.review and r.review.decided_at]
    all_decided = bool(reviews) and all(
        r.review is not None and r.review.decision != Review.Decision.PENDING for r in reviews
    )
    labels = dict(ApprovalLevel.choices)
    sig_rows = [
        SignatureRow(level=lvl, label=str(labels[lvl]), signature=signatures.get(lvl))
        for lvl in APPROVAL_ORDER
    ]
    approved_at = None
    if version is not None and version.status == PlanVersion.Status.APPROVED:
        last = signatures.get(APPROVAL_ORDER[-1])
        approved_at = version.closed_at or (last.signed_at if last else None)
    return ApprovalFormData(
        organisation=organisation,
        event=event,
        plan=plan,
        version=version,
        reviews=reviews,
        signatures=sig_rows,
        budget=budget_summary(event, plan, lines, organisation),
        reviews_completed_at=max(decided) if all_decided and decided else None,
        approved_at=approved_at,
        voided_count=voided,
    )


def generation_date(event: Event) -> dt.date:
    """Today in the event's time zone: the date printed on a generated document."""
    return timezone.localdate(timezone=event.tz)
