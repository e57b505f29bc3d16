"""Plan edits racing a signature and a submission (issue 6, finding 1; AP-1, RV-1).

Every writer of the approval takes the event lock first, then the plan, the versions, the reviews and
signatures (``core.concurrency``). Before, a signature locked the version and then the event while an edit
locked the event and then the version: PostgreSQL found a deadlock and the request answered 500. Here
three people work through the API at the same moment, round after round: the organiser edits the budget,
the executive in charge signs the version they reviewed, a planning colleague submits. Every answer is
200/201 or a 4xx saying why, never a 5xx, and what is left is consistent: a live signature is on the
plan as it is now, every other one is void.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from huodong.core.models import Role, User
from huodong.core.services import token_create
from huodong.events.models import Event
from huodong.planning.models import PlanVersion, Signature
from huodong.planning.selectors_approval import latest_version
from huodong.planning.versioning import OPEN_STATUSES, plan_content_hash
from tests.factories import person

from .conftest import build_plan_event, pass_all_reviews, submit

ROUNDS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="threads against SQLite are serialised by its one writer (BEGIN IMMEDIATE); the lock order "
        "and the deadlocks it prevents are PostgreSQL's row locks",
    ),
]


class Api:
    def __init__(self, user: User) -> None:
        _, self.secret = token_create(user=user, name="race")

    def client(self) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}", raise_request_exception=False)


def _in_threads(jobs: list[Callable[[Client], list[int]]], apis: list[Api]) -> list[tuple[str, int]]:
    """Run each job in its own thread (own connection, own client), all released at once."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def run(job: Callable[[Client], list[int]], api: Api) -> None:
        client = api.client()
        try:
            barrier.wait()
            statuses = job(client)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion on the statuses
            statuses = [-1]
            print(f"{job.__name__}: {exc!r}")  # noqa: T201
        finally:
            connections.close_all()
        with lock:
            results.extend((job.__name__, s) for s in statuses)

    threads = [threading.Thread(target=run, args=(job, api)) for job, api in zip(jobs, apis, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished (a lock was never released)"
    return results


def _deadlocks() -> int:
    """Deadlocks PostgreSQL has detected in this (test) database so far. A backend's count is flushed
    when it ends; every request thread closes its connection before this is read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _round_setup(event: Event, organiser: User, reviewers: dict[str, User]) -> PlanVersion:
    """A version every department has passed, ready for the executive's signature."""
    latest = latest_version(event)
    if latest is None or latest.status not in (PlanVersion.Status.IN_REVIEW, PlanVersion.Status.REVIEWED):
        latest = submit(event, organiser)
    if latest.status == PlanVersion.Status.IN_REVIEW:
        latest = pass_all_reviews(latest, reviewers)
    assert latest.status == PlanVersion.Status.REVIEWED
    return latest


def test_edits_racing_a_signature_and_a_submission_never_answer_500_and_leave_a_consistent_state(
    organiser: User, marketing_mgr: User, reviewers: dict[str, User], approver_exec: User, approver_gm: User
) -> None:
    # REQ: AP-1, RV-1 — issue 6, finding 1: no deadlock (HTTP 500) while editing during a signature or a
    # submission; a signature is on the current hash or void.
    deadlocks_before = _deadlocks()
    event = build_plan_event(organiser)
    event.team_members.add(marketing_mgr)  # an organiser on the team: may submit, is not the owner
    eid = event.pk
    editor, signer, submitter = Api(organiser), Api(approver_exec), Api(marketing_mgr)
    early_signer = Api(approver_gm)
    seen: list[tuple[str, int]] = []
    for round_no in range(ROUNDS):
        version = _round_setup(event, organiser, reviewers)
        digest = version.content_hash
        plan = editor.client().get(f"/api/events/{eid}/plan").json()
        line = next(b for b in plan["budget_lines"] if b["item"] == "LED 屏")

        def edit(client: Client, round_no: int = round_no, line: dict = line) -> list[int]:
            statuses = []
            revision = line.get("revision")
            for i in range(2):
                res = client.patch(
                    f"/api/events/{eid}/plan/budget-lines/{line['id']}",
                    json.dumps({"note": f"第 {round_no}.{i} 次修改", "revision": revision}),
                    content_type="application/json",
                )
                statuses.append(res.status_code)
                revision = res.json().get("revision") if res.status_code == 200 else revision
            return statuses

        def sign(client: Client, digest: str = digest) -> list[int]:
            res = client.post(
                f"/api/events/{eid}/approvals/sign",
                json.dumps({"decision": "approve", "comment": "同意", "content_hash": digest}),
                content_type="application/json",
            )
            return [res.status_code]

        def sign_too_early(client: Client, digest: str = digest) -> list[int]:
            """The general manager tries before the executive: refused, but it takes the same locks."""
            body = json.dumps({"decision": "approve", "content_hash": digest})
            return [
                client.post(
                    f"/api/events/{eid}/approvals/sign", body, content_type="application/json"
                ).status_code
                for _ in range(3)
            ]

        def submit_plan(client: Client) -> list[int]:
            res = client.post(f"/api/events/{eid}/plan/submit", "{}", content_type="application/json")
            return [res.status_code]

        seen += _in_threads(
            [edit, sign, sign_too_early, submit_plan], [editor, signer, early_signer, submitter]
        )

    errors = [(who, status) for who, status in seen if not 200 <= status < 500]
    assert errors == [], f"server errors or crashed threads: {errors} (all: {seen})"
    # The lock order leaves nothing for PostgreSQL to break (before: version → event against event →
    # version); a deadlock answered 409 or retried would still be one.
    assert _deadlocks() == deadlocks_before
    assert any(who == "edit" and status == 200 for who, status in seen)

    event.refresh_from_db()
    current = plan_content_hash(event)
    for signature in Signature.objects.select_related("version"):
        assert signature.voided_at is not None or signature.content_hash == current, (
            f"a live signature on v{signature.version.number} is not on the plan as it is now"
        )
        assert signature.content_hash == signature.version.content_hash
    open_versions = PlanVersion.objects.filter(plan__event=event, status__in=OPEN_STATUSES)
    assert open_versions.count() <= 1
    for version in open_versions:
        assert version.content_hash == current
    for version in PlanVersion.objects.filter(plan__event=event, status=PlanVersion.Status.SUPERSEDED):
        assert version.closed_at is not None
        assert not version.signatures.filter(voided_at__isnull=True).exists()


def _statuses(results: list[tuple[str, int]], who: str) -> list[int]:
    return [s for w, s in results if w == who]


def test_two_approvers_and_an_edit_at_once_leave_one_signature_per_level_on_the_current_plan(
    organiser: User, reviewers: dict[str, User], approver_exec: User, approver_gm: User
) -> None:
    # REQ: AP-1 — the executive signs while the general manager tries too early and the plan changes.
    deputy = person("approver_exec_2", Role.APPROVER_EXEC, "marketing", "分管副总裁")
    deadlocks_before = _deadlocks()
    event = build_plan_event(organiser)
    version = _round_setup(event, organiser, reviewers)
    body = json.dumps({"decision": "approve", "content_hash": version.content_hash})

    def make_sign(name: str) -> Callable[[Client], list[int]]:
        def job(client: Client) -> list[int]:
            res = client.post(f"/api/events/{event.pk}/approvals/sign", body, content_type="application/json")
            return [res.status_code]

        job.__name__ = name
        return job

    def edit(client: Client) -> list[int]:
        plan = client.get(f"/api/events/{event.pk}/plan").json()
        line = next(b for b in plan["budget_lines"] if b["item"] == "主会场")
        res = client.patch(
            f"/api/events/{event.pk}/plan/budget-lines/{line['id']}",
            json.dumps({"note": "换场地", "revision": line.get("revision")}),
            content_type="application/json",
        )
        return [res.status_code]

    results = _in_threads(
        [make_sign("exec"), make_sign("deputy"), make_sign("gm"), edit],
        [Api(approver_exec), Api(deputy), Api(approver_gm), Api(organiser)],
    )
    assert all(200 <= s < 500 for _, s in results), results
    assert _deadlocks() == deadlocks_before
    assert sorted(_statuses(results, "exec") + _statuses(results, "deputy")).count(201) <= 1
    if _statuses(results, "gm") == [201]:  # only after an executive's approval (AP-1 order)
        assert Signature.objects.filter(version=version, level="executive", decision="approve").exists()
    assert Signature.objects.filter(version=version, level="executive", voided_at__isnull=True).count() <= 1
    current = plan_content_hash(Event.objects.get(pk=event.pk))
    assert all(s.voided_at is not None or s.content_hash == current for s in Signature.objects.all())
