"""Build the demo: personas for every role, 「智启未来·2026新品发布会」 in planning using the spec's example
figures, and 「智启未来·华东巡展(杭州站)」 approved and in preparation (``preparation_demo``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from huodong.core.models import Department, Role, User
from huodong.core.services import organisation_get, person_save
from huodong.events.models import Event, EventType
from huodong.events.services import event_create

DEMO_PASSWORD = "huodong-demo-2026"
DEMO_EVENT_NAME = "智启未来·2026新品发布会"

# username, name, role, department code, title
PERSONAS: list[tuple[str, str, str, str, str]] = [
    ("admin", "系统管理员", Role.ADMIN, "tech", "IT 管理员"),
    ("organiser", "王策划", Role.ORGANISER, "marketing", "市场部主管"),
    ("marketing_mgr", "陈经理", Role.ORGANISER, "marketing", "市场部经理"),
    ("reviewer_sales", "李总监", Role.REVIEWER, "sales", "销售部总监"),
    ("reviewer_product", "周经理", Role.REVIEWER, "product", "产品部经理"),
    ("reviewer_legal", "吴律师", Role.REVIEWER, "legal", "法务主管"),
    ("reviewer_finance", "郑会计", Role.REVIEWER, "finance", "财务经理"),
    ("approver_exec", "赵总", Role.APPROVER_EXEC, "marketing", "分管市场副总裁"),
    ("approver_gm", "孙总", Role.APPROVER_GM, "admin", "总经理"),
    ("staff", "钱同学", Role.STAFF, "marketing", "市场专员"),
    ("checkin_staff", "冯同学", Role.STAFF, "admin", "行政专员"),
]


@transaction.atomic
def demo_load() -> dict[str, Any]:
    org = organisation_get()
    if org.name != "示例科技有限公司":
        org.name = "示例科技有限公司"
        org.save(update_fields=["name"])
    people: list[User] = []
    for username, name, role, dept_code, title in PERSONAS:
        existing = User.objects.filter(username=username).first()
        dept = Department.objects.get(code=dept_code)
        person = person_save(
            actor=None,
            system=True,
            person=existing,
            username=username,
            display_name=name,
            role=role,
            department=dept,
            title=title,
            email=f"{username}@example.com",
            password=DEMO_PASSWORD,
        )
        people.append(person)
    by_name = {p.username: p for p in people}
    event = Event.objects.filter(name=DEMO_EVENT_NAME).first()
    if event is None:
        tz = zoneinfo.ZoneInfo("Asia/Shanghai")
        event = event_create(
            actor=by_name["organiser"],
            name=DEMO_EVENT_NAME,
            event_type=EventType.objects.get(code="product-launch"),
            theme="智启未来",
            tone="高端专业",
            starts_at=dt.datetime(2027, 3, 18, 13, 30, tzinfo=tz),
            ends_at=dt.datetime(2027, 3, 18, 17, 30, tzinfo=tz),
            time_zone="Asia/Shanghai",
            venue="上海国际会议中心 3 楼黄浦厅",
            expected_attendance=220,
            requesting_department=Department.objects.get(code="sales"),
            owner=by_name["organiser"],
            team_members=[by_name["marketing_mgr"], by_name["staff"]],
        )
    from .planning_demo import demo_planning_load

    demo_planning_load(event=event, people=by_name)
    from .preparation_demo import demo_preparation_load

    prepared = demo_preparation_load(people=by_name)
    from .outreach_demo import demo_outreach_load

    demo_outreach_load(event=prepared, people=by_name)
    from .checkin_demo import demo_checkin_load

    demo_checkin_load(event=prepared, people=by_name)
    from .onsite_incidents_demo import demo_incidents_load
    from .onsite_interaction_demo import demo_interaction_load
    from .onsite_live_demo import demo_live_load
    from .onsite_rehearsal_demo import demo_rehearsal_load
    from .onsite_show_demo import demo_show_load

    demo_rehearsal_load(event=prepared, people=by_name)
    demo_show_load(event=prepared, people=by_name)
    demo_interaction_load(event=prepared, people=by_name)
    demo_incidents_load(event=prepared, people=by_name)
    demo_live_load(event=prepared, people=by_name)
    return {"event": event, "prepared_event": prepared, "people": people}
