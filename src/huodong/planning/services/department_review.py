"""Internal review of a plan version (RV-1): marketing submits, sales, product, legal and finance review.

``plan_submit_for_approval`` freezes the working copy as a new ``PlanVersion`` with its content hash and
opens one ``DepartmentReview`` per department. The departments that must review are an organisation
setting (``Organisation.required_review_departments``, by default 销售部、产品部、法务部、财务部); a
submission may add others, and may leave a required one out only when an administrator submits it with
an exception reason, which is recorded on the version and in the audit log.

``department_review_decide`` records one department's decision with its opinions on feasibility, budget
reasonableness and risk control. The owner of the event and the submitter of the version may not review
it (separation of duties). A rejection returns the event to the plan step with the opinions; when every
department has passed, the approvers are told (AP-1).

Both services take the event lock first, then the plan, the versions and the reviews (``core.concurrency``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Joined, Message, audit_record, snapshot
from huodong.core.errors import Conflict, DomainError, NotAllowed, NotFound
from huodong.core.models import Department, Role, User
from huodong.core.text import text_clean
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import ApprovalLevel, DepartmentReview, Plan, PlanVersion
from ..rules import REVIEW_STEPS
from ..selectors_approval import people_with_role, required_review_departments
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
    decision_lock,
    duties_require_separate,
    version_lock,
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
EXCEPTION_REASON_MAX_LENGTH = 2000
# The texts a reviewer writes, in the order the form shows them, with their labels.
OPINION_LABELS: dict[str, Any] = {
    "feasibility_opinion": _("可行性意见"),
    "budget_opinion": _("预算合理性意见"),
    "risk_opinion": _("风险控制意见"),
    "conditions": _("附加条件"),
}
OPINION_FIELDS = tuple(OPINION_LABELS)
DECISIONS = (
    DepartmentReview.Decision.APPROVE,
    DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
    DepartmentReview.Decision.REJECT,
)
SUBMIT_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以提交评审。")


def default_review_departments() -> list[Department]:
    """RV-1: the departments the organisation requires (by default sales, product, legal and finance)."""
    return required_review_departments()


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
    *,
    event: Event,
    actor: User,
    departments: list[Department] | None = None,
    exception_reason: str = "",
    content_hash: str | None = None,
) -> PlanVersion:
    """Freeze the plan as a new version and send it to each department's reviewers (RV-1).

    ``departments`` defaults to the organisation's required ones; leaving a required one out needs an
    administrator and ``exception_reason``. ``content_hash`` is the hash of the plan the submitter saw
    (optional): when the plan changed since, nothing is submitted (409).
    """
    event = event_for(actor, event, Need.EDIT, lock=True, message=SUBMIT_REFUSAL)
    _require_review_step(event, _("提交评审"))
    plan = Plan.objects.select_for_update().filter(event=event).first()
    required = required_review_departments()
    chosen = required if departments is None else list(dict.fromkeys(departments))
    barred: set[int | None] = {event.owner_id, actor.pk}  # separation of duties: they may not review it
    dropped, reason = _require_submittable(plan, chosen, required, actor, exception_reason, barred)
    assert plan is not None
    content = plan_snapshot(event)
    if content_hash is not None and str(content_hash).strip().lower() != _hash(content):
        raise Conflict(_("方案在您查看后已被修改,请查看最新内容后再提交评审。"))
    version = _version_freeze(event=event, plan=plan, actor=actor, content=content)
    if dropped:
        _review_exception_record(version=version, event=event, actor=actor, dropped=dropped, reason=reason)
    reviews = [DepartmentReview.objects.create(version=version, department=dept) for dept in chosen]
    audit_record(
        actor=actor,
        action="plan_version.submit",
        target=version,
        event_id=event.pk,
        summary=Message("提交 v%(n)s 评审:%(depts)s", n=version.number, depts=Joined(chosen)),
        after={
            "number": version.number,
            "content_hash": version.content_hash,
            "status": version.status,
            "departments": [d.code for d in chosen],
            "review_exception_departments": version.review_exception_departments,
        },
    )
    approval_page_notify(
        event=event,
        recipients=[
            person
            for r in reviews
            for person in people_with_role(Role.REVIEWER, r.department_id)
            if person.pk not in barred
        ],
        kind="department_review.requested",
        message=Message(
            "请评审「%(event)s」的策划方案 v%(n)s(可行性、预算合理性、风险控制)。",
            event=event.name,
            n=version.number,
        ),
    )
    return version


def _hash(content: dict[str, Any]) -> str:
    return content_hash(content)


def _names(departments: list[Department]) -> str:
    return str(_("、")).join(d.display_name for d in departments)


def _require_submittable(
    plan: Plan | None,
    chosen: list[Department],
    required: list[Department],
    actor: User,
    exception_reason: Any,
    barred: set[int | None],
) -> tuple[list[Department], str]:
    """A plan exists, every chosen department is active and has a reviewer who is neither the owner nor
    the submitter (``barred``), and every required department is chosen, or an administrator says why not.
    Returns the required departments left out and the reason.
    """
    errors: dict[str, list[Any]] = {}
    if plan is None:
        errors["__all__"] = [_("尚未编写策划方案,不能提交评审。")]
    if not chosen:
        errors["departments"] = [
            _("请至少选择一个评审部门(必须参与评审:%(depts)s)。") % {"depts": _names(required) or "—"}
        ]
    for dept in chosen:
        if not dept.is_active:
            errors.setdefault("departments", []).append(
                _("部门「%(dept)s」已停用,不能参与评审。") % {"dept": dept.display_name}
            )
        elif not (reviewers := people_with_role(Role.REVIEWER, dept.pk)):
            errors.setdefault("departments", []).append(
                _("部门「%(dept)s」没有在职的评审人,请先在人员管理中指定评审人,或不选该部门。")
                % {"dept": dept.display_name}
            )
        elif all(person.pk in barred for person in reviewers):
            errors.setdefault("departments", []).append(
                _(
                    "部门「%(dept)s」的评审人只有活动负责人或提交人本人,按职责分离不能评审;请先指定另一位评审人。"
                )
                % {"dept": dept.display_name}
            )
    chosen_ids = {d.pk for d in chosen}
    dropped = [d for d in required if d.pk not in chosen_ids]
    reason = ""
    if dropped and chosen:
        if not actor.is_admin:
            errors.setdefault("departments", []).append(
                _(
                    "%(depts)s是组织规定必须参与评审的部门,不能不选(RV-1);如确需免除,须由管理员提交并填写例外原因。"
                )
                % {"depts": _names(dropped)}
            )
        else:
            reason = text_clean(
                exception_reason,
                field="exception_reason",
                label=_("免评审原因"),
                limit=EXCEPTION_REASON_MAX_LENGTH,
                errors=errors,
            )
            if not reason and "exception_reason" not in errors:
                errors["exception_reason"] = [
                    _("未选择必须参与评审的部门(%(depts)s),须填写例外原因,该原因将记入审计日志。")
                    % {"depts": _names(dropped)}
                ]
    if errors:
        raise DomainError(errors)
    return dropped, reason


def _review_exception_record(
    *, version: PlanVersion, event: Event, actor: User, dropped: list[Department], reason: str
) -> None:
    """Record an administrator's exception to the required reviewing departments (RV-1)."""
    version.review_exception_departments = [d.code for d in dropped]
    version.review_exception_reason = reason
    version.review_exception_by = actor
    version.save(
        update_fields=["review_exception_departments", "review_exception_reason", "review_exception_by"]
    )
    audit_record(
        actor=actor,
        action="plan_version.review_exception",
        target=version,
        event_id=event.pk,
        summary=Message(
            "v%(n)s 免除必须参与评审的部门:%(depts)s;原因:%(reason)s",
            n=version.number,
            depts=Joined(dropped),
            reason=reason,
        ),
        after={
            "review_exception_departments": version.review_exception_departments,
            "review_exception_reason": reason,
            "review_exception_by": actor.username,
        },
    )


def _version_freeze(*, event: Event, plan: Plan, actor: User, content: dict[str, Any]) -> PlanVersion:
    """The plan as it is now, frozen as the next version in review; an unchanged open version is refused."""
    digest = content_hash(content)
    current_open = open_version(event, lock=True)
    if current_open is not None:
        if current_open.content_hash == digest:
            raise Conflict(
                _("方案 v%(n)s 内容未修改,已处于「%(status)s」,无需重复提交。")
                % {"n": current_open.number, "status": current_open.get_status_display()}
            )
        # An edit slipped past plan_touch: the open version no longer matches, close it first.
        version_supersede(version=current_open, actor=actor, what=_("策划方案"), current=content)
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
    ids = DepartmentReview.objects.filter(pk=review.pk).values_list("version_id", "version__plan__event_id")
    found = ids.first()
    if found is None:
        raise NotFound(_("评审不存在。"))
    version_id, event_id = found
    event, plan = decision_lock(actor=actor, event_id=event_id)
    version = version_lock(plan=plan, version_id=version_id)
    review = (
        DepartmentReview.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=review.pk)
    )
    review.version = version
    _require_department_reviewer(actor, review)
    duties_require_separate(actor=actor, event=event, version=version, act="review")
    _require_pending(review, version)
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


def _opinions_clean(decision: Any, **opinions: Any) -> dict[str, str]:
    """The cleaned opinions (``core.text``). Refuses an unknown decision, a text with NUL, control
    characters or a lone surrogate, an over-long text, a conditional pass without its conditions and a
    rejection without an opinion."""
    errors: dict[str, list[Any]] = {}
    texts = {
        field: text_clean(opinions[field], field=field, label=label, limit=OPINION_MAX_LENGTH, errors=errors)
        for field, label in OPINION_LABELS.items()
    }
    if not isinstance(decision, str) or decision not in DECISIONS:
        errors["decision"] = [
            _("请选择评审结论:%(choices)s。")
            % {"choices": "、".join(str(DepartmentReview.Decision(d).label) for d in DECISIONS)}
        ]
    elif decision == DepartmentReview.Decision.APPROVE_WITH_CONDITIONS and not texts["conditions"]:
        errors.setdefault("conditions", []).append(_("有条件通过须写明附加条件。"))
    elif decision == DepartmentReview.Decision.REJECT and not (
        texts["feasibility_opinion"] or texts["budget_opinion"] or texts["risk_opinion"]
    ):
        errors.setdefault("feasibility_opinion", []).append(
            _("驳回须至少填写一项意见(可行性、预算合理性或风险控制),说明需要修改什么。")
        )
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
    summary = Message(
        "%(dept)s评审 v%(n)s:%(decision)s",
        dept=review.department,
        n=review.version.number,
        decision=DepartmentReview.Decision(review.decision).label,
    )
    audit_record(
        actor=actor,
        action="department_review.decide",
        target=review,
        event_id=event.pk,
        summary=summary,
        before=before,
        after=snapshot(review),
    )


def _opinions_text(review: DepartmentReview) -> Joined:
    """The opinions, each after its label: the labels are shown in the reader's language, the
    opinions as typed."""
    parts = []
    for label, text in (
        (_("可行性"), review.feasibility_opinion),
        (_("预算合理性"), review.budget_opinion),
        (_("风险控制"), review.risk_opinion),
        (_("附加条件"), review.conditions),
    ):
        if text.strip():
            parts.append(Message("%(label)s:%(text)s", label=label, text=text.strip()))
    return Joined(parts, ";")


def _review_announce(*, review: DepartmentReview, version: PlanVersion, event: Event, actor: User) -> None:
    """A rejection sends the plan back; otherwise the owner hears the decision, and once every
    department has passed, the version goes on to approval."""
    opinions = _opinions_text(review)
    if review.decision == DepartmentReview.Decision.REJECT:
        reason = Message(
            "%(dept)s评审驳回 v%(n)s(%(who)s):%(opinions)s",
            dept=review.department,
            n=version.number,
            who=actor.name,
            opinions=opinions,
        )
        version_reject(
            version=version, event=event, actor=actor, reason=reason, kind="department_review.rejected"
        )
        return
    approval_page_notify(
        event=event,
        recipients=[event.owner],
        kind="department_review.decided",
        message=Message(
            "%(dept)s已评审「%(event)s」v%(n)s:%(decision)s。%(opinions)s",
            dept=review.department,
            event=event.name,
            n=version.number,
            decision=DepartmentReview.Decision(review.decision).label,
            opinions=opinions,
        ),
    )
    if not version.reviews.filter(decision=DepartmentReview.Decision.PENDING).exists():
        _version_reviewed(version=version, event=event, actor=actor)


def _version_reviewed(*, version: PlanVersion, event: Event, actor: User) -> None:
    """Every department has passed: the version goes to the executive in charge (AP-1)."""
    summary = Message("v%(n)s 各部门评审全部通过,待分管领导审批", n=version.number)
    version_status_set(version=version, actor=actor, status=PlanVersion.Status.REVIEWED, summary=summary)
    facts = {"event": event.name, "n": version.number}
    approval_request(
        event=event,
        version=version,
        level=ApprovalLevel.EXECUTIVE,
        message=Message("「%(event)s」的策划方案 v%(n)s 已通过各部门评审,请您(分管领导)审批。", **facts),
        owner_kind="department_review.passed",
        owner_message=Message("「%(event)s」v%(n)s 已通过全部评审,已提交分管领导审批。", **facts),
    )
