"""The four phases and sixteen steps of the lifecycle (LC-1), in their one allowed order."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    PLANNING = "planning", _("策划阶段")
    PREPARATION = "preparation", _("准备阶段")
    EXECUTION = "execution", _("执行阶段")
    REVIEW = "review", _("复盘阶段")


class Step(models.TextChoices):
    # REQ LC-1: four phases of four steps, strictly in this order.
    NEEDS = "needs", _("需求洞察")
    GOALS = "goals", _("目标设定")
    PLAN = "plan", _("方案设计")
    APPROVAL = "approval", _("审批定稿")
    RESOURCES = "resources", _("资源协调")
    MATERIALS = "materials", _("物料筹备")
    TRAINING = "training", _("人员培训")
    NOTIFICATION = "notification", _("通知发布")
    SETUP = "setup", _("场地布置")
    RUN = "run", _("流程执行")
    MONITORING = "monitoring", _("现场监控")
    INCIDENTS = "incidents", _("突发应对")
    DATA = "data", _("数据汇总")
    EVALUATION = "evaluation", _("效果评估")
    LESSONS = "lessons", _("经验沉淀")
    ARCHIVE = "archive", _("归档优化")
    CLOSED = "closed", _("已归档闭环")


LIFECYCLE: tuple[Step, ...] = tuple(s for s in Step if s != Step.CLOSED)  # the 16 steps, LC-1

PHASE_OF: dict[str, Phase] = {}
for _i, _step in enumerate(LIFECYCLE):
    PHASE_OF[_step.value] = list(Phase)[_i // 4]
PHASE_OF[Step.CLOSED.value] = Phase.REVIEW

PHASE_STEPS: dict[Phase, tuple[Step, ...]] = {
    p: tuple(s for s in LIFECYCLE if PHASE_OF[s.value] == p) for p in Phase
}


def step_index(step: str) -> int:
    """Position of ``step`` in the lifecycle; CLOSED is one past the last step."""
    if step == Step.CLOSED:
        return len(LIFECYCLE)
    return [s.value for s in LIFECYCLE].index(step)


def next_step(step: str) -> Step | None:
    """The only step an event may move forward to from ``step`` (LC-2), or None once closed."""
    i = step_index(step)
    if i >= len(LIFECYCLE):
        return None
    return LIFECYCLE[i + 1] if i + 1 < len(LIFECYCLE) else Step.CLOSED


def allowed_back_steps(step: str) -> list[Step]:
    """Steps an organiser may send an event back to, with a reason: any earlier step."""
    return [s for s in LIFECYCLE if step_index(s.value) < step_index(step)]
