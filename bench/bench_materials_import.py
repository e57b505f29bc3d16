"""Benchmark: importing a 5,000-row 《活动物料明细表》 (MT-1) from Excel, end to end.

In a throwaway SQLite database (migrated afresh), builds a 5,000-row sheet with openpyxl — three
categories, owners by username and by name, suppliers from the register, deadlines, statuses and notes —
and times ``excel_materials.materials_import`` from the file's bytes to the committed rows: reading with
python-calamine, checking every row, writing in one transaction. Two figures, the median of a few runs:

- a new event: every row created;
- the same event again with every row changed (quantity and status): every row updated.

    .venv/bin/python bench/bench_materials_import.py [--runs N] [--rows N] [--json]

``run()`` returns the rows for bench/run.py (``make bench``). Target (issue 8): under 3 s for 5,000 rows.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = 5_000
TARGET_S = 3.0


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


def _world() -> dict[str, Any]:
    from huodong.core.models import Department, Role, User
    from huodong.preparation.models import Vendor

    dept = Department.objects.get(code="marketing")
    organiser = User.objects.create_user(
        "bench_organiser",
        password="bench-pass-2026!",
        role=Role.ORGANISER,
        department=dept,
        display_name="基准策划",
    )
    people = [
        User.objects.create_user(
            f"bench_staff{i}", role=Role.STAFF, department=dept, display_name=f"基准同事{i:02d}"
        )
        for i in range(20)
    ]
    vendors = [Vendor.objects.create(name=f"基准供应商{i:02d}", categories=["printing"]) for i in range(10)]
    return {"organiser": organiser, "people": people, "vendors": vendors}


def _event(organiser: Any, n: int) -> Any:
    import datetime as dt
    import zoneinfo

    from huodong.events.models import Event, EventType
    from huodong.events.steps import Step

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    return Event.objects.create(
        name=f"物料导入基准 {n}",
        event_type=EventType.objects.get(code="product-launch"),
        starts_at=dt.datetime(2027, 3, 18, 9, 0, tzinfo=tz),
        ends_at=dt.datetime(2027, 3, 18, 18, 0, tzinfo=tz),
        owner=organiser,
        step=Step.MATERIALS,
    )


def sheet(world: dict[str, Any], rows: int, *, variant: int = 0) -> bytes:
    """A 《活动物料明细表》 of ``rows`` rows as .xlsx bytes (``variant`` changes quantity and status)."""
    import datetime as dt

    from openpyxl import Workbook

    from huodong.preparation.excel_materials import HEADERS, SHEET

    kinds = ["宣传物料", "活动物料", "礼品"]
    statuses = ["待下单", "已下单", "已到货", "已验收"]
    if variant:
        statuses = statuses[1:] + statuses[:1]
    people, vendors = world["people"], world["vendors"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append(list(HEADERS))
    for i in range(rows):
        person = people[i % len(people)]
        ws.append(
            [
                kinds[i % 3],
                f"物料{i:05d}",
                (i % 500) + 1 + variant,
                f"规格 {i % 40}",
                person.username if i % 2 else person.display_name,
                dt.date(2027, 3, 1) + dt.timedelta(days=i % 17),
                vendors[i % len(vendors)].name if i % 4 else "",
                statuses[i % 4],
                f"第 {i} 项的备注" if i % 5 == 0 else "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _row(name: str, times: list[float], note: str) -> dict[str, Any]:
    median = statistics.median(times)
    return {
        "name": name,
        "unit": "s",
        "median": round(median, 3),
        "p95": round(_percentile(times, 0.95), 3),
        "n": len(times),
        "note": f"{note}; target < {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'}",
    }


def run(runs: int = 5, rows: int = ROWS) -> list[dict[str, Any]]:
    """Time the import of a ``rows``-row sheet into new events (created) and again with changes (updated)."""
    with tempfile.TemporaryDirectory(prefix="huodong-bench-materials-") as data_dir:
        _setup_django(data_dir)
        from huodong.preparation.excel_materials import materials_import
        from huodong.preparation.models import MaterialItem

        world = _world()
        organiser = world["organiser"]
        first, second = sheet(world, rows), sheet(world, rows, variant=1)
        created: list[float] = []
        updated: list[float] = []
        for n in range(runs):
            event = _event(organiser, n)
            t0 = time.perf_counter()
            result = materials_import(actor=organiser, event=event, data=first)
            created.append(time.perf_counter() - t0)
            assert result.created == rows, result
            t0 = time.perf_counter()
            result = materials_import(actor=organiser, event=event, data=second)
            updated.append(time.perf_counter() - t0)
            assert result.updated == rows, result
            assert MaterialItem.objects.filter(event=event).count() == rows
        size = f"{len(first) / 1024:.0f} KB"
        return [
            _row(f"materials import, {rows:,} new rows", created, f"xlsx {size}, all created"),
            _row(f"materials import, {rows:,} changed rows", updated, "same items, every row updated"),
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="imports per figure (default 5)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows in the sheet (default {ROWS})")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    results = run(runs=args.runs, rows=args.rows)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{r['name']}: median {r['median']} s, p95 {r['p95']} s (n={r['n']}) — {r['note']}")
    return 0 if all(r["median"] < TARGET_S for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
