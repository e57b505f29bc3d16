"""Gates of needs insight and goal setting (LC-2): what must be on record before the event moves on.

Leaving 需求洞察 needs the report's content (NI-1, NI-2, DOC-1); leaving 目标设定 needs at least one goal
and every goal SMART (GO-1). Achievability is shown, never required.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from .. import selectors
from ..models import NeedsInput
from ..services.goals import Achievability, goal_achievability, goal_issues, goal_missing_text

# NI-1: the kinds of input the specification names; a business department's goal is required.
NEEDS_INPUT_KINDS = (
    NeedsInput.Kind.BUSINESS_GOAL,
    NeedsInput.Kind.MARKET_TREND,
    NeedsInput.Kind.CUSTOMER_FEEDBACK,
)  # NI-1
REQUIRED_INPUT_KIND = NeedsInput.Kind.BUSINESS_GOAL  # NI-1


@register_gate(Step.NEEDS, key="planning.needs")
def needs_report_complete(event: Event) -> Iterator[Criterion]:
    # REQ LC-2: the needs report is the input of goal setting.
    report = selectors.needs_report_get(event)
    background = bool(report and report.background.strip())
    yield Criterion(
        "needs.background",
        _("已填写需求背景"),
        met=background,
        detail="" if background else _("需求背景为空"),
    )

    kinds = {i.kind for i in report.inputs.all()} if report else set()
    missing = [force_str(NeedsInput.Kind(k).label) for k in NEEDS_INPUT_KINDS if k not in kinds]
    has_business_goal = REQUIRED_INPUT_KIND in kinds
    label = _("已收集需求输入,且含业务部门目标(NI-1)")
    if has_business_goal and missing:
        label = _("已收集需求输入,且含业务部门目标(NI-1);尚未收集:%(kinds)s") % {"kinds": "、".join(missing)}  # type: ignore[assignment]
    if not kinds:
        detail = _("尚无需求输入;须至少添加一项「业务部门目标」")
    elif not has_business_goal:
        detail = _("缺少「业务部门目标」类输入;尚未收集:%(kinds)s") % {"kinds": "、".join(missing)}  # type: ignore[assignment]
    else:
        detail = ""  # type: ignore[assignment]
    yield Criterion("needs.inputs", label, met=has_business_goal, detail=detail)

    methods = [m for m in report.methods.all() if m.findings.strip()] if report else []
    yield Criterion(
        "needs.methods",
        _("已记录调研方法及其发现(NI-2)"),
        met=bool(methods),
        detail=""
        if methods
        else _("尚未记录任何调研方法(部门访谈、问卷调研、竞品活动对标、历史活动数据复盘)及发现"),
    )
    persona = bool(report and report.audience_persona.strip())
    yield Criterion(
        "needs.persona", _("已填写目标受众画像"), met=persona, detail="" if persona else _("目标受众画像为空")
    )
    core = bool(report and report.core_needs.strip())
    yield Criterion(
        "needs.core_needs", _("已填写核心需求描述"), met=core, detail="" if core else _("核心需求描述为空")
    )

    parts = []
    if not (report and report.requesting_department_id):
        parts.append(force_str(_("需求提出部门")))
    if not (report and report.pk and list(report.requesters.all())):
        parts.append(force_str(_("需求提出人")))
    if not (report and report.requested_on):
        parts.append(force_str(_("提出日期")))
    yield Criterion(
        "needs.requested_by",
        _("已填写需求提出部门、提出人及日期(DOC-1)"),
        met=not parts,
        detail=_("缺少:%(parts)s") % {"parts": "、".join(parts)} if parts else "",
    )


@register_gate(Step.GOALS, key="planning.goals")
def goals_are_smart(event: Event) -> Iterator[Criterion]:
    # REQ GO-1: at least one goal, every goal SMART; a flagged achievability is shown, not required.
    goals = list(selectors.goals_for_event(event).select_related("event"))
    yield Criterion(
        "goals.present", _("至少设定一个目标"), met=bool(goals), detail="" if goals else _("尚未设定任何目标")
    )
    failing = 0
    for goal in goals:
        issues = goal_issues(goal)
        if issues:
            failing += 1
            yield Criterion(
                f"goals.smart.{goal.pk}",
                _("目标「%(goal)s」符合 SMART 原则") % {"goal": goal.metric_label},
                met=False,
                detail=goal_missing_text(goal, issues),
            )
    if goals and not failing:
        yield Criterion("goals.smart", _("所有目标均符合 SMART 原则(GO-1)"), met=True)
    for goal in goals:
        status, message = goal_achievability(goal)
        if status == Achievability.FLAGGED:
            yield Criterion(
                f"goals.achievable.{goal.pk}",
                _("目标「%(goal)s」可实现性提示:%(message)s")
                % {"goal": goal.metric_label, "message": message},
                met=True,
            )
