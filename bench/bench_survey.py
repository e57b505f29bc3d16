"""The live survey (issue 11, EX-4): 2,000 satisfaction answers posted over HTTP against ``huodong serve``
within one minute by concurrent phones, none lost; on SQLite and, when a server is reachable, PostgreSQL.

For each database, on a fresh data directory (SQLite) or a fresh database created and dropped on the server
of ``BENCH_POSTGRES_URL`` (default ``DATABASE_URL`` when it is PostgreSQL, else
``postgres://postgres@127.0.0.1:5432/postgres``, as ``bench_checkin``):

1. huodong migrated, an event on its show day (场地布置) with its interaction open, served by
   ``huodong serve`` (its real command line, ``HUODONG_WORKERS`` × ``HUODONG_THREADS``, a production
   secret key);
2. 2,000 phones open the survey page (GET ``/x/<key>/survey/``: the participant cookie and the CSRF
   cookie, as a phone gets them from the screen's QR) — timed as its own row;
3. the same 2,000 phones, ``--clients`` at a time (default 50), POST their answer (the form as the page
   sends it): the rate, p50/p99 of the POSTs, the errors, and the wall time against the minute;
4. 100 of them send their answer again: each must be refused (409), and the database must then hold
   exactly 2,000 answers for the event.

    .venv/bin/python bench/bench_survey.py [--json] [--databases sqlite,postgresql] [--answers N] [--clients N]

``run()`` returns the rows for bench/run.py (``make bench``). Target (issue 11): 2,000 answers in under a
minute, no errors, exactly 2,000 in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SRC = ROOT / "src"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from bench_checkin import (  # noqa: E402  (bench/ on the path first)
    _free_port,
    _pg_admin,
    _pg_base,
    _pg_url,
    bench_event,
    child_env,
    migrated,
    ours_argv,
    pg_available,
    serve_env,
    serving,
)

ANSWERS = 2_000
CLIENTS = 50
REPEATS = 100
TARGET_S = 60.0


# ---------------------------------------------------------------- seeding (in a child process)
def seed() -> dict[str, Any]:
    migrated()
    from huodong.events.steps import Step
    from huodong.onsite.interaction.rules import settings_of

    event, _owner = bench_event(
        "满意度调查压测", starts=-dt.timedelta(hours=1), hours=4, attendance=ANSWERS, step=Step.SETUP
    )
    return {"event_id": event.pk, "key": settings_of(event).key}


# ---------------------------------------------------------------- the load generator
async def _read(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, list[bytes]], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before the answer")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[bytes, list[bytes]] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = int(headers.get(b"content-length", [b"-1"])[0])
    body = await reader.readexactly(length) if length >= 0 else await reader.read()
    return status, headers, body


def _cookies(headers: dict[bytes, list[bytes]]) -> dict[str, str]:
    out = {}
    for raw in headers.get(b"set-cookie", []):
        pair = raw.decode().split(";", 1)[0]
        name, _, value = pair.partition("=")
        out[name.strip()] = value.strip().strip('"')
    return out


async def _phones(
    port: int, clients: int, jobs: list[Any], request: Any, ok: tuple[int, ...]
) -> dict[str, Any]:
    """Each job's request (``request(job) -> bytes``) sent by ``clients`` concurrent connections."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    answers: list[Any] = [None] * len(jobs)
    todo = iter(range(len(jobs)))

    async def client() -> None:
        reader = writer = None
        for i in todo:
            data = request(jobs[i])
            t0 = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(data)
                assert reader is not None
                status, headers, body = await asyncio.wait_for(_read(reader), 60)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as problem:
                errors[type(problem).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            latencies.append(time.perf_counter() - t0)
            if b"close" in b"".join(headers.get(b"connection", [])).lower():
                writer.close()
                reader = writer = None
            if status not in ok:
                errors[f"HTTP {status}"] += 1
            answers[i] = (status, headers)
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000 if ordered else 0.0

    return {
        "wall": wall,
        "rate": len(latencies) / wall if wall else 0.0,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "done": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "answers": answers,
    }


def _in_thread(coro_factory: Any) -> dict[str, Any]:
    """Run the load in a thread of its own (a test process that drove a browser has a loop already)."""
    out: list[Any] = []

    def go() -> None:
        try:
            out.append(asyncio.run(coro_factory()))
        except BaseException as problem:  # noqa: BLE001  re-raised below
            out.append(problem)

    worker = threading.Thread(target=go, name="bench-survey-load")
    worker.start()
    worker.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def _get(port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


def _post(port: int, path: str, cookies: dict[str, str], form: dict[str, str]) -> bytes:
    body = urlencode(form).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Cookie: {cookie}\r\nX-CSRFToken: {cookies.get('csrftoken', '')}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _answer(i: int) -> dict[str, str]:
    return {
        "rating": str(1 + i % 5),
        "rating_content": str(1 + (i * 3) % 5),
        "rating_organisation": str(1 + (i * 7) % 5),
        "nps": str(i % 11),
        "comment": "很好" if i % 4 == 0 else "",
    }


# ---------------------------------------------------------------- one database
def _row(db: str, what: str, r: dict[str, Any], **extra: Any) -> dict[str, Any]:
    note = f"{r['rate']:.0f}/s, p99 {r['p99']:.1f} ms, errors {r['errors']}, wall {r['wall']:.1f} s"
    if "stored" in extra:
        note += f", stored {extra['stored']}"
    return {
        "name": f"{db} · survey · {what}",
        "unit": "ms",
        "median": round(r["p50"], 1),
        "p95": round(r["p95"], 1),
        "n": r["done"],
        "note": note,
        "database": db,
        "rate_per_s": round(r["rate"], 1),
        "p50_ms": round(r["p50"], 2),
        "p99_ms": round(r["p99"], 2),
        "wall_s": round(r["wall"], 2),
        "errors": r["errors"],
        "error_kinds": r["error_kinds"],
        **extra,
    }


def _stored(kind: str, where: str, event_id: int) -> int:
    sql = "SELECT COUNT(*) FROM onsite_interaction_surveyanswer WHERE event_id = %s"
    if kind == "sqlite":
        with sqlite3.connect(where) as conn:
            return int(conn.execute(sql.replace("%s", "?"), (event_id,)).fetchone()[0])
    import psycopg

    with psycopg.connect(where) as conn:
        return int(conn.execute(sql, (event_id,)).fetchone()[0])


def bench_database(db: str, answers: int, clients: int) -> list[dict[str, Any]]:
    kind = "sqlite" if db == "SQLite" else "postgresql"
    tmp = tempfile.mkdtemp(prefix="huodong-bench-survey-")
    env = serve_env(child_env(), os.path.join(tmp, "data"))
    created = ""
    try:
        if kind == "sqlite":
            where = os.path.join(tmp, "data", "huodong.sqlite3")
        else:
            created = f"bench_survey_{os.getpid()}_{secrets.token_hex(3)}"
            _pg_admin(f'CREATE DATABASE "{created}"')
            env["DATABASE_URL"] = where = _pg_url(created)
        out = os.path.join(tmp, "seed.json")
        subprocess.run([sys.executable, __file__, "--seed", "--out", out], env=env, cwd=ROOT, check=True)
        seeded = json.loads(Path(out).read_text())
        port = _free_port()
        page = f"/x/{seeded['key']}/survey/"
        with serving(ours_argv(port), env, port, "/healthz"):
            # the phones open the page: their participant and CSRF cookies
            opened = _in_thread(
                lambda: _phones(port, clients, list(range(answers)), lambda i: _get(port, page), (200,))
            )
            phones = [_cookies(a[1]) if a else {} for a in opened["answers"]]
            posted = _in_thread(
                lambda: _phones(
                    port,
                    clients,
                    list(range(answers)),
                    lambda i: _post(port, page, phones[i], _answer(i)),
                    (302,),
                )
            )
            again = _in_thread(
                lambda: _phones(
                    port,
                    min(clients, REPEATS),
                    list(range(REPEATS)),
                    lambda i: _post(port, page, phones[i], _answer(i + 1)),
                    (409,),
                )
            )
        stored = _stored(kind, where, seeded["event_id"])
        return [
            _row(db, f"{answers} phones open the page", opened),
            _row(
                db,
                f"{answers} answers posted by {clients} concurrent phones",
                posted,
                stored=stored,
                within_minute=posted["wall"] < TARGET_S,
                answers=answers,
            ),
            _row(db, f"{REPEATS} answers sent again (refused 409)", again, stored=stored, answers=answers),
        ]
    finally:
        if created:
            try:
                _pg_admin(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
            except Exception as problem:  # noqa: BLE001
                print(f"bench_survey: could not drop {created}: {problem}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def run(
    databases: tuple[str, ...] = ("sqlite", "postgresql"), answers: int = ANSWERS, clients: int = CLIENTS
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind in databases:
        if kind == "postgresql" and not pg_available():
            print(f"bench_survey: PostgreSQL at {_pg_base()} is not reachable: skipped", file=sys.stderr)
            continue
        rows += bench_database("SQLite" if kind == "sqlite" else "PostgreSQL", answers, clients)
    return rows


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        if "within_minute" in r:
            good = r["within_minute"] and r["errors"] == 0 and r["stored"] == r["answers"]
            out.append(
                f"{'ok' if good else 'MISSED'}: {r['name']}: {r['wall_s']} s (< {TARGET_S:.0f}), "
                f"errors {r['errors']}, stored {r['stored']}/{r['answers']}"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (one array)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--answers", type=int, default=ANSWERS, help=f"phones answering (default {ANSWERS})")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"concurrent phones (default {CLIENTS})")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed:
        Path(args.out).write_text(json.dumps(seed()))
        return 0
    rows = run(tuple(d.strip() for d in args.databases.split(",") if d.strip()), args.answers, args.clients)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{r['name']}: p50 {r['median']} {r['unit']}, p95 {r['p95']} {r['unit']}, {r['note']}")
    for line in verdicts(rows):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
