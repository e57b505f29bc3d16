"""Gates of the preparation phase: 资源协调 (TM-1, VD-1, VD-2, IR-1), 物料筹备 (MT-1), 人员培训 (TR-1).

Each gate reads only its own records through ``selectors.gate_criteria``, the same criteria that
``selectors.readiness`` composes for the readiness page and the API (issue 8, point 8).
"""

from __future__ import annotations

from collections.abc import Iterator

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step

from ..selectors import gate_criteria


@register_gate(Step.RESOURCES, key="preparation.resources")
def resources_gate(event: Event) -> Iterator[Criterion]:
    yield from gate_criteria(event, Step.RESOURCES)


@register_gate(Step.MATERIALS, key="preparation.materials")
def materials_gate(event: Event) -> Iterator[Criterion]:
    yield from gate_criteria(event, Step.MATERIALS)


@register_gate(Step.TRAINING, key="preparation.training")
def training_gate(event: Event) -> Iterator[Criterion]:
    yield from gate_criteria(event, Step.TRAINING)
