"""The risk register of the plan (DOC-2 风险预案; the on-site incident log, EX-5, reads it).

Each risk has likelihood and impact (low/medium/high), an owner, a response plan and a backup resource
(e.g. a backup projector, a backup host). The gate of 方案设计 requires an owner and a response on each.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.models import Event
from huodong.planning.models import Risk

from .plan import owner_check, plan_get_or_create, require_plan_editor, text_check, touch

RISK_FIELDS = ("risk", "likelihood", "impact", "owner", "response", "backup_resource")


def _level(value: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> str:
    value = str(value or "").strip()
    if value not in Risk.Level.values:
        allowed = "、".join(f"{v}({label_})" for v, label_ in Risk.Level.choices)
        errors[field] = [_("%(label)s须为以下之一:%(allowed)s。") % {"label": label, "allowed": allowed}]
    return value


def _validate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {
        "risk": text_check(
            data.get("risk"), field="risk", label=_("风险"), limit=300, required=True, errors=errors
        ),
        "likelihood": _level(data.get("likelihood"), field="likelihood", label=_("可能性"), errors=errors),
        "impact": _level(data.get("impact"), field="impact", label=_("影响"), errors=errors),
        "owner": owner_check(data.get("owner"), field="owner", errors=errors),
        "response": text_check(
            data.get("response"),
            field="response",
            label=_("应对预案"),
            limit=5000,
            required=False,
            errors=errors,
        ),
        "backup_resource": text_check(
            data.get("backup_resource"),
            field="backup_resource",
            label=_("备用资源"),
            limit=300,
            required=False,
            errors=errors,
        ),
    }
    return clean, errors


def risk_get(*, event: Event, risk_id: int) -> Risk:
    risk = Risk.objects.filter(pk=risk_id, plan__event=event).select_related("plan").first()
    if risk is None:
        raise NotFound(_("风险预案 %(id)s 不存在。") % {"id": risk_id})
    return risk


@transaction.atomic
def risk_add(
    *,
    actor: User | None,
    event: Event,
    risk: str,
    likelihood: str = Risk.Level.MEDIUM,
    impact: str = Risk.Level.MEDIUM,
    owner: User | None = None,
    response: str = "",
    backup_resource: str = "",
    system: bool = False,
) -> Risk:
    require_plan_editor(actor=actor, event=event, system=system)
    plan = plan_get_or_create(event=event, actor=actor, system=True)
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
    last = plan.risks.order_by("-position").values_list("position", flat=True).first() or 0
    row = Risk.objects.create(plan=plan, position=last + 1, **clean)
    audit_record(actor=actor, action="plan.risk.add", target=row, event_id=event.pk, after=snapshot(row))
    touch(event=event, actor=actor, what="risk")
    return row


@transaction.atomic
def risk_update(*, actor: User | None, risk: Risk, system: bool = False, **changes: Any) -> Risk:
    event = risk.plan.event
    require_plan_editor(actor=actor, event=event, system=system)
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise DomainError({f: [_("该字段不可修改。")] for f in sorted(unknown)})
    data = {f: getattr(risk, f) for f in RISK_FIELDS}
    data.update(changes)
    clean, errors = _validate(data)
    if errors:
        raise DomainError(errors)
    before = snapshot(risk)
    for k, v in clean.items():
        setattr(risk, k, v)
    risk.save()
    audit_record(
        actor=actor,
        action="plan.risk.update",
        target=risk,
        event_id=event.pk,
        before=before,
        after=snapshot(risk),
    )
    touch(event=event, actor=actor, what="risk")
    return risk


@transaction.atomic
def risk_remove(*, actor: User | None, risk: Risk, system: bool = False) -> None:
    event = risk.plan.event
    require_plan_editor(actor=actor, event=event, system=system)
    audit_record(
        actor=actor, action="plan.risk.remove", target=risk, event_id=event.pk, before=snapshot(risk)
    )
    risk.delete()
    touch(event=event, actor=actor, what="risk")
