"""The live part of the demo (EX-6), on 「智启未来·华东巡展(杭州站)」: a few leads the sales staff captured
from guests' badges at the rehearsal (A, B and C, with notes), so the dashboard and the review phase have
leads to show. The event is still in preparation, when ``services.leads.lead_record`` refuses (leads are
recorded on the day), so they are written as the record of that rehearsal, as the check-in demo writes its
scans. Loading twice changes nothing: it runs only while the event has no leads.
"""

from __future__ import annotations

from huodong.core.models import User
from huodong.events.models import Event
from huodong.onsite.live.models import Found, Lead
from huodong.outreach.models import Guest, GuestStatus

LEADS = [
    ("a", "对新品的企业版很感兴趣,预算已批,希望下周安排演示。", Found.QR),
    ("b", "正在评估,需要竞品对比资料。", Found.CODE),
    ("c", "了解行业动态,暂无采购计划。", Found.SEARCH),
]


def demo_live_load(*, event: Event, people: dict[str, User]) -> None:
    if Lead.objects.filter(event=event).exists():
        return
    recorder = people.get("marketing_mgr") or people.get("organiser")
    if recorder is None:
        return
    guests = list(
        Guest.objects.filter(
            event=event, status__in=(GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)
        ).order_by("id")[: len(LEADS)]
    )
    Lead.objects.bulk_create(
        [
            Lead(event=event, guest=guest, recorded_by=recorder, interest=level, notes=notes, found_by=found)
            for guest, (level, notes, found) in zip(guests, LEADS, strict=False)
        ]
    )
