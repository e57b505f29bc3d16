"""``huodong worker``: one loop that delivers the outbox (``delivery``) and runs the django-tasks queue
(``django_tasks_db``: the guests' imports and bulk sends are tasks), so one command does all background
work. ``make run`` starts it beside the web server; on PostgreSQL any number of workers on any number of
machines share both queues (``SKIP LOCKED``).

Options: ``--once`` (drain the outbox and the task queue, then exit: tests and cron), ``--interval``
(seconds to sleep when there is nothing to do), ``--worker-id`` (unique among running workers; default
host:pid — a worker restarted with the same id takes back what its former self left at once instead of
after the lease), ``--batch-size`` (messages claimed at a time), ``--queue-name``. ``--batch`` is
``--once`` (django-tasks-db's name for it).

SIGTERM or SIGINT stops gracefully: the message being sent is finished, the rest of the batch is given
back, a task being run is finished. A second signal stops at once (what was claimed comes back after the
lease; see ``delivery``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType

from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .delivery import BATCH, Deliverer, recover

logger = logging.getLogger("huodong.worker")
SWEEP_SECONDS = 3600
LATE_SWEEP_SECONDS = 60  # EX-3: segment owners not on site by their due time, once a minute


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class HuodongWorker(Worker):
    """django-tasks-db's worker, whose loop also delivers the outbox between tasks."""

    def __init__(
        self,
        *,
        worker_id: str,
        interval: float = 1.0,
        once: bool = False,
        batch: int = BATCH,
        queue_names: list[str] | None = None,
        backend_name: str = "default",
        deliverer: Deliverer | None = None,
    ) -> None:
        super().__init__(
            queue_names=queue_names or ["default"],
            interval=interval,
            batch=once,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.once = once
        self.swept_at = 0.0  # the PIPL retention sweep, hourly (monotonic seconds)
        self.late_swept_at = 0.0  # the late segment owners' sweep (check-in, EX-3), once a minute
        self.deliverer = deliverer or Deliverer(worker_id, batch=batch)
        self.wake = threading.Event()

    # ------------------------------------------------------------ signals
    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("%s again: stopping now", signal.strsignal(signum))
            self.reset_signals()
            sys.exit(1)
        logger.warning("%s: finishing the current message or task, then stopping", signal.strsignal(signum))
        self.running = False
        self.deliverer.stopping = True
        self.wake.set()

    # ------------------------------------------------------------ the task queue
    def take_task(self) -> DBTaskResult | None:
        """Claim one ready task (django-tasks-db's own claim, in its exclusive transaction)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None
                raise
        return task_result

    # ------------------------------------------------------------ the loop
    def sweep(self) -> None:
        """Anonymise guests past the retention period (``services.privacy``), at most once an hour."""
        if time.monotonic() - self.swept_at < SWEEP_SECONDS and self.swept_at:
            return
        self.swept_at = time.monotonic()
        from .services.privacy import retention_sweep

        erased = retention_sweep()
        if erased:
            logger.info("retention: %s guests anonymised", erased)

    def late_sweep(self) -> None:
        """Alert the stage manager of segment owners not on site by their due time (``checkin.services
        .arrivals``, EX-3), at most once a minute."""
        if time.monotonic() - self.late_swept_at < LATE_SWEEP_SECONDS and self.late_swept_at:
            return
        self.late_swept_at = time.monotonic()
        from huodong.checkin.services.arrivals import late_owner_sweep

        raised = late_owner_sweep()
        if raised:
            logger.info("check-in: %s late segment owners reported", raised)

    def step(self) -> int:
        """One turn: a batch of messages, then one task. How much work was done."""
        self.sweep()
        self.late_sweep()
        from huodong.onsite.incidents.services.sla import incident_sla_sweep  # EX-5, one indexed query

        incident_sla_sweep()
        done = 0
        self.running_task = True
        try:
            outcomes = self.deliverer.run_once()
            done += sum(outcomes.values())
            if outcomes:
                logger.info("outbox: %s", dict(outcomes))
        finally:
            self.running_task = False
        if not self.running:
            return done
        task = self.take_task()
        if task is not None:
            self.run_task(task)
            done += 1
        return done

    def run(self) -> None:
        logger.info("worker %s: outbox and tasks (queues %s)", self.worker_id, ",".join(self.queue_names))
        recover(worker_id=self.worker_id, channels=self.deliverer.channels)
        while self.running:
            close_old_connections()
            done = self.step()
            close_old_connections()
            if not self.running:
                break
            if not done:
                if self.once:
                    return
                self.wake.wait(self.interval)
                self.wake.clear()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huodong worker",
        description="发件箱投递与后台任务 / deliver the outbox and run background tasks",
    )
    parser.add_argument(
        "--once", "--batch", action="store_true", help="处理完待办后退出 / drain both queues, then exit"
    )
    parser.add_argument(
        "--interval", type=float, default=1.0, help="空闲时的轮询间隔(秒) / idle poll seconds"
    )
    parser.add_argument(
        "--worker-id", default="", help="worker 标识,运行中须唯一 / unique among running workers"
    )
    parser.add_argument(
        "--batch-size", type=int, default=BATCH, help="每批领取的消息数 / messages claimed at a time"
    )
    parser.add_argument("--queue-name", default="default", help="任务队列,逗号分隔,* 为全部 / task queues")
    parser.add_argument("-v", "--verbosity", type=int, default=1, choices=[0, 1, 2])
    return parser


def main(argv: list[str] | None = None) -> int:
    """The entry point of ``huodong worker`` (Django is set up by the caller)."""
    args = build_parser().parse_args(argv)
    if args.interval < 0 or args.batch_size < 1:
        print("huodong worker: --interval ≥ 0 and --batch-size ≥ 1", file=sys.stderr)
        return 2
    if args.verbosity:
        logging.basicConfig(
            level=logging.INFO if args.verbosity == 1 else logging.DEBUG,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )
    worker = HuodongWorker(
        worker_id=(args.worker_id or default_worker_id())[:64],
        interval=args.interval,
        once=args.once,
        batch=args.batch_size,
        queue_names=args.queue_name.split(","),
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        worker.reset_signals()
    return 0
