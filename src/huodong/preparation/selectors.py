"""Reads of preparation shared by pages, the API, the gates and the documents.

``readiness(event)`` is the one answer to "is this event ready to leave 资源协调 / 物料筹备 / 人员培训?":
the gates yield its criteria, the readiness page shows them with every open point (issue 8, point 8).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.events.lifecycle import Criterion
from huodong.events.models import Event
from huodong.events.steps import Step, step_index

from .models import (
    MaterialItem,
    Quote,
    Raci,
    ResourceRequest,
    ScoringWeights,
    Task,
    TaskAssignment,
    TeamMember,
    Training,
    VendorNeed,
)

ZERO = Decimal("0.00")
# A pending internal request this close to its date is flagged (IR-1: support confirmed in advance).
REQUEST_WARNING = dt.timedelta(days=3)


def scoring_weights() -> ScoringWeights:
    """The organisation's quote-comparison weights (one row; created with the defaults when missing)."""
    weights = ScoringWeights.objects.order_by("id").first()
    if weights is None:
        weights, _created = ScoringWeights.objects.get_or_create(pk=1)
    return weights


def raci_problems(letters: list[str]) -> list[Any]:
    """What is wrong with one task's RACI letters (TM-1): exactly one A, at least one R."""
    problems: list[Any] = []
    accountable = letters.count(Raci.ACCOUNTABLE)
    if accountable == 0:
        problems.append(_("没有 A(负责人)"))
    elif accountable > 1:
        problems.append(_("有 %(n)s 个 A(负责人),只能有一个") % {"n": accountable})
    if Raci.RESPONSIBLE not in letters:
        problems.append(_("没有 R(执行人)"))
    return problems


def tasks_with_people(event: Event) -> QuerySet[Task]:
    return (
        Task.objects.filter(event=event)
        .select_related("group")
        .prefetch_related(Prefetch("assignments", queryset=TaskAssignment.objects.select_related("person")))
    )


def my_tasks(user: User) -> QuerySet[Task]:
    """The open tasks a person is R or A of, across events, overdue first then by deadline (TM-1)."""
    return (
        Task.objects.filter(
            assignments__person=user,
            assignments__role__in=[Raci.RESPONSIBLE, Raci.ACCOUNTABLE],
            status__in=[Task.Status.TODO, Task.Status.DOING],
        )
        .select_related("event", "group")
        .distinct()
        .order_by("due_at", "id")
    )


def my_open_task_count(user: User) -> int:
    return my_tasks(user).count() if user.is_authenticated else 0


def quote_count_required(need: VendorNeed) -> int:
    return scoring_weights().min_quotes


# Where each open point is fixed: the page (url name, taking ``event_id``) of its area.
FIX_PAGES: dict[str, str] = {
    "preparation.team_leader": "preparation:team",
    "preparation.raci": "preparation:raci",
    "task_overdue": "preparation:team",
    "preparation.vendor_quotes": "preparation:vendor_needs",
    "preparation.vendor_contracts": "preparation:vendor_needs",
    "budget_overcommitted": "preparation:vendor_needs",
    "preparation.internal_resources": "preparation:resources",
    "request_due": "preparation:resources",
    "preparation.materials_listed": "preparation:materials",
    "preparation.materials_accepted": "preparation:materials",
    "material_overdue": "preparation:materials",
    "preparation.meeting_held": "preparation:training",
    "preparation.meeting_attendance": "preparation:training",
}


@dataclass
class OpenPoint:
    """One thing still to do before the event is ready, for the readiness page: an unmet criterion of a
    gate (``severity`` "bad", it blocks the gate) or a warning ("warn": flagged, it does not block)."""

    step: str
    code: str
    text: Any
    url_name: str = ""
    severity: str = "bad"  # bad: blocks a gate; warn: flagged, does not block

    def __post_init__(self) -> None:
        if not self.url_name:
            self.url_name = FIX_PAGES.get(self.code, "")


@dataclass
class Readiness:
    event: Event
    checks: dict[str, list[Criterion]] = field(default_factory=dict)
    warnings: list[OpenPoint] = field(default_factory=list)

    def criteria(self, step: str) -> Iterator[Criterion]:
        yield from self.checks.get(str(step), [])

    def open_points(self) -> list[OpenPoint]:
        points = [
            OpenPoint(step=step, code=c.code, text=c.detail or c.label)
            for step, criteria in self.checks.items()
            for c in criteria
            if not c.met
        ]
        return points + self.warnings

    @property
    def ready(self) -> bool:
        return all(c.met for criteria in self.checks.values() for c in criteria)


def _names(items: list[str], limit: int = 5) -> str:
    shown = "、".join(f"「{t}」" for t in items[:limit])
    return shown + (_("等 %(n)s 项") % {"n": len(items)} if len(items) > limit else "")


def _request_label(r: ResourceRequest) -> str:
    return f"{r.department.display_name}:{r.what[:30]}"


def _material_settled(m: MaterialItem) -> bool:
    if m.status == MaterialItem.Status.WAIVED:
        return bool(m.waive_reason.strip())
    return m.status == MaterialItem.Status.ACCEPTED


def _attendance_recorded(meeting: Training) -> bool:
    """Attendance is recorded when it was saved and every expected person is marked attended or missed."""
    rows = list(meeting.attendance.all())
    return (
        meeting.attendance_recorded_at is not None
        and bool(rows)
        and all(r.attended is not None for r in rows)
    )


def _resources_records(event: Event) -> tuple[list[Task], list[Any], list[ResourceRequest]]:
    tasks = list(tasks_with_people(event).exclude(status=Task.Status.CANCELLED))
    needs = list(
        VendorNeed.objects.filter(event=event)
        .exclude(status=VendorNeed.Status.CANCELLED)
        .annotate(quote_total=Count("quotes"))
        .select_related("contract")
    )
    requests = list(
        ResourceRequest.objects.filter(event=event)
        .exclude(status=ResourceRequest.Status.CANCELLED)
        .select_related("department")
    )
    return tasks, needs, requests


def _materials_records(event: Event) -> list[MaterialItem]:
    return list(MaterialItem.objects.filter(event=event))


def _training_records(event: Event) -> list[Training]:
    return list(
        Training.objects.filter(event=event, kind=Training.Kind.EXECUTION_MEETING).prefetch_related(
            "attendance"
        )
    )


def _resources_criteria(
    event: Event, tasks: list[Task], needs: list[Any], requests: list[ResourceRequest]
) -> list[Criterion]:
    """资源协调: team leader (TM-1), RACI (TM-1), vendors (VD-1, VD-2), internal resources (IR-1).
    ``needs`` carry ``quote_total`` (``_resources_records``)."""
    resources: list[Criterion] = []
    has_leader = TeamMember.objects.filter(event=event, is_leader=True).exists()
    resources.append(
        Criterion(
            "preparation.team_leader",
            _("项目团队已指定负责人(TM-1)"),
            met=has_leader,
            detail=_("请在「团队与任务」中指定项目负责人(市场部主管)。"),
        )
    )
    bad_raci = [t.title for t in tasks if raci_problems([a.role for a in t.assignments.all()])]
    resources.append(
        Criterion(
            "preparation.raci",
            _("每项任务有且只有一个 A(负责人)、至少一个 R(执行人)(TM-1)"),
            met=bool(tasks) and not bad_raci,
            detail=(_("任务 %(tasks)s的 RACI 分工不完整。") % {"tasks": _names(bad_raci)})
            if bad_raci
            else _("尚无任务;请从活动类型模板生成标准任务或添加任务。"),
        )
    )
    weights = scoring_weights()
    uncontracted = [
        n.title for n in needs if not hasattr(n, "contract") or n.status != VendorNeed.Status.CONTRACTED
    ]
    few_quotes = [n.title for n in needs if n.quote_total < weights.min_quotes and not n.exception_at]
    resources.append(
        Criterion(
            "preparation.vendor_quotes",
            _("每项采购需求至少有 %(n)s 家报价,或有审批人批准的例外(VD-1)") % {"n": weights.min_quotes},
            met=not few_quotes,
            detail=_("采购需求 %(needs)s报价不足 %(n)s 家。")
            % {"needs": _names(few_quotes), "n": weights.min_quotes},
        )
    )
    resources.append(
        Criterion(
            "preparation.vendor_contracts",
            _("每项采购需求已选定供应商并签订合同(VD-2)"),
            met=not uncontracted,
            detail=_("采购需求 %(needs)s尚未签订合同。") % {"needs": _names(uncontracted)},
        )
    )
    pending = [_request_label(r) for r in requests if r.status == ResourceRequest.Status.PENDING]
    declined = [_request_label(r) for r in requests if r.status == ResourceRequest.Status.DECLINED]
    request_problems = []
    if pending:
        request_problems.append(_("内部资源协调 %(items)s尚未确认。") % {"items": _names(pending)})
    if declined:
        # A declined request is not support confirmed: ask again (another department, another way) or
        # cancel it once it is no longer needed.
        request_problems.append(
            _("内部资源协调 %(items)s已被拒绝;请调整后重新提出,或在不再需要时取消。")
            % {"items": _names(declined)}
        )
    resources.append(
        Criterion(
            "preparation.internal_resources",
            _("内部资源协调均已由相关部门确认(IR-1)"),
            met=not request_problems,
            detail="".join(str(p) for p in request_problems),
        )
    )
    return resources


def _materials_criteria(materials: list[MaterialItem]) -> list[Criterion]:
    """物料筹备 (MT-1)."""
    # 不再需要 counts only with its reason (MT-1: waived with a reason); a bare waiver is still open.
    not_accepted = [m.name for m in materials if not _material_settled(m)]
    return [
        Criterion(
            "preparation.materials_listed",
            _("已编制《活动物料明细表》(MT-1)"),
            met=bool(materials),
            detail=_("物料明细表为空;请从活动类型模板生成或导入 Excel。"),
        ),
        Criterion(
            "preparation.materials_accepted",
            _("每项物料已验收,或注明不再需要的原因(MT-1)"),
            met=bool(materials) and not not_accepted,
            detail=_("物料 %(items)s尚未验收。") % {"items": _names(not_accepted)},
        ),
    ]


def _training_criteria(meetings: list[Training]) -> list[Criterion]:
    """人员培训 (TR-1)."""
    held = [m for m in meetings if m.held_at is not None]
    recorded = [m for m in held if _attendance_recorded(m)]
    return [
        Criterion(
            "preparation.meeting_held",
            _("已召开执行会议(活动前 3 天,TR-1)"),
            met=bool(held),
            detail=_("执行会议尚未召开;召开后请登记实际时间和会议纪要。")
            if meetings
            else _("尚未安排执行会议。"),
        ),
        Criterion(
            "preparation.meeting_attendance",
            _("执行会议已登记出席情况(TR-1)"),
            met=bool(recorded),
            detail=_("请为每位应出席人员登记出席或缺席。"),
        ),
    ]


def gate_criteria(event: Event, step: str) -> list[Criterion]:
    """The criteria of one preparation gate, reading only that gate's records (the gates and the pages
    that show one gate call this; ``readiness`` reads everything once for the readiness page)."""
    if step == Step.RESOURCES:
        return _resources_criteria(event, *_resources_records(event))
    if step == Step.MATERIALS:
        return _materials_criteria(_materials_records(event))
    if step == Step.TRAINING:
        return _training_criteria(_training_records(event))
    return []


def _warnings(
    event: Event,
    tasks: list[Task],
    requests: list[ResourceRequest],
    materials: list[MaterialItem],
    now: dt.datetime,
) -> list[OpenPoint]:
    """What is flagged without blocking a gate: late tasks, near requests, late materials, lines over plan."""
    today = timezone.localdate(now, event.tz) if hasattr(event, "tz") else now.date()
    warnings = [
        OpenPoint(
            Step.RESOURCES.value, "task_overdue", _("任务「%(t)s」已逾期") % {"t": t.title}, severity="warn"
        )
        for t in tasks
        if t.is_overdue(now)
    ]
    warnings += [
        OpenPoint(
            Step.RESOURCES.value,
            "request_due",
            _("%(dept)s尚未确认「%(what)s」,需要时间临近")
            % {"dept": r.department.display_name, "what": r.what[:30]},
            severity="warn",
        )
        for r in requests
        if r.status == ResourceRequest.Status.PENDING and r.needed_at - now < REQUEST_WARNING
    ]
    warnings += [
        OpenPoint(
            Step.MATERIALS.value,
            "material_overdue",
            _("物料「%(m)s」已过截止日期") % {"m": m.name},
            severity="warn",
        )
        for m in materials
        if m.is_overdue(today)
    ]
    warnings += [
        OpenPoint(
            Step.RESOURCES.value,
            "budget_overcommitted",
            _("预算项「%(item)s」已承诺金额超出预算") % {"item": line["item"]},
            severity="warn",
        )
        for line in overcommitted_lines(event)
    ]
    return warnings


def readiness(event: Event, now: dt.datetime | None = None) -> Readiness:
    """The three gates of preparation with every criterion, and the warnings that do not block (issue 8,
    point 8), each record read once. ``now`` is for tests."""
    now = now or timezone.now()
    tasks, needs, requests = _resources_records(event)
    materials = _materials_records(event)
    result = Readiness(event=event)
    result.checks[Step.RESOURCES.value] = _resources_criteria(event, tasks, needs, requests)
    result.checks[Step.MATERIALS.value] = _materials_criteria(materials)
    result.checks[Step.TRAINING.value] = _training_criteria(_training_records(event))
    result.warnings = _warnings(event, tasks, requests, materials, now)
    return result


# ---------------------------------------------------------------- the readiness page and API
GATE_STEPS: tuple[str, ...] = (Step.RESOURCES.value, Step.MATERIALS.value, Step.TRAINING.value)


# A page that may be missing, and the page to send people to instead.
FIX_FALLBACKS: dict[str, str] = {"preparation:raci": "preparation:team"}


def fix_url(url_name: str, event_id: int) -> str:
    """The page where an open point is fixed, or "" while that page does not exist (yet)."""
    while url_name:
        try:
            return reverse(url_name, kwargs={"event_id": event_id})
        except NoReverseMatch:
            url_name = FIX_FALLBACKS.get(url_name, "")
    return ""


@dataclass
class GateReport:
    step: str
    label: Any
    state: str  # passed: the event has left this step; current: it is at it; upcoming: not yet there
    criteria: list[dict[str, Any]]

    @property
    def met(self) -> bool:
        return all(c["met"] for c in self.criteria)


@dataclass
class ReadinessReport:
    """What the readiness page and ``GET /events/{id}/readiness`` show: the three gates with every
    criterion, and every open point (unmet criteria first, then warnings), each with the page fixing it."""

    event: Event
    gates: list[GateReport]
    open_points: list[dict[str, Any]]

    @property
    def ready(self) -> bool:
        return all(g.met for g in self.gates)

    @property
    def blocking_count(self) -> int:
        return sum(1 for p in self.open_points if p["severity"] == "bad")

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.open_points if p["severity"] == "warn")


def _gate_state(event: Event, step: str) -> str:
    if event.step == Step.CLOSED:
        return "passed"
    here, there = step_index(event.step), step_index(step)
    return "passed" if here > there else "current" if here == there else "upcoming"


def readiness_report(event: Event, now: dt.datetime | None = None) -> ReadinessReport:
    result = readiness(event, now)
    labels = dict(Step.choices)
    gates = [
        GateReport(
            step=step,
            label=labels[step],
            state=_gate_state(event, step),
            criteria=[
                {**c.as_dict(), "url": "" if c.met else fix_url(FIX_PAGES.get(c.code, ""), event.pk)}
                for c in result.criteria(step)
            ],
        )
        for step in GATE_STEPS
    ]
    points = [
        {
            "step": p.step,
            "step_label": force_str(labels.get(p.step, p.step)),
            "code": p.code,
            "text": force_str(p.text),
            "severity": p.severity,
            "url": fix_url(p.url_name, event.pk),
        }
        for p in result.open_points()
    ]
    return ReadinessReport(event=event, gates=gates, open_points=points)


def committed_by_line(event: Event) -> dict[int, Decimal]:
    """``budget line id → amount committed`` by the chosen quotes of the event's vendor needs (VD-1)."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    chosen = (
        VendorNeed.objects.filter(event=event, budget_line__isnull=False, chosen_quote__isnull=False)
        .exclude(status=VendorNeed.Status.CANCELLED)
        .select_related("chosen_quote", "contract")
    )
    for need in chosen:
        contract = getattr(need, "contract", None)
        amount = contract.amount if contract is not None else need.chosen_quote.amount  # type: ignore[union-attr]
        totals[need.budget_line_id] += amount  # type: ignore[index]
    return dict(totals)


def overcommitted_lines(event: Event) -> list[dict[str, Any]]:
    """Budget lines whose commitments exceed their planned amount, for the organiser and finance."""
    from huodong.planning.models import BudgetLine

    committed = committed_by_line(event)
    if not committed:
        return []
    rows = []
    for line in BudgetLine.objects.filter(pk__in=list(committed)):
        if committed[line.pk] > line.amount:
            rows.append(
                {"line": line, "item": line.item, "planned": line.amount, "committed": committed[line.pk]}
            )
    return rows


def expired_qualifications_of(quotes: list[Quote], on: dt.date | None = None) -> dict[int, list[str]]:
    """``vendor id → names of its expired qualifications`` for the vendors of ``quotes`` (VD-1)."""
    on = on or timezone.localdate()
    out: dict[int, list[str]] = {}
    for quote in quotes:
        expired = [q.name for q in quote.vendor.qualifications.all() if q.is_expired(on)]
        if expired:
            out[quote.vendor_id] = expired
    return out


__all__ = [
    "Q",
    "readiness",
    "readiness_report",
    "scoring_weights",
    "raci_problems",
    "my_tasks",
    "committed_by_line",
]
