"""The gate of 通知发布 (NT-1, NT-2): letters delivered to every collaborating department (or a failure
acknowledged), invitations sent, registration open, the quotas met or the shortfall accepted.

The criteria live in ``outreach.readiness`` so that the notices page and the API show the same ones.
"""

from __future__ import annotations

from collections.abc import Iterator

from huodong.events.lifecycle import Criterion, register_gate
from huodong.events.models import Event
from huodong.events.steps import Step


@register_gate(Step.NOTIFICATION, key="outreach.notification")
def notification_gate(event: Event) -> Iterator[Criterion]:
    from ..readiness import notification_criteria

    yield from notification_criteria(event)
