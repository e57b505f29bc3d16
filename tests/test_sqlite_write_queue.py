"""The embedded SQLite's write queue (huodong/core/sqlite/base.py): a second writer waits for the first to
commit on the lock — thread and process — and then goes on; a rollback or a close hands the lock over too;
an in-memory database is left alone."""

from __future__ import annotations

import threading

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _handler(path) -> ConnectionHandler:  # noqa: ANN001
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "huodong.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 10},
            }
        }
    )


def test_writers_queue_and_each_commit_hands_over(tmp_path):
    handler = _handler(tmp_path / "q.sqlite3")
    setup = handler["default"]
    setup.cursor().execute("CREATE TABLE t (n INTEGER)")
    events: list[str] = []
    a_in = threading.Event()

    def writer(name: str, hold: threading.Event | None) -> None:
        conn = handler["default"]  # one connection per thread, as Django's
        conn.ensure_connection()
        conn._start_transaction_under_autocommit()
        events.append(f"{name} begins")
        if hold is not None:
            hold.set()
            threading.Event().wait(0.3)
        conn.cursor().execute("INSERT INTO t VALUES (1)")
        events.append(f"{name} commits")
        conn.commit()
        conn.close()

    a = threading.Thread(target=writer, args=("a", a_in))
    a.start()
    a_in.wait(5)
    b = threading.Thread(target=writer, args=("b", None))
    b.start()
    a.join(10)
    b.join(10)
    assert events == ["a begins", "a commits", "b begins", "b commits"]
    assert setup.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 2
    assert (tmp_path / "q.sqlite3.writelock").exists()
    setup.close()


def test_a_rollback_and_a_close_release_the_lock(tmp_path):
    handler = _handler(tmp_path / "r.sqlite3")
    conn = handler["default"]
    conn.cursor().execute("CREATE TABLE t (n INTEGER)")
    conn._start_transaction_under_autocommit()
    conn.rollback()
    assert not conn._write_queue.held_thread and not conn._write_queue.held_file
    conn._start_transaction_under_autocommit()
    conn.close()  # closed inside a transaction: the lock goes with it
    other = ConnectionHandler(handler.settings)["default"]
    other.ensure_connection()
    other._start_transaction_under_autocommit()  # would wait 10 s and then fail if still held
    assert other._write_queue.held_file
    other.rollback()
    other.close()


def test_an_in_memory_database_has_no_queue():
    conn = _handler(":memory:")["default"]
    conn.ensure_connection()
    conn._start_transaction_under_autocommit()
    assert conn._write_queue is None
    conn.rollback()
    conn.close()
