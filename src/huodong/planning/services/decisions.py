"""What a department's review decision (RV-1) and an approver's signature (AP-1) have in common.

Both lock the event and refuse a version whose content no longer matches the plan. A rejection, by a
reviewer or an approver, closes the version, sends the event back to 方案设计 with the opinions and
tells the owner; a pass hands the version to the next approval level. Every notice they send links to
the review and approval page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import Conflict
from huodong.core.models import User
from huodong.core.services import notify
from huodong.events.lifecycle import event_move_back
from huodong.events.models import Event
from huodong.events.steps import Step

from ..models import PlanVersion
from ..selectors_approval import LEVEL_ROLE, people_with_role
from ..versioning import plan_content_hash, version_status_set

STALE_MESSAGE = _("方案已修改,请查看新版本。")


def approval_url(event: Event) -> str:
    """The review and approval page of ``event``: where every notice of a decision points."""
    return reverse("planning:approval", kwargs={"event_id": event.pk})


def event_lock(event_id: int) -> Event:
    """The event, locked for the rest of the transaction, with its owner."""
    return Event.objects.select_for_update().select_related("owner").get(pk=event_id)


def version_require_current(*, event: Event, version: PlanVersion) -> None:
    """Refuse a decision on ``version`` once the plan no longer matches it (AP-1)."""
    if plan_content_hash(event) != version.content_hash:
        raise Conflict(STALE_MESSAGE)


def approval_page_notify(*, event: Event, recipients: list[User], kind: str, message: str) -> None:
    """Tell ``recipients`` about ``event``'s plan under review or approval, linking to the approval page."""
    notify(recipients=recipients, kind=kind, message=message, url=approval_url(event), event_id=event.pk)


def approval_request(*, event: Event, level: str, message: str, owner_kind: str, owner_message: str) -> None:
    """Ask whoever signs at ``level`` to approve, and tell the owner where the plan stands (AP-1)."""
    approval_page_notify(
        event=event,
        recipients=people_with_role(LEVEL_ROLE[level]),
        kind="approval.requested",
        message=message,
    )
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

    The owner is told, and ``also_notify`` (e.g. the approvers who signed before) with them.
    """
    version_status_set(version=version, actor=actor, status=PlanVersion.Status.REJECTED, summary=reason)
    event_move_back(event=event, actor=actor, to_step=Step.PLAN, reason=reason, system=True)
    approval_page_notify(
        event=event,
        recipients=[event.owner, *(also_notify or [])],
        kind=kind,
        message=gettext("「%(event)s」的方案被驳回,已退回方案设计。%(reason)s")
        % {"event": event.name, "reason": reason},
    )
