"""A scanning device says which gate it is (issue 10 point 1): registered on first use, moved by its
staff. A device belongs to one event for good."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from huodong.core.models import User
from huodong.events.access import Need, event_for

from ..models import Device
from .redeem import device_for, gate_of


def device_set(*, actor: User, event: Any, key: Any, gate_id: Any = None, label: str = "") -> Device:
    """Register ``key`` for the event (or find it) and set its gate and label."""
    with transaction.atomic():
        ev = event_for(actor, event, Need.CHECKIN)
        gate = gate_of(ev, gate_id)
        device = device_for(ev, key, actor=actor, gate_id=gate_id)
        assert device is not None
        device.gate = gate
        if label:
            device.label = label[:60]
        device.last_seen_at = timezone.now()
        device.save(update_fields=["gate", "label", "last_seen_at"])
        return device
