"""The live dashboard of 现场监控 (EX-6) and the leads, as other parts read them.

``snapshot(event)`` is everything on the dashboard, in the reader's language, as JSON-ready values:

- ``totals``: expected (registered + checked in), checked in, not arrived, rate;
- ``series``: per 5 minutes while the doors are open (at most a day of buckets), the registrations and
  check-ins so far (cumulative) and the arrivals in each bucket — what the chart draws;
- ``by_category`` and ``by_gate`` (every active gate, 0 included), ``media`` (media guests checked in);
- ``leads``: captured leads by interest and how many people captured them;
- ``interaction`` (``onsite.interaction.selectors.interaction_counts`` and ``survey_summary``),
  ``incidents`` (``onsite.incidents.selectors.open_incidents``, each with its SLA clock),
  ``show`` (``onsite.show.selectors.punctuality``): read lazily; while a part does not offer its function
  yet, its entry is ``null`` and the panel says 暂无数据;
- ``final``: who confirmed the final figures and when (定格), or ``null``.

A handful of statements whatever the size of the event, each answered from an index alone: the guests
grouped by (category, status); the accepted scans grouped by gate; and for the chart, one statement per
table that counts the rows of each 5-minute bucket by a range seek on an index ending in the timestamp
(the buckets' bounds are a ``VALUES`` table computed here: whole 5-minute periods since the Unix epoch,
so a UTC bucket is a local one — time-zone offsets are whole multiples of 5 minutes). Rows before the
window count into the starting totals. The indexes, on the models they index: ``scan_event_result_at``
and ``live_scan_event_result_gate`` (checkin.Scan), ``live_guest_event_status_cat`` (guest: event, status, category),
``live_guest_event_reg_status`` (outreach.Guest: event, registered_at, status; the first also serves
what the dropped (event, status) index served), the scan one on (event, result, gate). Truncating each row's timestamp in SQL
(``strftime('%s')``/``EXTRACT(EPOCH)`` then ``GROUP BY``) was measured first: 40–90 ms on SQLite for
100,000 scans against 6 ms for the range counts (docs: bench/bench_dashboard.py).

``snapshot_cached(event)`` is what the page and the API serve: the snapshot as JSON bytes with an
``ETag`` (a hash of the content without its time of computing), computed at most once per second per
event and language in each server process (Django's cache; one thread computes while the others serve
the previous one), so 200 phones polling every 2 s cost one computation a second, and an unchanged
snapshot is a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language

from huodong.checkin.models import Gate, Result, Scan
from huodong.checkin.rules import doors, local_time
from huodong.checkin.selectors import category_label
from huodong.checkin.selectors_live import CATEGORY_ORDER
from huodong.checkin.services.redeem import gate_label, settings_for
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.outreach.models import SEATED, Guest, GuestCategory, GuestStatus

from .models import FinalFigures, Interest, Lead
from .rules import RUNNING_STEPS

BUCKET_MINUTES = 5
BUCKET_SECONDS = BUCKET_MINUTES * 60
MAX_BUCKETS = 288  # a day of 5-minute buckets
FRESH_SECONDS = 1.0  # a snapshot is computed at most once per second per event and language
CACHE_SECONDS = 60
AFTER = -1  # the bucket of rows after the chart's window
FAR = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def _range_counts(
    model: Any, where: str, params: list[Any], column: str, first: int, last: int
) -> tuple[dict[int, int], int]:
    """Rows of ``model`` matching ``where`` per 5-minute bucket ``first``..``last`` of ``column``, and how
    many fall after the window: one statement, a table of the buckets' bounds (``VALUES``) each counted by
    a range seek on an index ending in ``column``: no function per row, the same SQL on both databases."""
    ops = connection.ops
    bounds: list[str] = []
    args: list[Any] = []
    for b in range(first, last + 1):
        bounds.append("(%s, %s, %s)")
        args += [b, ops.adapt_datetimefield_value(_at(b)), ops.adapt_datetimefield_value(_at(b + 1))]
    bounds.append("(%s, %s, %s)")
    args += [AFTER, ops.adapt_datetimefield_value(_at(last + 1)), ops.adapt_datetimefield_value(FAR)]
    table = ops.quote_name(model._meta.db_table)
    col = ops.quote_name(column)
    sql = (
        f"WITH b (k, lo, hi) AS (VALUES {', '.join(bounds)}) "
        f"SELECT b.k, (SELECT COUNT(*) FROM {table} t WHERE {where} AND t.{col} >= b.lo AND t.{col} < b.hi) "
        "FROM b"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, args + params)  # the bounds' placeholders come first, then the subquery's
        rows = cursor.fetchall()
    counts = {int(k): int(n) for k, n in rows}
    return {k: n for k, n in counts.items() if k != AFTER and n}, counts.get(AFTER, 0)


def _window(event: Event, now: dt.datetime) -> tuple[int, int]:
    """The first and last bucket of the chart: from the doors' opening to now (or their closing), a day
    at most; before the doors open, the opening bucket alone."""
    opens, closes = doors(event, settings_for(event))
    first = int(opens.timestamp()) // BUCKET_SECONDS
    until = min(max(now, opens), closes)
    last = int(until.timestamp()) // BUCKET_SECONDS
    return max(first, last - MAX_BUCKETS + 1), last


def _at(bucket: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(bucket * BUCKET_SECONDS, dt.UTC)


def _guests(event: Event, first: int, last: int) -> tuple[dict[str, dict[str, int]], int, dict[int, int]]:
    """Per category: expected and checked in; registrations before the window (or without a date); per
    bucket. Two index-only statements (``live_guest_event_status_cat``, ``live_guest_event_reg_status``)."""
    per: dict[str, dict[str, int]] = {}
    rows = (
        Guest.objects.filter(event_id=event.pk, status__in=SEATED)
        .values_list("category", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for category, status, n in rows:
        slot = per.setdefault(category, {"expected": 0, "checked_in": 0})
        slot["expected"] += n
        if status == GuestStatus.CHECKED_IN:
            slot["checked_in"] += n
    buckets, after = _range_counts(
        Guest, "t.event_id = %s AND t.status IN (%s, %s)", [event.pk, *SEATED], "registered_at", first, last
    )
    expected = sum(s["expected"] for s in per.values())
    return per, expected - sum(buckets.values()) - after, buckets


def _scans(event: Event, first: int, last: int) -> tuple[dict[int | None, int], int, dict[int, int]]:
    """Accepted check-ins per gate; before the window; per bucket (``live_scan_event_result_gate``, and
    ``scan_event_result_at`` for the buckets)."""
    gates: dict[int | None, int] = {
        gate_id: n
        for gate_id, n in Scan.objects.filter(event_id=event.pk, result=Result.ACCEPTED)
        .values_list("gate_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    buckets, after = _range_counts(
        Scan,
        "t.event_id = %s AND t.result = %s",
        [event.pk, Result.ACCEPTED.value],
        "scanned_at",
        first,
        last,
    )
    return gates, sum(gates.values()) - sum(buckets.values()) - after, buckets


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _by_category(per: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    ordered = [c for c in CATEGORY_ORDER if c in per] + sorted(c for c in per if c not in CATEGORY_ORDER)
    return [
        {
            "category": code,
            "label": category_label(code),
            "expected": per[code]["expected"],
            "checked_in": per[code]["checked_in"],
            "rate": _rate(per[code]["checked_in"], per[code]["expected"]),
        }
        for code in ordered
    ]


def _by_gate(event: Event, counts: dict[int | None, int]) -> list[dict[str, Any]]:
    out = []
    for g in sorted(Gate.objects.filter(event_id=event.pk), key=lambda g: (g.position, g.pk)):
        if g.is_active or counts.get(g.pk):
            out.append({"gate_id": g.pk, "gate": gate_label(g), "checked_in": counts.get(g.pk, 0)})
    if counts.get(None):
        out.append({"gate_id": None, "gate": gate_label(None), "checked_in": counts[None]})
    return out


def _series(
    event: Event, first: int, last: int, regs: tuple[int, dict[int, int]], scans: tuple[int, dict[int, int]]
) -> dict[str, Any]:
    two_days = local_time(_at(first), event, "%Y%m%d") != local_time(_at(last), event, "%Y%m%d")
    fmt = "%m-%d %H:%M" if two_days else "%H:%M"
    labels, starts, registered, checked, arrivals = [], [], [], [], []
    reg_total, scan_total = regs[0], scans[0]
    for b in range(first, last + 1):
        reg_total += regs[1].get(b, 0)
        scan_total += scans[1].get(b, 0)
        at = _at(b)
        starts.append(at.isoformat())
        labels.append(local_time(at, event, fmt))
        registered.append(reg_total)
        checked.append(scan_total)
        arrivals.append(scans[1].get(b, 0))
    return {
        "bucket_minutes": BUCKET_MINUTES,
        "starts": starts,
        "labels": labels,
        "registered": registered,
        "checked_in": checked,
        "arrivals": arrivals,
    }


def lead_counts(event_id: int) -> dict[str, Any]:
    """Leads captured: in all, by interest (A, B, C, each present), and by how many people."""
    per = {
        row["interest"]: row["n"]
        for row in Lead.objects.filter(event_id=event_id)
        .values("interest")
        .annotate(n=Count("id"))
        .order_by()
    }
    people = Lead.objects.filter(event_id=event_id).values("recorded_by_id").distinct().count() if per else 0
    return {
        "total": sum(per.values()),
        "by_interest": [
            {"interest": c.value, "label": str(c.label), "count": per.get(c.value, 0)} for c in Interest
        ],
        "people": people,
    }


def _optional(module: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """Another on-site part's selector, when that part offers it (else ``None``: the panel says 暂无数据)."""
    try:
        func = getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return func(*args, **kwargs)


def final_figures(event_id: int) -> dict[str, Any] | None:
    """The final figures the organiser confirmed (定格), for the review phase: ``figures`` (a snapshot as
    ``snapshot`` returns it, in Chinese), ``confirmed_by`` (name), ``confirmed_by_id``, ``confirmed_at``,
    ``note``, ``revision``; ``None`` when not confirmed."""
    row = FinalFigures.objects.select_related("confirmed_by").filter(event_id=event_id).first()
    if row is None:
        return None
    return {
        "id": row.pk,
        "figures": row.figures,
        "confirmed_by": str(row.confirmed_by) if row.confirmed_by_id else "",
        "confirmed_by_id": row.confirmed_by_id,
        "confirmed_at": row.confirmed_at,
        "note": row.note,
        "revision": row.revision,
    }


def _final_brief(event: Event) -> dict[str, Any] | None:
    row = (
        FinalFigures.objects.select_related("confirmed_by")
        .filter(event_id=event.pk)
        .only(
            "id", "revision", "note", "confirmed_at", "confirmed_by__display_name", "confirmed_by__username"
        )
        .first()
    )
    if row is None:
        return None
    return {
        "confirmed_by": str(row.confirmed_by) if row.confirmed_by_id else "",
        "confirmed_at": row.confirmed_at,
        "time": local_time(row.confirmed_at, event, "%m-%d %H:%M"),
        "note": row.note,
        "revision": row.revision,
    }


def snapshot(event: Event, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything on the dashboard of ``event`` now (see the module's docstring)."""
    now = now or timezone.now()
    first, last = _window(event, now)
    per, reg_before, reg_buckets = _guests(event, first, last)
    gates, scan_before, scan_buckets = _scans(event, first, last)
    expected = sum(s["expected"] for s in per.values())
    checked = sum(s["checked_in"] for s in per.values())
    media = per.get(GuestCategory.MEDIA, {"expected": 0, "checked_in": 0})
    return {
        "event_id": event.pk,
        "step": event.step,
        "step_label": str(Step(event.step).label) if event.step in Step.values else event.step,
        "running": event.step in RUNNING_STEPS,
        "generated_at": now,
        "time_zone": event.time_zone,
        "totals": {
            "expected": expected,
            "checked_in": checked,
            "not_arrived": expected - checked,
            "rate": _rate(checked, expected),
        },
        "series": _series(event, first, last, (reg_before, reg_buckets), (scan_before, scan_buckets)),
        "by_category": _by_category(per),
        "by_gate": _by_gate(event, gates),
        "media": {
            "expected": media["expected"],
            "checked_in": media["checked_in"],
            "rate": _rate(media["checked_in"], media["expected"]),
        },
        "leads": lead_counts(event.pk),
        "interaction": _optional("huodong.onsite.interaction.selectors", "interaction_counts", event.pk),
        "survey": _optional("huodong.onsite.interaction.selectors", "survey_summary", event.pk),
        "incidents": _optional("huodong.onsite.incidents.selectors", "open_incidents", event.pk, now=now),
        "show": _optional("huodong.onsite.show.selectors", "punctuality", event.pk),
        "final": _final_brief(event),
    }


def snapshot_jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with its times as ISO text (for a JSONField, a hash)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


# ---------------------------------------------------------------- the served snapshot
@dataclass(frozen=True)
class Served:
    etag: str  # quoted, as in the header
    body: bytes
    computed: float  # time.time() when computed


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _serve(event: Event) -> Served:
    data = snapshot(event)
    content = json.dumps(
        {k: v for k, v in data.items() if k != "generated_at"}, cls=DjangoJSONEncoder, sort_keys=True
    )
    tag = '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'
    body = json.dumps({**data, "etag": tag}, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    return Served(etag=tag, body=body, computed=time.time())


def snapshot_cached(event: Event | int, load: Any = None) -> Served:
    """The snapshot as served: recomputed when older than ``FRESH_SECONDS``, by one thread of the process
    at a time; the others answer with the previous one meanwhile (or wait for the first one). ``event``
    may be an id, with ``load()`` giving the event when a computation is due."""
    event_id = event.pk if isinstance(event, Event) else int(event)
    key = f"onsite_live:snapshot:{event_id}:{get_language() or ''}"
    hit = cache.get(key)
    if isinstance(hit, Served) and time.time() - hit.computed < FRESH_SECONDS:
        return hit
    lock = _lock(key)
    if isinstance(hit, Served):
        if not lock.acquire(blocking=False):
            return hit
    else:
        lock.acquire()
    try:
        again = cache.get(key)
        if isinstance(again, Served) and time.time() - again.computed < FRESH_SECONDS:
            return again
        served = _serve(event if isinstance(event, Event) else load())
        cache.set(key, served, CACHE_SECONDS)
        return served
    finally:
        lock.release()


def snapshot_forget(event_id: int) -> None:
    """Drop the cached snapshots of an event (after the final figures change: the page shows them)."""
    from django.conf import settings

    cache.delete_many(
        [f"onsite_live:snapshot:{event_id}:{code}" for code, _name in settings.LANGUAGES]
        + [f"onsite_live:snapshot:{event_id}:"]
    )


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak or strong, a list, or ``*``)."""
    for part in (if_none_match or "").split(","):
        tag = part.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


# ---------------------------------------------------------------- leads, for the review phase
def leads_of(event_id: int) -> list[dict[str, Any]]:
    """Every lead captured at the event, newest first: ``id``, ``guest_id``, ``guest`` (name),
    ``company``, ``title``, ``category``, ``interest`` (a/b/c), ``interest_label``, ``notes``, ``found_by``
    (qr/code/search), ``recorded_by_id``, ``recorded_by`` (name), ``created_at``, ``updated_at``,
    ``revision``. No phone or e-mail: the guest's record has them, under its own rules (PIPL)."""
    rows = (
        Lead.objects.filter(event_id=event_id)
        .select_related("guest", "recorded_by")
        .order_by("-created_at", "-id")
    )
    return [lead_row(lead) for lead in rows]


def lead_row(lead: Lead) -> dict[str, Any]:
    guest = lead.guest
    return {
        "id": lead.pk,
        "guest_id": lead.guest_id,
        "guest": guest.name,
        "company": guest.company,
        "title": guest.title,
        "category": guest.category,
        "category_label": category_label(guest.category),
        "interest": lead.interest,
        "interest_label": str(Interest(lead.interest).label),
        "notes": lead.notes,
        "found_by": lead.found_by,
        "recorded_by_id": lead.recorded_by_id,
        "recorded_by": str(lead.recorded_by),
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "revision": lead.revision,
    }
