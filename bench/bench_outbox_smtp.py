"""Benchmark: delivering the outbox to a local SMTP server (issue 9: "deliver to the local SMTP server,
report the rate").

In a throwaway SQLite database (migrated afresh), queues N e-mails (default 2,000) to guests of an event —
invitations (text + HTML) and, in a second figure, confirmations carrying the ticket's QR inline and an
.ics attachment — and delivers them with the worker's own ``Deliverer`` (claim in batches of 50, the
``sending`` commit before SMTP's final dot, the ``sent`` commit and the attempt row after it, one SMTP
connection per batch, no rate limit) to aiosmtpd on 127.0.0.1 running in another process on a port the OS
chose. Reports messages a second (the median of the runs) and checks every message arrived once.

    .venv/bin/python bench/bench_outbox_smtp.py [--messages N] [--runs N] [--json]

``run()`` returns the rows for bench/run.py (``make bench``). No target in the issue: the rate is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MESSAGES = 2_000

SINK = r"""
import asyncio, sys
from aiosmtpd.smtp import SMTP

class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Count(), hostname="sink"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        print(Count.n, flush=True)

asyncio.run(main())
"""


class Sink:
    """aiosmtpd in a child process (so it does not share the interpreter lock with the sender)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout and self.proc.stdin
        self.port = int(self.proc.stdout.readline())

    def count(self) -> int:
        assert self.proc.stdout and self.proc.stdin
        self.proc.stdin.write("?\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(10)


def _setup_django(data_dir: str, port: int) -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ["DJANGO_SETTINGS_MODULE"] = "huodong.settings"
    os.environ["HUODONG_DATA_DIR"] = data_dir
    os.environ["HUODONG_SMTP_HOST"] = "127.0.0.1"
    os.environ["HUODONG_SMTP_PORT"] = str(port)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _event(n: int) -> Any:
    import datetime as dt
    import zoneinfo

    from huodong.core.models import Department, Role, User
    from huodong.events.models import Event, EventType
    from huodong.events.steps import Step

    owner, _ = User.objects.get_or_create(
        username="bench_outbox",
        defaults={"role": Role.ORGANISER, "department": Department.objects.get(code="marketing"), "display_name": "基准策划"},
    )  # fmt: skip
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    return Event.objects.create(
        name=f"发件箱基准 {n}",
        event_type=EventType.objects.get(code="product-launch"),
        starts_at=dt.datetime(2027, 3, 18, 9, 0, tzinfo=tz),
        ends_at=dt.datetime(2027, 3, 18, 18, 0, tzinfo=tz),
        venue="上海国际会议中心",
        owner=owner,
        step=Step.NOTIFICATION,
    )


def _queue(event: Any, n: int, kind: str) -> int:
    from huodong.outreach import tickets
    from huodong.outreach.models import Guest, GuestStatus
    from huodong.outreach.services.messaging import guest_messages
    from huodong.outreach.services.outbox import enqueue_many

    Guest.objects.bulk_create(
        [
            Guest(event=event, name=f"嘉宾{i:05d}", email=f"g{i}@bench.example.com", status=GuestStatus.REGISTERED,
                  access_key=f"bench{event.pk}x{i}")
            for i in range(n)
        ]
    )  # fmt: skip
    guests = list(Guest.objects.filter(event=event))
    if kind == "confirmation":
        for g in guests:
            tickets.issue(g)
        guests = list(Guest.objects.filter(event=event).select_related("ticket"))
    return enqueue_many(guest_messages(event, guests, kind, channels=["email"]))


def _deliver(worker: str) -> tuple[int, float]:
    from huodong.outreach.delivery import Deliverer

    deliverer = Deliverer(worker, buckets={})
    done = 0
    t0 = time.perf_counter()
    while True:
        outcomes = deliverer.run_once()
        if not outcomes:
            break
        assert set(outcomes) == {"sent"}, outcomes
        done += outcomes["sent"]
    return done, time.perf_counter() - t0


def _row(name: str, rates: list[float], note: str) -> dict[str, Any]:
    return {
        "name": name,
        "unit": "msg/s",
        "median": round(statistics.median(rates), 1),
        "p95": round(min(rates), 1),  # the slowest run (rates: lower is worse)
        "n": len(rates),
        "note": note,
    }


def run(runs: int = 3, messages: int = MESSAGES) -> list[dict[str, Any]]:
    sink = Sink()
    try:
        with tempfile.TemporaryDirectory(prefix="huodong-bench-outbox-") as data_dir:
            _setup_django(data_dir, sink.port)
            rows = []
            for kind, label in (
                ("invitation", "text + HTML"),
                ("confirmation", "text + HTML + inline QR + .ics"),
            ):
                rates: list[float] = []
                for r in range(runs):
                    before = sink.count()
                    queued = _queue(_event(r * 10 + len(rows)), messages, kind)
                    assert queued == messages
                    sent, seconds = _deliver(f"bench-{kind}-{r}")
                    assert sent == messages and sink.count() - before == messages
                    rates.append(sent / seconds)
                rows.append(
                    _row(
                        f"outbox → local SMTP, {messages:,} {kind}s",
                        rates,
                        f"{label}; SQLite, one worker, aiosmtpd in another process; p95 column = slowest run",
                    )
                )
            return rows
    finally:
        sink.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="deliveries per figure (default 3)")
    parser.add_argument(
        "--messages", type=int, default=MESSAGES, help=f"messages per run (default {MESSAGES})"
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    results = run(runs=args.runs, messages=args.messages)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(
                f"{r['name']}: median {r['median']} msg/s, slowest {r['p95']} msg/s (n={r['n']}) — {r['note']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
