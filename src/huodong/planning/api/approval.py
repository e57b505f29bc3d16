"""API of review (RV-1) and approval (AP-1): plan versions and their diff, submission, reviews, signatures.

Mounted under /api/events; every endpoint calls the same service as the pages. Every event is loaded by
``events.access.event_for`` (``Need.VIEW_APPROVAL``: the owner, the team, the reviewers and approvers of
its versions, administrators). Every input is bounded by its schema (``core.schemas``) and a body that is
not a JSON object is refused (400). Writes run through ``retry_on_conflict``: a deadlock or serialization
failure that survives the lock order is retried, then answered 409, never 500.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import actor
from huodong.core.models import Department
from huodong.core.schemas import ErrorOut, Id, Line, Text
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from .. import selectors_approval as sel
from ..models import DepartmentReview, PlanVersion, Signature
from ..services.approval import COMMENT_MAX_LENGTH, approval_sign
from ..services.department_review import (
    EXCEPTION_REASON_MAX_LENGTH,
    OPINION_MAX_LENGTH,
    department_review_decide,
    plan_submit_for_approval,
)
from ..versioning import plan_snapshot, version_diff

router = Router(tags=["planning: review & approval"])

if TYPE_CHECKING:  # the bounded types are values at run time; to the type checker they are plain str
    Opinion: TypeAlias = str
    Comment: TypeAlias = str
    ExceptionReason: TypeAlias = str
    DepartmentCode: TypeAlias = str
    Choice: TypeAlias = str
    Hash: TypeAlias = str
    Side: TypeAlias = str
else:
    Opinion = Text(OPINION_MAX_LENGTH)  # DepartmentReview opinions
    Comment = Text(COMMENT_MAX_LENGTH)  # Signature.comment
    ExceptionReason = Text(EXCEPTION_REASON_MAX_LENGTH)  # PlanVersion.review_exception_reason
    DepartmentCode = Line(40)  # Department.code
    Choice = Line(30)  # a decision; the service names the allowed values
    Hash = Line(64)  # a SHA-256 content hash in hex
    Side = Line(20)  # a version number or "current"

READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_DEPARTMENTS = 100


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

    @staticmethod
    def resolve_void_reason(obj: Signature) -> str:
        return obj.void_reason_text


class VersionOut(Schema):
    number: int
    status: str
    status_label: str
    content_hash: str
    submitted_by: str | None = None
    submitted_at: dt.datetime
    closed_at: dt.datetime | None = None
    review_exception_departments: list[str] = Field(
        ..., description="必须参与评审但经管理员批准未参与的部门代码(RV-1);无例外时为空"
    )
    review_exception_reason: str = Field(..., description="管理员填写的免评审原因")
    review_exception_by: str | None = Field(None, description="批准免评审的管理员用户名")
    reviews: list[ReviewOut]
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_review_exception_by(obj: PlanVersion) -> str | None:
        return obj.review_exception_by.username if obj.review_exception_by else None

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
    departments: list[DepartmentCode] | None = Field(
        None,
        max_length=MAX_DEPARTMENTS,
        description="评审部门代码;省略时为组织规定必须参与评审的部门(默认 sales、product、legal、finance,RV-1)。"
        "不选其中某个部门须由管理员提交并填写 exception_reason",
    )
    exception_reason: ExceptionReason = Field(
        "", description="管理员免除必须参与评审的部门时的原因(记入版本与审计日志)"
    )
    content_hash: Hash | None = Field(
        None, description="提交人看到的当前方案内容哈希(可选);方案已被修改时返回 409"
    )


class DecideIn(Schema):
    decision: Choice = Field(..., description="approve | approve_with_conditions | reject")
    feasibility_opinion: Opinion = ""
    budget_opinion: Opinion = ""
    risk_opinion: Opinion = ""
    conditions: Opinion = ""


class SignIn(Schema):
    decision: Choice = Field(..., description="approve | reject")
    comment: Comment = ""
    content_hash: Hash = Field(..., description="审批人看到的版本内容哈希;方案已修改时返回 409")


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
    """The event, if the caller may read its review and approval (404/403 otherwise)."""
    return event_for(actor(request), event_id, Need.VIEW_APPROVAL)


def _require_object_body(request: HttpRequest) -> None:
    """An optional body must still be a JSON object: ``[null, null]``, ``null`` or ``1`` are refused."""
    try:
        raw = request.body
    except RawPostDataException:  # a form body already parsed: not JSON, and ninja has refused it
        return
    if not raw or not raw.strip():
        return
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DomainError({"__all__": [_("请求体须为 JSON 对象(如 {}),或不提供请求体。")]})


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


@router.get("/{event_id}/plan/versions", response={200: list[VersionOut], **READ}, summary="方案版本列表")
def list_versions(request: HttpRequest, event_id: Id):  # noqa: ANN201
    return list(sel.versions_of(_event_for(request, event_id)).select_related("review_exception_by"))


@router.get(
    "/{event_id}/plan/versions/{number}",
    response={200: VersionDetailOut, **READ},
    summary="方案版本详情(含冻结内容)",
)
def get_version(request: HttpRequest, event_id: Id, number: Id):  # noqa: ANN201
    return _version(_event_for(request, event_id), number)


@router.get(
    "/{event_id}/plan/diff",
    response={200: dict[str, Any], 400: ErrorOut, **READ},
    summary="比较两个版本(或与当前工作稿)",
)
def diff_versions(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    from_: Side = Query(..., alias="from"),  # noqa: B008  (ninja's way to name a query parameter)
    to: Side = "current",
):
    event = _event_for(request, event_id)
    sides: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[Any]] = {}
    for name, raw in (("from", from_), ("to", to)):
        raw = (raw or "").strip()
        found = sel.version_get(event, int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if raw == "current":
            sides[name] = plan_snapshot(event)
        elif found is not None:
            sides[name] = found.content
        else:
            errors[name] = [_("请填写已存在的版本号(如 1)或 current(当前工作稿)。")]
    if errors:
        raise DomainError(errors)
    return {"from": from_, "to": to, **_plain(version_diff(sides["from"], sides["to"]))}


@router.post(
    "/{event_id}/plan/submit", response={201: VersionOut, **ERRORS}, summary="提交方案评审(冻结新版本)"
)
def submit_plan(request: HttpRequest, event_id: Id, payload: SubmitIn | None = None):  # noqa: ANN201
    _require_object_body(request)
    event = event_for(actor(request), event_id, Need.EDIT)
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
                            "codes": ", ".join(missing[:20]),
                            "choices": ", ".join(
                                Department.objects.filter(is_active=True).values_list("code", flat=True)
                            ),
                        }
                    ]
                }
            )
        departments = [found[c] for c in codes]
    version = retry_on_conflict(plan_submit_for_approval)(
        event=event,
        actor=actor(request),
        departments=departments,
        exception_reason=payload.exception_reason if payload else "",
        content_hash=payload.content_hash if payload else None,
    )
    return Status(201, version)


@router.get(
    "/{event_id}/department-reviews", response={200: list[ReviewOut], **READ}, summary="最新版本的部门评审"
)
def list_reviews(request: HttpRequest, event_id: Id, version: Id | None = None):  # noqa: ANN201
    event = _event_for(request, event_id)
    target = _version(event, version) if version is not None else sel.latest_version(event)
    return sel.department_review_rows(target) if target else []


@router.post(
    "/{event_id}/department-reviews/{review_id}/decide",
    response={200: ReviewOut, **ERRORS},
    summary="部门评审(通过 / 有条件通过 / 驳回)",
)
def decide_review(request: HttpRequest, event_id: Id, review_id: Id, payload: DecideIn):  # noqa: ANN201
    _require_object_body(request)
    event = _event_for(request, event_id)
    review = DepartmentReview.objects.filter(pk=review_id, version__plan__event=event).first()
    if review is None:
        raise NotFound(_("评审 %(id)s 不存在。") % {"id": review_id})
    review = retry_on_conflict(department_review_decide)(
        review=review, actor=actor(request), **payload.dict()
    )
    return DepartmentReview.objects.select_related("department", "reviewer", "version").get(pk=review.pk)


@router.post(
    "/{event_id}/approvals/sign",
    response={201: SignatureOut, **ERRORS},
    summary="审批签字(分管领导 → 总经理)",
)
def sign_approval(request: HttpRequest, event_id: Id, payload: SignIn):  # noqa: ANN201
    _require_object_body(request)
    event = _event_for(request, event_id)
    version = sel.latest_version(event)
    if version is None:
        raise NotFound(_("尚无提交评审的方案版本。"))
    signature = retry_on_conflict(approval_sign)(version=version, actor=actor(request), **payload.dict())
    return Status(201, signature)


@router.get(
    "/me/pending",
    response={200: PendingOut, 401: ErrorOut},
    summary="我的待办:待我评审与待我审批(/api/events/me/pending)",
)
def pending_for_me(request: HttpRequest):  # noqa: ANN201
    user = actor(request)
    reviews = [
        {
            "review_id": r.pk,
            "event_id": r.version.plan.event_id,
            "event_name": r.version.plan.event.name,
            "version": r.version.number,
            "department": r.department.code,
        }
        for r in sel.pending_department_reviews_for(user)
    ]
    level = sel.ROLE_LEVEL.get(user.role, "")
    approvals = [
        {
            "event_id": v.plan.event_id,
            "event_name": v.plan.event.name,
            "version": v.number,
            "level": level,
            "content_hash": v.content_hash,
        }
        for v in sel.pending_approvals_for(user)
    ]
    return {"reviews": reviews, "approvals": approvals}
