"""Department quotas of guests (NT-1: the collaboration letter says what each department brings, e.g.
销售部 20 customers), tracked against the guests each department invites, and the accepted shortfall the
gate of 通知发布 allows.

- One quota per collaborating department and event, with its contact person (``quota_add``,
  ``quota_update``, ``quota_remove``).
- ``quota_status(event)``: per department the quota, the guests it added (not declined or cancelled), how
  many registered, the shortfall, and whether a shortfall was accepted (with the reason). The notices'
  gate reads it: every quota met or its shortfall accepted.
- ``quota_shortfall_accept``: the editors accept a department's shortfall with a reason; changing the
  quota afterwards withdraws the acceptance (it was given for another number).

Writes are for the editors (``Need.EDIT``), lock the event first, then the quota row; an audit row each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as AuditMessage
from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import Department, User
from huodong.core.text import text_clean
from huodong.events.models import Event

from ..models import SEATED, DepartmentQuota, Guest
from ..rules import outreach_event_lock
from .guests import GONE

QUOTA_MAX = 100_000
REASON_MAX = 1000
WHAT = _("部门邀约名额")


@dataclass(frozen=True)
class QuotaStatus:
    quota_id: int
    revision: int
    department: Department
    quota: int
    added: int
    registered: int
    contact: User | None
    accepted: bool
    reason: str
    accepted_by: str
    accepted_at: Any

    @property
    def shortfall(self) -> int:
        return max(0, self.quota - self.added)

    @property
    def met(self) -> bool:
        return self.shortfall == 0

    @property
    def ok(self) -> bool:
        """Met, or the shortfall accepted (the gate of 通知发布)."""
        return self.met or self.accepted

    @property
    def percent(self) -> int:
        return 100 if not self.quota else min(100, self.added * 100 // self.quota)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.quota_id,
            "revision": self.revision,
            "department": self.department.code,
            "department_name": self.department.display_name,
            "quota": self.quota,
            "added": self.added,
            "registered": self.registered,
            "shortfall": self.shortfall,
            "met": self.met,
            "accepted": self.accepted,
            "reason": self.reason,
            "accepted_by": self.accepted_by,
            "accepted_at": self.accepted_at,
            "contact": self.contact.username if self.contact else None,
            "contact_name": self.contact.name if self.contact else None,
        }


def quotas_of(event: Event) -> list[DepartmentQuota]:
    return list(
        DepartmentQuota.objects.filter(event=event).select_related(
            "department", "contact", "shortfall_accepted_by"
        )
    )


def quota_status(event: Event) -> list[QuotaStatus]:
    """Each department's quota against the guests it invited (not declined or cancelled) and registered."""
    counts = {
        row["department_id"]: row
        for row in Guest.objects.filter(event=event, department__isnull=False)
        .values("department_id")
        .annotate(
            added=Count("id", filter=~Q(status__in=GONE)),
            registered=Count("id", filter=Q(status__in=SEATED)),
        )
    }
    out = []
    for q in quotas_of(event):
        c = counts.get(q.department_id, {})
        out.append(
            QuotaStatus(
                quota_id=q.pk,
                revision=q.revision,
                department=q.department,
                quota=q.quota,
                added=c.get("added", 0),
                registered=c.get("registered", 0),
                contact=q.contact,
                accepted=q.shortfall_accepted_at is not None,
                reason=q.shortfall_reason,
                accepted_by=q.shortfall_accepted_by.name if q.shortfall_accepted_by else "",
                accepted_at=q.shortfall_accepted_at,
            )
        )
    return out


def _label(q: DepartmentQuota) -> Any:
    return _("「%(d)s」的邀约名额") % {"d": q.department.display_name}


def _clean(data: dict[str, Any], errors: dict[str, list[Any]]) -> dict[str, Any]:
    quota = data.get("quota")
    if isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= QUOTA_MAX:
        errors["quota"] = [_("名额须为 0 到 %(max)s 之间的整数。") % {"max": f"{QUOTA_MAX:,}"}]
    person = data.get("contact")
    if person is not None and (not isinstance(person, User) or not person.is_active):
        errors["contact"] = [_("对接人须为在职人员。")]
        person = None
    return {"quota": quota, "contact": person}


def _locked(event: Event, quota_id: Any) -> DepartmentQuota:
    try:
        pk = int(quota_id)
    except (TypeError, ValueError):
        pk = 0
    row = (
        DepartmentQuota.objects.select_for_update(of=("self",))
        .select_related("department")
        .filter(pk=pk, event=event)
        .first()
    )
    if row is None:
        raise NotFound(_("邀约名额 %(id)s 不存在。") % {"id": quota_id})
    return row


@transaction.atomic
def quota_add(
    *,
    actor: User | None,
    event: Event | int,
    department: Department | None,
    quota: Any,
    contact: User | None = None,
    system: bool = False,
) -> DepartmentQuota:
    """A collaborating department's quota of guests (one per department and event)."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    errors: dict[str, list[Any]] = {}
    if not isinstance(department, Department) or not department.is_active:
        errors["department"] = [_("请选择启用中的部门。")]
    clean = _clean({"quota": quota, "contact": contact}, errors)
    if not errors and DepartmentQuota.objects.filter(event=locked, department=department).exists():
        errors["department"] = [
            _("「%(d)s」已有邀约名额;请修改已有的那一条。") % {"d": department.display_name}  # type: ignore[union-attr]
        ]
    if errors:
        raise DomainError(errors)
    try:
        with transaction.atomic():
            row = DepartmentQuota.objects.create(event=locked, department=department, **clean)  # type: ignore[misc]
    except IntegrityError:
        raise DomainError({"department": [_("该部门已有邀约名额。")]}) from None
    audit_record(
        actor=actor,
        action="outreach.quota.add",
        target=row,
        event_id=locked.pk,
        summary=AuditMessage(_("设定「%(d)s」邀约名额 %(n)s 人"), d=row.department.name, n=row.quota),
        after=snapshot(row, ["department", "quota", "contact"]),
    )
    return row


@transaction.atomic
def quota_update(
    *,
    actor: User | None,
    event: Event | int,
    quota_id: Any,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> DepartmentQuota:
    """Change the quota or the contact; a new quota withdraws an accepted shortfall."""
    unknown = set(changes) - {"quota", "contact"}
    if unknown:
        raise DomainError({f: [_("该字段不可修改;可修改:quota, contact。")] for f in sorted(unknown)})
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _locked(locked, quota_id)
    revision_require(row, seen, label=_label(row), system=system, fields=("quota", "contact"))
    errors: dict[str, list[Any]] = {}
    clean = _clean({"quota": row.quota, "contact": row.contact, **changes}, errors)
    if errors:
        raise DomainError(errors)
    if clean["quota"] != row.quota and row.shortfall_accepted_at is not None:
        clean.update(shortfall_accepted_at=None, shortfall_accepted_by=None, shortfall_reason="")
    row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="outreach.quota.update",
        label=_label(row),
        event_id=locked.pk,
        system=system,
    )
    return row


@transaction.atomic
def quota_remove(
    *, actor: User | None, event: Event | int, quota_id: Any, seen: int | None, system: bool = False
) -> None:
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _locked(locked, quota_id)
    revision_require(row, seen, label=_label(row), system=system, fields=("quota", "contact"))
    audit_record(
        actor=actor,
        action="outreach.quota.remove",
        target=row,
        event_id=locked.pk,
        before=snapshot(row, ["department", "quota", "contact"]),
    )
    row.delete()


@transaction.atomic
def quota_shortfall_accept(
    *,
    actor: User | None,
    event: Event | int,
    quota_id: Any,
    reason: str,
    revision: int | None,
    system: bool = False,
) -> DepartmentQuota:
    """Accept that a department brings fewer guests than its quota, with the reason (the gate of 通知发布
    then lets it pass)."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _locked(locked, quota_id)
    revision_require(row, revision, label=_label(row), system=system, fields=("shortfall_reason",))
    errors: dict[str, list[Any]] = {}
    text = text_clean(
        reason, field="reason", label=_("缺口说明"), limit=REASON_MAX, errors=errors, required=True
    )
    if errors:
        raise DomainError(errors)
    status = next(s for s in quota_status(locked) if s.quota_id == row.pk)
    if status.met:
        raise DomainError(
            {"__all__": [_("「%(d)s」已达到名额(%(a)s/%(q)s),无需接受缺口。") % {
                "d": row.department.display_name, "a": status.added, "q": status.quota}]}
        )  # fmt: skip
    row_update(
        row,
        changes={
            "shortfall_reason": text,
            "shortfall_accepted_by": actor,
            "shortfall_accepted_at": timezone.now(),
        },
        seen=row.revision,
        actor=actor,
        action="outreach.quota.accept_shortfall",
        label=_label(row),
        event_id=locked.pk,
        summary=AuditMessage(
            _("接受「%(d)s」邀约缺口 %(n)s 人:%(why)s"),
            d=row.department.name,
            n=status.shortfall,
            why=text[:100],
        ),
        system=system,
    )
    return row
