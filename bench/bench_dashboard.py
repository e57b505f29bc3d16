"""The live dashboard of 现场监控 (issue 11, EX-6): the server time of computing its snapshot for an event of
50,000 guests and 100,000 scans, and 200 phones polling it while guests are being checked in, on SQLite and
on PostgreSQL.

For each database, on a fresh data directory (SQLite) or a fresh database created and dropped on the server
of ``BENCH_POSTGRES_URL`` (default ``DATABASE_URL`` when it is PostgreSQL, else
``postgres://postgres@127.0.0.1:5432/postgres``):

1. seeding (a child process): migrated; an event at 现场监控 whose doors are open, 4 gates, 50,000 guests
   in the six categories (registered over the two weeks before, some on the day), 40,000 of them checked in
   with 100,000 scans in all (the accepted ones over the last three hours, 60,000 duplicates and refusals),
   2,000 leads; then ``selectors.snapshot(event)`` computed ``SNAPSHOT_RUNS`` times in that process:
   median and p95 (target under 100 ms);
2. ``huodong serve`` (its real command line, 2 workers × 4 threads, a production secret key): 8 scanners
   POST ``/api/events/{id}/checkin/scan`` with distinct tickets for ``DURATION`` seconds alone, then again
   while 200 pollers each GET ``/api/events/{id}/live`` every 2 s with ``If-None-Match`` (as the page
   does): requests per second, the poll's p50/p99, the share of 304s, and the scans' rate and p99 beside
   the rate without pollers.

The load generator is bench_checkin's (one asyncio process writing HTTP/1.1 by hand, keep-alive).

    .venv/bin/python bench/bench_dashboard.py [--json] [--databases sqlite,postgresql] [--duration S]

``run()`` returns the rows for bench/run.py (``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SRC = ROOT / "src"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import bench_checkin as bc  # noqa: E402  (the servers, the load generator's HTTP reader, PostgreSQL helpers)

GUESTS = 50_000
SCANS = 100_000
CHECKED_IN = 40_000
LEADS = 2_000
FREE_TICKETS = 6_000  # registered guests left for the scanners of the load runs
SNAPSHOT_RUNS = 30
SNAPSHOT_TARGET_MS = 100
POLLERS = 200
SCANNERS = 8
POLL_SECONDS = 2.0
DURATION = 20.0
CATEGORIES = ("customer", "customer", "customer", "partner", "vip", "media", "speaker", "employee")


# ---------------------------------------------------------------- seeding (in a child process)
def seed(guests: int, scans: int) -> dict[str, Any]:
    bc.migrated()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import connection
    from django.utils import timezone

    from huodong.checkin.models import Gate, Result, Scan
    from huodong.checkin.services.redeem import settings_for
    from huodong.core.models import Role, User
    from huodong.core.services import token_create
    from huodong.events.steps import Step
    from huodong.onsite.live import selectors
    from huodong.onsite.live.models import Lead
    from huodong.outreach import tickets
    from huodong.outreach.models import Guest, GuestStatus, Ticket

    now = timezone.now()
    event, owner = bc.bench_event(
        "看板压测", starts=-dt.timedelta(hours=1), hours=5, attendance=guests, step=Step.MONITORING
    )
    conf = settings_for(event)
    type(conf).objects.filter(pk=conf.pk).update(opens_minutes_before=180)
    gates = [
        Gate.objects.create(event=event, name=f"入口 {c}", name_en=f"Gate {c}", position=i)
        for i, c in enumerate("ABCD")
    ]
    _t, secret = token_create(user=owner, name="bench")
    checked = min(CHECKED_IN, guests - FREE_TICKETS)
    day = now - dt.timedelta(hours=3)
    rows = []
    for i in range(guests):
        on_day = i % 20 == 0
        registered = (
            day + dt.timedelta(seconds=(i * 7) % 10_000)
            if on_day
            else now - dt.timedelta(days=14) + dt.timedelta(seconds=i * 20)
        )
        rows.append(
            Guest(
                event=event,
                name=f"嘉宾{i:05d}",
                company="示例科技",
                phone=f"+86138{i:08d}",
                category=CATEGORIES[i % len(CATEGORIES)],
                status=GuestStatus.CHECKED_IN if i < checked else GuestStatus.REGISTERED,
                source=Guest.Source.REGISTRATION,
                registered_at=registered,
                sort_key=f"jiabin{i:05d}",
            )
        )
    Guest.objects.bulk_create(rows, batch_size=2000)
    ids = list(Guest.objects.filter(event=event).order_by("pk").values_list("pk", flat=True))
    span = 3 * 3600
    scan_rows = []
    for n in range(scans):
        if n < checked:
            g, result, reason = ids[n], Result.ACCEPTED, ""
            at = day + dt.timedelta(seconds=(n * span) // checked)
        elif n % 3:
            g, result, reason = ids[n % checked], Result.DUPLICATE, "duplicate"
            at = day + dt.timedelta(seconds=(n * 7) % span)
        else:
            g, result, reason = None, Result.REFUSED, "forged"
            at = day + dt.timedelta(seconds=(n * 11) % span)
        scan_rows.append(
            Scan(
                event=event,
                guest_id=g,
                gate=gates[n % len(gates)],
                result=result,
                reason=reason,
                scanned_at=at,
                recorded_at=at,
            )
        )
    Scan.objects.bulk_create(scan_rows, batch_size=5000)
    sales = [
        User.objects.create_user(f"bench_sales{i}", role=Role.STAFF, display_name=f"销售{i}")
        for i in range(20)
    ]
    Lead.objects.bulk_create(
        [
            Lead(event=event, guest_id=ids[i * 7 % checked], recorded_by=sales[i % 20], interest="abc"[i % 3])
            for i in range(LEADS)
        ],
        batch_size=2000,
    )
    # Statistics as a running server has them (autovacuum/ANALYZE); on PostgreSQL VACUUM also sets the
    # visibility map that index-only scans need after a bulk load.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # The snapshot's server time, in this process (warm: the first run is not counted).
    selectors.snapshot(event)
    took = []
    for _ in range(SNAPSHOT_RUNS):
        t0 = time.perf_counter()
        data = selectors.snapshot(event)
        took.append((time.perf_counter() - t0) * 1000)
    free = ids[checked:]
    Ticket.objects.bulk_create(
        [Ticket(guest_id=g, event=event, code=f"B{g:09d}"[-8:], version=1) for g in free], batch_size=2000
    )
    key = tickets.event_key(event.pk)
    private = Ed25519PrivateKey.from_private_bytes(bytes(key.private_key))
    claims = tickets.TokenClaims
    tokens = [
        tickets.sign(claims(key_id=key.key_id, event_id=event.pk, guest_id=g, version=1), private)
        for g in free
    ]
    return {
        "event_id": event.pk,
        "secret": secret,
        "tokens": tokens,
        "snapshot_ms": took,
        "totals": data["totals"],
        "buckets": len(data["series"]["labels"]),
        "guests": guests,
        "scans": scans,
    }


def _seed(env: dict[str, str], guests: int, scans: int) -> dict[str, Any]:
    import subprocess

    with tempfile.NamedTemporaryFile(prefix="huodong-bench-dash-", suffix=".json", delete=False) as out:
        pass
    try:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed",
                "--guests",
                str(guests),
                "--scans",
                str(scans),
                "--out",
                out.name,
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        return json.loads(Path(out.name).read_text())
    finally:
        os.unlink(out.name)


# ---------------------------------------------------------------- load
async def _client(
    port: int, until: float, make: Any, pause: float, out: dict[str, Any], start_after: float = 0.0
) -> None:
    """One client: requests made by ``make(state)`` until ``until``, ``pause`` seconds apart (from the
    start of one to the start of the next)."""
    await asyncio.sleep(start_after)
    reader = writer = None
    state: dict[str, Any] = {}
    while time.perf_counter() < until:
        data = make(state)
        if data is None:
            break
        t0 = time.perf_counter()
        try:
            for attempt in (1, 2):
                reused = writer is not None
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(data)
                    assert reader is not None
                    status, close, body, headers = await asyncio.wait_for(_read(reader), 60)
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    # The server closed an idle keep-alive connection (gunicorn's keep-alive is 2 s, the
                    # polls are 2 s apart): a browser sends again on a new one, so does this client.
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if not reused or attempt == 2:
                        raise
                    out["reconnects"] += 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as problem:
            out["errors"][type(problem).__name__] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        out["latencies"].append(time.perf_counter() - t0)
        out["status"][status] += 1
        if status == 200 and headers.get(b"etag"):
            state["etag"] = headers[b"etag"].decode()
        if status >= 400:
            out["errors"][f"HTTP {status}"] += 1
        if close:
            writer.close()
            reader = writer = None
        if pause:
            await asyncio.sleep(max(0.0, pause - (time.perf_counter() - t0)))
    if writer is not None:
        writer.close()


async def _read(reader: asyncio.StreamReader) -> tuple[int, bool, bytes, dict[bytes, bytes]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before the answer")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get(b"content-length", b"-1"))
    close = b"close" in headers.get(b"connection", b"").lower()
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    elif length >= 0:
        body = await reader.readexactly(length)
    elif status in (204, 304):
        body = b""
    else:
        body = await reader.read()
        close = True
    return status, close, body, headers


def _stats() -> dict[str, Any]:
    return {"latencies": [], "status": Counter(), "errors": Counter(), "reconnects": 0}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


async def _run_load(
    port: int, seeded: dict[str, Any], tokens: list[str], pollers: int, duration: float
) -> dict[str, Any]:
    auth = f"Authorization: Bearer {seeded['secret']}\r\n"
    scan_url = f"/api/events/{seeded['event_id']}/checkin/scan"
    live_url = f"/api/events/{seeded['event_id']}/live"
    feed = iter(tokens)
    devices = [str(uuid.uuid4()) for _ in range(SCANNERS)]

    def scan_request(c: int) -> Any:
        def make(state: dict[str, Any]) -> bytes | None:
            token = next(feed, None)
            if token is None:
                return None
            body = json.dumps(
                {"token": token, "method": "qr", "device": devices[c], "client_id": uuid.uuid4().hex}
            ).encode()
            return (
                f"POST {scan_url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body

        return make

    def poll_request(state: dict[str, Any]) -> bytes:
        cond = f"If-None-Match: {state['etag']}\r\n" if state.get("etag") else ""
        return f"GET {live_url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n{auth}{cond}\r\n".encode()

    scans, polls = _stats(), _stats()
    start = time.perf_counter()
    until = start + duration
    tasks = [_client(port, until, scan_request(c), 0.0, scans) for c in range(SCANNERS)]
    tasks += [
        _client(
            port, until, poll_request, POLL_SECONDS, polls, start_after=POLL_SECONDS * i / max(1, pollers)
        )
        for i in range(pollers)
    ]
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    return {"wall": wall, "scans": scans, "polls": polls}


def _load(
    port: int, seeded: dict[str, Any], tokens: list[str], pollers: int, duration: float
) -> dict[str, Any]:
    out: list[Any] = []
    worker = threading.Thread(
        target=lambda: out.append(asyncio.run(_run_load(port, seeded, tokens, pollers, duration)))
    )
    worker.start()
    worker.join()
    return out[0]


# ---------------------------------------------------------------- one database
def bench_database(db: str, guests: int, scans: int, duration: float) -> list[dict[str, Any]]:
    kind = "sqlite" if db == "SQLite" else "postgresql"
    tmp = tempfile.mkdtemp(prefix="huodong-bench-dashboard-")
    env = bc.serve_env(bc.child_env(), os.path.join(tmp, "data"))
    created = ""
    try:
        if kind == "postgresql":
            created = f"bench_dashboard_{os.getpid()}_{secrets.token_hex(3)}"
            bc._pg_admin(f'CREATE DATABASE "{created}"')
            env["DATABASE_URL"] = bc._pg_url(created)
        seeded = _seed(env, guests, scans)
        rows = [_snapshot_row(db, seeded)]
        server = f"huodong serve, {env['HUODONG_WORKERS']} workers × {env['HUODONG_THREADS']} threads"
        port = bc._free_port()
        tokens = seeded["tokens"]
        half = len(tokens) // 2
        with bc.serving(bc.ours_argv(port), env, port, "/healthz"):
            _load(port, seeded, tokens[:200], 0, 3.0)  # warm-up: devices registered, imports done
            alone = _load(port, seeded, tokens[200:half], 0, duration)
            loaded = _load(port, seeded, tokens[half:], POLLERS, duration)
            quiet = _load(port, seeded, [], POLLERS, duration / 2)
        rows += _load_rows(db, server, alone, loaded, duration)
        n = len(quiet["polls"]["latencies"])
        rows.append(
            {
                "name": f"{db} · {POLLERS} pollers, no check-ins meanwhile",
                "unit": "ms",
                "median": round(_pct(quiet["polls"]["latencies"], 0.5), 1),
                "p95": round(_pct(quiet["polls"]["latencies"], 0.95), 1),
                "n": n,
                "note": (
                    f"polls {n / quiet['wall']:.0f}/s, p99 {_pct(quiet['polls']['latencies'], 0.99):.1f} ms, "
                    f"304 {quiet['polls']['status'].get(304, 0) / max(1, n):.0%}, errors "
                    f"{sum(quiet['polls']['errors'].values())}; {server}"
                ),
                "database": db,
                "share_304": round(quiet["polls"]["status"].get(304, 0) / max(1, n), 3),
            }
        )
        return rows
    finally:
        if created:
            try:
                bc._pg_admin(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
            except Exception as problem:  # noqa: BLE001
                print(f"bench_dashboard: could not drop {created}: {problem}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def _snapshot_row(db: str, seeded: dict[str, Any]) -> dict[str, Any]:
    took = seeded["snapshot_ms"]
    med = statistics.median(took)
    p95 = _pct([t / 1000 for t in took], 0.95)
    return {
        "name": f"{db} · dashboard snapshot, {seeded['guests']:,} guests and {seeded['scans']:,} scans",
        "unit": "ms",
        "median": round(med, 1),
        "p95": round(p95, 1),
        "n": len(took),
        "note": (
            f"selectors.snapshot in the server's process (counts answered from indexes, 5-minute buckets by index range seeks, "
            f"{seeded['buckets']} buckets); checked in {seeded['totals']['checked_in']:,} of "
            f"{seeded['totals']['expected']:,}; target < {SNAPSHOT_TARGET_MS} ms"
        ),
        "database": db,
        "snapshot_ms": round(med, 2),
    }


def _load_rows(
    db: str, server: str, alone: dict[str, Any], loaded: dict[str, Any], duration: float
) -> list[dict[str, Any]]:
    def scan_rate(r: dict[str, Any]) -> float:
        return len(r["scans"]["latencies"]) / r["wall"] if r["wall"] else 0.0

    polls = loaded["polls"]
    n_polls = len(polls["latencies"])
    not_modified = polls["status"].get(304, 0)
    share = not_modified / n_polls if n_polls else 0.0
    total_rate = (n_polls + len(loaded["scans"]["latencies"])) / loaded["wall"]
    ratio = scan_rate(loaded) / scan_rate(alone) if scan_rate(alone) else 0.0
    return [
        {
            "name": f"{db} · {POLLERS} pollers every {POLL_SECONDS:.0f} s with If-None-Match, {SCANNERS} scanners",
            "unit": "ms",
            "median": round(_pct(polls["latencies"], 0.5), 1),
            "p95": round(_pct(polls["latencies"], 0.95), 1),
            "n": n_polls,
            "note": (
                f"polls {n_polls / loaded['wall']:.0f}/s, p99 {_pct(polls['latencies'], 0.99):.1f} ms, "
                f"304 {share:.0%}, errors {sum(polls['errors'].values())}; all requests {total_rate:.0f}/s over "
                f"{loaded['wall']:.0f} s; scans {scan_rate(loaded):.0f}/s (p99 "
                f"{_pct(loaded['scans']['latencies'], 0.99):.1f} ms) = {ratio:.2f} × without pollers; {server}"
            ),
            "database": db,
            "polls_per_s": round(n_polls / loaded["wall"], 1),
            "poll_p99_ms": round(_pct(polls["latencies"], 0.99), 1),
            "share_304": round(share, 3),
            "requests_per_s": round(total_rate, 1),
            "poll_errors": dict(polls["errors"]),
            "scans_per_s": round(scan_rate(loaded), 1),
            "scan_p99_ms": round(_pct(loaded["scans"]["latencies"], 0.99), 1),
            "scan_ratio": round(ratio, 3),
        },
        {
            "name": f"{db} · {SCANNERS} scanners alone (no pollers)",
            "unit": "ms",
            "median": round(_pct(alone["scans"]["latencies"], 0.5), 1),
            "p95": round(_pct(alone["scans"]["latencies"], 0.95), 1),
            "n": len(alone["scans"]["latencies"]),
            "note": (
                f"scans {scan_rate(alone):.0f}/s, p99 {_pct(alone['scans']['latencies'], 0.99):.1f} ms, errors "
                f"{sum(alone['scans']['errors'].values())}; {server}"
            ),
            "database": db,
            "scans_per_s": round(scan_rate(alone), 1),
            "scan_p99_ms": round(_pct(alone["scans"]["latencies"], 0.99), 1),
        },
    ]


def run(
    databases: tuple[str, ...] = ("sqlite", "postgresql"),
    guests: int = GUESTS,
    scans: int = SCANS,
    duration: float = DURATION,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind in databases:
        if kind == "postgresql" and not bc.pg_available():
            print(
                f"bench_dashboard: PostgreSQL at {bc._pg_base()} is not reachable: skipped", file=sys.stderr
            )
            continue
        rows += bench_database("SQLite" if kind == "sqlite" else "PostgreSQL", guests, scans, duration)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (one array)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--guests", type=int, default=GUESTS)
    parser.add_argument("--scans", type=int, default=SCANS)
    parser.add_argument("--duration", type=float, default=DURATION, help="seconds of each load run")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed:
        Path(args.out).write_text(json.dumps(seed(args.guests, args.scans), default=str))
        return 0
    rows = run(
        tuple(d.strip() for d in args.databases.split(",") if d.strip()),
        args.guests,
        args.scans,
        args.duration,
    )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{r['name']}: p50 {r['median']} {r['unit']}, p95 {r['p95']} {r['unit']}, {r['note']}")
    for r in rows:
        if "snapshot_ms" in r:
            verdict = "ok" if r["snapshot_ms"] < SNAPSHOT_TARGET_MS else "MISSED"
            print(f"{verdict}: {r['name']}: {r['snapshot_ms']} ms (< {SNAPSHOT_TARGET_MS})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
