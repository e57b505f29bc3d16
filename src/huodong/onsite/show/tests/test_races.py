"""Two phones pressing 开始 at once record one start (EX-3). Threads need PostgreSQL (the SQLite test
database is shared by threads); on either database ``test_run`` shows the conditional update itself."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from huodong.core.errors import Conflict
from huodong.core.models import Notification
from huodong.onsite.show.models import SegmentRun
from huodong.onsite.show.services import run as services

from .support import T0, minutes, show_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_phones_pressing_start_at_once_record_one_start(organiser, marketing_mgr):
    # REQ: EX-3
    if connection.vendor != "postgresql":
        pytest.skip("threads pressing at once need PostgreSQL")
    show = show_event(organiser)
    show.event.team_members.add(marketing_mgr)
    seg = show.seg("开场").pk
    barrier = threading.Barrier(4, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(i: int) -> None:
        try:
            barrier.wait()
            who = organiser if i % 2 else marketing_mgr
            services.segment_start(actor=who, event=show.event.pk, segment_id=seg, at=T0 + minutes(10))
            result = "started"
        except Conflict:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "started"]
    assert SegmentRun.objects.filter(segment_id=seg, started_at__isnull=False).count() == 1
    # The shift it caused was told once to each owner, not once per phone.
    assert Notification.objects.filter(kind=services.SHIFT_KIND).count() == 3
