"""Gate of 方案设计 (PL-1, PL-2, PL-3, DOC-2, LC-2): the plan is complete before it goes to review.

One criterion per rule (rows that break it are named together, "风险 2「…」、5「…」未指定负责人"), each with a detail saying exactly what is wrong, e.g.
"环节「合影」结束于 17:40,晚于活动结束 17:30". When a rule holds, one met criterion says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.models import Plan
from huodong.planning.selectors_plan import budget_summary, plan_of, segment_problems, segments_of


def _each(code: str, label: object, problems: list[str]) -> Iterator[Criterion]:
    """One criterion per rule, however many rows break it: its detail lists every problem."""
    if not problems:
        yield Criterion(code, label, met=True)
    else:
        yield Criterion(
            code, label, met=False, detail="".join(problems) if len(problems) > 1 else problems[0]
        )


def _rows(code: str, label: object, missing: list[tuple[int, str]], message: Any) -> Iterator[Criterion]:
    """One criterion for a rule every row must meet, naming the rows that do not by their number on the
    plan page and their title, e.g. "风险 2「停电」、5「嘉宾迟到」未指定负责人。" (issue 7, point 5)."""
    if not missing:
        yield Criterion(code, label, met=True)
        return
    rows = str(_("、")).join(
        str(_("%(number)s「%(title)s」") % {"number": number, "title": title}) for number, title in missing
    )
    yield Criterion(code, label, met=False, detail=message % {"rows": rows, "n": len(missing)})


@register_gate(Step.PLAN, key="planning.plan")
def plan_is_complete(event: Event) -> Iterator[Criterion]:
    plan = plan_of(event)
    yield from _theme_and_background(event, plan)
    yield from _run_of_show(event, plan)
    yield from _budget(event, plan)
    yield from _risk_plan(plan)


def _theme_and_background(event: Event, plan: Plan | None) -> Iterator[Criterion]:
    # REQ PL-1: a differentiated theme and a tone.
    yield Criterion(
        "plan.theme", _("已确定活动主题"), met=bool(event.theme.strip()), detail=_("请在策划方案中填写主题")
    )
    yield Criterion(
        "plan.tone", _("已确定活动调性"), met=bool(event.tone.strip()), detail=_("如:高端专业、年轻活力")
    )
    yield Criterion(
        "plan.background",
        _("已填写活动背景"),
        met=bool(plan and plan.background.strip()),
        detail=_("策划方案须说明活动背景(DOC-2)"),
    )


def _run_of_show(event: Event, plan: Plan | None) -> Iterator[Criterion]:
    # REQ PL-2: a run of show inside the event's time, no overlap unless parallel, owners and key actions.
    segments = segments_of(plan)
    yield Criterion(
        "plan.segments.present", _("流程至少包含一个环节"), met=bool(segments), detail=_("尚未编排活动流程")
    )
    if segments:
        problems = segment_problems(event, segments)
        yield from _each("plan.segments.window", _("每个环节都在活动时间内"), problems.window)
        yield from _each("plan.segments.overlap", _("环节之间不重叠(标记为可并行的除外)"), problems.overlap)
        numbered = list(enumerate(segments, start=1))
        yield from _rows(
            "plan.segments.owner",
            _("每个环节都有负责人"),
            [(n, s.title) for n, s in numbered if s.owner_id is None],
            _("环节 %(rows)s未指定负责人。"),
        )
        yield from _rows(
            "plan.segments.key_actions",
            _("每个环节都有关键动作"),
            [(n, s.title) for n, s in numbered if not s.key_actions.strip()],
            _("环节 %(rows)s未填写关键动作。"),
        )


def _budget(event: Event, plan: Plan | None) -> Iterator[Criterion]:
    # REQ PL-3: a budget within the approved amount, with a contingency reserve inside the band.
    summary = budget_summary(plan, event=event)
    money = summary.money
    yield Criterion(
        "plan.budget.present", _("预算至少包含一项明细"), met=summary.line_count > 0, detail=_("尚未编制预算")
    )
    approved_set = summary.approved is not None and summary.approved > 0
    yield Criterion(
        "plan.budget.approved",
        _("已填写需求部门审批额度"),
        met=approved_set,
        detail=_("请填写需求部门批准的预算额度"),
    )
    if approved_set:
        yield Criterion(
            "plan.budget.within_approved",
            _("预算总额不超过审批额度(%(total)s / %(approved)s)")
            % {"total": money(summary.total), "approved": money(summary.approved)},
            met=not summary.over_budget,
            detail=_("预算总额 %(total)s 超出审批额度 %(approved)s,超出 %(over)s")
            % {
                "total": money(summary.total),
                "approved": money(summary.approved),
                "over": money(summary.total - summary.approved) if summary.approved is not None else "",
            },
        )
    if summary.line_count:
        yield Criterion(
            "plan.budget.contingency_present",
            _("预算中列有应急备用金"),
            met=summary.contingency > 0,
            detail=_("请添加「应急备用金」科目的预算明细,占总额 %(band)s") % {"band": summary.band_label},
        )
        if summary.contingency > 0:
            yield Criterion(
                "plan.budget.contingency_band",
                _("应急备用金占预算总额 %(band)s(当前 %(share)s)")
                % {"band": summary.band_label, "share": summary.share_label},
                met=summary.reserve_in_band,
                detail=_("应急备用金 %(amount)s 占总额 %(total)s 的 %(share)s,不在 %(band)s 之间")
                % {
                    "amount": money(summary.contingency),
                    "total": money(summary.total),
                    "share": summary.share_label,
                    "band": summary.band_label,
                },
            )


def _risk_plan(plan: Plan | None) -> Iterator[Criterion]:
    # REQ DOC-2: a risk plan, each risk with an owner and a response.
    risks = list(plan.risks.all()) if plan else []
    yield Criterion(
        "plan.risks.present", _("风险预案至少包含一项"), met=bool(risks), detail=_("尚未填写风险预案")
    )
    if risks:
        numbered = list(enumerate(risks, start=1))  # the plan page's order
        yield from _rows(
            "plan.risks.owner",
            _("每项风险都有负责人"),
            [(n, r.risk) for n, r in numbered if r.owner_id is None],
            _("风险 %(rows)s未指定负责人。"),
        )
        yield from _rows(
            "plan.risks.response",
            _("每项风险都有应对预案"),
            [(n, r.risk) for n, r in numbered if not r.response.strip()],
            _("风险 %(rows)s未填写应对预案。"),
        )
