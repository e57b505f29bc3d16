"""Listing and advancing events on a throwaway SQLite database holding 2,000 events.

Measured: the list selector and the list page (first page, with filters, through Django's test
Client), and advancing an event through the service and through the REST API with a token.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
import zoneinfo
from collections.abc import Callable
from typing import Any

EVENTS = 2_000
LIST_ITERATIONS = 60
ADVANCE_ITERATIONS = 200


def _setup_django() -> str:
    """A fresh data directory and SQLite database, migrated; returns the directory."""
    data_dir = tempfile.mkdtemp(prefix="huodong-bench-")
    os.environ["HUODONG_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huodong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


def _stats(name: str, samples: list[float], note: str) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "name": name,
        "unit": "ms",
        "median": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "n": len(ordered),
        "note": note,
    }


def _time(fn: Callable[[int], Any], n: int, warmup: int = 3) -> list[float]:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(warmup + i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run() -> list[dict[str, Any]]:
    _setup_django()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from huodong.core.models import Department, Role, User
    from huodong.core.services import token_create
    from huodong.events import lifecycle, selectors
    from huodong.events.models import Event, EventType
    from huodong.events.steps import LIFECYCLE

    setup_test_environment()  # lets the test Client run against the bench database
    settings.ALLOWED_HOSTS = ["testserver"]
    organiser = User.objects.create_user("bench_organiser", password="bench-pass-2026", role=Role.ORGANISER)
    others = [User.objects.create_user(f"bench_org{i}", role=Role.ORGANISER) for i in range(4)]
    owners = [organiser, *others]
    types = list(EventType.objects.all())
    depts = list(Department.objects.all())
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    start = dt.datetime(2027, 1, 5, 9, 0, tzinfo=tz)
    steps = [s.value for s in LIFECYCLE]
    Event.objects.bulk_create(
        [
            Event(
                name=f"{types[i % len(types)].name}{i:04d}",
                event_type=types[i % len(types)],
                theme="智启未来" if i % 3 == 0 else "客户共赢",
                starts_at=start + dt.timedelta(days=i % 365, hours=i % 7),
                ends_at=start + dt.timedelta(days=i % 365, hours=i % 7 + 4),
                venue="上海国际会议中心" if i % 2 else "杭州国际博览中心",
                expected_attendance=100 + i % 300,
                requesting_department=depts[i % len(depts)],
                owner=owners[i % len(owners)],
                step=steps[i % len(steps)],
            )
            for i in range(EVENTS)
        ],
        batch_size=500,
    )
    assert Event.objects.count() == EVENTS

    results = []
    results.append(
        _stats(
            "event_list selector, first page of 30, no filter",
            _time(lambda i: list(selectors.event_list()[:30]), LIST_ITERATIONS),
            f"{EVENTS} events; select_related type/owner/department",
        )
    )
    results.append(
        _stats(
            "event_list selector, phase + type + search",
            _time(
                lambda i: list(
                    selectors.event_list(phase="planning", event_type="product-launch", q="智启")[:30]
                ),
                LIST_ITERATIONS,
            ),
            "phase=planning, type=product-launch, q=智启",
        )
    )
    client = Client()
    client.force_login(organiser)

    def _page(path: str) -> Callable[[int], Any]:
        def get(i: int) -> None:
            resp = client.get(path)
            assert resp.status_code == 200, resp.status_code

        return get

    results.append(
        _stats(
            "event list page, first page",
            _time(_page("/events/"), LIST_ITERATIONS),
            "GET /events/ rendered HTML",
        )
    )
    results.append(
        _stats(
            "event list page, filtered",
            _time(_page(f"/events/?phase=planning&owner={organiser.pk}&q=%E6%99%BA"), LIST_ITERATIONS),
            "GET /events/?phase=planning&owner=…&q=智",
        )
    )

    # Advancing: fresh events in the first step, one per iteration. The phase apps' gates are left out
    # (they need planning records these synthetic events don't have); their evaluation is timed apart.
    movable = list(
        Event.objects.bulk_create(
            [
                Event(
                    name=f"推进测试{i:04d}",
                    event_type=types[0],
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=4),
                    venue="上海",
                    expected_attendance=200,
                    requesting_department=depts[0],
                    owner=organiser,
                )
                for i in range(2 * (ADVANCE_ITERATIONS + 3))
            ]
        )
    )
    results.append(
        _stats(
            "gate evaluation of 需求洞察 (registered gates)",
            _time(lambda i: lifecycle.gate_evaluate(movable[i], "needs"), ADVANCE_ITERATIONS),
            "every criterion registered for leaving the first step: "
            + ", ".join(lifecycle.gate_checks("needs")),
        )
    )
    saved_gates = lifecycle._GATES
    lifecycle._GATES = {}
    try:
        service_events = movable[: ADVANCE_ITERATIONS + 3]
        results.append(
            _stats(
                "event_advance service",
                _time(
                    lambda i: lifecycle.event_advance(
                        event=service_events[i], actor=organiser, from_step="needs"
                    ),
                    ADVANCE_ITERATIONS,
                ),
                "permission check, conditional UPDATE, StepTransition + AuditEntry, in one transaction",
            )
        )
        _token, secret = token_create(user=organiser, name="bench")
        api_events = movable[ADVANCE_ITERATIONS + 3 :]
        api_client = Client()

        def advance_api(i: int) -> None:
            resp = api_client.post(
                f"/api/events/{api_events[i].pk}/advance",
                data='{"from_step": "needs"}',
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
            )
            assert resp.status_code == 200, resp.content

        results.append(
            _stats(
                "POST /api/events/{id}/advance with a token",
                _time(advance_api, ADVANCE_ITERATIONS),
                "token lookup + the same service + JSON response",
            )
        )
    finally:
        lifecycle._GATES = saved_gates
    return results


if __name__ == "__main__":
    for row in run():
        print(row)
