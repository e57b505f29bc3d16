"""The risk register of the plan (DOC-2 风险预案; the on-site incident log, EX-5, reads it).

Each risk has likelihood and impact (low/medium/high), an owner, a response plan and a backup resource
(e.g. a backup projector, a backup host). The gate of 方案设计 requires an owner and a response on each.
Every write locks first (``plan.plan_lock``) and an update or removal says which revision it saw. The
row is named by ``risk_id``: its text is the field ``risk``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.services import owner_check
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.planning.models import Risk

from .plan import next_position, plan_lock, row_locked, touch, unknown_fields

RISK_FIELDS = ("risk", "likelihood", "impact", "owner", "response", "backup_resource")
WHAT = _("风险预案")


def _level(value: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if value not in Risk.Level.values:
        allowed = "、".join(f"{v}({label_})" for v, label_ in Risk.Level.choices)
        errors[field] = [_("%(label)s须为以下之一:%(allowed)s。") % {"label": label, "allowed": allowed}]
    return value


def _validate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {
        "risk": text_clean(
            data.get("risk"),
            field="risk",
            label=_("风险"),
            limit=300,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "likelihood": _level(data.get("likelihood"), field="likelihood", label=_("可能性"), errors=errors),
        "impact": _level(data.get("impact"), field="impact", label=_("影响"), errors=errors),
        "owner": owner_check(data.get("owner"), field="owner", errors=errors),
        "response": text_clean(
            data.get("response"), field="response", label=_("应对预案"), limit=5000, errors=errors
        ),
        "backup_resource": text_clean(
            data.get("backup_resource"),
            field="backup_resource",
            label=_("备用资源"),
            limit=300,
            errors=errors,
            multiline=False,
        ),
    }
    return clean, errors


def risk_get(*, event: Event, risk_id: int) -> Risk:
    risk = Risk.objects.filter(pk=risk_id, plan__event=event).select_related("plan").first()
    if risk is None:
        raise NotFound(_missing(risk_id))
    return risk


def _missing(risk_id: int) -> Any:
    return _("风险预案 %(id)s 不存在。") % {"id": risk_id}


def _label(row: Risk) -> Any:
    return _("风险预案「%(r)s」") % {"r": row.risk}


@transaction.atomic
def risk_add(
    *,
    actor: User | None,
    event: Event | int,
    risk: str,
    likelihood: str = Risk.Level.MEDIUM,
    impact: str = Risk.Level.MEDIUM,
    owner: User | None = None,
    response: str = "",
    backup_resource: str = "",
    system: bool = False,
) -> Risk:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    clean, errors = _validate(
        dict(
            risk=risk,
            likelihood=likelihood,
            impact=impact,
            owner=owner,
            response=response,
            backup_resource=backup_resource,
        )
    )
    if errors:
        raise DomainError(errors)
    row = Risk.objects.create(plan=plan, position=next_position(plan.risks), **clean)
    audit_record(actor=actor, action="plan.risk.add", target=row, event_id=locked.pk, after=snapshot(row))
    touch(event=locked, actor=actor, what="risk")
    return row


@transaction.atomic
def risk_update(
    *,
    actor: User | None,
    event: Event | int,
    risk_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Risk:
    """Change some fields (``risk`` is the text) of the risk ``risk_id`` seen at revision ``seen``."""
    unknown_fields(changes, RISK_FIELDS)
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    row = row_locked(Risk, plan=plan, pk=risk_id, missing=_missing(risk_id))
    revision_require(row, seen, label=_label(row), system=system, fields=RISK_FIELDS)
    data = {f: getattr(row, f) for f in RISK_FIELDS}
    data.update(changes)
    clean, errors = _validate(data)
    if errors:
        raise DomainError(errors)
    written = row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="plan.risk.update",
        label=_label(row),
        event_id=locked.pk,
    )
    if written:
        touch(event=locked, actor=actor, what="risk")
    return row


@transaction.atomic
def risk_remove(
    *, actor: User | None, event: Event | int, risk_id: int, seen: int | None, system: bool = False
) -> None:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    row = row_locked(Risk, plan=plan, pk=risk_id, missing=_missing(risk_id))
    revision_require(row, seen, label=_label(row), system=system, fields=RISK_FIELDS)
    audit_record(actor=actor, action="plan.risk.remove", target=row, event_id=locked.pk, before=snapshot(row))
    row.delete()
    touch(event=locked, actor=actor, what="risk")
