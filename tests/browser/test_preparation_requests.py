"""IR-1 and TR-1 in a real browser on a phone (Chromium, 390×844).

A 技术部 person who is not on the event's team opens 部门协作请求 (/my/requests/), sees the request flagged
(it is needed in under three days), confirms it with a comment, and the event's tab 内部资源 shows it
confirmed. The pages of both areas fit the phone's width (the layout checks of ``test_phone_layout``).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from huodong.core.models import Department, Role
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import ResourceRequest, TeamMember, Training, TrainingAttendance
from tests.factories import person

from .test_phone_layout import LAYOUT_PROBLEMS_JS, _login


def _request_soon(organiser):  # noqa: ANN001, ANN202
    soon = timezone.now() + dt.timedelta(days=2)
    event = make_event(organiser, step=Step.RESOURCES, starts=soon, name="智启未来·新品发布会")
    row = ResourceRequest.objects.create(
        event=event,
        department=Department.objects.get(code="tech"),
        what="现场网络保障:主会场 200 人同时上网,直播专线一条",
        needed_at=soon - dt.timedelta(hours=3),
        contact=organiser,
        requested_by=organiser,
    )
    return event, row


def test_a_tech_person_confirms_a_request_on_a_phone(phone_page, organiser, artifacts):
    # REQ: IR-1
    event, row = _request_soon(organiser)
    tech_li = person("tech_li", Role.STAFF, "tech", "网络工程师", "李工")
    pg = phone_page
    _login(pg, tech_li)
    pg.goto(reverse("preparation:requests_inbox"))
    card = pg.locator(f"#request-{row.pk}")
    assert card.get_attribute("data-flagged") == "1"
    assert "不足 3 天" in card.inner_text()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    card.get_by_label("答复意见").fill("已安排两名工程师,12:00 前调试完毕")
    card.get_by_test_id("confirm").click()
    pg.wait_for_load_state()
    assert "答复已发送" in pg.locator(".messages").inner_text()
    answered = pg.get_by_test_id("answered-requests")
    assert "已确认" in answered.inner_text() and "已安排两名工程师" in answered.inner_text()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.screenshot(path=str(artifacts / "phone-requests-inbox.png"), full_page=True)
    row.refresh_from_db()
    assert (row.status, row.responder_id) == (ResourceRequest.Status.CONFIRMED, tech_li.pk)


def test_the_pages_of_resources_and_training_fit_a_phone(phone_page, organiser, marketing_mgr, artifacts):
    event, _row = _request_soon(organiser)
    Training.objects.all().delete()
    TeamMember.objects.create(event=event, person=organiser, is_leader=True, duties="统筹全场")
    TeamMember.objects.create(event=event, person=marketing_mgr, duties="嘉宾接待与签到")
    meeting = Training.objects.create(
        event=event,
        kind=Training.Kind.EXECUTION_MEETING,
        title="执行会议",
        starts_at=event.starts_at - dt.timedelta(days=3),
        held_at=timezone.now() - dt.timedelta(days=1),
        minutes="明确各岗位分工与应急话术。" * 5,
    )
    TrainingAttendance.objects.create(training=meeting, person=organiser, attended=True)
    TrainingAttendance.objects.create(training=meeting, person=marketing_mgr, attended=False, note="出差")
    pg = phone_page
    _login(pg, organiser)
    for name, url in [
        ("resources", reverse("preparation:resources", args=[event.pk])),
        ("training", reverse("preparation:training", args=[event.pk])),
        ("training-detail", reverse("preparation:training_detail", args=[event.pk, meeting.pk])),
    ]:
        pg.goto(url)
        problems = pg.evaluate(LAYOUT_PROBLEMS_JS)
        pg.screenshot(path=str(artifacts / f"phone-{name}.png"), full_page=True)
        assert problems == [], f"{name}: {problems}"
    pg.goto(reverse("preparation:resources", args=[event.pk]))
    assert pg.locator("tr[data-flagged='1']").count() == 1
