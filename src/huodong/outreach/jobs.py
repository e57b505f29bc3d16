"""Background jobs of outreach (issue 9, point 1): a large guest import or a bulk send runs in the worker
(``huodong worker`` runs the django-tasks queue), with its progress on the page and its report at the end.

- ``job_start`` writes the ``Job`` row (with the uploaded file, if any) and enqueues ``tasks.job_run`` once
  the transaction commits (a task never sees a job that was rolled back).
- ``job_run`` claims the job with a conditional update (queued → running: a job runs once even if the task
  is delivered twice), calls the handler registered for its kind (``@job_handler(Job.Kind.IMPORT)``) and
  records the report (``job_finish``) or the failure (``Job.error``, status failed). An uploaded file is
  deleted when the job ends (PIPL: the guest data lives in the list, not in a stray upload).
- ``job_progress`` is cheap (one UPDATE, committed at once): handlers call it every ~500 rows and keep their
  own writes in short transactions so that the page sees the progress.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.models import Event

from .models import Job

Handler = Callable[[Job], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
SEND_BATCH = 500


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of a job of ``kind`` (returns the job's report)."""

    def decorate(func: Handler) -> Handler:
        _HANDLERS[str(kind)] = func
        return func

    return decorate


def job_get(*, event: Event, job_id: Any) -> Job:
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        pk = 0
    job = Job.objects.filter(event=event, pk=pk).select_related("created_by").first()
    if job is None:
        raise NotFound(_("任务 %(id)s 不存在。") % {"id": job_id})
    return job


def job_start(
    *,
    event: Event,
    kind: str,
    actor: User | None,
    params: dict[str, Any],
    upload: tuple[str, bytes] | None = None,
) -> Job:
    """The Job row (queued), and its task enqueued when the caller's transaction commits."""
    from . import tasks

    job = Job(event=event, kind=kind, params=params, created_by=actor, total=int(params.get("rows") or 0))
    if upload is not None:
        name, data = upload
        job.original_name = name[:200]
        job.file.save(f"job-{event.pk}.bin", ContentFile(data), save=False)
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: tasks.job_run.enqueue(job_id))
    return job


def job_progress(job_id: int, done: int, total: int) -> None:
    Job.objects.filter(pk=job_id).update(done=done, total=total)


def job_finish(job_id: int, report: dict[str, Any]) -> None:
    Job.objects.filter(pk=job_id).update(  # finished: everything processed (an inline job kept no count)
        status=Job.Status.DONE, report=report, finished_at=timezone.now(), error="", done=F("total")
    )


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, error=message[:5000], finished_at=timezone.now()
    )


def _drop_file(job: Job) -> None:
    if job.file:
        with contextlib.suppress(OSError):
            job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")


def job_run(job_id: int) -> str:
    """Run a queued job once (the worker's task); returns its final status."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING)
    job = Job.objects.filter(pk=job_id).select_related("event", "created_by").first()
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise DomainError({"__all__": [f"no handler for {job.kind}"]})
        report = handler(job)
    except DomainError as exc:
        _fail(job.pk, exc.message)
    except Exception as exc:  # noqa: BLE001 — recorded on the job, which the page shows; never lost
        _fail(job.pk, f"{type(exc).__name__}: {force_str(exc)}")
    else:
        job_finish(job.pk, report)
    finally:
        _drop_file(job)
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def job_run_inline(
    *, event: Event, kind: str, actor: User | None, params: dict[str, Any], **work: Any
) -> Job:
    """A small job done now, in the request, recorded as a finished Job (so its report has one page)."""
    job = Job.objects.create(
        event=event, kind=kind, params=params, created_by=actor, status=Job.Status.RUNNING,
        total=int(params.get("rows") or 0),
    )  # fmt: skip
    job._inline = work  # type: ignore[attr-defined]
    handler = _HANDLERS[str(kind)]
    try:
        report = handler(job)
    except Exception:
        Job.objects.filter(pk=job.pk).delete()  # nothing of it stays: the caller reports the error
        raise
    job_finish(job.pk, report)
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------- handlers
@job_handler(Job.Kind.IMPORT)
def _import(job: Job) -> dict[str, Any]:
    from . import excel_guests

    inline = getattr(job, "_inline", None)
    if inline is not None:
        data, table = inline["data"], inline.get("table")
    else:
        with job.file.open("rb") as fh:
            data, table = fh.read(), None
    params = job.params

    def progress(done: int, total: int) -> None:
        job_progress(job.pk, done, total)

    report = excel_guests.import_data(
        actor=job.created_by,
        event=job.event_id,
        data=data,
        filename=params.get("filename") or job.original_name,
        on_duplicate=params.get("on_duplicate") or excel_guests.OnDuplicate.MERGE,
        progress=progress if inline is None else None,
        table=table,
        system=inline is None,  # the worker acts for the person who started it (checked then)
    )
    return report.as_dict()


@job_handler(Job.Kind.SEND)
def _send(job: Job) -> dict[str, Any]:
    """Render and queue a bulk send by batches of ``SEND_BATCH`` guests, each batch its own transaction."""
    from huodong.core.audit import Message as AuditMessage
    from huodong.core.audit import audit_record

    from .models import MessageKind
    from .rules import outreach_event_lock
    from .services.guests import WHAT, send_batch

    params = job.params
    ids: list[int] = list(params.get("guest_ids") or [])
    total = len(ids)
    queued = 0
    job_progress(job.pk, 0, total)
    for start in range(0, total, SEND_BATCH):
        with transaction.atomic():
            event = outreach_event_lock(actor=job.created_by, event=job.event_id, what=WHAT, system=True)
            queued += send_batch(
                event, ids[start : start + SEND_BATCH], params, actor=job.created_by, job_id=job.pk
            )
        job_progress(job.pk, min(total, start + SEND_BATCH), total)
    audit_record(
        actor=job.created_by,
        action="outreach.guest.send",
        target=job.event,
        event_id=job.event_id,
        summary=AuditMessage(
            _("向 %(n)s 位嘉宾发送%(kind)s"), n=total, kind=MessageKind(params["kind"]).label
        ),
        after={
            **{k: v for k, v in params.items() if k != "guest_ids"},
            "guests": total,
            "queued": queued,
            "job": job.pk,
        },
    )
    return {
        "guests": total,
        "queued": queued,
        "kind": params["kind"],
        "channels": params.get("channels") or [],
    }
