"""Benchmark: importing 100,000 guests from Excel (issue 9) with validation and de-duplication.

In a throwaway SQLite database (migrated afresh), an .xlsx of ``--rows`` guests is generated once with
openpyxl (write-only) into a cache directory (``$HUODONG_BENCH_CACHE`` or ~/.cache/huodong-bench): Chinese
names, companies, mainland mobiles (some written ``+86 138 …``, ``0086…``), a few international numbers,
e-mails, categories and departments by label and code, ~1% duplicates of earlier rows (by phone or by
e-mail) and ~0.5% bad rows (a short phone, a malformed e-mail, an empty name). Then it times
``excel_guests.import_data`` from the file's bytes to the committed rows — reading with python-calamine,
checking every row, de-duplicating within the file and against the list, writing in one transaction — and
measures the peak RSS of the process (``resource.getrusage``, the high-water mark, so the import is run in
a fresh child process per run).

    .venv/bin/python bench/bench_guest_import.py [--runs N] [--rows N] [--json]

``run()`` returns the rows for bench/run.py (``make bench``). Targets (issue 9): under 10 s and under
500 MB peak RSS for 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = 100_000
TARGET_S = 10.0
TARGET_MB = 500.0


def cache_dir() -> Path:
    path = Path(os.environ.get("HUODONG_BENCH_CACHE") or Path.home() / ".cache" / "huodong-bench")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sheet_path(rows: int) -> Path:
    """The input workbook, generated once per row count."""
    path = cache_dir() / f"guests-{rows}.xlsx"
    if path.exists():
        return path
    import random

    from openpyxl import Workbook

    rnd = random.Random(9)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文华建国志红玉梅俊"
    cats = ["客户", "VIP", "媒体", "嘉宾/讲者", "合作伙伴", "员工", "customer", "Media", ""]
    depts = ["销售部", "sales", "产品部", "product", "市场部", "", ""]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("嘉宾名单")
    ws.append(["姓名", "公司", "职务", "手机", "邮箱", "类别", "邀请部门", "备注"])
    written: list[tuple[str, str]] = []
    for i in range(rows):
        name = rnd.choice(surnames) + rnd.choice(given) + (rnd.choice(given) if i % 3 else "")
        phone = f"{rnd.choice(('138', '139', '135', '186', '150', '177', '199', '147'))}{i:08d}"
        shape = i % 10
        if shape == 1:
            phone = f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
        elif shape == 2:
            phone = "0086" + phone
        elif shape == 3 and i % 50 == 3:
            phone = f"+44 20 79{i % 100:02d} {i % 10000:04d}"
        email = f"guest{i}@company{i % 300}.com.cn" if i % 4 else ""
        if i % 100 == 7 and written:  # ~1% duplicates of an earlier row, by phone or by e-mail
            phone, email = written[rnd.randrange(len(written))]
            if i % 200 == 7:
                phone = ""
        if i % 200 == 11:  # ~0.5% bad rows
            phone, email = (
                ("12345", email)
                if i % 600 == 11
                else (phone, "bad@@mail")
                if i % 600 == 211
                else (phone, email)
            )
            if i % 600 == 411:
                name = ""
        written.append((phone, email))
        ws.append([name, f"公司{i % 5000}", "经理" if i % 2 else "", phone, email, cats[i % len(cats)],
                   depts[i % len(depts)], "VIP 客户" if i % 97 == 0 else ""])  # fmt: skip
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.rename(path)
    return path


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


def _one(path: str) -> dict[str, Any]:
    """One import in this (fresh) process: seconds, peak RSS, the report."""
    import datetime as dt
    import zoneinfo

    with tempfile.TemporaryDirectory(prefix="huodong-bench-guests-") as data_dir:
        _setup_django(data_dir)
        from huodong.core.models import Department, Role, User
        from huodong.events.models import Event, EventType
        from huodong.events.steps import Step
        from huodong.outreach.excel_guests import import_data

        organiser = User.objects.create_user(
            "bench_organiser", role=Role.ORGANISER, department=Department.objects.get(code="marketing")
        )
        tz = zoneinfo.ZoneInfo("Asia/Shanghai")
        event = Event.objects.create(
            name="嘉宾导入基准", event_type=EventType.objects.get(code="product-launch"),
            starts_at=dt.datetime(2027, 3, 18, 9, 0, tzinfo=tz), ends_at=dt.datetime(2027, 3, 18, 18, 0, tzinfo=tz),
            owner=organiser, step=Step.NOTIFICATION,
        )  # fmt: skip
        data = Path(path).read_bytes()
        t0 = time.perf_counter()
        report = import_data(actor=organiser, event=event, data=data, filename="guests.xlsx")
        seconds = time.perf_counter() - t0
        from huodong.outreach.models import Guest

        count = Guest.objects.filter(event=event).count()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "peak_mb": peak_kb / 1024,
        "imported": report.imported,
        "merged": report.merged,
        "refused": report.refused,
        "rows": report.rows,
        "guests": count,
        "size_mb": len(data) / (1024 * 1024),
    }


def run(runs: int = 3, rows: int = ROWS) -> list[dict[str, Any]]:
    path = sheet_path(rows)
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times = [r["seconds"] for r in results]
    peaks = [r["peak_mb"] for r in results]
    last = results[-1]
    median, peak = statistics.median(times), max(peaks)
    note = (
        f"xlsx {last['size_mb']:.1f} MB; imported {last['imported']:,}, merged {last['merged']:,}, "
        f"refused {last['refused']:,}"
    )
    return [
        {
            "name": f"guest import, {rows:,} rows (xlsx)",
            "unit": "s",
            "median": round(median, 3),
            "p95": round(max(times), 3),
            "n": len(times),
            "note": f"{note}; target < {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'}",
        },
        {
            "name": f"guest import, {rows:,} rows: peak RSS",
            "unit": "MB",
            "median": round(statistics.median(peaks), 1),
            "p95": round(peak, 1),
            "n": len(peaks),
            "note": f"whole process incl. Django; target < {TARGET_MB:.0f} MB: {'met' if peak < TARGET_MB else 'MISSED'}",
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="imports (each in a fresh process; default 3)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows in the sheet (default {ROWS:,})")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child)))
        return 0
    results = run(runs=args.runs, rows=args.rows)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(
                f"{r['name']}: median {r['median']} {r['unit']}, max {r['p95']} {r['unit']} (n={r['n']}) — {r['note']}"
            )
    return 0 if results[0]["median"] < TARGET_S and results[1]["p95"] < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
