"""The check-in benchmark's own parts (bench/bench_checkin.py, issue 10): the bare reference check-in, served
by gunicorn as the benchmark serves it, redeems each ticket once and refuses a tampered token; the load
generator counts the answers; the targets are read off the rows. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_checkin.py"


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_checkin_under_test", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_check_in_redeems_each_ticket_once_over_http(tmp_path: Path) -> None:
    bc = _module()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REF_DATABASE_URL")}
    env["REF_SQLITE_PATH"] = str(tmp_path / "ref.sqlite3")
    seeded = bc._seed("ref", 10, env)
    tokens = seeded["tokens"]
    head, payload, signature = tokens[0].split(".")
    tampered = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    port = bc._free_port()

    def request(i: int, client: int) -> bytes:
        token = tampered if i == 30 else tokens[i // 3]  # every ticket by three scanners, then a forgery
        return bc._http_post(port, seeded["url"], json.dumps({"token": token}).encode(), {})

    with bc.serving(bc.ref_argv(port), env, port, "/ping"):
        run = bc.load(port, 4, 31, request)
    assert run["errors"] == 0 and run["done"] == 31
    answers = [r["result"] for r in run["results"]]
    for ticket in range(10):
        assert sorted(answers[3 * ticket : 3 * ticket + 3]) == ["accepted", "duplicate", "duplicate"]
    assert run["results"][30] == {"result": "refused", "reason": "forged"}


def test_the_verdicts_say_which_target_was_missed() -> None:
    bc = _module()
    rows = [
        {"name": "SQLite · huodong · 8 scanners", "server": "huodong", "ratio": 0.8, "p99_ms": 60.0},
        {
            "name": "SQLite · huodong · 64 scanners, each ticket by 4 at once",
            "server": "huodong",
            "errors": 0,
            "tickets": 10,
            "exactly_once_answers": 10,
            "exactly_once_db": 9,
        },
        {"name": "SQLite · huodong · sync", "server": "huodong", "wall_ms": 4200.0},
        {"name": "SQLite · reference · 8 scanners", "server": "reference", "p99_ms": 10.0},
    ]
    lines = bc.verdicts(rows)
    assert lines[0].startswith("ok:") and "0.80" in lines[0]
    assert lines[1].startswith("MISSED:") and "p99 60.0 ms" in lines[1]
    assert lines[2].startswith("MISSED:") and "exactly once 9/10" in lines[2]
    assert lines[3].startswith("ok:") and len(lines) == 4
