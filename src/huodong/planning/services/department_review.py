"""Internal review of a plan version (RV-1): marketing submits, sales, product, legal and finance review.

``plan_submit_for_approval`` freezes the working copy as a new ``PlanVersion`` with its content hash and
opens one ``DepartmentReview`` per chosen department. ``department_review_decide`` records one department's decision with
its opinions on feasibility, budget reasonableness and risk control. A rejection returns the event to
the plan step with the opinions; when every department has passed, the approvers are told (AP-1).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import Department, Role, User
from huodong.core.seed import DEFAULT_REVIEW_DEPARTMENTS
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import ApprovalLevel, DepartmentReview, Plan, PlanVersion
from ..rules import REVIEW_STEPS, require_planning_editor
from ..selectors_approval import people_with_role
from ..versioning import (
    content_hash,
    open_version,
    plan_snapshot,
    version_status_set,
    version_supersede,
)
from .decisions import (
    approval_page_notify,
    approval_request,
    approval_url,
    event_lock,
    version_reject,
    version_require_current,
)

# approval_url moved to .decisions with the other decision helpers; callers may still import it from here.
__all__ = [
    "approval_url",
    "default_review_departments",
    "plan_submit_for_approval",
    "department_review_decide",
]

OPINION_MAX_LENGTH = 5000
# The texts a reviewer writes, in the order the form shows them.
OPINION_FIELDS = ("feasibility_opinion", "budget_opinion", "risk_opinion", "conditions")
DECISIONS = (
    DepartmentReview.Decision.APPROVE,
    DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
    DepartmentReview.Decision.REJECT,
)


def default_review_departments() -> list[Department]:
    """RV-1: sales, product, legal and finance take part by default."""
    return list(
        Department.objects.filter(code__in=DEFAULT_REVIEW_DEPARTMENTS, is_active=True).order_by(
            "sort_order", "id"
        )
    )


def _require_review_step(event: Event, what: Any) -> None:
    if event.step not in REVIEW_STEPS:
        raise DomainError(
            {
                "__all__": [
                    _(
                        "活动当前处于「%(step)s」,只有在「%(allowed)s」步骤才能%(what)s;请先满足方案设计的关口并推进活动。"
                    )
                    % {"step": Step(event.step).label, "allowed": Step.APPROVAL.label, "what": what}
                ]
            },
            code="wrong_step",
        )


# ---------------------------------------------------------------- submit (RV-1)
@transaction.atomic
def plan_submit_for_approval(
    *, event: Event, actor: User, departments: list[Department] | None = None
) -> PlanVersion:
    """Freeze the plan as a new version and send it to each department's reviewers (RV-1)."""
    require_planning_editor(actor, event)
    event = event_lock(event.pk)
    _require_review_step(event, _("提交评审"))
    plan = Plan.objects.filter(event=event).first()
    chosen = default_review_departments() if departments is None else list(dict.fromkeys(departments))
    _require_submittable(plan, chosen)
    assert plan is not None
    version = _version_freeze(event=event, plan=plan, actor=actor)
    reviews = [DepartmentReview.objects.create(version=version, department=dept) for dept in chosen]
    audit_record(
        actor=actor,
        action="plan_version.submit",
        target=version,
        event_id=event.pk,
        summary=gettext("提交 v%(n)s 评审:%(depts)s")
        % {"n": version.number, "depts": "、".join(d.name for d in chosen)},
        after={
            "number": version.number,
            "content_hash": version.content_hash,
            "status": version.status,
            "departments": [d.code for d in chosen],
        },
    )
    approval_page_notify(
        event=event,
        recipients=[person for r in reviews for person in people_with_role(Role.REVIEWER, r.department_id)],
        kind="department_review.requested",
        message=gettext("请评审「%(event)s」的策划方案 v%(n)s(可行性、预算合理性、风险控制)。")
        % {"event": event.name, "n": version.number},
    )
    return version


def _require_submittable(plan: Plan | None, chosen: list[Department]) -> None:
    """A plan exists and every chosen department is active and has a reviewer."""
    errors: dict[str, list[Any]] = {}
    if plan is None:
        errors["__all__"] = [_("尚未编写策划方案,不能提交评审。")]
    if not chosen:
        errors["departments"] = [_("请至少选择一个评审部门(默认:销售部、产品部、法务部、财务部)。")]
    for dept in chosen:
        if not dept.is_active:
            errors.setdefault("departments", []).append(
                _("部门「%(dept)s」已停用,不能参与评审。") % {"dept": dept.name}
            )
        elif not people_with_role(Role.REVIEWER, dept.pk):
            errors.setdefault("departments", []).append(
                _("部门「%(dept)s」没有在职的评审人,请先在人员管理中指定评审人,或不选该部门。")
                % {"dept": dept.name}
            )
    if errors:
        raise DomainError(errors)


def _version_freeze(*, event: Event, plan: Plan, actor: User) -> PlanVersion:
    """The plan as it is now, frozen as the next version in review; an unchanged open version is refused."""
    content = plan_snapshot(event)
    digest = content_hash(content)
    current_open = open_version(event, lock=True)
    if current_open is not None:
        if current_open.content_hash == digest:
            raise Conflict(
                _("方案 v%(n)s 内容未修改,已处于「%(status)s」,无需重复提交。")
                % {"n": current_open.number, "status": current_open.get_status_display()}
            )
        # An edit slipped past plan_touch: the open version no longer matches, close it first.
        version_supersede(version=current_open, actor=actor, what=gettext("策划方案"), current=content)
    number = (PlanVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    return PlanVersion.objects.create(
        plan=plan,
        number=number,
        content=content,
        content_hash=digest,
        status=PlanVersion.Status.IN_REVIEW,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


# ---------------------------------------------------------------- decide (RV-1)
@transaction.atomic
def department_review_decide(
    *,
    review: DepartmentReview,
    actor: User,
    decision: str,
    feasibility_opinion: str = "",
    budget_opinion: str = "",
    risk_opinion: str = "",
    conditions: str = "",
) -> DepartmentReview:
    """One department's decision on a version (RV-1). Nothing is written when anything is refused."""
    review = (
        DepartmentReview.objects.select_for_update()
        .select_related("department", "version__plan")
        .get(pk=review.pk)
    )
    version = PlanVersion.objects.select_for_update().get(pk=review.version_id)
    _require_department_reviewer(actor, review)
    _require_pending(review, version)
    event = event_lock(review.version.plan.event_id)
    _require_review_step(event, _("评审"))
    version_require_current(event=event, version=version)
    texts = _opinions_clean(
        decision,
        feasibility_opinion=feasibility_opinion,
        budget_opinion=budget_opinion,
        risk_opinion=risk_opinion,
        conditions=conditions,
    )
    _review_record(review=review, actor=actor, decision=decision, texts=texts, event=event)
    _review_announce(review=review, version=version, event=event, actor=actor)
    return review


def _require_department_reviewer(actor: User, review: DepartmentReview) -> None:
    if actor is None or not actor.is_authenticated or actor.role != Role.REVIEWER:
        raise NotAllowed(_("只有部门评审人可以评审方案。"))
    if actor.department_id != review.department_id:
        raise NotAllowed(_("评审人不属于该部门(%(dept)s),不能代为评审。") % {"dept": review.department.name})


def _require_pending(review: DepartmentReview, version: PlanVersion) -> None:
    """The department has not decided yet and the version is still in review."""
    if review.decision != DepartmentReview.Decision.PENDING:
        raise Conflict(
            _("%(dept)s已评审(%(decision)s),不能重复评审。")
            % {"dept": review.department.name, "decision": review.get_decision_display()}
        )
    if version.status != PlanVersion.Status.IN_REVIEW:
        raise Conflict(
            _("方案 v%(n)s 已不在评审中(%(status)s),不能再评审。")
            % {"n": version.number, "status": version.get_status_display()}
        )


def _opinions_clean(decision: str, **opinions: str) -> dict[str, str]:
    """The stripped opinions. Refuses an unknown decision, an over-long text, a conditional pass without
    its conditions and a rejection without an opinion."""
    texts = {field: (opinions[field] or "").strip() for field in OPINION_FIELDS}
    errors: dict[str, list[Any]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [
            _("请选择评审结论:%(choices)s。")
            % {"choices": "、".join(str(DepartmentReview.Decision(d).label) for d in DECISIONS)}
        ]
    for field, text in texts.items():
        if len(text) > OPINION_MAX_LENGTH:
            errors.setdefault(field, []).append(_("最多 %(n)s 个字。") % {"n": OPINION_MAX_LENGTH})
    if decision == DepartmentReview.Decision.APPROVE_WITH_CONDITIONS and not texts["conditions"]:
        errors["conditions"] = [_("有条件通过须写明附加条件。")]
    if decision == DepartmentReview.Decision.REJECT and not (
        texts["feasibility_opinion"] or texts["budget_opinion"] or texts["risk_opinion"]
    ):
        errors["feasibility_opinion"] = [
            _("驳回须至少填写一项意见(可行性、预算合理性或风险控制),说明需要修改什么。")
        ]
    if errors:
        raise DomainError(errors)
    return texts


def _review_record(
    *, review: DepartmentReview, actor: User, decision: str, texts: dict[str, str], event: Event
) -> None:
    """Write the department's decision and opinions, and audit it."""
    before = snapshot(review)
    review.reviewer = actor
    review.decision = decision
    for field, text in texts.items():
        setattr(review, field, text)
    review.decided_at = timezone.now()
    review.save()
    summary = gettext("%(dept)s评审 v%(n)s:%(decision)s") % {
        "dept": review.department.name,
        "n": review.version.number,
        "decision": review.get_decision_display(),
    }
    audit_record(
        actor=actor,
        action="department_review.decide",
        target=review,
        event_id=event.pk,
        summary=summary,
        before=before,
        after=snapshot(review),
    )


def _opinions_text(review: DepartmentReview) -> str:
    parts = []
    for label, text in (
        (gettext("可行性"), review.feasibility_opinion),
        (gettext("预算合理性"), review.budget_opinion),
        (gettext("风险控制"), review.risk_opinion),
        (gettext("附加条件"), review.conditions),
    ):
        if text.strip():
            parts.append(f"{label}:{text.strip()}")
    return ";".join(parts)


def _review_announce(*, review: DepartmentReview, version: PlanVersion, event: Event, actor: User) -> None:
    """A rejection sends the plan back; otherwise the owner hears the decision, and once every
    department has passed, the version goes on to approval."""
    opinions = _opinions_text(review)
    if review.decision == DepartmentReview.Decision.REJECT:
        reason = gettext("%(dept)s评审驳回 v%(n)s(%(who)s):%(opinions)s") % {
            "dept": review.department.name,
            "n": version.number,
            "who": actor.name,
            "opinions": opinions,
        }
        version_reject(
            version=version, event=event, actor=actor, reason=reason, kind="department_review.rejected"
        )
        return
    approval_page_notify(
        event=event,
        recipients=[event.owner],
        kind="department_review.decided",
        message=gettext("%(dept)s已评审「%(event)s」v%(n)s:%(decision)s。%(opinions)s")
        % {
            "dept": review.department.name,
            "event": event.name,
            "n": version.number,
            "decision": review.get_decision_display(),
            "opinions": opinions,
        },
    )
    if not version.reviews.filter(decision=DepartmentReview.Decision.PENDING).exists():
        _version_reviewed(version=version, event=event, actor=actor)


def _version_reviewed(*, version: PlanVersion, event: Event, actor: User) -> None:
    """Every department has passed: the version goes to the executive in charge (AP-1)."""
    summary = gettext("v%(n)s 各部门评审全部通过,待分管领导审批") % {"n": version.number}
    version_status_set(version=version, actor=actor, status=PlanVersion.Status.REVIEWED, summary=summary)
    facts = {"event": event.name, "n": version.number}
    approval_request(
        event=event,
        level=ApprovalLevel.EXECUTIVE,
        message=gettext("「%(event)s」的策划方案 v%(n)s 已通过各部门评审,请您(分管领导)审批。") % facts,
        owner_kind="department_review.passed",
        owner_message=gettext("「%(event)s」v%(n)s 已通过全部评审,已提交分管领导审批。") % facts,
    )
