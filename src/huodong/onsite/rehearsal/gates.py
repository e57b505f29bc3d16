"""The gate of 场地布置 (EX-1), found by ``events`` with ``autodiscover_modules("gates")``: the event leaves
the step only when every checklist item is checked, no failed item is left without its follow-up done, and
the full rehearsal passed (``selectors.gate_criteria``)."""

from __future__ import annotations

from collections.abc import Iterator

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from .selectors import gate_criteria


@register_gate(Step.SETUP, key="onsite.rehearsal")
def rehearsal_gate(event: Event) -> Iterator[Criterion]:
    yield from gate_criteria(event)
