"""Run every bench/bench_*.py that defines ``run() -> list[dict]`` and write the figures to docs/performance.md.

Each dict has: name, unit, median, p95, n, note. Each module runs in its own process (each sets up
Django on its own throwaway database). The figures go between the markers ``<!-- bench:start -->`` and
``<!-- bench:end -->``; the rest of the page is left as written.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _database() -> str:
    """The database the module just used (called in the child process, after its run())."""
    from django.conf import settings

    if not settings.configured:
        return "none"
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, a throwaway file in a temporary directory)"
    return engine


def _machine(databases: set[str]) -> list[str]:
    import django

    return [
        f"- Date: {dt.date.today().isoformat()}",
        f"- CPU: {_cpu_model()} × {os.cpu_count()} (nproc)",
        f"- Python {platform.python_version()}, Django {django.get_version()}, {platform.system()} {platform.release()}",
        f"- Database: {'; '.join(sorted(databases))}",
    ]


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """Rows should carry name, unit, median, p95, n, note; older shapes (median_ms, runs…) are mapped."""
    if "name" in row and "median" in row:
        return {k: row.get(k, "") for k in ("name", "unit", "median", "p95", "n", "note")}
    known = {"median_ms", "p95_ms", "runs", "n", "bench"}
    label_keys = [k for k in ("document", "format", "what") if k in row]
    name = " ".join(str(row[k]) for k in label_keys) or str(row.get("bench", "?"))
    extra = {k: v for k, v in row.items() if k not in known and k not in label_keys}
    return {
        "name": name,
        "unit": "ms",
        "median": row.get("median_ms", row.get("median", "")),
        "p95": row.get("p95_ms", row.get("p95", "")),
        "n": row.get("runs", row.get("n", "")),
        "note": ", ".join(f"{k}={v}" for k, v in extra.items()),
    }


def _modules() -> list[Path]:
    return sorted(Path(__file__).resolve().parent.glob("bench_*.py"))


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| benchmark | median | p95 | n | note |", "| --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['median']} {r['unit']} | {r['p95']} {r['unit']} | {r['n']} | {r['note']} |"
        )
    return lines


def write_doc(sections: list[tuple[str, list[dict[str, Any]]]], databases: set[str]) -> None:
    body = ["", "Machine:", "", *_machine(databases), ""]
    for module, rows in sections:
        body += [f"### `bench/{module}.py`", "", *_table(rows), ""]
    block = "\n".join([START, *body, END])
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


MARK = "BENCH-JSON:"


def _run_one(path: Path) -> int:
    """Child process: run one module and print its rows as one JSON line."""
    module = _load(path)
    if not callable(getattr(module, "run", None)):
        print(MARK + json.dumps(None))
        return 0
    rows = [_normalise(r) for r in module.run()]
    print(MARK + json.dumps({"rows": rows, "database": _database()}, ensure_ascii=False))
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        sys.path.insert(0, str(ROOT / "src"))
        return _run_one(Path(sys.argv[2]))
    sections, databases, failed = [], set(), []
    for path in _modules():
        print(f"bench: {path.name} …", flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
        if proc.returncode != 0 or not lines:
            print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
            failed.append(path.name)
            continue
        result = json.loads(lines[-1][len(MARK) :])
        if result is None:
            continue
        for r in result["rows"]:
            print(f"  {r['name']}: median {r['median']} {r['unit']}, p95 {r['p95']} {r['unit']} (n={r['n']})")
        sections.append((path.stem, result["rows"]))
        databases.add(result["database"])
    if not sections:
        print("bench: no bench_*.py with run() gave figures", file=sys.stderr)
        return 1
    write_doc(sections, databases)
    print(f"bench: figures written to {DOC.relative_to(ROOT)}")
    if failed:
        print(f"bench: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
