"""``huodong worker``: one loop for the outbox and the django-tasks queue; ``--once`` drains both; two
workers on PostgreSQL never send one message twice (SKIP LOCKED)."""
# ruff: noqa: F811  (the fixtures of test_delivery_fixtures are imported by name, and named by the tests)

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter

import pytest
from django.db import connection
from django_tasks import task

from huodong.outreach import delivery
from huodong.outreach.models import DeliveryAttempt, Message
from huodong.outreach.tests.test_delivery_fixtures import (  # noqa: F401  (fixtures)
    add_guest,
    deliverer,
    outbox_event,
    queue,
    smtp,
    start_smtp,
)
from huodong.outreach.worker import HuodongWorker, build_parser

RAN: list[int] = []


@task()
def note_it(n: int) -> int:
    RAN.append(n)
    return n


@pytest.mark.django_db
def test_once_drains_the_outbox_and_the_task_queue_then_exits(outbox_event, smtp, monkeypatch):
    from huodong.outreach import worker as worker_module

    # Inside the test's transaction a connection is not in autocommit: Django would close it.
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    RAN.clear()
    for n in range(1, 4):
        queue(add_guest(outbox_event, n), "invitation")
    note_it.enqueue(7)
    note_it.enqueue(8)
    worker = HuodongWorker(worker_id="t1", once=True, deliverer=deliverer("t1", batch=2))
    worker.run()
    assert sorted(RAN) == [7, 8]
    assert smtp.handler.count() == 3
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_stopping_worker_gives_back_the_rest_of_its_batch(outbox_event, smtp):
    rows = [queue(add_guest(outbox_event, n), "invitation")[0] for n in range(1, 4)]
    d = deliverer("t2", batch=10)
    ids = delivery.claim("t2", 10)
    d.stopping = True
    assert d.deliver(ids) == {}
    assert set(Message.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        "pending"
    }


def test_the_command_line_takes_once_interval_and_a_worker_id():
    args = build_parser().parse_args(
        ["--once", "--interval", "0.5", "--worker-id", "w-1", "--batch-size", "7"]
    )
    assert (args.once, args.interval, args.worker_id, args.batch_size) == (True, 0.5, "w-1", 7)
    assert build_parser().parse_args(["--batch"]).once  # django-tasks-db's spelling


def test_huodong_worker_runs_the_outbox_loop(monkeypatch):
    from huodong import cli
    from huodong.outreach import worker

    seen = []
    monkeypatch.setattr(cli, "_django_setup", lambda: None)
    monkeypatch.setattr(worker, "main", lambda argv: seen.append(argv) or 0)
    assert cli.main(["worker", "--once", "--worker-id", "x"]) == 0
    assert seen == [["--once", "--worker-id", "x"]]


# ---------------------------------------------------------------- two workers on PostgreSQL
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL (SQLite has one writer)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_threads_claiming_at_once_never_share_a_row(outbox_event):
    for n in range(1, 201):
        queue(add_guest(outbox_event, n), "invitation")
    taken: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def claimer(name: str) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            while ids := delivery.claim(name, 7):
                taken[name].extend(ids)
        finally:
            conn.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(taken["a"]) & set(taken["b"])
    assert len(taken["a"]) + len(taken["b"]) == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_never_send_one_message_twice(outbox_event):
    total = 400
    for n in range(1, total + 1):
        queue(add_guest(outbox_event, n), "invitation")
    sink = start_smtp()
    try:
        name = connection.settings_dict["NAME"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT'] or 5432}/{name}",
            "HUODONG_SMTP_HOST": "127.0.0.1",
            "HUODONG_SMTP_PORT": str(sink.port),
            "HUODONG_RATE_EMAIL": "0",
        }
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "huodong.cli",
                    "worker",
                    "--once",
                    "--batch-size",
                    "5",
                    "-v",
                    "0",
                    "--worker-id",
                    wid,
                ],
                env=env,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            for wid in ("pg-a", "pg-b")
        ]
        for w in workers:
            _out, err = w.communicate(timeout=180)
            assert w.returncode == 0, err.decode()
    finally:
        sink.stop()
    received = Counter(sink.handler.keys())
    assert len(received) == total and set(received.values()) == {1}
    assert Message.objects.filter(status="sent").count() == total
    by_worker = Counter(DeliveryAttempt.objects.values_list("worker", flat=True))
    print(f"\ntwo workers: {dict(by_worker)}")
    assert set(by_worker) <= {"pg-a", "pg-b"}
