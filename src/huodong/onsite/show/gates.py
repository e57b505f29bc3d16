"""The gate of 流程执行 (EX-3): every segment of the run of show ended, or skipped with a reason."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from .selectors import unfinished


@register_gate(Step.RUN, key="onsite.show")
def run_gate(event: Event) -> Iterator[Criterion]:
    left = unfinished(event)
    yield Criterion(
        "show.segments_done",
        _("流程中的每个环节都已结束,或已注明原因跳过"),
        met=not left,
        detail=_("尚未结束的环节:%(titles)s") % {"titles": "、".join(left)} if left else "",
    )
