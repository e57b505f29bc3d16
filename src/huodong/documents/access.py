"""Who may read which document of an event, decided by the one access function (``events.access``).

《活动策划方案审批表》 carries review opinions and signatures: it needs ``Need.VIEW_APPROVAL`` (the team,
the reviewers and approvers of the event's plan versions, administrators — the same people who may open
the 评审与审批 page, RV-1/AP-1). The needs report and the plan need ``Need.VIEW``, as their pages do, and
so do the preparation documents (vendor comparison, meeting minutes, materials list, RACI matrix), like
the preparation pages they print.

Every page, API operation and the ``huodong export`` command load the event through ``document_event``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.errors import NotFound
from huodong.core.models import User
from huodong.events.access import Need, can, event_for
from huodong.events.models import Event

# The document slugs that need more than ``Need.VIEW``, and what they need.
DOCUMENT_NEEDS: dict[str, Need] = {"approval-form": Need.VIEW_APPROVAL}
APPROVAL_FORM_REFUSAL = _("审批表含各部门评审意见与领导签字,仅活动团队、评审人、审批人和管理员可查看。")


def document_need(doc: str) -> Need:
    return DOCUMENT_NEEDS.get(doc, Need.VIEW)


def document_event(user: User | None, event_id: Any, doc: str | None = None) -> Event:
    """The event whose document ``user`` asks for, with the right to read ``doc`` checked (404, 403)."""
    need = document_need(doc) if doc is not None else Need.VIEW
    try:
        return event_for(
            user, event_id, need, message=APPROVAL_FORM_REFUSAL if need == Need.VIEW_APPROVAL else None
        )
    except NotFound as exc:
        raise NotFound({"event_id": [_("活动不存在。")]}) from exc


def document_readable(user: User | None, event: Event, doc: str) -> bool:
    """May ``user`` read ``doc`` of ``event`` (to list only the documents a person may open)?"""
    return can(user, event, document_need(doc))
