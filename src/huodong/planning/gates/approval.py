"""The gate for leaving 审批定稿 (LC-2): no preparation before the plan is reviewed (RV-1) and signed (AP-1).

Each criterion says what is missing: no submitted version, a department still to review (by name), a
rejection, a missing signature, or a signature on an older version than the plan as it is now.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import APPROVAL_ORDER, ApprovalLevel, DepartmentReview, PlanVersion, Signature
from ..versioning import plan_content_hash

LEVEL_CRITERIA: dict[str, tuple[str, object]] = {
    ApprovalLevel.EXECUTIVE: ("approval.executive", _("分管领导已签字批准")),
    ApprovalLevel.GENERAL_MANAGER: ("approval.general_manager", _("总经理已签字批准")),
}


@register_gate(Step.APPROVAL, key="planning.approval")
def plan_is_approved(event: Event) -> Iterator[Criterion]:
    # REQ LC-2: no preparation before the plan is approved; RV-1 review, AP-1 signatures.
    versions = list(
        PlanVersion.objects.filter(plan__event=event)
        .prefetch_related("reviews__department", "signatures")
        .order_by("-number")
    )
    version = versions[0] if versions else None
    current = plan_content_hash(event)

    if version is None:
        yield Criterion("approval.submitted", _("方案已提交评审"), met=False, detail=_("尚未提交评审"))
    elif version.status == PlanVersion.Status.SUPERSEDED or version.content_hash != current:
        yield Criterion(
            "approval.submitted",
            _("方案已提交评审"),
            met=False,
            detail=_("v%(n)s 提交后方案已修改,请重新提交评审") % {"n": version.number},
        )
    elif version.status == PlanVersion.Status.REJECTED:
        yield Criterion(
            "approval.submitted",
            _("方案已提交评审"),
            met=False,
            detail=_("v%(n)s 已被驳回,请修改后重新提交") % {"n": version.number},
        )
    else:
        yield Criterion("approval.submitted", _("方案已提交评审"), met=True)

    reviews = list(version.reviews.all()) if version else []
    pending = [r.department.name for r in reviews if r.decision == DepartmentReview.Decision.PENDING]
    rejected = [r.department.name for r in reviews if r.decision == DepartmentReview.Decision.REJECT]
    stale = version is not None and (
        version.status == PlanVersion.Status.SUPERSEDED or version.content_hash != current
    )
    if version is None or not reviews:
        yield Criterion("approval.reviews", _("各部门评审全部通过"), met=False, detail=_("尚无评审"))
    elif stale:
        yield Criterion(
            "approval.reviews",
            _("各部门评审全部通过"),
            met=False,
            detail=_("评审针对的是旧版本 v%(n)s,须对修改后的方案重新评审") % {"n": version.number},
        )
    elif rejected:
        yield Criterion(
            "approval.reviews",
            _("各部门评审全部通过"),
            met=False,
            detail=_("驳回:%(depts)s") % {"depts": "、".join(rejected)},
        )
    elif pending:
        yield Criterion(
            "approval.reviews",
            _("各部门评审全部通过"),
            met=False,
            detail=_("待评审:%(depts)s") % {"depts": "、".join(pending)},
        )
    else:
        yield Criterion("approval.reviews", _("各部门评审全部通过"), met=True)

    for level in APPROVAL_ORDER:
        code, label = LEVEL_CRITERIA[level]
        yield _signature_criterion(code, label, level, version, versions, current)


def _signature_criterion(
    code: str,
    label: object,
    level: str,
    version: PlanVersion | None,
    versions: list[PlanVersion],
    current: str,
) -> Criterion:
    if version is not None:
        valid = [
            s
            for s in version.signatures.all()
            if s.level == level
            and s.voided_at is None
            and s.decision == Signature.Decision.APPROVE
            and s.content_hash == version.content_hash == current
        ]
        if valid:
            return Criterion(code, label, met=True)
    # The most recent signature of this level on any version, to say why it no longer counts.
    latest: tuple[PlanVersion, Signature] | None = None
    for v in versions:
        for s in v.signatures.all():
            if s.level == level and (
                latest is None or (s.signed_at, s.pk) > (latest[1].signed_at, latest[1].pk)
            ):
                latest = (v, s)
    if latest is not None:
        v, s = latest
        if s.decision == Signature.Decision.REJECT:
            if v == version:
                return Criterion(code, label, met=False, detail=_("v%(n)s 被驳回") % {"n": v.number})
        elif s.voided_at is not None or s.content_hash != current or v != version:
            return Criterion(code, label, met=False, detail=_("签字针对的是旧版本 v%(n)s") % {"n": v.number})
    return Criterion(code, label, met=False, detail=_("尚未签字"))
