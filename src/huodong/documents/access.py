"""Who may read which document: the approval form carries review opinions and signatures (RV-1, AP-1).

The same people who may open the 评审与审批 page may read 《活动策划方案审批表》; the needs report and
the plan are open to every signed-in colleague, as their pages are.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huodong.core.errors import NotAllowed
from huodong.core.models import User
from huodong.events.models import Event
from huodong.planning.selectors_approval import can_view_approval

RESTRICTED_DOCUMENTS = {"approval-form": can_view_approval}


def document_require_access(*, user: User, event: Event, doc: str) -> None:
    check = RESTRICTED_DOCUMENTS.get(doc)
    if check is not None and not check(user, event):
        raise NotAllowed(_("审批表含各部门评审意见与领导签字,仅活动团队、评审人、审批人和管理员可查看。"))
