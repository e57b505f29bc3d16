"""``huodong serve`` starts sync workers, one per core and one more, unless told otherwise (docs/deployment.md;
the check-in figures of docs/performance.md were measured with them)."""

from __future__ import annotations

import os

from huodong.cli import DEFAULT_THREADS, default_workers, serve_argv


def _opt(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_one_sync_worker_per_core_and_one_more(monkeypatch) -> None:
    monkeypatch.delenv("HUODONG_THREADS", raising=False)
    assert default_workers() == (os.cpu_count() or 1) + 1
    argv = serve_argv(host="127.0.0.1", port="8000", workers=str(default_workers()))
    assert _opt(argv, "--workers") == str((os.cpu_count() or 1) + 1)
    assert _opt(argv, "--threads") == "1" == str(DEFAULT_THREADS)


def test_the_environment_still_decides(monkeypatch) -> None:
    monkeypatch.setenv("HUODONG_THREADS", "4")
    argv = serve_argv(host="127.0.0.1", port="8000", workers="2")
    assert (_opt(argv, "--workers"), _opt(argv, "--threads")) == ("2", "4")
