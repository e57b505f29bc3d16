"""Preparation writes racing each other on PostgreSQL (issue 8; the lessons of the planning phase).

Several people act through the API at the same moment, released together by a barrier, each on their own
connection. Every answer is a success or a 4xx saying why — never a 5xx — and what is left obeys the rules:
one leader per team (TM-1), exactly one A per task (TM-1), one quote per vendor per need (VD-1), and a need
whose chosen quote is one of its quotes while a quote added in the same instant is either refused or
recorded before the choice (VD-1). No deadlock is detected: every writer takes the event lock first.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from huodong.core.models import Role, User
from huodong.core.services import token_create
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.planning.tests.conftest import build_plan_event
from huodong.preparation.models import Quote, Raci, Task, TaskAssignment, TeamMember, Vendor, VendorNeed
from tests.factories import person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="threads against SQLite are serialised by its one writer (BEGIN IMMEDIATE); the row locks "
        "and the constraints raced here are PostgreSQL's",
    ),
]

WRITERS = 6


def _client(user: User) -> str:
    """A bearer token for ``user``; each request makes its own ``Client`` (one per thread)."""
    _, secret = token_create(user=user, name="race")
    return secret


def _together(calls: list[Callable[[], int]]) -> list[int]:
    """Run each call in its own thread, released at once; the HTTP statuses (−1: an exception)."""
    barrier = threading.Barrier(len(calls), timeout=30)
    statuses: list[int] = []
    lock = threading.Lock()

    def run(call: Callable[[], int]) -> None:
        try:
            barrier.wait()
            status = call()
        except Exception as exc:  # noqa: BLE001 — reported by the assertion on the statuses
            print(f"{exc!r}")  # noqa: T201
            status = -1
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished (a lock was never released)"
    return statuses


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


@pytest.fixture
def event(organiser) -> Event:
    event = build_plan_event(organiser)
    Event.objects.filter(pk=event.pk).update(step=Step.RESOURCES)
    event.refresh_from_db()
    return event


def _post(secret: str, url: str, body: dict, method: str = "POST", revision: int | None = None) -> int:
    import json

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)
    headers: dict[str, Any] = {"HTTP_IF_MATCH": f'"r{revision}"'} if revision is not None else {}
    return client.generic(method, url, json.dumps(body), "application/json", **headers).status_code


def test_several_leaders_named_at_once_leave_one_leader(event, organiser):
    # REQ: TM-1 — one leader per team, whoever names one at the same moment
    before = _deadlocks()
    leaders = [
        person(f"lead{i}", Role.ORGANISER, "marketing", "市场部主管", f"主管{i}") for i in range(WRITERS)
    ]
    client = _client(organiser)
    url = f"/api/events/{event.pk}/team/members"
    statuses = _together(
        [lambda u=u: _post(client, url, {"person": u.username, "is_leader": True}) for u in leaders]
    )
    assert all(0 < s < 500 for s in statuses), statuses
    assert TeamMember.objects.filter(event=event, is_leader=True).count() == 1
    assert TeamMember.objects.filter(event=event).count() == statuses.count(201)
    assert _deadlocks() == before


def test_racing_raci_assignments_leave_exactly_one_accountable(event, organiser):
    # REQ: TM-1 — exactly one A and at least one R, whichever of the racing assignments wins
    people = [person(f"raci{i}", Role.STAFF, "marketing", "专员", f"专员{i}") for i in range(WRITERS)]
    task = Task.objects.create(event=event, title="场地对接", due_at=event.starts_at - dt.timedelta(days=7))
    client = _client(organiser)
    url = f"/api/events/{event.pk}/tasks/{task.pk}/raci"
    calls = [
        lambda i=i: _post(
            client,
            url,
            {"raci": {people[i].username: "A", people[(i + 1) % WRITERS].username: "R"}},
            method="PUT",
            revision=task.revision,
        )
        for i in range(WRITERS)
    ]
    statuses = _together(calls)
    assert all(0 < s < 500 for s in statuses), statuses
    assert statuses.count(200) == 1, statuses  # all saw the same revision: one wins, the others are stale
    letters = list(TaskAssignment.objects.filter(task=task).values_list("role", flat=True))
    assert letters.count(Raci.ACCOUNTABLE) == 1 and Raci.RESPONSIBLE in letters


def test_one_vendor_quoting_twice_at_once_leaves_one_quote(event, organiser):
    # REQ: VD-1 — one quote per vendor per need
    vendor = Vendor.objects.create(name="上海国际会议中心", categories=["venue"])
    need = VendorNeed.objects.create(event=event, title="主会场租赁", category="venue")
    client = _client(organiser)
    url = f"/api/events/{event.pk}/vendor-needs/{need.pk}/quotes"
    statuses = _together(
        [
            lambda i=i: _post(client, url, {"vendor": vendor.pk, "amount": f"{180000 + i}.00"})
            for i in range(WRITERS)
        ]
    )
    assert all(0 < s < 500 for s in statuses), statuses
    assert statuses.count(201) == 1 and Quote.objects.filter(need=need).count() == 1


def test_a_choice_racing_new_quotes_chooses_one_of_the_needs_quotes(event, organiser):
    # REQ: VD-1 — the need is closed by the choice; a quote arriving at the same moment is refused or
    # was recorded before it, never after
    vendors = [Vendor.objects.create(name=f"供应商{i}", categories=["venue"]) for i in range(WRITERS + 3)]
    need = VendorNeed.objects.create(event=event, title="主会场租赁", category="venue")
    first = [Quote.objects.create(need=need, vendor=v, amount=100000 + i) for i, v in enumerate(vendors[:3])]
    client = _client(organiser)
    base = f"/api/events/{event.pk}/vendor-needs/{need.pk}"
    choose = [
        lambda: _post(
            client, f"{base}/choose", {"quote": first[0].pk, "reason": "价格最低"}, revision=need.revision
        )
    ]
    quotes = [
        lambda v=v: _post(client, f"{base}/quotes", {"vendor": v.pk, "amount": "99000.00"})
        for v in vendors[3:]
    ]
    statuses = _together(choose + quotes)
    assert all(0 < s < 500 for s in statuses), statuses
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CHOSEN and need.chosen_quote_id == first[0].pk
    assert need.chosen_at is not None
    late = Quote.objects.filter(need=need, received_at__gt=need.chosen_at)
    assert not late.exists(), "a quote was recorded after the need was closed"
