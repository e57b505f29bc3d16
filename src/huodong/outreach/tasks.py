"""django-tasks tasks of outreach, run by ``huodong worker`` (the django_tasks_db queue). Tasks take ids and
call the code that does the work (``jobs``)."""

from __future__ import annotations

from django_tasks import task


@task()
def job_run(job_id: int) -> str:
    """Run one background job (a large guest import, a bulk send) and record its report or failure."""
    from .jobs import job_run as run

    return run(job_id)
