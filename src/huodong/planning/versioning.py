"""Plan versions: the canonical snapshot of a plan, its content hash, the diff of two versions, and what
an edit does to a version under review or approval (RV-1, AP-1, DOC-2).

The snapshot is everything 《活动策划方案》 contains (DOC-2): the event's facts, the plan's own fields,
goals, run of show, budget, risks and attachments. It is JSON-ready and stable: rows in their display
order, Decimals as strings with two places, times as ISO 8601 in the event's time zone, people by
username, no database ids (a row deleted and re-created unchanged does not change the hash).

``plan_touch`` is called after every change to plan content. When the plan no longer matches the
version that is in review, reviewed or approved, that version is superseded: its pending reviews can
no longer be decided and its signatures are voided ("方案在签字后被修改"). The edit itself is never
refused here. The superseded version keeps its frozen content, so the diff view shows what changed;
the organiser re-submits, which freezes the next version and sends it round again (AP-1).

Locks (``core.concurrency``): ``plan_touch`` runs inside the edit's transaction, after the edit took the
event lock; it takes the event lock again (a no-op when held, and never a plan or version lock before
it), then the plan, then the open versions by id, then their signatures — the same order as a
submission, a review decision and a signature, so an edit racing them waits instead of deadlocking.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Joined, Message, audit_record
from huodong.core.models import User
from huodong.core.services import notify
from huodong.events.models import Event

from .models import Plan, PlanVersion, Signature

SNAPSHOT_SCHEMA = 1
# Versions whose content the organisation still relies on; an edit that changes the plan supersedes them.
OPEN_STATUSES = (PlanVersion.Status.IN_REVIEW, PlanVersion.Status.REVIEWED, PlanVersion.Status.APPROVED)
VOID_REASON = _("方案在签字后被修改")


# ---------------------------------------------------------------- snapshot and hash
def _dec(value: Any) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01")))


def _user(user: User | None) -> str | None:
    return user.username if user is not None else None


def _local(value: Any, event: Event) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value, event.tz).isoformat()


def plan_snapshot(event: Event) -> dict[str, Any]:
    """Everything the signed plan contains (DOC-2), canonical and JSON-ready."""
    plan = Plan.objects.filter(event=event).first()
    data: dict[str, Any] = {
        "schema": SNAPSHOT_SCHEMA,
        "event": {
            "name": event.name,
            "theme": event.theme,
            "tone": event.tone,
            "starts_at": _local(event.starts_at, event),
            "ends_at": _local(event.ends_at, event),
            "time_zone": event.time_zone,
            "venue": event.venue,
            "expected_attendance": event.expected_attendance,
        },
        "plan": {"background": "", "positioning": "", "approved_budget": None, "currency": "CNY"},
        "goals": [
            {
                "metric": g.metric,
                "custom_metric": g.custom_metric,
                "description": g.description,
                "target_value": _dec(g.target_value),
                "unit": g.unit,
                "baseline": _dec(g.baseline),
                "due_date": g.due_date.isoformat() if g.due_date else None,
                "owner": _user(g.owner),
                "objective": g.objective,
            }
            for g in event.goals.select_related("owner").order_by("position", "id")
        ],
        "segments": [],
        "budget_lines": [],
        "risks": [],
        "attachments": [],
    }
    if plan is None:
        return data
    data["plan"] = {
        "background": plan.background,
        "positioning": plan.positioning,
        "approved_budget": _dec(plan.approved_budget),
        "currency": plan.currency,
    }
    data["segments"] = [
        {
            "title": s.title,
            "starts_at": _local(s.starts_at, event),
            "duration_minutes": s.duration_minutes,
            "owner": _user(s.owner),
            "key_actions": s.key_actions,
            "parallel": s.parallel,
        }
        for s in plan.segments.select_related("owner").order_by("starts_at", "position", "id")
    ]
    data["budget_lines"] = [
        {
            "category": b.category,
            "category_name": b.category_name,
            "item": b.item,
            "quantity": _dec(b.quantity),
            "unit": b.unit,
            "unit_price": _dec(b.unit_price),
            "amount": _dec(b.amount),
            "note": b.note,
        }
        for b in plan.budget_lines.order_by("position", "id")
    ]
    data["risks"] = [
        {
            "risk": r.risk,
            "likelihood": r.likelihood,
            "impact": r.impact,
            "owner": _user(r.owner),
            "response": r.response,
            "backup_resource": r.backup_resource,
        }
        for r in plan.risks.select_related("owner").order_by("position", "id")
    ]
    data["attachments"] = [
        {"original_name": a.original_name, "kind": a.kind, "sha256": a.sha256, "size": a.size}
        for a in plan.attachments.order_by("uploaded_at", "id")
    ]
    return data


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a snapshot."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def plan_content_hash(event: Event) -> str:
    """The hash of the plan as it is now; a signature is valid only while it equals the signed hash (AP-1)."""
    return content_hash(plan_snapshot(event))


# ---------------------------------------------------------------- summary (what an approver sees on a phone)
def plan_summary(content: dict[str, Any]) -> dict[str, Any]:
    """Totals of a snapshot: budget total, contingency reserve and its share, schedule, counts."""
    from .models import CONTINGENCY

    lines = content.get("budget_lines", [])
    total = sum((Decimal(b["amount"]) for b in lines), Decimal("0.00"))
    reserve = sum((Decimal(b["amount"]) for b in lines if b["category"] == CONTINGENCY), Decimal("0.00"))
    share = (reserve / total * 100).quantize(Decimal("0.1")) if total else None
    approved = content.get("plan", {}).get("approved_budget")
    return {
        "budget_total": total,
        "reserve": reserve,
        "reserve_share": share,
        "approved_budget": Decimal(approved) if approved is not None else None,
        "currency": content.get("plan", {}).get("currency", "CNY"),
        "segment_count": len(content.get("segments", [])),
        "risk_count": len(content.get("risks", [])),
        "goal_count": len(content.get("goals", [])),
        "attachment_count": len(content.get("attachments", [])),
    }


# ---------------------------------------------------------------- diff
FIELD_LABELS: dict[str, Any] = {
    "name": _("活动名称"),
    "theme": _("主题"),
    "tone": _("调性"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "time_zone": _("时区"),
    "venue": _("地点"),
    "expected_attendance": _("预计人数"),
    "background": _("活动背景"),
    "positioning": _("定位说明"),
    "approved_budget": _("需求部门审批额度"),
    "currency": _("币种"),
    "metric": _("指标"),
    "custom_metric": _("自定义指标名称"),
    "description": _("具体描述"),
    "target_value": _("目标值"),
    "unit": _("单位"),
    "baseline": _("基线"),
    "due_date": _("截止日期"),
    "owner": _("负责人"),
    "objective": _("服务的业务目标"),
    "title": _("环节"),
    "duration_minutes": _("时长(分钟)"),
    "key_actions": _("关键动作"),
    "parallel": _("可并行"),
    "category": _("科目"),
    "category_name": _("科目名称"),
    "item": _("项目"),
    "quantity": _("数量"),
    "unit_price": _("单价"),
    "amount": _("金额"),
    "note": _("备注"),
    "risk": _("风险"),
    "likelihood": _("可能性"),
    "impact": _("影响"),
    "response": _("应对预案"),
    "backup_resource": _("备用资源"),
    "original_name": _("文件名"),
    "kind": _("类别"),
    "sha256": _("文件校验值"),
    "size": _("大小(字节)"),
}

SECTION_LABELS: dict[str, Any] = {
    "event": _("活动信息"),
    "plan": _("方案"),
    "goals": _("活动目标"),
    "segments": _("活动流程"),
    "budget_lines": _("预算明细"),
    "risks": _("风险预案"),
    "attachments": _("附件"),
}

# How rows of two versions are matched: by what a reader would call "the same row".
ROW_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "goals": lambda r: (r.get("metric"), r.get("custom_metric")),
    "segments": lambda r: r.get("title"),
    "budget_lines": lambda r: (r.get("category"), r.get("item")),
    "risks": lambda r: r.get("risk"),
    "attachments": lambda r: r.get("original_name"),
}

ROW_TITLES: dict[str, Callable[[dict[str, Any]], str]] = {
    "goals": lambda r: r.get("custom_metric") or str(r.get("metric") or ""),
    "segments": lambda r: str(r.get("title") or ""),
    "budget_lines": lambda r: f"{r.get('category_name') or r.get('category')} · {r.get('item')}",
    "risks": lambda r: str(r.get("risk") or ""),
    "attachments": lambda r: str(r.get("original_name") or ""),
}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changes.append(
                {"field": key, "label": FIELD_LABELS.get(key, key), "old": old.get(key), "new": new.get(key)}
            )
    return changes


def _table_diff(name: str, old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]]) -> dict[str, Any]:
    key = ROW_KEYS[name]
    title = ROW_TITLES[name]
    pending: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in old_rows:
        pending[_hashable(key(row))].append(row)
    added, changed = [], []
    for row in new_rows:
        bucket = pending.get(_hashable(key(row)))
        if bucket:
            before = bucket.pop(0)
            fields = _field_changes(before, row)
            if fields:
                changed.append({"title": title(row), "fields": fields, "old": before, "new": row})
        else:
            added.append({"title": title(row), "row": row})
    removed = [{"title": title(r), "row": r} for rows in pending.values() for r in rows]
    return {
        "key": name,
        "label": SECTION_LABELS[name],
        "added": added,
        "removed": removed,
        "changed": changed,
        "has_changes": bool(added or removed or changed),
    }


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def version_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from snapshot ``old`` to snapshot ``new``.

    Returns ``{"fields": [{section, section_label, field, label, old, new}], "tables": [{key, label,
    added, removed, changed, has_changes}], "changed": bool}``; table rows are matched by what a reader
    would call the same row (a segment by its title, a budget line by category and item…).
    """
    fields = []
    for section in ("event", "plan"):
        for change in _field_changes(old.get(section, {}), new.get(section, {})):
            fields.append({"section": section, "section_label": SECTION_LABELS[section], **change})
    tables = [_table_diff(name, old.get(name, []), new.get(name, [])) for name in ROW_KEYS]
    return {
        "fields": fields,
        "tables": tables,
        "changed": bool(fields) or any(t["has_changes"] for t in tables),
    }


def diff_summary(diff: dict[str, Any]) -> list[str]:
    """Short lines saying what changed, for the audit log and notifications."""
    # Messages (``core.audit``): the labels are shown in the reader's language, the values as typed.
    lines: list[str] = [
        Message("%(label)s: %(old)s → %(new)s", label=c["label"], old=c["old"], new=c["new"])
        for c in diff["fields"]
    ]
    for table in diff["tables"]:
        label = table["label"]
        lines += [
            Message("%(section)s新增「%(row)s」", section=label, row=r["title"]) for r in table["added"]
        ]
        lines += [
            Message("%(section)s删除「%(row)s」", section=label, row=r["title"]) for r in table["removed"]
        ]
        lines += [
            Message("%(section)s修改「%(row)s」", section=label, row=r["title"]) for r in table["changed"]
        ]
    return lines


# ---------------------------------------------------------------- what an edit does (AP-1)
def open_version(event: Event, *, lock: bool = False) -> PlanVersion | None:
    """The latest version still in review, reviewed or approved, if any.

    With ``lock``, every open version is locked in id order (step 3 of the lock order); the caller
    holds the event and plan locks already (``event_and_plan_lock``).
    """
    if not lock:
        return (
            PlanVersion.objects.filter(plan__event=event, status__in=OPEN_STATUSES)
            .order_by("-number")
            .first()
        )
    locked = list(
        PlanVersion.objects.select_for_update(of=("self",))
        .filter(plan__event=event, status__in=OPEN_STATUSES)
        .order_by("id")
    )
    return max(locked, key=lambda v: v.number) if locked else None


def event_and_plan_lock(event: Event | int) -> tuple[Event, Plan | None]:
    """Steps 1 and 2 of the lock order: the event row, then its plan; returns both as read under lock.

    Re-locking the event a caller already holds is free; a caller that does not hold it gets it here,
    before any plan or version row.
    """
    pk = event.pk if isinstance(event, Event) else int(event)
    locked = Event.objects.select_for_update(of=("self",)).select_related("owner").get(pk=pk)
    plan = Plan.objects.select_for_update().filter(event_id=pk).first()
    return locked, plan


# What an edit touched, as the audit log and the notices name it (``plan_touch(what=…)``).
WHAT_LABELS: dict[str, Any] = {
    "plan": _("方案基本信息"),
    "goals": _("活动目标"),
    "segment": _("活动流程"),
    "budget": _("预算"),
    "risk": _("风险预案"),
    "attachment": _("附件"),
}


# Statuses that end a version's life; a version moved to one of them is closed at that moment.
CLOSED_STATUSES = (PlanVersion.Status.SUPERSEDED, PlanVersion.Status.REJECTED)
# The audit action that records a version moving to each status.
STATUS_ACTIONS: dict[str, str] = {
    PlanVersion.Status.REVIEWED: "plan_version.reviewed",
    PlanVersion.Status.APPROVED: "plan_version.approve",
    PlanVersion.Status.REJECTED: "plan_version.reject",
    PlanVersion.Status.SUPERSEDED: "plan_version.supersede",
}


def version_status_set(
    *,
    version: PlanVersion,
    actor: User | None,
    status: str,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Move ``version`` to ``status`` and audit it as ``STATUS_ACTIONS[status]``.

    A version moved to a closed status (superseded, rejected) is closed now. The audit row's
    ``before``/``after`` default to the old and the new status.
    """
    old_status = version.status
    version.status = status
    fields = ["status"]
    if status in CLOSED_STATUSES:
        version.closed_at = timezone.now()
        fields.append("closed_at")
    version.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=STATUS_ACTIONS[status],
        target=version,
        event_id=version.plan.event_id,
        summary=summary,
        before={"status": old_status} if before is None else before,
        after={"status": status} if after is None else after,
    )


def version_supersede(
    *, version: PlanVersion, actor: User | None, what: Any, current: dict[str, Any]
) -> None:
    """Close ``version`` because the plan changed: void its signatures, keep its content, tell people.

    Pending reviews of a superseded version stay as they were and can no longer be decided.
    """
    event = version.plan.event
    live = list(
        version.signatures.select_for_update(of=("self",))
        .filter(voided_at__isnull=True)
        .select_related("approver")
        .order_by("id")
    )
    changes = diff_summary(version_diff(version.content, current))
    version_status_set(
        version=version,
        actor=actor,
        status=PlanVersion.Status.SUPERSEDED,
        summary=Message(
            "修改了%(what)s,v%(n)s 作废;%(changes)s",
            what=what,
            n=version.number,
            changes=Joined(changes[:20], ";"),
        ),
        before={"number": version.number, "status": version.status, "content_hash": version.content_hash},
        after={
            "status": PlanVersion.Status.SUPERSEDED,
            "content_hash": content_hash(current),
            "voided_signatures": [s.pk for s in live],
            "changes": changes,
        },
    )
    Signature.objects.filter(pk__in=[s.pk for s in live]).update(
        voided_at=version.closed_at, void_reason=str(VOID_REASON)
    )
    if live:
        message = Message(
            "「%(event)s」的策划方案在签字后被修改(%(what)s),v%(n)s 的 %(count)s 个签字已作废,需重新提交评审与审批。",
            event=event.name,
            what=what,
            n=version.number,
            count=len(live),
        )
    else:
        message = Message(
            "「%(event)s」的策划方案在评审期间被修改(%(what)s),v%(n)s 已作废,需重新提交评审。",
            event=event.name,
            what=what,
            n=version.number,
        )
    notify(
        recipients=[event.owner, *[s.approver for s in live]],
        kind="plan.superseded",
        message=message,
        url=reverse("planning:approval", kwargs={"event_id": event.pk}),
        event_id=event.pk,
    )


@transaction.atomic
def plan_touch(*, event: Event, actor: User | None, what: str) -> None:
    """Call after any change to plan content. Supersedes the open version when the plan no longer matches it.

    Never refuses the edit: an edit after a signature voids the signatures (AP-1) and the organiser
    re-submits a new version. Locks event → plan → open versions (see the module docstring) and
    compares the versions with the plan as read under those locks.
    """
    locked, _plan = event_and_plan_lock(event)
    version = open_version(locked, lock=True)
    if version is None:
        return
    current = plan_snapshot(locked)
    if content_hash(current) == version.content_hash:
        return
    version_supersede(version=version, actor=actor, what=WHAT_LABELS.get(what, what), current=current)
