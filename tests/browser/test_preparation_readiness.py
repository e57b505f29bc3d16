"""The readiness page (issue 8, point 8) on a phone (Chromium, 390×844): the executive in charge opens it,
sees the three gates and the open points, follows a link to where a point is fixed; nothing overflows the
phone's width (the layout checks of ``test_phone_layout``). The documents page, with the preparation
documents added, fits too."""

from __future__ import annotations

from django.urls import reverse

from huodong.preparation.models import MaterialItem, TeamMember
from huodong.preparation.tests.test_readiness import prepared_event

from .test_phone_layout import LAYOUT_PROBLEMS_JS, _login


def test_the_executive_reads_readiness_on_a_phone(
    phone_page, organiser, marketing_mgr, approver_exec, artifacts
):
    # REQ: TM-1
    # REQ: MT-1
    prepared = prepared_event(organiser, marketing_mgr)
    event = prepared.event
    TeamMember.objects.filter(pk=prepared.leader.pk).update(is_leader=False)
    MaterialItem.objects.filter(pk=prepared.material.pk).update(status=MaterialItem.Status.ORDERED)
    pg = phone_page
    _login(pg, approver_exec)
    pg.goto(reverse("preparation:readiness", kwargs={"event_id": event.pk}))
    assert pg.get_by_test_id("gate-resources").get_attribute("data-met") == "false"
    assert pg.get_by_test_id("gate-training").get_attribute("data-met") == "true"
    points = pg.get_by_test_id("open-points")
    assert (
        "项目团队已指定负责人" in points.inner_text()
        or "请在「团队与任务」中指定项目负责人" in points.inner_text()
    )
    assert "「易拉宝」" in points.inner_text()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.screenshot(path=str(artifacts / "phone-readiness.png"), full_page=True)
    team_link = points.locator('[data-code="preparation.team_leader"] a')
    if team_link.count():  # the team page exists: the point links to it
        team_link.first.click()
        pg.wait_for_load_state()
        assert pg.url.endswith(reverse("preparation:team", kwargs={"event_id": event.pk}))


def test_the_documents_page_fits_a_phone(phone_page, organiser, marketing_mgr, artifacts):
    # REQ: VD-1
    prepared = prepared_event(organiser, marketing_mgr)
    pg = phone_page
    _login(pg, organiser)
    pg.goto(reverse("documents:index", kwargs={"event_id": prepared.event.pk}))
    assert "《供应商比选表》" in pg.content()
    assert pg.evaluate(LAYOUT_PROBLEMS_JS) == []
    pg.screenshot(path=str(artifacts / "phone-documents.png"), full_page=True)
