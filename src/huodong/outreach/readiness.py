"""The criteria of the gate of 通知发布 (NT-1, NT-2) as data, for the gate, the notices page and the API.

1. Every collaborating department has its 《活动协作函》 delivered (all its messages sent) or a failed
   delivery acknowledged with a reason (NT-1).
2. The invitations are out: at least one invitation message sent, or none needed because every guest on
   the list has registered (NT-2).
3. Registration is open.
4. The guest list meets every department's quota, or the shortfall is accepted with a reason.

Each criterion that is not met says what is missing, naming the departments, in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion
from huodong.events.models import Event

from .models import SEATED, Guest, GuestStatus, Message, MessageKind, RegistrationSettings
from .services.letters import LetterRow, letters_overview
from .services.quotas import QuotaStatus, quota_status

# Where each criterion is fixed (url names taking ``event_id``).
FIX_PAGES: dict[str, str] = {
    "outreach.letters": "outreach:notices",
    "outreach.invitations": "outreach:notices",
    "outreach.registration_open": "outreach:registration",
    "outreach.quotas": "outreach:guests",
}


def _names(items: list[str]) -> str:
    return "、".join(items)


def letters_criterion(rows: list[LetterRow]) -> Criterion:
    label = _("每个协作部门的活动协作函已送达(或已确认送达失败并说明原因)")
    if not rows:
        return Criterion(
            "outreach.letters",
            label,
            met=False,
            detail=_("尚无协作部门:请在 RACI 矩阵中为各部门人员分配任务,或设定部门邀约名额。"),
        )
    missing = [
        _("%(d)s(%(s)s)") % {"d": r.content.department.display_name, "s": r.state_label}
        for r in rows
        if not r.done
    ]
    return Criterion(
        "outreach.letters",
        label,
        met=not missing,
        detail=_("尚未送达:%(list)s") % {"list": _names([str(m) for m in missing])} if missing else "",
    )


def invitations_criterion(event: Event) -> Criterion:
    label = _("邀请函已发出")
    sent = Message.objects.filter(
        event=event, kind=MessageKind.INVITATION, status=Message.Status.SENT
    ).exists()
    if sent:
        return Criterion("outreach.invitations", label, met=True)
    guests = Guest.objects.filter(event=event)
    total = guests.count()
    if total == 0:
        return Criterion("outreach.invitations", label, met=False, detail=_("嘉宾名单为空,尚未发送邀请函。"))
    waiting = guests.filter(status=GuestStatus.INVITED).count()
    if waiting == 0 and guests.filter(status__in=SEATED).exists():
        return Criterion("outreach.invitations", label, met=True)  # every guest has registered already
    queued = Message.objects.filter(event=event, kind=MessageKind.INVITATION).exclude(
        status__in=(Message.Status.CANCELLED, Message.Status.SUPPRESSED)
    )
    if queued.exists():
        detail = _("邀请函已排队,但还没有一封发送成功(%(n)s 位嘉宾待邀请)。") % {"n": waiting}
    else:
        detail = _("还没有发送邀请函(%(n)s 位嘉宾待邀请)。") % {"n": waiting}
    return Criterion("outreach.invitations", label, met=False, detail=detail)


def registration_criterion(event: Event) -> Criterion:
    settings = RegistrationSettings.objects.filter(event=event).first()
    is_open = bool(settings and settings.is_open)
    return Criterion(
        "outreach.registration_open",
        _("报名已开放"),
        met=is_open,
        detail="" if is_open else _("报名尚未开放:请在「报名」页开放报名。"),
    )


def quotas_criterion(statuses: list[QuotaStatus]) -> Criterion:
    short = [
        _("%(d)s 缺 %(n)s 人(%(a)s/%(q)s)")
        % {"d": s.department.display_name, "n": s.shortfall, "a": s.added, "q": s.quota}
        for s in statuses
        if not s.ok
    ]
    return Criterion(
        "outreach.quotas",
        _("嘉宾名单达到各部门邀约名额(或已接受缺口并说明原因)"),
        met=not short,
        detail=_("未达名额且未接受缺口:%(list)s") % {"list": _names([str(m) for m in short])}
        if short
        else "",
    )


def notification_criteria(event: Event, *, letters: list[LetterRow] | None = None) -> list[Criterion]:
    """Every criterion of the gate of 通知发布, met or not."""
    rows = letters if letters is not None else letters_overview(event)
    return [
        letters_criterion(rows),
        invitations_criterion(event),
        registration_criterion(event),
        quotas_criterion(quota_status(event)),
    ]


def criteria_dicts(criteria: list[Criterion]) -> list[dict[str, Any]]:
    return [{**c.as_dict(), "fix": FIX_PAGES.get(c.code, "")} for c in criteria]
