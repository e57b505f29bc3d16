"""Who the planning phase adds to an event's people (``events.access``): its reviewers and approvers.

A department reviewer is a member of an event once a plan version asks their department to review it
(RV-1); 分管领导 and 总经理 are members once a version has been submitted for approval (AP-1). Both may
then read the review and approval page, the approval form and the reasons of a rejection.
"""

from __future__ import annotations

from huodong.core.models import Role, User
from huodong.events.access import Member, register_membership
from huodong.events.models import Event

from .models import DepartmentReview, PlanVersion


@register_membership("planning")
def plan_reviewers_and_approvers(user: User, event: Event) -> set[str]:
    if user.role == Role.REVIEWER and user.department_id is not None:
        asked = DepartmentReview.objects.filter(
            version__plan__event=event, department_id=user.department_id
        ).exists()
        return {Member.REVIEWER} if asked else set()
    if user.role in (Role.APPROVER_EXEC, Role.APPROVER_GM):
        return {Member.APPROVER} if PlanVersion.objects.filter(plan__event=event).exists() else set()
    return set()
