"""Reads of review (RV-1) and approval (AP-1): versions of a plan, whose turn it is, "my pending" lists,
the departments that must review, and who may read the approval.

"My pending" lists only work the person may do: never a version of an event they own or a version they
submitted (separation of duties).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huodong.core.models import Department, Notification, Role, User
from huodong.core.services import organisation_get
from huodong.events.access import Need, can
from huodong.events.models import Event
from huodong.events.steps import Step

from .models import APPROVAL_ORDER, ApprovalLevel, DepartmentReview, PlanVersion, Signature

# AP-1: which role signs which level.
LEVEL_ROLE: dict[str, str] = {
    ApprovalLevel.EXECUTIVE: Role.APPROVER_EXEC,
    ApprovalLevel.GENERAL_MANAGER: Role.APPROVER_GM,
}
ROLE_LEVEL: dict[str, str] = {role: level for level, role in LEVEL_ROLE.items()}


def versions_of(event: Event) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(plan__event=event).select_related("submitted_by").order_by("-number")


def latest_version(event: Event) -> PlanVersion | None:
    return PlanVersion.objects.filter(plan__event=event).order_by("-number").first()


def version_get(event: Event, number: int) -> PlanVersion | None:
    return PlanVersion.objects.filter(plan__event=event, number=number).first()


def live_signatures(version: PlanVersion) -> list[Signature]:
    return [s for s in version.signatures.all() if s.voided_at is None]


def next_level(version: PlanVersion) -> str | None:
    """The approval level whose turn it is on a reviewed version (AP-1), or None when none is."""
    if version.status != PlanVersion.Status.REVIEWED:
        return None
    signed = {s.level: s for s in live_signatures(version)}
    for level in APPROVAL_ORDER:
        sig = signed.get(level)
        if sig is None:
            return level
        if sig.decision != Signature.Decision.APPROVE:
            return None
    return None


def people_with_role(role: str, department_id: int | None = None) -> list[User]:
    qs = User.objects.filter(role=role, is_active=True)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return list(qs.order_by("id"))


def can_view_approval(user: User | None, event: Event) -> bool:
    """Who may read review opinions, signatures and the approval form (``Need.VIEW_APPROVAL``): the
    owner, the team, administrators, and the reviewers and approvers of the event's versions."""
    return can(user, event, Need.VIEW_APPROVAL)


def required_review_departments() -> list[Department]:
    """The active departments the organisation requires to review every plan (RV-1):
    ``Organisation.required_review_departments``, seeded with sales, product, legal and finance."""
    org = organisation_get()
    return list(org.required_review_departments.filter(is_active=True).order_by("sort_order", "id"))


def review_departments_offered(event: Event, submitter: User) -> tuple[list[Department], list[Department]]:
    """The active departments a plan can be sent to (RV-1), and those it cannot: a department can review
    when it has an active reviewer who is neither the event's owner nor ``submitter`` (separation of
    duties, the same rule ``plan_submit_for_review`` applies). Both in the departments' order."""
    barred = {event.owner_id, submitter.pk}
    able = set(
        User.objects.filter(role=Role.REVIEWER, is_active=True, department__isnull=False)
        .exclude(pk__in=[pk for pk in barred if pk is not None])
        .values_list("department_id", flat=True)
    )
    offered: list[Department] = []
    unable: list[Department] = []
    for dept in Department.objects.filter(is_active=True).order_by("sort_order", "id"):
        (offered if dept.pk in able else unable).append(dept)
    return offered, unable


def _not_own(user: User, prefix: str = "") -> Q:
    """Versions ``user`` may decide on: not of an event they own, not submitted by them."""
    own = Q(**{f"{prefix}plan__event__owner": user}) | Q(**{f"{prefix}submitted_by": user})
    return ~own


def pending_department_reviews_for(user: User) -> QuerySet[DepartmentReview]:
    """Reviews waiting for ``user``: pending, of their department, on a version still in review, of an
    event they do not own and a version they did not submit."""
    if not user.is_authenticated or user.role != Role.REVIEWER or user.department_id is None:
        return DepartmentReview.objects.none()
    return (
        DepartmentReview.objects.filter(
            decision=DepartmentReview.Decision.PENDING,
            department_id=user.department_id,
            version__status=PlanVersion.Status.IN_REVIEW,
            version__plan__event__step=Step.APPROVAL,
        )
        .filter(_not_own(user, "version__"))
        .select_related("version__plan__event", "department")
        .order_by("version__submitted_at", "id")
    )


def pending_approvals_for(user: User) -> QuerySet[PlanVersion]:
    """Reviewed versions waiting for ``user``'s signature at their level (AP-1 order), of events they do
    not own and versions they did not submit."""
    level = ROLE_LEVEL.get(getattr(user, "role", ""))
    if not user.is_authenticated or level is None:
        return PlanVersion.objects.none()
    live = Signature.objects.filter(version=OuterRef("pk"), voided_at__isnull=True)
    qs = PlanVersion.objects.filter(status=PlanVersion.Status.REVIEWED, plan__event__step=Step.APPROVAL)
    qs = qs.filter(_not_own(user))
    qs = qs.annotate(mine=Exists(live.filter(level=level))).filter(mine=False)
    index = APPROVAL_ORDER.index(level)
    for earlier in APPROVAL_ORDER[:index]:
        qs = qs.filter(Exists(live.filter(level=earlier, decision=Signature.Decision.APPROVE)))
    return qs.select_related("plan__event").order_by("submitted_at", "id")


def pending_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return pending_department_reviews_for(user).count() + pending_approvals_for(user).count()


def notifications_for(user: User, *, limit: int = 30) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit])


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def department_review_rows(version: PlanVersion) -> list[DepartmentReview]:
    return list(
        version.reviews.select_related("department", "reviewer").order_by("department__sort_order", "id")
    )


def signature_rows(version: PlanVersion) -> list[Signature]:
    return list(version.signatures.select_related("approver").order_by("signed_at", "id"))


def versions_overview(event: Event) -> list[dict[str, Any]]:
    """Each version with its reviews and signatures, newest first, for the approval page and the API."""
    rows = []
    for v in versions_of(event).prefetch_related(
        "reviews__department", "reviews__reviewer", "signatures__approver"
    ):
        rows.append({"version": v, "reviews": list(v.reviews.all()), "signatures": list(v.signatures.all())})
    return rows
