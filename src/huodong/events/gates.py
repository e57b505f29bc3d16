"""The foundation's own gate criteria: an event cannot leave needs insight without its basic facts."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from .lifecycle import Criterion, register_gate
from .models import Event
from .steps import Step


@register_gate(Step.NEEDS, key="events.basics")
def event_basics(event: Event) -> Iterator[Criterion]:
    # REQ LC-2: a step's outputs (here the event's basic facts) are the next step's inputs.
    yield Criterion(
        "event.requesting_department", _("已指定需求部门"), met=event.requesting_department_id is not None
    )
    yield Criterion("event.venue", _("已填写活动地点"), met=bool(event.venue.strip()))
    yield Criterion(
        "event.expected_attendance",
        _("已填写预计人数"),
        met=event.expected_attendance > 0,
        detail=_("须大于 0"),
    )
