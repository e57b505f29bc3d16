"""API of review (RV-1) and approval (AP-1): plan versions and their diff, submission, reviews, signatures.

Mounted under /api/events; every endpoint calls the same service as the pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Department
from huodong.core.schemas import ErrorOut
from huodong.events.models import Event

from .. import selectors_approval as sel
from ..models import DepartmentReview, PlanVersion, Signature
from ..services.approval import approval_sign
from ..services.department_review import department_review_decide, plan_submit_for_approval
from ..versioning import plan_snapshot, version_diff

router = Router(tags=["planning: review & approval"])

ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ReviewOut(Schema):
    id: int
    version: int = Field(..., alias="version.number")
    department: str = Field(..., alias="department.code")
    department_name: str = Field(..., alias="department.name")
    reviewer: str | None = None
    decision: str
    decision_label: str
    feasibility_opinion: str
    budget_opinion: str
    risk_opinion: str
    conditions: str
    decided_at: dt.datetime | None = None

    @staticmethod
    def resolve_reviewer(obj: DepartmentReview) -> str | None:
        return obj.reviewer.username if obj.reviewer else None

    @staticmethod
    def resolve_decision_label(obj: DepartmentReview) -> str:
        return str(obj.get_decision_display())


class SignatureOut(Schema):
    id: int
    level: str
    level_label: str
    approver: str = Field(..., alias="approver.username")
    decision: str
    comment: str
    content_hash: str
    signed_at: dt.datetime
    voided_at: dt.datetime | None = None
    void_reason: str

    @staticmethod
    def resolve_level_label(obj: Signature) -> str:
        return str(obj.get_level_display())


class VersionOut(Schema):
    number: int
    status: str
    status_label: str
    content_hash: str
    submitted_by: str | None = None
    submitted_at: dt.datetime
    closed_at: dt.datetime | None = None
    reviews: list[ReviewOut]
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_status_label(obj: PlanVersion) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_submitted_by(obj: PlanVersion) -> str | None:
        return obj.submitted_by.username if obj.submitted_by else None

    @staticmethod
    def resolve_reviews(obj: PlanVersion) -> list[DepartmentReview]:
        return sel.department_review_rows(obj)

    @staticmethod
    def resolve_signatures(obj: PlanVersion) -> list[Signature]:
        return sel.signature_rows(obj)


class VersionDetailOut(VersionOut):
    content: dict[str, Any]


class SubmitIn(Schema):
    departments: list[str] | None = Field(
        None, description="评审部门代码;省略时默认 sales、product、legal、finance(RV-1)"
    )


class DecideIn(Schema):
    decision: str = Field(..., description="approve | approve_with_conditions | reject")
    feasibility_opinion: str = ""
    budget_opinion: str = ""
    risk_opinion: str = ""
    conditions: str = ""


class SignIn(Schema):
    decision: str = Field(..., description="approve | reject")
    comment: str = ""
    content_hash: str = Field(..., description="审批人看到的版本内容哈希;方案已修改时返回 409")


class PendingReviewOut(Schema):
    review_id: int
    event_id: int
    event_name: str
    version: int
    department: str


class PendingApprovalOut(Schema):
    event_id: int
    event_name: str
    version: int
    level: str
    content_hash: str


class PendingOut(Schema):
    reviews: list[PendingReviewOut]
    approvals: list[PendingApprovalOut]


def _event_for(request: HttpRequest, event_id: int) -> Event:
    event = Event.objects.select_related("owner").filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("活动 %(id)s 不存在。") % {"id": event_id})
    if not sel.can_view_approval(request.user, event):  # type: ignore[arg-type]
        raise NotAllowed(_("只有活动的策划团队、评审人、审批人或管理员可以查看评审与审批。"))
    return event


def _version(event: Event, number: int) -> PlanVersion:
    version = sel.version_get(event, number)
    if version is None:
        raise NotFound(_("版本 v%(n)s 不存在。") % {"n": number})
    return version


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return force_str(value)


@router.get("/{event_id}/plan/versions", response={200: list[VersionOut], **ERRORS}, summary="方案版本列表")
def list_versions(request: HttpRequest, event_id: int):  # noqa: ANN201
    return list(sel.versions_of(_event_for(request, event_id)))


@router.get(
    "/{event_id}/plan/versions/{number}",
    response={200: VersionDetailOut, **ERRORS},
    summary="方案版本详情(含冻结内容)",
)
def get_version(request: HttpRequest, event_id: int, number: int):  # noqa: ANN201
    return _version(_event_for(request, event_id), number)


@router.get(
    "/{event_id}/plan/diff", response={200: dict[str, Any], **ERRORS}, summary="比较两个版本(或与当前工作稿)"
)
def diff_versions(
    request: HttpRequest, event_id: int, from_: str = Query(..., alias="from"), to: str = "current"
):  # noqa: ANN201
    event = _event_for(request, event_id)
    sides: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[Any]] = {}
    for name, raw in (("from", from_), ("to", to)):
        raw = (raw or "").strip()
        if raw == "current":
            sides[name] = plan_snapshot(event)
        elif raw.isdigit() and sel.version_get(event, int(raw)) is not None:
            sides[name] = sel.version_get(event, int(raw)).content  # type: ignore[union-attr]
        else:
            errors[name] = [_("请填写已存在的版本号(如 1)或 current(当前工作稿)。")]
    if errors:
        raise DomainError(errors)
    return {"from": from_, "to": to, **_plain(version_diff(sides["from"], sides["to"]))}


@router.post(
    "/{event_id}/plan/submit", response={201: VersionOut, **ERRORS}, summary="提交方案评审(冻结新版本)"
)
def submit_plan(request: HttpRequest, event_id: int, payload: SubmitIn | None = None):  # noqa: ANN201
    event = _event_for(request, event_id)
    departments = None
    codes = payload.departments if payload else None
    if codes is not None:
        found = {d.code: d for d in Department.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise DomainError(
                {
                    "departments": [
                        _("未知的部门代码:%(codes)s;可选:%(choices)s。")
                        % {
                            "codes": ", ".join(missing),
                            "choices": ", ".join(
                                Department.objects.filter(is_active=True).values_list("code", flat=True)
                            ),
                        }
                    ]
                }
            )
        departments = [found[c] for c in codes]
    version = plan_submit_for_approval(event=event, actor=request.user, departments=departments)  # type: ignore[arg-type]
    return Status(201, version)


@router.get(
    "/{event_id}/department-reviews", response={200: list[ReviewOut], **ERRORS}, summary="最新版本的部门评审"
)
def list_reviews(request: HttpRequest, event_id: int, version: int | None = None):  # noqa: ANN201
    event = _event_for(request, event_id)
    target = _version(event, version) if version is not None else sel.latest_version(event)
    return sel.department_review_rows(target) if target else []


@router.post(
    "/{event_id}/department-reviews/{review_id}/decide",
    response={200: ReviewOut, **ERRORS},
    summary="部门评审(通过 / 有条件通过 / 驳回)",
)
def decide_review(request: HttpRequest, event_id: int, review_id: int, payload: DecideIn):  # noqa: ANN201
    event = _event_for(request, event_id)
    review = DepartmentReview.objects.filter(pk=review_id, version__plan__event=event).first()
    if review is None:
        raise NotFound(_("评审 %(id)s 不存在。") % {"id": review_id})
    review = department_review_decide(review=review, actor=request.user, **payload.dict())  # type: ignore[arg-type]
    return DepartmentReview.objects.select_related("department", "reviewer", "version").get(pk=review.pk)


@router.post(
    "/{event_id}/approvals/sign",
    response={201: SignatureOut, **ERRORS},
    summary="审批签字(分管领导 → 总经理)",
)
def sign_approval(request: HttpRequest, event_id: int, payload: SignIn):  # noqa: ANN201
    event = _event_for(request, event_id)
    version = sel.latest_version(event)
    if version is None:
        raise NotFound(_("尚无提交评审的方案版本。"))
    signature = approval_sign(version=version, actor=request.user, **payload.dict())  # type: ignore[arg-type]
    return Status(201, signature)


@router.get(
    "/me/pending", response={200: PendingOut}, summary="我的待办:待我评审与待我审批(/api/events/me/pending)"
)
def pending_for_me(request: HttpRequest):  # noqa: ANN201
    user = request.user
    reviews = [
        {
            "review_id": r.pk,
            "event_id": r.version.plan.event_id,
            "event_name": r.version.plan.event.name,
            "version": r.version.number,
            "department": r.department.code,
        }
        for r in sel.pending_department_reviews_for(user)  # type: ignore[arg-type]
    ]
    level = sel.ROLE_LEVEL.get(getattr(user, "role", ""), "")
    approvals = [
        {
            "event_id": v.plan.event_id,
            "event_name": v.plan.event.name,
            "version": v.number,
            "level": level,
            "content_hash": v.content_hash,
        }
        for v in sel.pending_approvals_for(user)  # type: ignore[arg-type]
    ]
    return {"reviews": reviews, "approvals": approvals}
