"""Who may read review opinions and signatures (issue 6, finding 3): one access model per event.

The owner, the team (members of any role, as docs/api.md promises), the reviewers and approvers of the
event's versions and administrators read the approval; staff outside the event do not, anywhere: not on
the approval pages, not in the API, not in the history of the event, where a rejection's reason quotes
the opinions (``restricted``).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huodong.core.models import Notification, Role, User
from huodong.core.services import token_create
from huodong.events.models import Event, StepTransition
from huodong.planning.selectors_approval import can_view_approval
from tests.factories import login, person

from .conftest import reviewed_version, sign

COMMENT = "预算过高请压缩百分之十"
REJECTION = f"分管领导驳回 v1(赵总):{COMMENT}"


@pytest.fixture
def team_member(plan_event) -> User:
    member = person("team_staff", Role.STAFF, "marketing", "市场专员", "钱同学")
    plan_event.team_members.add(member)
    return member


@pytest.fixture
def rejected(plan_event, organiser, reviewers, approver_exec) -> Event:
    """v1 reviewed by every department, then rejected by the executive in charge with a comment."""
    version = reviewed_version(plan_event, organiser, reviewers)
    sign(version, approver_exec, decision="reject", comment=COMMENT)
    plan_event.refresh_from_db()
    return plan_event


def _api(user: User) -> Client:
    _, secret = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _pages(event: Event) -> list[str]:
    """Every page and API read of the event a signed-in colleague might open."""
    eid = event.pk
    pages = [
        reverse("events:detail", kwargs={"pk": eid}),
        reverse("planning:needs", kwargs={"event_id": eid}),
        reverse("planning:goals", kwargs={"event_id": eid}),
        reverse("planning:plan", kwargs={"event_id": eid}),
        reverse("planning:approval", kwargs={"event_id": eid}),
        reverse("planning:version_detail", kwargs={"event_id": eid, "number": 1}),
        reverse("planning:version_diff", kwargs={"event_id": eid}),
        reverse("planning:inbox"),
        reverse("documents:index", kwargs={"event_id": eid}),
    ]
    pages += [
        reverse("documents:print", kwargs={"event_id": eid, "doc": doc})
        for doc in ("needs-report", "plan", "approval-form")
    ]
    return pages


def _api_reads(event: Event) -> list[str]:
    eid = event.pk
    return [
        f"/api/events/{eid}",
        f"/api/events/{eid}/history",
        f"/api/events/{eid}/gate",
        f"/api/events/{eid}/plan",
        f"/api/events/{eid}/plan/versions",
        f"/api/events/{eid}/plan/versions/1",
        f"/api/events/{eid}/department-reviews",
        "/api/events/me/pending",
    ]


def test_staff_outside_the_event_see_the_rejection_nowhere(client, rejected, outsider):
    # REQ: AP-1 — issue 6, finding 3: "分管领导驳回 v1 …" is not shown to staff outside the event.
    assert StepTransition.objects.get(event=rejected, direction="back").restricted
    login(client, outsider)
    opened = 0
    for url in _pages(rejected):
        res = client.get(url)
        assert res.status_code in (200, 403, 404), (url, res.status_code)
        assert COMMENT not in res.content.decode(errors="replace"), url
        opened += res.status_code == 200
    api = _api(outsider)
    for url in _api_reads(rejected):
        res = api.get(url)
        assert res.status_code in (200, 403, 404), (url, res.status_code)
        assert COMMENT not in json.dumps(res.json(), ensure_ascii=False), url
        opened += res.status_code == 200
    assert opened >= 3  # the event itself, its plan and its history are open to every colleague
    assert not Notification.objects.filter(recipient=outsider).exists()


@pytest.mark.parametrize(
    "url_name",
    ["planning:approval", "planning:version_detail", "planning:version_diff"],
)
def test_the_approval_pages_refuse_staff_outside_the_event(client, rejected, outsider, url_name):
    # REQ: AP-1 — issue 6, finding 3.
    kwargs = {"event_id": rejected.pk, **({"number": 1} if url_name == "planning:version_detail" else {})}
    login(client, outsider)
    res = client.get(reverse(url_name, kwargs=kwargs))
    assert res.status_code == 403
    assert "只有活动团队、评审人、审批人和管理员可以查看评审与审批" in res.content.decode()


def test_the_history_hides_the_reason_from_outsiders_but_not_from_the_team(
    rejected, outsider, team_member, organiser, reviewers, approver_gm
):
    # REQ: AP-1 — issue 6, finding 3: the move back is restricted, the team still reads why.
    def back(user: User) -> dict:
        res = _api(user).get(f"/api/events/{rejected.pk}/history")
        assert res.status_code == 200, res.content
        return next(m for m in res.json() if m["direction"] == "back")

    assert COMMENT not in json.dumps(back(outsider), ensure_ascii=False)
    for reader in (team_member, organiser, reviewers["finance"], approver_gm):
        assert REJECTION in back(reader)["reason"], reader.username


@pytest.mark.parametrize("who", ["team_member", "organiser", "reviewer", "approver_gm", "admin_user"])
def test_the_team_reviewers_approvers_and_administrators_read_the_approval(
    client, rejected, team_member, organiser, reviewers, approver_gm, admin_user, who
):
    # REQ: RV-1, AP-1 — docs/api.md: team members may read the review and approval.
    user = {
        "team_member": team_member,
        "organiser": organiser,
        "reviewer": reviewers["legal"],
        "approver_gm": approver_gm,
        "admin_user": admin_user,
    }[who]
    assert can_view_approval(user, rejected)
    login(client, user)
    res = client.get(reverse("planning:approval", kwargs={"event_id": rejected.pk}))
    assert res.status_code == 200
    assert COMMENT in res.content.decode()
    api = _api(user)
    versions = api.get(f"/api/events/{rejected.pk}/plan/versions")
    assert versions.status_code == 200
    assert versions.json()[0]["signatures"][0]["comment"] == COMMENT


def test_a_reviewer_whose_department_was_not_asked_may_not_read_the_approval(client, rejected):
    # REQ: RV-1 — reviewers are members of an event only once their department is asked.
    tech = person("reviewer_tech", Role.REVIEWER, "tech", "技术总监")
    assert not can_view_approval(tech, rejected)
    login(client, tech)
    assert client.get(reverse("planning:approval", kwargs={"event_id": rejected.pk})).status_code == 403
    assert _api(tech).get(f"/api/events/{rejected.pk}/plan/versions").status_code == 403


def test_the_rejection_notice_goes_only_to_the_owner_and_earlier_signers(rejected, organiser, outsider):
    # REQ: AP-1 — the in-app notice of a rejection quotes the comment: only people who may read it get it.
    readers = set(
        Notification.objects.filter(kind="approval.rejected").values_list("recipient__username", flat=True)
    )
    assert readers == {organiser.username}
