"""The live run of show in the demo, on 「智启未来·华东巡展(杭州站)」: the event is in preparation, not on its
day, so nothing has been started — the tab 流程执行 shows its plan's segments with their owners and
planned times (the projection equals the plan), the stage view (舞台大屏) shows the first segment as next,
and each owner's page 我负责的环节 lists their segments. A live record (``SegmentRun``) is made for every
segment so that the run is ready for the day; the stage manager (陈经理, ``marketing_mgr``) is named by the
check-in part of the demo.

Loading twice changes nothing.
"""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.models import Event
from huodong.onsite.show.services.run import runs_ensure


def demo_show_load(*, event: Event, people: dict[str, User]) -> None:
    runs_ensure(event)
