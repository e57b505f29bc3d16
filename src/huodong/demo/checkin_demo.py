"""The check-in part of the demo, on 「智启未来·华东巡展(杭州站)」 (the launch in preparation), through the
check-in services (the rules are real):

- gates 入口 A, 入口 B and VIP 通道 (the VIP lane flagged);
- 冯同学 (``checkin_staff``) at 入口 A, 钱同学 (``staff``) a supervisor at any gate;
- the doors open 90 minutes before the start; the kit of a product launch (议程、资料袋、伴手礼) from the
  event type; 陈经理 the stage manager told when a segment owner is late;
- three of the registered guests already checked in (one at each gate, by QR, by phone tail and at the VIP
  lane), so the live counts and the badges have something to show. The doors of the demo's event are not
  open today, so these are written as the record of a rehearsal (``Scan`` rows and the guests' status),
  not through ``redeem.scan``.

Loading twice changes nothing: it runs only while the event has no gates.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from huodong.checkin.models import Gate, Method, Result, Scan
from huodong.checkin.services import setup as setup_services
from huodong.checkin.services.redeem import settings_for
from huodong.core.models import User
from huodong.events.models import Event
from huodong.outreach.models import Guest, GuestStatus

GATES = [
    ("入口 A", "Gate A", False),
    ("入口 B", "Gate B", False),
    ("VIP 通道", "VIP lane", True),
]


def demo_checkin_load(*, event: Event, people: dict[str, User]) -> None:
    if Gate.objects.filter(event=event).exists():
        return
    organiser = people["organiser"]
    gates = {
        name: setup_services.gate_add(actor=organiser, event=event, name=name, name_en=name_en, is_vip=vip)
        for name, name_en, vip in GATES
    }
    if "checkin_staff" in people:
        setup_services.staff_add(
            actor=organiser, event=event, people=[people["checkin_staff"]], gate_id=gates["入口 A"].pk
        )
    if "staff" in people:
        setup_services.staff_add(actor=organiser, event=event, people=[people["staff"]], is_supervisor=True)
    conf = settings_for(event)
    setup_services.settings_update(
        actor=organiser,
        event=event,
        seen=conf.revision,
        opens_minutes_before=90,
        stage_manager=people.get("marketing_mgr"),
    )
    registered = list(Guest.objects.filter(event=event, status=GuestStatus.REGISTERED).order_by("id")[:3])
    at = timezone.now() - dt.timedelta(days=1)
    methods = [Method.QR, Method.SEARCH, Method.QR]
    staff = people.get("checkin_staff") or organiser
    for i, (guest, gate, method) in enumerate(zip(registered, gates.values(), methods, strict=False)):
        Guest.objects.filter(pk=guest.pk, status=GuestStatus.REGISTERED).update(
            status=GuestStatus.CHECKED_IN, revision=F("revision") + 1
        )
        Scan.objects.create(
            event=event,
            guest=guest,
            gate=gate,
            staff=staff,
            method=method,
            result=Result.ACCEPTED,
            scanned_at=at + dt.timedelta(minutes=3 * i),
            recorded_at=at + dt.timedelta(minutes=3 * i),
            kit=[k["code"] for k in settings_for(event).kit][: 3 - i],
            note="彩排",
        )
