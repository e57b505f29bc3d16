"""Killing the worker (SIGKILL) halfway through 1,000 e-mails and starting it again (issue 9, "Done when").

A real ``huodong worker`` process sends 1,000 messages to aiosmtpd on 127.0.0.1; when the server has
received about 500 it is killed with SIGKILL (no chance to tidy up), then started again with the same
worker id and ``--once``. The invariant (``delivery``'s docstring):

- every message ends ``sent`` or ``in_doubt`` — none lost, none left pending, claimed or sending;
- a ``sent`` message was received exactly once;
- an ``in_doubt`` message was received zero or one time — never twice — and carries the reason shown to
  the organiser; at most one message is in doubt (one worker was killed, it sends one message at a time).

The worker runs in a subprocess on its own SQLite file (the test database of pytest-django
lives in memory, out of reach of another process).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from huodong.outreach.tests.test_delivery_fixtures import start_smtp

TOTAL = 1000
KILL_AT = 500


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated SQLite file for the module (migrating takes seconds); each test copies it."""
    folder = tmp_path_factory.mktemp("outbox-migrated")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "huodong.settings", "HUODONG_DATA_DIR": str(folder)})
    subprocess.run([sys.executable, "-m", "huodong.cli", "manage", "migrate", "-v", "0"], env=env, check=True,
                   timeout=180)  # fmt: skip
    return folder / "huodong.sqlite3"


def fresh_outbox(migrated: Path, data_dir: Path, n: int) -> Path:
    """A copy of the migrated database with ``n`` e-mails due now (written with sqlite3: no Django
    start-up)."""
    target = data_dir / "huodong.sqlite3"
    shutil.copyfile(migrated, target)
    due = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(target)
    db.executemany(
        "insert into outreach_message (channel, kind, purpose, recipient, language, subject, body, extras,"
        " due_at, not_before, status, attempts, last_error, idempotency_key, claimed_by, provider_id, created_at)"
        " values ('email', 'invitation', 'operation', ?, 'zh-hans', ?, ?, '{}', ?, ?, 'pending', 0, '', ?, '', '', ?)",
        [
            (
                f"guest{i}@example.com",
                f"邀请 {i}",
                f"尊敬的嘉宾{i}:\n诚邀您参加。",
                due,
                due,
                f"kill:{i:04d}",
                due,
            )
            for i in range(n)
        ],
    )
    db.commit()
    db.close()
    return target


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "huodong.settings",
            "HUODONG_DATA_DIR": str(data_dir),
            "HUODONG_SMTP_HOST": "127.0.0.1",
            "HUODONG_SMTP_PORT": str(port),
            "HUODONG_RATE_EMAIL": "500",  # slow enough to be killed halfway, fast enough for the suite
            "HUODONG_OUTBOX_LEASE_SECONDS": "120",
            "HUODONG_DEV": "1",
        }
    )
    return env


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "huodong.cli", "worker", "--worker-id", "kill-test", "--interval", "0.05",
         "-v", "0", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def test_a_worker_killed_halfway_delivers_each_message_exactly_once_after_a_restart(migrated, tmp_path):
    fresh_outbox(migrated, tmp_path, TOTAL)
    sink = start_smtp()
    try:
        env = _env(tmp_path, sink.port)

        first = _worker(env)
        deadline = time.monotonic() + 120
        while sink.handler.count() < KILL_AT and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        at_kill = sink.handler.count()
        assert 0 < at_kill < TOTAL

        second = _worker(env, "--once")
        _out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
    finally:
        sink.stop()

    received = Counter(sink.handler.keys())
    db = sqlite3.connect(tmp_path / "huodong.sqlite3")
    rows = dict(db.execute("select idempotency_key, status from outreach_message").fetchall())
    errors = dict(db.execute("select idempotency_key, last_error from outreach_message").fetchall())
    db.close()

    statuses = Counter(rows.values())
    in_doubt = [k for k, s in rows.items() if s == "in_doubt"]
    assert len(rows) == TOTAL
    assert set(statuses) <= {"sent", "in_doubt"}, statuses  # nothing lost, nothing stuck
    assert len(in_doubt) <= 1  # at most one message was on the wire when the worker died
    assert all(n == 1 for n in received.values()), [k for k, n in received.items() if n > 1]  # never twice
    assert all(received[k] == 1 for k, s in rows.items() if s == "sent")  # sent means received once
    assert all(received[k] in (0, 1) and errors[k] for k in in_doubt)  # in doubt: shown, never resent
    assert set(received) <= set(rows)
    # What happened this time, for the report (pytest -s shows it).
    print(f"\nSIGKILL at {at_kill} received; after restart: {dict(statuses)}; "
          f"in doubt: {[(k, received[k]) for k in in_doubt]}")  # fmt: skip


@pytest.mark.parametrize("signum", [signal.SIGTERM])
def test_sigterm_stops_the_worker_gracefully_and_loses_nothing(migrated, tmp_path, signum):
    fresh_outbox(migrated, tmp_path, 300)
    sink = start_smtp()
    try:
        env = _env(tmp_path, sink.port)
        env["HUODONG_RATE_EMAIL"] = "200"
        worker = _worker(env)
        deadline = time.monotonic() + 60
        while sink.handler.count() < 50 and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signum)
        assert worker.wait(30) == 0
        stopped_at = sink.handler.count()
    finally:
        sink.stop()
    db = sqlite3.connect(tmp_path / "huodong.sqlite3")
    statuses = Counter(s for (s,) in db.execute("select status from outreach_message"))
    db.close()
    assert 0 < stopped_at < 300
    # A graceful stop finishes the message on the wire and gives the rest of its batch back.
    assert set(statuses) <= {"sent", "pending"} and statuses["sent"] == stopped_at
    assert Counter(sink.handler.keys()).most_common(1)[0][1] == 1
