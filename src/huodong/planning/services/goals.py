"""Writes of the SMART goals (目标设定, GO-1), and the checks the goal page and the gate share.

A goal is refused, with the reason, when it is not **S**pecific (no metric, or a custom metric without
a name), not **M**easurable (no numeric target above 0), not **T**ime-bound (no due date, or one too
long after the event), has no owner, or is not **R**elevant (no business objective it serves).
**A**chievable is judged against archived events of the same type and only ever *flagged*.

Every write takes the event's lock first (``rules.planning_event_lock``: the right to edit and the step
checked on the locked row), then the goal rows it changes (lock order, ``core.concurrency``). An edit says
which revision it saw (``seen``) and writes only the fields that changed. Goals are part of the signed plan:
every change calls ``versioning.plan_touch`` in its transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.models import Event

from .. import rules, selectors, versioning
from ..models import Goal
from .needs import EARLIEST_DAY, LATEST_DAY, UNSET, RowAudit, row_of

# GO-1 (time-bound): a goal's due date may be at most this many days after the event ends.
GOAL_DUE_MAX_DAYS_AFTER_EVENT = 365  # GO-1
# GO-1 (achievable): a target above this multiple of the best comparable past result is flagged.
ACHIEVABLE_FACTOR = Decimal("1.5")  # GO-1
# The largest target the database holds (max_digits=14, decimal_places=2).
TARGET_MAX = Decimal("999999999999.99")
GOALS_MAX = 30

GOAL_FIELDS = [
    "metric",
    "custom_metric",
    "description",
    "target_value",
    "unit",
    "baseline",
    "due_date",
    "owner",
    "objective",
]
# The goal's text fields: their labels and lengths (the model's columns).
GOAL_TEXTS = {
    "custom_metric": (_("自定义指标名称"), 100),
    "description": (_("具体描述"), 300),
    "unit": (_("单位"), 20),
    "objective": (_("服务的业务目标"), 300),
}


# ---------------------------------------------------------------- the SMART check (pure)
@dataclass(frozen=True)
class SmartIssue:
    """One unmet SMART requirement: the letter, the field it concerns, a short and a full message."""

    letter: str  # "S", "M", "T", "R", or "O" for the owner
    field: str
    short: Any  # e.g. "缺少截止日期" — used in gate details: 目标「有效线索」缺少截止日期
    message: Any  # the form/API message naming the field and what is allowed


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        try:
            return Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return None


def goal_smart_issues(
    *,
    event: Event,
    metric: Any,
    custom_metric: Any = "",
    target_value: Any = None,
    due_date: Any = None,
    owner: Any = None,
    objective: Any = "",
) -> list[SmartIssue]:
    """Everything that keeps these values from being a SMART goal (GO-1); empty when they are."""
    issues: list[SmartIssue] = []
    # S — specific: a known metric; a custom metric needs its name.
    if metric not in Goal.Metric.values:
        issues.append(
            SmartIssue(
                "S",
                "metric",
                _("未选择指标"),
                _("不够具体(S):请从列表中选择指标,可选:%(choices)s。")
                % {"choices": "、".join(force_str(label) for _v, label in Goal.Metric.choices)},
            )
        )
    elif metric == Goal.Metric.CUSTOM and not str(custom_metric or "").strip():
        issues.append(
            SmartIssue(
                "S", "custom_metric", _("自定义指标缺少名称"), _("不够具体(S):自定义指标须填写指标名称。")
            )
        )
    # M — measurable: a number above zero.
    target = _decimal(target_value)
    if target_value is None or target_value == "":
        issues.append(
            SmartIssue("M", "target_value", _("缺少目标值"), _("不可衡量(M):请填写大于 0 的目标值。"))
        )
    elif target is None or not target.is_finite():
        issues.append(
            SmartIssue("M", "target_value", _("目标值不是数字"), _("不可衡量(M):目标值须为数字,如 150。"))
        )
    elif target <= 0:
        issues.append(SmartIssue("M", "target_value", _("目标值须大于 0"), _("不可衡量(M):目标值须大于 0。")))
    elif target > TARGET_MAX:
        issues.append(
            SmartIssue(
                "M", "target_value", _("目标值过大"), _("目标值最大为 %(max)s。") % {"max": TARGET_MAX}
            )
        )
    # T — time-bound: a due date, not absurdly long after the event.
    if due_date is None or due_date == "":
        issues.append(SmartIssue("T", "due_date", _("缺少截止日期"), _("缺少时限(T):请填写截止日期。")))
    elif isinstance(due_date, dt.datetime) or not isinstance(due_date, dt.date):
        issues.append(
            SmartIssue("T", "due_date", _("截止日期无效"), _("缺少时限(T):截止日期须为日期,如 2027-04-18。"))
        )
    elif not EARLIEST_DAY <= due_date <= LATEST_DAY:
        issues.append(
            SmartIssue(
                "T", "due_date", _("截止日期无效"), _("缺少时限(T):截止日期须在 2000 年至 2099 年之间。")
            )
        )
    else:
        latest = event.local_end().date() + dt.timedelta(days=GOAL_DUE_MAX_DAYS_AFTER_EVENT)
        if due_date > latest:
            issues.append(
                SmartIssue(
                    "T",
                    "due_date",
                    _("截止日期晚于活动结束 %(days)s 天以上") % {"days": GOAL_DUE_MAX_DAYS_AFTER_EVENT},
                    _("时限过长(T):截止日期最晚为 %(date)s(活动结束后 %(days)s 天)。")
                    % {"date": latest.isoformat(), "days": GOAL_DUE_MAX_DAYS_AFTER_EVENT},
                )
            )
    # An owner who answers for the goal.
    if owner is None:
        issues.append(SmartIssue("O", "owner", _("缺少负责人"), _("请指定目标负责人。")))
    elif not isinstance(owner, User) or not owner.is_active:
        issues.append(SmartIssue("O", "owner", _("负责人无效"), _("负责人须为在职人员。")))
    # R — relevant: the business objective the goal serves.
    if not str(objective or "").strip():
        issues.append(
            SmartIssue(
                "R",
                "objective",
                _("缺少服务的业务目标"),
                _("缺少相关性(R):请填写该目标服务的业务目标,如「新品上市,提升线索量」。"),
            )
        )
    return issues


def goal_issues(goal: Goal) -> list[SmartIssue]:
    """The SMART issues of a saved goal (it may have gone stale, e.g. after the event moved)."""
    return goal_smart_issues(
        event=goal.event,
        metric=goal.metric,
        custom_metric=goal.custom_metric,
        target_value=goal.target_value,
        due_date=goal.due_date,
        owner=goal.owner,
        objective=goal.objective,
    )


def goal_missing_text(goal: Goal, issues: list[SmartIssue] | None = None) -> str:
    """「目标「有效线索」缺少截止日期、缺少负责人」, or "" when the goal is SMART."""
    issues = goal_issues(goal) if issues is None else issues
    if not issues:
        return ""
    return force_str(
        _("目标「%(goal)s」%(missing)s")
        % {"goal": goal.metric_label, "missing": "、".join(force_str(i.short) for i in issues)}
    )


class Achievability:
    OK = "ok"
    FLAGGED = "flagged"
    NO_HISTORY = "no_history"
    UNKNOWN = "unknown"


def goal_achievability(goal: Goal) -> tuple[str, str]:
    """Whether the target looks achievable against archived events of the same type (GO-1 "A").

    Returns ``(status, message)``: ``flagged`` when the target is more than ``ACHIEVABLE_FACTOR`` × the
    best comparable past result, ``ok`` when it is not, ``no_history`` when there is nothing to compare
    with (not a failure), ``unknown`` without a target. It never refuses a goal.

    The comparable results are, for now, the *targets* archived events set for the same metric
    (``selectors.goal_history_targets``): the review phase has no actuals yet. That selector is the
    seam the review issue replaces with actual results.
    """
    target = goal.target_value
    if target is None or target <= 0:
        return Achievability.UNKNOWN, force_str(_("缺少目标值,无法评估可实现性。"))
    history = selectors.goal_history_targets(
        event=goal.event, metric=goal.metric, custom_metric=goal.custom_metric
    )
    if not history:
        return Achievability.NO_HISTORY, force_str(_("暂无同类历史活动可比较。"))
    best_event, best = history[0]
    if target > best * ACHIEVABLE_FACTOR:
        return Achievability.FLAGGED, force_str(
            _("目标值 %(target)s 超过同类历史最佳结果 %(best)s(%(event)s)的 %(factor)s 倍,请确认可实现。")
            % {
                "target": _plain(target),
                "best": _plain(best),
                "event": best_event.name,
                "factor": _plain(ACHIEVABLE_FACTOR),
            }
        )
    return Achievability.OK, force_str(
        _("不超过同类历史最佳结果 %(best)s(%(event)s)的 %(factor)s 倍。")
        % {"best": _plain(best), "event": best_event.name, "factor": _plain(ACHIEVABLE_FACTOR)}
    )


def _plain(value: Decimal) -> str:
    """150.00 → "150", 1.50 → "1.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def goal_smart_status(goal: Goal) -> dict[str, dict[str, Any]]:
    """Per letter S/M/A/R/T (and the owner), ``{"ok": bool|None, "message": str}`` for the goal page tags.

    ``A`` is ``None`` (neutral) when there is no history, ``False`` when flagged.
    """
    issues = goal_issues(goal)
    by_letter: dict[str, list[SmartIssue]] = {}
    for issue in issues:
        by_letter.setdefault(issue.letter, []).append(issue)
    status: dict[str, dict[str, Any]] = {}
    ok_text = {
        "S": _("指标明确"),
        "M": _("有可衡量的目标值"),
        "R": _("服务于业务目标"),
        "T": _("有截止日期"),
        "O": _("已指定负责人"),
    }
    for letter in ("S", "M", "R", "T", "O"):
        found = by_letter.get(letter)
        status[letter] = {
            "ok": not found,
            "message": "、".join(force_str(i.short) for i in found) if found else force_str(ok_text[letter]),
        }
    kind, message = goal_achievability(goal)
    status["A"] = {
        "ok": {Achievability.OK: True, Achievability.FLAGGED: False}.get(kind),
        "message": message,
        "status": kind,
    }
    return status


# ---------------------------------------------------------------- writes
_GOAL = RowAudit(
    action="goal",
    fields=tuple(GOAL_FIELDS),
    label=lambda goal: {"goal": goal.metric_label},
    noun=_("目标"),
    added=_("添加目标:%(goal)s"),
    updated=_("修改目标:%(goal)s"),
    removed=_("删除目标:%(goal)s"),
)


def _lock_event(actor: User | None, event: Event | int, *, system: bool = False) -> Event:
    """Step 1 of the lock order: the event row, the right to edit and the step checked on it."""
    return rules.planning_event_lock(
        actor=actor, event=event, steps=rules.GOALS_EDITABLE_STEPS, what=_("活动目标"), system=system
    )


def _clean(event: Event, data: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    """Validate a whole goal; raise DomainError with every problem, keyed by field."""
    errors: dict[str, list[Any]] = {}
    for issue in goal_smart_issues(
        event=event,
        metric=data.get("metric"),
        custom_metric=data.get("custom_metric"),
        target_value=data.get("target_value"),
        due_date=data.get("due_date"),
        owner=data.get("owner"),
        objective=data.get("objective"),
    ):
        errors.setdefault(issue.field, []).append(issue.message)
    cleaned = {
        name: text_clean(data.get(name), field=name, label=label, limit=limit, errors=errors, multiline=False)
        for name, (label, limit) in GOAL_TEXTS.items()
    }
    baseline_raw = data.get("baseline")
    baseline = _decimal(baseline_raw)
    if baseline_raw not in (None, "") and (
        baseline is None or not baseline.is_finite() or baseline < 0 or baseline > TARGET_MAX
    ):
        errors.setdefault("baseline", []).append(_("基线须为不小于 0 的数字(可留空)。"))
    metric = data.get("metric")
    if metric in Goal.Metric.values and "metric" not in errors and "custom_metric" not in errors:
        dupes = Goal.objects.filter(event=event, metric=metric)
        if metric == Goal.Metric.CUSTOM:
            dupes = dupes.filter(custom_metric__iexact=cleaned["custom_metric"])
        if exclude_pk:
            dupes = dupes.exclude(pk=exclude_pk)
        if dupes.exists():
            name = (
                cleaned["custom_metric"]
                if metric == Goal.Metric.CUSTOM
                else force_str(Goal.Metric(metric).label)
            )
            field = "custom_metric" if metric == Goal.Metric.CUSTOM else "metric"
            errors.setdefault(field, []).append(
                _("本活动已有「%(name)s」目标,请修改原目标。") % {"name": name}
            )
    if errors:
        raise DomainError(errors)
    target = _decimal(data.get("target_value"))
    assert target is not None  # checked by goal_smart_issues
    return {
        "metric": metric,
        "custom_metric": cleaned["custom_metric"] if metric == Goal.Metric.CUSTOM else "",
        "description": cleaned["description"],
        "target_value": target.quantize(Decimal("0.01")),
        "unit": cleaned["unit"],
        "baseline": baseline.quantize(Decimal("0.01")) if baseline is not None else None,
        "due_date": data.get("due_date"),
        "owner": data.get("owner"),
        "objective": cleaned["objective"],
    }


def _goal_locked(event: Event, goal_id: Any) -> Goal:
    """Step 2 of the lock order for goals: the goal row of the event, locked; NotFound otherwise."""
    rows = Goal.objects.select_for_update(of=("self",)).select_related("owner").filter(event=event)
    return row_of(rows, goal_id, _("目标 %(id)s 不存在。"))


@transaction.atomic
def goal_add(
    *,
    actor: User | None,
    event: Event | int,
    metric: Any,
    target_value: Any,
    due_date: Any,
    owner: Any,
    objective: Any,
    custom_metric: Any = "",
    description: Any = "",
    unit: Any = "",
    baseline: Any = None,
) -> Goal:
    """Add a SMART goal (GO-1); refuse with every reason when it is not.

    The event lock is held while the count, the duplicates and the last position are read, so
    concurrent adds get distinct positions and never pass the limit together.
    """
    given = dict(
        metric=metric,
        custom_metric=custom_metric,
        description=description,
        target_value=target_value,
        unit=unit,
        baseline=baseline,
        due_date=due_date,
        owner=owner,
        objective=objective,
    )
    event = _lock_event(actor, event)
    if Goal.objects.filter(event=event).count() >= GOALS_MAX:
        raise DomainError({"__all__": [_("一个活动最多设定 %(max)s 个目标。") % {"max": GOALS_MAX}]})
    data = _clean(event, given)
    last = Goal.objects.filter(event=event).order_by("-position").values_list("position", flat=True).first()
    goal = Goal.objects.create(event=event, position=(last or 0) + 1, **data)
    _GOAL.record_add(actor=actor, event=event, row=goal)
    versioning.plan_touch(event=event, actor=actor, what="goals")
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User | None,
    event: Event | int,
    goal_id: int,
    seen: int | None,
    metric: Any = UNSET,
    custom_metric: Any = UNSET,
    description: Any = UNSET,
    target_value: Any = UNSET,
    unit: Any = UNSET,
    baseline: Any = UNSET,
    due_date: Any = UNSET,
    owner: Any = UNSET,
    objective: Any = UNSET,
) -> Goal:
    """Change the fields given if the goal is still at revision ``seen``; it must stay SMART (GO-1).

    Only the fields whose value differs are written and audited (before and after).
    """
    given = dict(
        metric=metric,
        custom_metric=custom_metric,
        description=description,
        target_value=target_value,
        unit=unit,
        baseline=baseline,
        due_date=due_date,
        owner=owner,
        objective=objective,
    )
    event = _lock_event(actor, event)
    goal = _goal_locked(event, goal_id)
    merged = {name: getattr(goal, name) if value is UNSET else value for name, value in given.items()}
    data = _clean(event, merged, exclude_pk=goal.pk)
    if _GOAL.update(actor=actor, event=event, row=goal, data=data, seen=seen):
        versioning.plan_touch(event=event, actor=actor, what="goals")
    return goal


@transaction.atomic
def goal_remove(*, actor: User | None, event: Event | int, goal_id: int, seen: int | None) -> None:
    """Remove a goal if it is still at revision ``seen``."""
    event = _lock_event(actor, event)
    _GOAL.delete(actor=actor, event=event, row=_goal_locked(event, goal_id), seen=seen)
    versioning.plan_touch(event=event, actor=actor, what="goals")
