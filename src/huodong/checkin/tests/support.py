"""Helpers the check-in tests share (no tests here).

``door_event`` is an event at 场地布置 whose doors are open now (it starts in an hour), with ``n``
registered guests holding tickets; ``token_of`` is a guest's ticket token as its QR carries it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from huodong.checkin.models import Gate, GateStaff
from huodong.events.steps import Step
from huodong.outreach import tickets
from huodong.outreach.models import Guest, GuestStatus
from huodong.outreach.tests.test_registration_support import sign_up
from huodong.planning.tests.conftest import make_event


def door_event(owner: Any, n: int = 3, *, starts_in: dt.timedelta = dt.timedelta(hours=1), name: str = ""):  # noqa: ANN201
    """An event whose doors are open now (they open two hours before the start) with ``n`` registered
    guests, and two gates (入口 A, 入口 B)."""
    event = make_event(
        owner,
        step=Step.NOTIFICATION,
        starts=timezone.now() + dt.timedelta(days=1),
        **({"name": name} if name else {}),
    )
    from huodong.outreach.models import RegistrationSettings
    from huodong.outreach.services import registration as services

    reg = services.settings_of(event)
    RegistrationSettings.objects.filter(pk=reg.pk).update(is_open=True)
    for i in range(1, n + 1):
        sign_up(event, i)
    Gate.objects.create(event=event, name="入口 A", name_en="Gate A", position=1)
    Gate.objects.create(event=event, name="入口 B", name_en="Gate B", position=2)
    from huodong.events.models import Event

    starts = timezone.now() + starts_in
    Event.objects.filter(pk=event.pk).update(
        step=Step.SETUP, starts_at=starts, ends_at=starts + dt.timedelta(hours=4)
    )
    event.refresh_from_db()
    return event


def guests_of(event: Any) -> list[Guest]:
    return list(Guest.objects.filter(event=event, status=GuestStatus.REGISTERED).order_by("pk"))


def token_of(guest: Guest) -> str:
    return tickets.token_for(tickets.issue(guest))


def gate(event: Any, name: str = "入口 A") -> Gate:
    return Gate.objects.get(event=event, name=name)


def staff(event: Any, person: Any, *, gate_name: str | None = None, supervisor: bool = False) -> GateStaff:
    return GateStaff.objects.create(
        event=event,
        person=person,
        gate=gate(event, gate_name) if gate_name else None,
        is_supervisor=supervisor,
    )


def post(client: Client, url: str, data: dict[str, Any], **extra: Any):  # noqa: ANN201
    return client.post(url, json.dumps(data, default=str), "application/json", **extra)
