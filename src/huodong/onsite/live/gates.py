"""The gate of 现场监控 (EX-6): the event leaves the step once its organiser has confirmed the final
figures of the day (定格: the dashboard stored with who and when, ``services.final``), so the review
phase starts from figures someone stands behind."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from .models import FinalFigures


@register_gate(Step.MONITORING, key="onsite.live")
def final_figures_confirmed(event: Event) -> Iterator[Criterion]:
    yield Criterion(
        "live.final",
        _("现场数据已由活动负责人或策划人员确认定格"),
        met=FinalFigures.objects.filter(event_id=event.pk).exists(),
        detail=_("请在「现场数据看板」页点击「定格最终数据」,确认签到、线索等最终数据。"),
    )
