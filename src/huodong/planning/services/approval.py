"""Signed approval of a reviewed plan version (AP-1): the executive in charge, then the general manager.

A signature records who, when, the comment and the content hash the approver saw. It is refused when
it is out of order, by the wrong role, by the owner of the event or the submitter of the version
(separation of duties), a second time, on a version not (or no longer) reviewed, or on a stale version
(the hash the approver saw differs from the version's or from the plan as it is now).

Locks (``core.concurrency``): the event row first, then the plan, the version and its signatures, so a
plan edit or a submission racing a signature waits for it instead of deadlocking.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.errors import Conflict, DomainError, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import APPROVAL_ORDER, ApprovalLevel, PlanVersion, Signature
from ..selectors_approval import ROLE_LEVEL
from ..versioning import version_status_set
from .decisions import (
    STALE_MESSAGE,
    approval_page_notify,
    approval_request,
    decision_lock,
    duties_require_separate,
    version_lock,
    version_reject,
    version_require_current,
)

COMMENT_MAX_LENGTH = 2000


@transaction.atomic
def approval_sign(
    *, version: PlanVersion, actor: User, decision: str, comment: str = "", content_hash: str
) -> Signature:
    """Sign ``version`` at the actor's level (AP-1). ``content_hash`` is the hash of what the approver saw."""
    event_id = PlanVersion.objects.filter(pk=version.pk).values_list("plan__event_id", flat=True).first()
    if event_id is None:
        raise NotFound(_("方案版本不存在。"))
    event, plan = decision_lock(actor=actor, event_id=event_id)
    version = version_lock(plan=plan, version_id=version.pk)
    level = _signer_level(actor)
    duties_require_separate(actor=actor, event=event, version=version, act="sign")
    live = {
        s.level: s
        for s in Signature.objects.select_for_update(of=("self",))
        .filter(version=version, voided_at__isnull=True)
        .select_related("approver")
        .order_by("id")
    }
    _require_signable(version, event, level, live)
    _require_turn(event, level, live)
    if not isinstance(content_hash, str) or content_hash.strip().lower() != version.content_hash:
        raise Conflict(STALE_MESSAGE)
    version_require_current(event=event, version=version)
    comment = _comment_clean(decision, comment)
    signature = _signature_record(
        version=version, level=level, actor=actor, decision=decision, comment=comment, event=event
    )
    _signature_announce(signature=signature, event=event, earlier=list(live.values()))
    return signature


def _signer_level(actor: User) -> str:
    """The approval level the actor signs at; only the executive in charge and the general manager sign."""
    level = ROLE_LEVEL.get(getattr(actor, "role", ""))
    if actor is None or not actor.is_authenticated or level is None:
        raise NotAllowed(_("只有分管领导或总经理可以审批签字。"))
    return level


def _require_signable(version: PlanVersion, event: Event, level: str, live: dict[str, Signature]) -> None:
    """Not yet signed at this level, and the version is the current, fully reviewed one."""
    if level in live:
        mine = live[level]
        raise Conflict(
            _("v%(n)s 的「%(level)s」已由 %(who)s 于 %(at)s 签字(%(decision)s),不能重复签字。")
            % {
                "n": version.number,
                "level": ApprovalLevel(level).label,
                "who": mine.approver.name,
                "at": timezone.localtime(mine.signed_at, event.tz).strftime("%Y-%m-%d %H:%M"),
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


def _require_turn(event: Event, level: str, live: dict[str, Signature]) -> None:
    """The event is at 审批定稿 and every earlier level has approved (AP-1)."""
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
    for earlier in APPROVAL_ORDER[: APPROVAL_ORDER.index(level)]:
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


def _comment_clean(decision: Any, comment: Any) -> str:
    """The cleaned comment (``core.text``); refuses an unknown decision, a rejection without a comment, and
    a comment that is over-long or holds NUL, control characters or a lone surrogate."""
    errors: dict[str, list[Any]] = {}
    comment = text_clean(
        comment, field="comment", label=_("审批意见"), limit=COMMENT_MAX_LENGTH, errors=errors
    )
    if not isinstance(decision, str) or decision not in Signature.Decision.values:
        errors["decision"] = [_("请选择「批准」或「驳回」。")]
    elif decision == Signature.Decision.REJECT and not comment and "comment" not in errors:
        errors["comment"] = [_("驳回须填写意见,说明需要修改什么。")]
    if errors:
        raise DomainError(errors)
    return comment


def _signature_record(
    *, version: PlanVersion, level: str, actor: User, decision: str, comment: str, event: Event
) -> Signature:
    """Write the signature with the hash the approver saw; a concurrent signature at the level is refused."""
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
    summary = Message(
        "%(level)s %(who)s %(decision)s v%(n)s",
        level=ApprovalLevel(level).label,
        who=actor.name,
        decision=Signature.Decision(signature.decision).label,
        n=version.number,
    )
    audit_record(
        actor=actor,
        action="approval.sign",
        target=signature,
        event_id=event.pk,
        summary=summary,
        after=snapshot(signature),
    )
    return signature


def _signature_announce(*, signature: Signature, event: Event, earlier: list[Signature]) -> None:
    """A rejection sends the plan back; an approval passes the version to the next level or, at the
    last level, approves it."""
    version, actor = signature.version, signature.approver
    level_label = ApprovalLevel(signature.level).label
    if signature.decision == Signature.Decision.REJECT:
        reason = Message(
            "%(level)s驳回 v%(n)s(%(who)s):%(comment)s",
            level=level_label,
            n=version.number,
            who=actor.name,
            comment=signature.comment,
        )
        version_reject(
            version=version,
            event=event,
            actor=actor,
            reason=reason,
            kind="approval.rejected",
            also_notify=[s.approver for s in earlier],
        )
        return
    index = APPROVAL_ORDER.index(signature.level)
    if index + 1 < len(APPROVAL_ORDER):
        _approval_pass_on(signature=signature, event=event, following=APPROVAL_ORDER[index + 1])
    else:
        _version_approve(version=version, event=event, actor=actor)


def _approval_pass_on(*, signature: Signature, event: Event, following: str) -> None:
    """Ask the next level to sign and tell the owner how far the approval has come (AP-1)."""
    level_label = ApprovalLevel(signature.level).label
    facts = {"event": event.name, "n": signature.version.number, "level": level_label}
    approval_request(
        event=event,
        version=signature.version,
        level=following,
        message=Message(
            "「%(event)s」的策划方案 v%(n)s 已由%(level)s批准,请您(%(next)s)审批。",
            **facts,
            next=ApprovalLevel(following).label,
        ),
        owner_kind="approval.progress",
        owner_message=Message(
            "%(level)s %(who)s 已批准「%(event)s」v%(n)s。%(comment)s",
            **facts,
            who=signature.approver.name,
            comment=signature.comment,
        ),
    )


def _version_approve(*, version: PlanVersion, event: Event, actor: User) -> None:
    """The last level has approved: the version is the approved plan (AP-1)."""
    version_status_set(
        version=version,
        actor=actor,
        status=PlanVersion.Status.APPROVED,
        summary=Message("v%(n)s 审批定稿", n=version.number),
        after={"status": PlanVersion.Status.APPROVED, "content_hash": version.content_hash},
    )
    approval_page_notify(
        event=event,
        recipients=[event.owner],
        kind="approval.approved",
        message=Message(
            "「%(event)s」的策划方案 v%(n)s 已由总经理批准,审批定稿。可推进到资源协调。",
            event=event.name,
            n=version.number,
        ),
    )
