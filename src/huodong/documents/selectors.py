"""Reads that gather what each document shows (DOC-1, DOC-2, DOC-3).

Planning's rules are read, never recomputed: the plan, its run of show and every budget figure come
from ``planning.selectors_plan`` (documents depend on planning, never the reverse). Nothing here
formats text for a reader: the layouts do that. Everything a document needs is fetched in
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

from huodong.core.models import Department, Organisation, User
from huodong.core.seed import DEFAULT_REVIEW_DEPARTMENTS
from huodong.core.services import organisation_get
from huodong.events.models import Event
from huodong.planning.models import (
    APPROVAL_ORDER,
    CONTINGENCY,
    ApprovalLevel,
    BudgetLine,
    DepartmentReview,
    Goal,
    NeedsInput,
    NeedsMethod,
    NeedsReport,
    Plan,
    PlanAttachment,
    PlanVersion,
    Risk,
    RunOfShowSegment,
    Signature,
)
from huodong.planning.selectors_plan import BudgetSummary, budget_summary, plan_of, segments_of


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
    """One budget category as printed: its name in the document's language, its lines, its subtotal."""

    code: str
    name: str
    lines: list[BudgetLine]
    subtotal: Decimal


@dataclass
class DocumentBudget:
    """The plan's budget as a document prints it.

    Every figure and check (totals, contingency share against the band, the approved amount) is
    planning's own ``budget_summary`` (PL-3), so a document says what the plan page and the gate say.
    Only the shape is the document's: category names in the document's language, the contingency
    reserve printed last, just above the total.
    """

    figures: BudgetSummary
    groups: list[BudgetGroup]
    currency: str


def document_budget(event: Event, plan: Plan | None, organisation: Organisation) -> DocumentBudget:
    figures = budget_summary(plan, event=event, org=organisation)
    # budget_summary names the categories in the active language, which is the document's.
    groups = [
        BudgetGroup(code=c.code, name=c.name or c.code, lines=c.lines, subtotal=c.subtotal)
        for c in figures.categories
    ]
    groups.sort(key=lambda g: g.code == CONTINGENCY)  # stable: planning's order, the reserve last
    currency = (figures.currency if plan is not None else "") or organisation.currency
    return DocumentBudget(figures=figures, groups=groups, currency=currency)


@dataclass
class PlanData:
    organisation: Organisation
    event: Event
    plan: Plan | None
    goals: list[Goal]
    segments: list[RunOfShowSegment]
    budget: DocumentBudget
    risks: list[Risk]
    attachments: list[PlanAttachment]
    latest_version: PlanVersion | None


def plan_data(event: Event) -> PlanData:
    organisation = organisation_get()
    plan = plan_of(event)
    goals = list(Goal.objects.select_related("owner").filter(event=event))
    if plan is not None:
        risks = list(Risk.objects.select_related("owner").filter(plan=plan))
        attachments = list(PlanAttachment.objects.filter(plan=plan))
        latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    else:
        risks, attachments, latest = [], [], None
    return PlanData(
        organisation=organisation,
        event=event,
        plan=plan,
        goals=goals,
        segments=segments_of(plan),
        budget=document_budget(event, plan, organisation),
        risks=risks,
        attachments=attachments,
        latest_version=latest,
    )


# ---------------------------------------------------------------- DOC-3 活动策划方案审批表
@dataclass
class ReviewRow:
    department: Department
    review: (
        DepartmentReview | None
    )  # None: the department is expected to review but no version was submitted yet


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
    budget: DocumentBudget
    reviews_completed_at: dt.datetime | None
    approved_at: dt.datetime | None
    voided_count: int = 0


def approval_form_data(event: Event) -> ApprovalFormData:
    organisation = organisation_get()
    plan = plan_of(event)
    version = (
        PlanVersion.objects.select_related("submitted_by").filter(plan=plan).order_by("-number").first()
        if plan is not None
        else None
    )
    reviews: list[ReviewRow] = []
    signatures: dict[str, Signature] = {}
    voided = 0
    if version is not None:
        reviews = [
            ReviewRow(department=r.department, review=r)
            for r in DepartmentReview.objects.select_related("department", "reviewer")
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
        r.review is not None and r.review.decision != DepartmentReview.Decision.PENDING for r in reviews
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
        budget=document_budget(event, plan, organisation),
        reviews_completed_at=max(decided) if all_decided and decided else None,
        approved_at=approved_at,
        voided_count=voided,
    )


def generation_date(event: Event) -> dt.date:
    """Today in the event's time zone: the date printed on a generated document."""
    return timezone.localdate(timezone=event.tz)
