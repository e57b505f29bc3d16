"""SQLite with write transactions queued instead of polled (the embedded database of ``make run``).

SQLite has one writer. With ``BEGIN IMMEDIATE`` a second writer waits in SQLite's busy handler, which
sleeps in steps of up to 100 ms before it looks again: under a queue of check-ins at the door most of a
slow scan's time was that sleep (bench/bench_checkin.py: p99 over 200 ms with 8 scanners). Here every
write transaction first takes a lock that hands over at once when the writer before it finishes: a
``threading.Lock`` among the threads of one process, then an ``flock`` on ``<database>.writelock`` among
the processes (the server's workers, ``huodong worker``). Both are released at commit, rollback or close.
A writer that cannot get the lock within the connection's ``timeout`` goes on to SQLite, whose own busy
handling decides as before. An in-memory database (the tests') has no file to lock: nothing changes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(path, threading.Lock())


class WriteQueue:
    """The lock of one connection: taken before ``BEGIN``, released once, whatever ends the transaction."""

    def __init__(self, database: str, timeout: float) -> None:
        self.path = os.path.abspath(database) + ".writelock"
        self.timeout = timeout
        self.thread_lock = _process_lock(self.path)
        self.fd: int | None = None
        self.held_thread = False
        self.held_file = False

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        self.held_thread = self.thread_lock.acquire(timeout=self.timeout)
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held_file = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's busy handling decides from here
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def release(self) -> None:
        if self.held_file and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.held_file = False
        if self.held_thread:
            self.thread_lock.release()
        self.held_thread = False

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_queue: WriteQueue | None = None

    def _queue(self) -> WriteQueue | None:
        if self.is_in_memory_db():
            return None
        if self._write_queue is None:
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
            self._write_queue = WriteQueue(str(self.settings_dict["NAME"]), timeout)
        return self._write_queue

    def _start_transaction_under_autocommit(self) -> None:
        queue = self._queue()
        if queue is not None:
            queue.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            if queue is not None:
                queue.release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            if self._write_queue is not None:
                self._write_queue.release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            if self._write_queue is not None:
                self._write_queue.release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            if self._write_queue is not None:
                self._write_queue.close()
                self._write_queue = None
