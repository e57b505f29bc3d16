"""API: 准备就绪 (issue 8, point 8): the three gates and every open point.

``GET /api/events/{event_id}/readiness`` answers what the readiness page shows: the gates of 资源协调,
物料筹备 and 人员培训 with every criterion (met or not, and what is missing), and every open point —
unmet criteria (``severity: bad``, they block the gate) then warnings (``warn``: overdue tasks, requests
near their date, overdue materials, over-committed budget lines) — each with the page where it is fixed.
Anyone who may view the event may read it (``Need.VIEW``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huodong.core.http import actor
from huodong.core.schemas import ErrorOut, Id
from huodong.events.access import Need, event_for

from ..selectors import readiness_report

router = Router(tags=["preparation"])


class ReadinessCriterionOut(Schema):
    code: str
    label: str
    met: bool
    detail: str = Field("", description="未满足时缺少什么")
    url: str = Field("", description="处理此项的页面;页面尚不存在时为空")


class ReadinessGateOut(Schema):
    step: str = Field(..., description="resources / materials / training")
    label: str
    state: str = Field(..., description="passed 已通过 / current 当前步骤 / upcoming 未到")
    met: bool
    criteria: list[ReadinessCriterionOut]


class OpenPointOut(Schema):
    step: str
    step_label: str
    code: str
    text: str
    severity: str = Field(..., description="bad:阻止推进的未满足条件;warn:提醒,不阻止推进")
    url: str = ""


class ReadinessOut(Schema):
    event_id: int
    step: str
    ready: bool = Field(..., description="三个关口的条件是否全部满足")
    gates: list[ReadinessGateOut]
    open_points: list[OpenPointOut]


@router.get(
    "/events/{event_id}/readiness",
    response={200: ReadinessOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="准备就绪:三个关口与全部待办事项",
)
def get_readiness(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    event = event_for(actor(request), event_id, Need.VIEW)
    report = readiness_report(event)
    return {
        "event_id": event.pk,
        "step": event.step,
        "ready": report.ready,
        "gates": [
            {
                "step": g.step,
                "label": str(g.label),
                "state": g.state,
                "met": g.met,
                "criteria": g.criteria,
            }
            for g in report.gates
        ],
        "open_points": report.open_points,
    }
