"""Background jobs (issue 9, point 1): a large import runs in the worker as a django task, with progress,
and ends with its report; a failure is recorded on the job; a job runs once; the upload is deleted."""

from __future__ import annotations

import pytest

from huodong.events.steps import Step
from huodong.outreach import excel_guests, jobs
from huodong.outreach.models import Guest, Job
from huodong.planning.tests.conftest import make_event, media_root  # noqa: F401

from .test_guests import run_queued_tasks
from .test_import import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def job_event(organiser):
    return make_event(organiser, step=Step.NOTIFICATION)


def test_a_large_import_runs_in_the_worker_with_progress(
    job_event,
    organiser,
    media_root,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    monkeypatch.setattr(excel_guests, "INLINE_ROWS", 5)
    monkeypatch.setattr(excel_guests, "PROGRESS_EVERY", 4)
    seen: list[tuple[int, int]] = []
    real = jobs.job_progress
    monkeypatch.setattr(
        jobs,
        "job_progress",
        lambda job_id, done, total: (seen.append((done, total)), real(job_id, done, total)),
    )
    rows = [(f"嘉宾{i}", "", "", f"1390000{i:04d}", "") for i in range(12)] + [("坏行", "", "", "123", "")]
    with django_capture_on_commit_callbacks(execute=True):
        job = excel_guests.guests_import(
            actor=organiser, event=job_event, data=xlsx(rows), filename="big.xlsx"
        )
    assert job.status == Job.Status.QUEUED and job.file and not Guest.objects.exists()
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.report["imported"], job.report["refused"], job.report["refused_rows"]) == (12, 1, [14])
    assert (4, 13) in seen and job.done == 13 and job.total == 13 and job.percent == 100
    assert not job.file  # the uploaded personal data does not stay behind
    assert jobs.job_run(job.pk) == Job.Status.DONE  # delivered twice: runs once
    assert Guest.objects.count() == 12


def test_a_failure_is_recorded_on_the_job(job_event, organiser, monkeypatch):
    def boom(job):
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(jobs._HANDLERS, "import", boom)
    job = Job.objects.create(event=job_event, kind=Job.Kind.IMPORT, created_by=organiser)
    assert jobs.job_run(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert "磁盘已满" in job.error and job.finished_at is not None


def test_the_task_is_enqueued_only_when_the_transaction_commits(
    job_event, organiser, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_start(event=job_event, kind=Job.Kind.SEND, actor=organiser, params={"guest_ids": []})
    assert not DBTaskResult.objects.exists() and len(callbacks) == 1
    callbacks[0]()
    task = DBTaskResult.objects.get()
    assert task.task_result.args == [job.pk] and task.task_path.endswith("tasks.job_run")
