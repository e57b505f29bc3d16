"""Benchmark: render and queue 100,000 invitations (NT-2), end to end.

In a throwaway SQLite database (migrated afresh), creates an event with 100,000 guests who have an e-mail
address (bulk insert, not timed), then times what a bulk send does with them, batch by batch of 2,000
guests as the send job does: read the guests, render the invitation (the event's template in force) for
each one in their language with ``messaging.guest_messages``, and write the outbox rows with
``outbox.enqueue_many`` (idempotency keys checked), one transaction per batch. One channel (e-mail).

    .venv/bin/python bench/bench_queue_invitations.py [--runs N] [--guests N] [--json]

``run()`` returns the rows for bench/run.py (``make bench``). Target (issue 9): over 1,000 a second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GUESTS = 100_000
BATCH = 2_000
TARGET_PER_S = 1_000.0


def _setup_django(data_dir: str) -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ["DJANGO_SETTINGS_MODULE"] = "huodong.settings"
    os.environ["HUODONG_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _event(n: int, guests: int) -> Any:
    import datetime as dt
    import zoneinfo

    from huodong.core.models import Department, Role, User
    from huodong.events.models import Event, EventType
    from huodong.events.steps import Step
    from huodong.outreach.models import Guest, RegistrationSettings

    organiser, _created = User.objects.get_or_create(
        username="bench_organiser",
        defaults={
            "role": Role.ORGANISER,
            "display_name": "基准策划",
            "department": Department.objects.get(code="marketing"),
        },
    )
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    event = Event.objects.create(
        name=f"邀请函基准 {n}",
        event_type=EventType.objects.get(code="product-launch"),
        starts_at=dt.datetime(2027, 3, 18, 13, 30, tzinfo=tz),
        ends_at=dt.datetime(2027, 3, 18, 17, 30, tzinfo=tz),
        venue="上海国际会议中心",
        owner=organiser,
        step=Step.NOTIFICATION,
    )
    RegistrationSettings.objects.create(
        event=event,
        highlights="新品首发与行业圆桌",
        how_to_register="扫码或点击链接报名",
        notes="请携带身份证",
    )
    rows = [
        Guest(
            event=event,
            name=f"嘉宾{i:06d}",
            company=f"客户公司{i % 500}",
            email=f"guest{i:06d}@example.com",
            language="en" if i % 10 == 0 else "zh-hans",
            sort_key=f"jiabin{i:06d}",
            access_key=f"k{n}x{i:07d}",
        )
        for i in range(guests)
    ]
    Guest.objects.bulk_create(rows, batch_size=5_000)
    return organiser, event


def queue_all(event: Any, organiser: Any) -> int:
    """What a bulk send of the invitation on e-mail does, batch by batch; returns the rows written."""
    from django.db import transaction

    from huodong.outreach.models import Guest, Message, MessageKind
    from huodong.outreach.services import messaging, outbox

    ids = list(Guest.objects.filter(event=event).order_by("id").values_list("id", flat=True))
    created = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            guests = list(
                Guest.objects.filter(pk__in=ids[start : start + BATCH])
                .select_related("ticket")
                .order_by("id")
            )
            rows = messaging.guest_messages(
                event,
                guests,
                MessageKind.INVITATION,
                channels=["email"],
                purpose=Message.Purpose.OPERATION,
                actor=organiser,
            )
            created += outbox.enqueue_many(rows)
    return created


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(runs: int = 3, guests: int = GUESTS) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="huodong-bench-invitations-") as data_dir:
        _setup_django(data_dir)
        rates: list[float] = []
        seconds: list[float] = []
        for n in range(runs):
            organiser, event = _event(n, guests)
            t0 = time.perf_counter()
            created = queue_all(event, organiser)
            elapsed = time.perf_counter() - t0
            assert created == guests, (created, guests)
            again = queue_all(event, organiser)  # idempotent: nothing new (not timed)
            assert again == 0, again
            seconds.append(elapsed)
            rates.append(guests / elapsed)
        median = statistics.median(rates)
        machine = f"{_cpu()} × {os.cpu_count()}, Python {platform.python_version()}"
        return [
            {
                "name": f"render and queue {guests:,} invitations (e-mail)",
                "unit": "messages/s",
                "median": round(median, 1),
                "p95": round(min(rates), 1),  # the slowest run
                "n": len(rates),
                "note": (
                    f"{statistics.median(seconds):.1f} s per {guests:,}; batches of {BATCH:,}; SQLite; {machine}; "
                    f"target > {TARGET_PER_S:,.0f}/s: {'met' if median > TARGET_PER_S else 'MISSED'}"
                ),
            }
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="sends per figure (default 3)")
    parser.add_argument("--guests", type=int, default=GUESTS, help=f"guests (default {GUESTS:,})")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    results = run(runs=args.runs, guests=args.guests)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(
                f"{r['name']}: median {r['median']} {r['unit']}, slowest {r['p95']} (n={r['n']}) — {r['note']}"
            )
    return 0 if all(r["median"] > TARGET_PER_S for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
