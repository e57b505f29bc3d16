"""What the supervisor watches at the doors (EX-2, issue 10 point 6): check-ins by gate and by guest
category, arrivals per 5 minutes in the event's time zone, the totals (expected = registered + checked in,
checked in, rate), who has not arrived yet (VIPs first), the open conflicts an offline sync found (both
gates and times, both devices), and the last scans.

One call, a handful of aggregate queries whatever the number of guests: the guests by (category, status),
the accepted scans by gate, the accepted scans by minute (bucketed into 5 minutes here), a page of the
not-arrived list ordered in the database, the open conflicts and the last 20 scans. Staff see masked
phones only (PIPL). The live page polls it every 2 seconds and ``GET /api/events/{id}/checkin/counts``
answers it as JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import TruncMinute
from django.utils import timezone

from huodong.events.models import Event
from huodong.outreach import contact
from huodong.outreach.models import Guest, GuestCategory, GuestStatus

from .models import Conflict, Gate, Method, Result, Scan
from .rules import local_time
from .selectors import category_label
from .services.redeem import gate_label

# The order in which the not-arrived list (and the paper sheet, the badges) names the categories:
# the people whose absence matters most first.
CATEGORY_ORDER: tuple[str, ...] = (
    GuestCategory.VIP,
    GuestCategory.SPEAKER,
    GuestCategory.MEDIA,
    GuestCategory.PARTNER,
    GuestCategory.CUSTOMER,
    GuestCategory.EMPLOYEE,
)
BUCKET_MINUTES = 5  # arrivals are counted per 5 minutes (issue 10 point 6)
MAX_BUCKETS = 288  # a day of 5-minute buckets at most
RECENT_SCANS = 20
NOT_ARRIVED_SHOWN = 200  # the page lists this many; the total is always given


def category_rank() -> Case:
    """An ORM expression ranking a guest's category by ``CATEGORY_ORDER`` (VIP = 0)."""
    return Case(
        *[When(category=c, then=Value(i)) for i, c in enumerate(CATEGORY_ORDER)],
        default=Value(len(CATEGORY_ORDER)),
        output_field=IntegerField(),
    )


@dataclass
class LiveCounts:
    """Everything on the supervisor's live page."""

    expected: int
    checked_in: int
    not_arrived: int
    rate: float  # checked in / expected, 0..1
    by_gate: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    arrivals: list[dict[str, Any]]
    arrivals_max: int
    missing: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    recent: list[dict[str, Any]]
    generated_at: dt.datetime
    time_zone: str

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    @property
    def rate_label(self) -> str:
        return f"{self.percent}%"

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "checked_in": self.checked_in,
            "not_arrived": self.not_arrived,
            "rate": self.rate,
            "by_gate": self.by_gate,
            "by_category": self.by_category,
            "arrivals": self.arrivals,
            "not_arrived_guests": self.missing,
            "conflicts": self.conflicts,
            "recent": self.recent,
            "generated_at": self.generated_at,
            "time_zone": self.time_zone,
        }


def _totals(event: Event) -> tuple[int, int, list[dict[str, Any]]]:
    """Expected and checked-in guests overall and per category (one aggregate query)."""
    per: dict[str, dict[str, int]] = {}
    rows = (
        Guest.objects.filter(event_id=event.pk, status__in=(GuestStatus.REGISTERED, GuestStatus.CHECKED_IN))
        .values("category", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        slot = per.setdefault(row["category"], {"expected": 0, "checked_in": 0})
        slot["expected"] += row["n"]
        if row["status"] == GuestStatus.CHECKED_IN:
            slot["checked_in"] += row["n"]
    by_category = []
    ordered = [c for c in CATEGORY_ORDER if c in per] + sorted(c for c in per if c not in CATEGORY_ORDER)
    for code in ordered:
        slot = per[code]
        by_category.append(
            {
                "category": code,
                "label": category_label(code),
                "expected": slot["expected"],
                "checked_in": slot["checked_in"],
                "not_arrived": slot["expected"] - slot["checked_in"],
            }
        )
    expected = sum(s["expected"] for s in per.values())
    checked = sum(s["checked_in"] for s in per.values())
    return expected, checked, by_category


def _by_gate(event: Event) -> list[dict[str, Any]]:
    """Accepted check-ins per gate: every active gate (0 included), then any other gate that has some."""
    counts = {
        row["gate_id"]: row["n"]
        for row in Scan.objects.filter(event_id=event.pk, result=Result.ACCEPTED)
        .values("gate_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    gates = list(Gate.objects.filter(event_id=event.pk))
    out = []
    for g in gates:
        if g.is_active or counts.get(g.pk):
            out.append({"gate_id": g.pk, "gate": gate_label(g), "checked_in": counts.get(g.pk, 0)})
    if counts.get(None):
        out.append({"gate_id": None, "gate": gate_label(None), "checked_in": counts[None]})
    return out


def _arrivals(event: Event, now: dt.datetime) -> tuple[list[dict[str, Any]], int]:
    """Accepted check-ins per 5 minutes while the doors are open, from the first arrival to now (or the
    last arrival), zeros included; a rehearsal the day before is not an arrival. Counted by minute in the
    database, bucketed here: time-zone offsets are whole multiples of 5 minutes, so a UTC bucket is the
    local one. Labels carry the date when the doors' hours span two days."""
    from .rules import doors
    from .services.redeem import settings_for

    opens, closes = doors(event, settings_for(event))
    per_minute = (
        Scan.objects.filter(
            event_id=event.pk, result=Result.ACCEPTED, scanned_at__gte=opens, scanned_at__lte=closes
        )
        .annotate(minute=TruncMinute("scanned_at", tzinfo=dt.UTC))
        .values("minute")
        .annotate(n=Count("id"))
        .order_by()
    )
    step = dt.timedelta(minutes=BUCKET_MINUTES)
    buckets: dict[dt.datetime, int] = {}
    for row in per_minute:
        minute: dt.datetime = row["minute"]
        if timezone.is_naive(minute):
            minute = timezone.make_aware(minute, dt.UTC)
        start = minute.replace(minute=minute.minute - minute.minute % BUCKET_MINUTES, second=0, microsecond=0)
        buckets[start] = buckets.get(start, 0) + row["n"]
    if not buckets:
        return [], 0
    first, last = min(buckets), max(buckets)
    if first <= now <= last + dt.timedelta(hours=6):
        last = max(
            last, now.replace(minute=now.minute - now.minute % BUCKET_MINUTES, second=0, microsecond=0)
        )
    count = min(int((last - first) / step) + 1, MAX_BUCKETS)
    start = last - step * (count - 1)
    two_days = local_time(start, event, "%Y%m%d") != local_time(last, event, "%Y%m%d")
    day = "%m-%d " if two_days else ""
    out: list[dict[str, Any]] = []
    for i in range(count):
        at = start + step * i
        out.append(
            {
                "start": at,
                "label": f"{local_time(at, event, day + '%H:%M')}–{local_time(at + step, event, '%H:%M')}",
                "count": buckets.get(at, 0),
            }
        )
    return out, max(int(b["count"]) for b in out)


def _missing(event: Event, limit: int) -> list[dict[str, Any]]:
    """Registered guests not yet checked in: VIPs first, then 嘉宾/讲者, media, partners, customers,
    employees, each in pinyin order; phones masked."""
    rows = (
        Guest.objects.filter(event_id=event.pk, status=GuestStatus.REGISTERED)
        .annotate(rank=category_rank())
        .order_by("rank", "sort_key", "pk")
        .values_list("pk", "name", "company", "title", "category", "phone")[:limit]
    )
    return [
        {
            "id": pk,
            "name": name,
            "company": company,
            "title": title,
            "category": category,
            "category_label": category_label(category),
            "phone": contact.mask_phone(phone) if phone else "",
        }
        for pk, name, company, title, category, phone in rows
    ]


def _scan_side(scan: Scan, event: Event) -> dict[str, Any]:
    return {
        "scan_id": scan.pk,
        "gate": gate_label(scan.gate),
        "at": scan.scanned_at,
        "time": local_time(scan.scanned_at, event, "%H:%M:%S"),
        "device": str(scan.device) if scan.device_id else "",
        "staff": str(scan.staff) if scan.staff_id else "",
        "offline": scan.offline,
    }


def conflict_row(conflict: Conflict, event: Event) -> dict[str, Any]:
    """A conflict as the supervisor reads it: the guest, the scan that stands and the other one."""
    guest = conflict.guest
    return {
        "id": conflict.pk,
        "guest_id": conflict.guest_id,
        "guest": guest.name,
        "category": guest.category,
        "category_label": category_label(guest.category),
        "kept": _scan_side(conflict.kept, event),
        "other": _scan_side(conflict.other, event),
        "found_at": conflict.found_at,
        "resolved_at": conflict.resolved_at,
        "resolved_by": str(conflict.resolved_by) if conflict.resolved_by_id else "",
        "resolution": conflict.resolution,
    }


def conflicts_of(event: Event, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """The event's conflicts, open ones only unless ``include_resolved`` (newest first)."""
    qs = Conflict.objects.filter(event_id=event.pk).select_related(
        "guest",
        "resolved_by",
        "kept__gate",
        "kept__device",
        "kept__staff",
        "other__gate",
        "other__device",
        "other__staff",
    )
    if not include_resolved:
        qs = qs.filter(resolved_at__isnull=True)
    return [conflict_row(c, event) for c in qs.order_by("-found_at", "-pk")[:500]]


def _recent(event: Event, limit: int) -> list[dict[str, Any]]:
    """The last scans the server heard of, whatever their result."""
    rows = (
        Scan.objects.filter(event_id=event.pk)
        .select_related("guest", "gate", "staff")
        .order_by("-pk")[:limit]
    )
    out = []
    for s in rows:
        out.append(
            {
                "scan_id": s.pk,
                "result": s.result,
                "result_label": str(Result(s.result).label) if s.result in Result.values else s.result,
                "reason": s.reason,
                "guest_id": s.guest_id,
                "guest": s.guest.name if s.guest is not None else "",
                "gate": gate_label(s.gate),
                "staff": str(s.staff) if s.staff_id else "",
                "at": s.scanned_at,
                "time": local_time(s.scanned_at, event, "%H:%M:%S"),
                "method": s.method,
                "method_label": str(Method(s.method).label) if s.method in Method.values else s.method,
                "offline": s.offline,
            }
        )
    return out


def live_counts(
    event: Event,
    *,
    now: dt.datetime | None = None,
    missing_limit: int = NOT_ARRIVED_SHOWN,
    recent_limit: int = RECENT_SCANS,
    with_conflicts: bool = True,
) -> LiveCounts:
    """The supervisor's numbers for ``event`` (issue 10 point 6), in the reader's language."""
    now = now or timezone.now()
    expected, checked, by_category = _totals(event)
    arrivals, peak = _arrivals(event, now)
    return LiveCounts(
        expected=expected,
        checked_in=checked,
        not_arrived=expected - checked,
        rate=round(checked / expected, 4) if expected else 0.0,
        by_gate=_by_gate(event),
        by_category=by_category,
        arrivals=arrivals,
        arrivals_max=peak,
        missing=_missing(event, missing_limit),
        conflicts=conflicts_of(event) if with_conflicts else [],
        recent=_recent(event, recent_limit),
        generated_at=now,
        time_zone=event.time_zone,
    )
