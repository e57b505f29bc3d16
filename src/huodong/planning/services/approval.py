"""Signed approval of a reviewed plan version (AP-1): the executive in charge, then the general manager.

A signature records who, when, the comment and the content hash the approver saw. It is refused when
it is out of order, by the wrong role, a second time, on a version not (or no longer) reviewed, or on
a stale version (the hash the approver saw differs from the version's or from the plan as it is now).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.core.models import Role, User
from huodong.core.services import notify
from huodong.events.lifecycle import event_move_back
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import APPROVAL_ORDER, ApprovalLevel, PlanVersion, Signature
from ..selectors_review import ROLE_LEVEL, people_with_role
from ..versioning import plan_content_hash
from .review import approval_url

COMMENT_MAX_LENGTH = 2000
STALE_MESSAGE = _("方案已修改,请查看新版本。")


@transaction.atomic
def approval_sign(
    *, version: PlanVersion, actor: User, decision: str, comment: str = "", content_hash: str
) -> Signature:
    """Sign ``version`` at the actor's level (AP-1). ``content_hash`` is the hash of what the approver saw."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    level = ROLE_LEVEL.get(getattr(actor, "role", ""))
    if actor is None or not actor.is_authenticated or level is None:
        raise NotAllowed(_("只有分管领导或总经理可以审批签字。"))
    live = {s.level: s for s in version.signatures.filter(voided_at__isnull=True).select_related("approver")}
    if level in live:
        mine = live[level]
        raise Conflict(
            _("v%(n)s 的「%(level)s」已由 %(who)s 于 %(at)s 签字(%(decision)s),不能重复签字。")
            % {
                "n": version.number,
                "level": ApprovalLevel(level).label,
                "who": mine.approver.name,
                "at": timezone.localtime(mine.signed_at, version.plan.event.tz).strftime("%Y-%m-%d %H:%M"),
                "decision": mine.get_decision_display(),
            }
        )
    if version.status == PlanVersion.Status.SUPERSEDED:
        raise Conflict(STALE_MESSAGE)
    if version.status != PlanVersion.Status.REVIEWED:
        raise Conflict(
            _("方案 v%(n)s 当前为「%(status)s」,只有各部门评审全部通过的版本才能审批。")
            % {"n": version.number, "status": version.get_status_display()}
        )
    event = Event.objects.select_for_update().select_related("owner").get(pk=version.plan.event_id)
    if event.step != Step.APPROVAL:
        raise DomainError(
            {
                "__all__": [
                    _("活动当前处于「%(step)s」,不在「审批定稿」步骤,不能签字。")
                    % {"step": Step(event.step).label}
                ]
            },
            code="wrong_step",
        )
    index = APPROVAL_ORDER.index(level)
    for earlier in APPROVAL_ORDER[:index]:
        sig = live.get(earlier)
        if sig is None or sig.decision != Signature.Decision.APPROVE:
            raise DomainError(
                {
                    "__all__": [
                        _("须先由「%(earlier)s」批准,才轮到「%(level)s」审批。")
                        % {
                            "earlier": ApprovalLevel(earlier).label,
                            "level": ApprovalLevel(level).label,
                        }
                    ]
                },
                code="out_of_order",
            )
    seen = (content_hash or "").strip().lower()
    if seen != version.content_hash or plan_content_hash(event) != version.content_hash:
        raise Conflict(STALE_MESSAGE)
    comment = (comment or "").strip()
    errors: dict[str, list[Any]] = {}
    if decision not in Signature.Decision.values:
        errors["decision"] = [_("请选择「批准」或「驳回」。")]
    if decision == Signature.Decision.REJECT and not comment:
        errors["comment"] = [_("驳回须填写意见,说明需要修改什么。")]
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [_("意见最多 %(n)s 个字。") % {"n": COMMENT_MAX_LENGTH}]
    if errors:
        raise DomainError(errors)
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version,
                level=level,
                approver=actor,
                decision=decision,
                comment=comment,
                content_hash=version.content_hash,
                signed_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict(_("该层级刚刚已有人签字,请刷新后查看。")) from exc
    level_label = ApprovalLevel(level).label
    audit_record(
        actor=actor,
        action="approval.sign",
        target=signature,
        event_id=event.pk,
        summary=gettext("%(level)s %(who)s %(decision)s v%(n)s")
        % {
            "level": level_label,
            "who": actor.name,
            "decision": signature.get_decision_display(),
            "n": version.number,
        },
        after=snapshot(signature),
    )
    url = approval_url(event)
    if decision == Signature.Decision.REJECT:
        version.status = PlanVersion.Status.REJECTED
        version.closed_at = timezone.now()
        version.save(update_fields=["status", "closed_at"])
        reason = gettext("%(level)s驳回 v%(n)s(%(who)s):%(comment)s") % {
            "level": level_label,
            "n": version.number,
            "who": actor.name,
            "comment": comment,
        }
        audit_record(
            actor=actor,
            action="plan_version.reject",
            target=version,
            event_id=event.pk,
            summary=reason,
            before={"status": PlanVersion.Status.REVIEWED},
            after={"status": version.status},
        )
        event_move_back(event=event, actor=actor, to_step=Step.PLAN, reason=reason, system=True)
        earlier_signers = [s.approver for s in live.values()]
        notify(
            recipients=[event.owner, *earlier_signers],
            kind="approval.rejected",
            message=gettext("「%(event)s」的方案被驳回,已退回方案设计。%(reason)s")
            % {"event": event.name, "reason": reason},
            url=url,
            event_id=event.pk,
        )
        return signature
    if index + 1 < len(APPROVAL_ORDER):
        following = APPROVAL_ORDER[index + 1]
        role = Role.APPROVER_GM if following == ApprovalLevel.GENERAL_MANAGER else Role.APPROVER_EXEC
        notify(
            recipients=people_with_role(role),
            kind="approval.requested",
            message=gettext("「%(event)s」的策划方案 v%(n)s 已由%(level)s批准,请您(%(next)s)审批。")
            % {
                "event": event.name,
                "n": version.number,
                "level": level_label,
                "next": ApprovalLevel(following).label,
            },
            url=url,
            event_id=event.pk,
        )
        notify(
            recipients=[event.owner],
            kind="approval.progress",
            message=gettext("%(level)s %(who)s 已批准「%(event)s」v%(n)s。%(comment)s")
            % {
                "level": level_label,
                "who": actor.name,
                "event": event.name,
                "n": version.number,
                "comment": comment,
            },
            url=url,
            event_id=event.pk,
        )
        return signature
    version.status = PlanVersion.Status.APPROVED
    version.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="plan_version.approve",
        target=version,
        event_id=event.pk,
        summary=gettext("v%(n)s 审批定稿") % {"n": version.number},
        before={"status": PlanVersion.Status.REVIEWED},
        after={"status": version.status, "content_hash": version.content_hash},
    )
    notify(
        recipients=[event.owner],
        kind="approval.approved",
        message=gettext("「%(event)s」的策划方案 v%(n)s 已由总经理批准,审批定稿。可推进到资源协调。")
        % {"event": event.name, "n": version.number},
        url=url,
        event_id=event.pk,
    )
    return signature
