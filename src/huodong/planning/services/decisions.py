"""What a department's review decision (RV-1) and an approver's signature (AP-1) have in common.

Both take their locks in the order of ``core.concurrency`` — the event row (through
``events.access.event_for``, which also checks the person may read the approval), then the plan, then the
version, then its reviews or signatures by id — and only then read what they decide on, so a plan edit,
a submission or a lifecycle move cannot interleave. Both refuse the owner of the event and the person
who submitted the version (separation of duties) and a version whose content no longer matches the plan.
A rejection, by a reviewer or an approver, closes the version, sends the event back to 方案设计 with the
opinions (a *restricted* reason: only people who may read the approval see it in the history) and tells
the owner; a pass hands the version to the next approval level. Every notice links to the approval page.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message
from huodong.core.errors import Conflict, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.services import notify
from huodong.events.access import Need, event_for
from huodong.events.lifecycle import event_move_back
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import Plan, PlanVersion
from ..selectors_approval import LEVEL_ROLE, people_with_role
from ..versioning import plan_content_hash, version_status_set

STALE_MESSAGE = _("方案已修改,请查看新版本。")


class SeparationOfDuties(NotAllowed):
    """The owner of an event and the submitter of a version may not review or sign it (RV-1, AP-1)."""

    code = "separation_of_duties"


def approval_url(event: Event) -> str:
    """The review and approval page of ``event``: where every notice of a decision points."""
    return reverse("planning:approval", kwargs={"event_id": event.pk})


def decision_lock(*, actor: User | None, event_id: int) -> tuple[Event, Plan]:
    """Steps 1 and 2 of the lock order for a decision on ``event_id``'s plan: the event row (the actor
    must be allowed to read the approval), then its plan. The caller locks the version next."""
    event = event_for(actor, event_id, Need.VIEW_APPROVAL, lock=True)
    plan = Plan.objects.select_for_update().filter(event=event).first()
    if plan is None:
        raise NotFound(_("该活动尚未编写策划方案。"))
    return event, plan


def version_lock(*, plan: Plan, version_id: int) -> PlanVersion:
    """Step 3 of the lock order: the version, re-read under its lock (never a copy read before)."""
    version = PlanVersion.objects.select_for_update().filter(pk=version_id, plan=plan).first()
    if version is None:
        raise NotFound(_("方案版本不存在。"))
    return version


# Separation of duties, said for each act (RV-1 review, AP-1 signature): owner, then submitter.
DUTY_REFUSALS: dict[str, tuple[Any, Any]] = {
    "review": (
        _("您是本活动的负责人,不能评审本活动的方案(职责分离:负责人和提交人不能评审或签字)。"),
        _("方案 v%(n)s 由您提交,不能评审自己提交的版本(职责分离:负责人和提交人不能评审或签字)。"),
    ),
    "sign": (
        _("您是本活动的负责人,不能审批签字本活动的方案(职责分离:负责人和提交人不能评审或签字)。"),
        _("方案 v%(n)s 由您提交,不能审批签字自己提交的版本(职责分离:负责人和提交人不能评审或签字)。"),
    ),
}


def duties_require_separate(*, actor: User, event: Event, version: PlanVersion, act: str) -> None:
    """Refuse the event's owner and the version's submitter (separation of duties, RV-1/AP-1).

    ``act`` is ``"review"`` (a department's decision) or ``"sign"`` (an approver's signature).
    """
    as_owner, as_submitter = DUTY_REFUSALS[act]
    if event.owner_id is not None and event.owner_id == actor.pk:
        raise SeparationOfDuties(as_owner)
    if version.submitted_by_id is not None and version.submitted_by_id == actor.pk:
        raise SeparationOfDuties(as_submitter % {"n": version.number})


def version_require_current(*, event: Event, version: PlanVersion) -> None:
    """Refuse a decision on ``version`` once the plan no longer matches it (AP-1)."""
    if plan_content_hash(event) != version.content_hash:
        raise Conflict(STALE_MESSAGE)


def approval_page_notify(*, event: Event, recipients: list[User], kind: str, message: str) -> None:
    """Tell ``recipients`` about ``event``'s plan under review or approval, linking to the approval page."""
    notify(recipients=recipients, kind=kind, message=message, url=approval_url(event), event_id=event.pk)


def approval_request(
    *, event: Event, version: PlanVersion, level: str, message: str, owner_kind: str, owner_message: str
) -> None:
    """Ask whoever signs at ``level`` to approve, and tell the owner where the plan stands (AP-1).

    The owner and the submitter are not asked to sign, even when they hold the approver's role.
    """
    barred = {event.owner_id, version.submitted_by_id}
    signers = [p for p in people_with_role(LEVEL_ROLE[level]) if p.pk not in barred]
    approval_page_notify(event=event, recipients=signers, kind="approval.requested", message=message)
    approval_page_notify(event=event, recipients=[event.owner], kind=owner_kind, message=owner_message)


def version_reject(
    *,
    version: PlanVersion,
    event: Event,
    actor: User,
    reason: str,
    kind: str,
    also_notify: list[User] | None = None,
) -> None:
    """Close ``version`` as rejected and send the event back to 方案设计 with ``reason`` (RV-1, AP-1).

    The reason quotes opinions, so the move back is *restricted*: the history shows it only to people
    who may read the approval. The owner is told, and ``also_notify`` (e.g. the approvers who signed
    before) with them.
    """
    version_status_set(version=version, actor=actor, status=PlanVersion.Status.REJECTED, summary=reason)
    event_move_back(event=event, actor=actor, to_step=Step.PLAN, reason=reason, system=True, restricted=True)
    approval_page_notify(
        event=event,
        recipients=[event.owner, *(also_notify or [])],
        kind=kind,
        message=Message(
            "「%(event)s」的方案被驳回,已退回方案设计。%(reason)s", event=event.name, reason=reason
        ),
    )
