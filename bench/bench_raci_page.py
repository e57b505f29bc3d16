"""Rendering the RACI matrix page (TM-1) for 300 tasks × 40 people, on a throwaway SQLite database.

Measured: the server time of ``GET /events/<id>/preparation/raci/`` through Django's test Client (the
whole request: access check, queries, the matrix's 12,000 cells, the template), and the Excel export of
the same matrix. Target: the page under 300 ms (issue 8, "Done when").

Run alone: ``python bench/bench_raci_page.py [--runs N] [--json]`` (``--json`` prints the rows as JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

TASKS = 300
PEOPLE = 40
RUNS = 30


def _setup_django() -> str:
    data_dir = tempfile.mkdtemp(prefix="huodong-bench-")
    os.environ["HUODONG_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huodong.settings")
    src = str(Path(__file__).resolve().parent.parent / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


def _stats(name: str, samples: list[float], note: str) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "name": name,
        "unit": "ms",
        "median": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "n": len(ordered),
        "note": note,
    }


def _time(fn: Callable[[], Any], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _world() -> tuple[Any, Any]:
    """An event at 资源协调 with 40 team members in three groups and 300 tasks, each with one A, one or two
    R and a few C/I letters."""
    from huodong.core.models import Department, Role, User
    from huodong.events.models import Event, EventType
    from huodong.preparation.models import Task, TaskAssignment, TeamGroup, TeamMember

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    marketing = Department.objects.get(code="marketing")
    depts = list(Department.objects.all())
    owner = User.objects.create_user(
        "bench_organiser",
        password="bench-pass-2026",
        role=Role.ORGANISER,
        department=marketing,
        display_name="王策划",
    )
    people = [owner] + [
        User.objects.create_user(
            f"bench_p{i}", role=Role.STAFF, department=depts[i % len(depts)], display_name=f"成员{i:02d}"
        )
        for i in range(PEOPLE - 1)
    ]
    starts = dt.datetime(2027, 3, 18, 13, 30, tzinfo=tz)
    event = Event.objects.create(
        name="RACI 基准活动",
        event_type=EventType.objects.get(code="product-launch"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=4),
        owner=owner,
        step="resources",
    )
    groups = [
        TeamGroup.objects.create(event=event, code=c, name=n, position=i)
        for i, (c, n) in enumerate(
            (("execution", "执行组"), ("publicity", "宣传组"), ("logistics", "后勤组"))
        )
    ]
    TeamMember.objects.bulk_create(
        [
            TeamMember(event=event, person=p, group=groups[i % 3], is_leader=i == 0, duties="职责说明")
            for i, p in enumerate(people)
        ]
    )
    tasks = Task.objects.bulk_create(
        [
            Task(
                event=event,
                title=f"任务 {i:03d}",
                group=groups[i % 3],
                offset_minutes=-(i % 30 + 1) * 24 * 60,
                due_at=starts - dt.timedelta(days=i % 30 + 1),
                position=i,
            )
            for i in range(TASKS)
        ]
    )
    letters = []
    for i, task in enumerate(tasks):
        chosen = {
            people[i % PEOPLE].pk: "A",
            people[(i + 1) % PEOPLE].pk: "R",
            people[(i + 2) % PEOPLE].pk: "R",
        }
        chosen.setdefault(people[(i + 5) % PEOPLE].pk, "C")
        chosen.setdefault(people[(i + 9) % PEOPLE].pk, "I")
        letters += [TaskAssignment(task=task, person_id=pk, role=r) for pk, r in chosen.items()]
    TaskAssignment.objects.bulk_create(letters)
    return event, owner


def run(runs: int = RUNS) -> list[dict[str, Any]]:
    _setup_django()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from huodong.preparation.excel_raci import raci_workbook

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    event, owner = _world()
    client = Client()
    client.force_login(owner)
    url = f"/events/{event.pk}/preparation/raci/"
    size = 0

    def page() -> None:
        nonlocal size
        resp = client.get(url)
        assert resp.status_code == 200, resp.status_code
        size = len(resp.content)

    rows = [
        _stats(
            f"RACI matrix page {TASKS} tasks × {PEOPLE} people",
            _time(page, runs),
            f"GET {url.replace(str(event.pk), '<id>')} through the test Client, an editor's view "
            f"(a form per row, {TASKS * PEOPLE} selects); target < 300 ms",
        )
    ]
    rows[0]["note"] += f", {size // 1024} KiB of HTML"
    rows.append(
        _stats(
            f"RACI matrix Excel {TASKS} × {PEOPLE}",
            _time(lambda: raci_workbook(event), max(5, runs // 3)),
            "excel_raci.raci_workbook (openpyxl, write-only)",
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(args.runs)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(
                f"{row['name']}: median {row['median']} ms, p95 {row['p95']} ms (n={row['n']}) — {row['note']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
