"""One access model per event for the events pages, the events API, documents and ``huodong export``
(issue 6, finding 3).

A move-back reason that quotes review or approval opinions (``StepTransition.restricted``) is read only by
people who may read the approval (``Need.VIEW_APPROVAL``: the team, the version's reviewers and approvers,
administrators); the others see that the event was sent back, not why. Team members may read the approval
form, as docs/api.md promises.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from huodong.core.models import Role
from huodong.core.services import token_create
from huodong.events.lifecycle import event_move_back
from huodong.events.models import Event

from .factories import EventFactory, UserFactory, login

pytestmark = pytest.mark.django_db

REJECTION = "分管领导驳回 v1:预算过高,压缩 10%"


@pytest.fixture
def team_staff(db):
    return UserFactory(username="team_staff", role=Role.STAFF, display_name="团队专员")


@pytest.fixture
def rejected(organiser, team_staff) -> Event:
    """An event sent back from 审批定稿 by a rejection that quotes the approver's opinion."""
    event = EventFactory(owner=organiser)
    event.team_members.set([team_staff])
    Event.objects.filter(pk=event.pk).update(step="approval")
    event_move_back(
        event=event,
        actor=None,
        to_step="plan",
        reason=REJECTION,
        from_step="approval",
        system=True,
        restricted=True,
    )
    return event


def _api_history(client, user, event) -> list[dict]:
    _token, secret = token_create(user=user, name="t")
    resp = client.get(f"/api/events/{event.pk}/history", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert resp.status_code == 200
    return resp.json()


def test_staff_outside_the_team_see_the_move_back_but_not_the_rejection_reason(client, outsider, rejected):
    # Issue 6, finding 3: staff read "分管领导驳回 v1 …" in the history.
    login(client, outsider)
    html = client.get(f"/events/{rejected.pk}/").content.decode()
    assert "驳回" not in html and "预算过高" not in html
    assert 'data-testid="reason-hidden"' in html and "退回" in html
    moves = _api_history(client, outsider, rejected)
    assert [(m["from_step"], m["to_step"], m["direction"]) for m in moves] == [("approval", "plan", "back")]
    assert moves[0]["reason"] == "" and moves[0]["reason_hidden"] is True


@pytest.mark.parametrize("who", ["team_staff", "organiser", "admin_user"])
def test_people_who_may_read_the_approval_see_the_rejection_reason(request, client, rejected, who):
    user = request.getfixturevalue(who)
    login(client, user)
    assert REJECTION in client.get(f"/events/{rejected.pk}/").content.decode()
    moves = _api_history(client, user, rejected)
    assert moves[0]["reason"] == REJECTION and moves[0]["reason_hidden"] is False


def test_an_ordinary_move_back_reason_is_read_by_every_colleague(client, organiser, outsider):
    event = EventFactory(owner=organiser)
    Event.objects.filter(pk=event.pk).update(step="goals")
    event_move_back(event=event, actor=organiser, to_step="needs", reason="需求有变", from_step="goals")
    login(client, outsider)
    assert "需求有变" in client.get(f"/events/{event.pk}/").content.decode()
    assert _api_history(client, outsider, event)[0]["reason"] == "需求有变"


def test_the_audit_summary_of_a_restricted_move_omits_the_reason(rejected):
    from huodong.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="event.back", event_id=rejected.pk)
    assert "预算过高" not in entry.summary


# ---------------------------------------------------------------- documents
def test_a_team_member_may_read_the_approval_form(client, rejected, team_staff):
    # Issue 6, finding 3: team members may read the approval page (and its form), as docs/api.md promises.
    login(client, team_staff)
    assert client.get(f"/events/{rejected.pk}/documents/approval-form.docx").status_code == 200
    assert "approval-form.docx" in client.get(f"/events/{rejected.pk}/documents/").content.decode()


def test_staff_outside_the_team_cannot_read_the_approval_form_through_the_api(client, rejected, outsider):
    _token, secret = token_create(user=outsider, name="t")
    resp = client.get(
        f"/api/events/{rejected.pk}/documents/approval-form.docx", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert "审批表" in resp.json()["message"]


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_export_as_a_named_person_goes_through_their_rights(rejected, outsider, team_staff, tmp_path):
    with pytest.raises(CommandError, match="审批表"):
        _export(
            "approval-form", "--event", str(rejected.pk), "--out", str(tmp_path), "--as", outsider.username
        )
    assert not list(tmp_path.iterdir())
    _export("plan", "--event", str(rejected.pk), "--out", str(tmp_path / "p.docx"), "--as", outsider.username)
    _export(
        "approval-form", "--event", str(rejected.pk), "--out", str(tmp_path / "a.docx"), "--as", "team_staff"
    )
    assert (tmp_path / "p.docx").exists() and (tmp_path / "a.docx").exists()


def test_export_as_the_operator_reads_every_document(rejected, tmp_path):
    _export("approval-form", "--event", str(rejected.pk), "--out", str(tmp_path / "a.docx"))
    assert (tmp_path / "a.docx").exists()


def test_export_as_an_unknown_person_is_refused(rejected, tmp_path):
    with pytest.raises(CommandError, match="ghost"):
        _export("plan", "--event", str(rejected.pk), "--out", str(tmp_path), "--as", "ghost")


# ---------------------------------------------------------------- every page and operation
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/events/{id}/edit/"),
        ("post", "/events/{id}/edit/"),
        ("post", "/events/{id}/advance/"),
        ("post", "/events/{id}/back/"),
    ],
)
def test_the_event_pages_that_change_it_are_refused_to_a_colleague_outside_the_team(
    client, outsider, event, method, path
):
    login(client, outsider)
    resp = getattr(client, method)(path.format(id=event.pk), {"from_step": "needs"})
    assert resp.status_code == 403
    assert Event.objects.get(pk=event.pk).revision == 1 and Event.objects.get(pk=event.pk).step == "needs"


@pytest.mark.parametrize(
    "path",
    ["/events/{id}/", "/events/{id}/edit/", "/events/{id}/documents/", "/events/{id}/documents/plan.docx"],
)
def test_the_event_pages_of_an_unknown_event_are_404(as_organiser, path):
    assert as_organiser.get(path.format(id=999999)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/events/{id}", {"revision": 1, "venue": "x"}),
        ("post", "/api/events/{id}/advance", {"from_step": "needs"}),
        ("post", "/api/events/{id}/back", {"from_step": "needs", "to_step": "needs", "reason": "x"}),
    ],
)
def test_the_api_operations_that_change_an_event_are_refused_to_a_colleague_outside_the_team(
    client, outsider, event, method, path, body
):
    _token, secret = token_create(user=outsider, name="t")
    resp = getattr(client, method)(
        path.format(id=event.pk), body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert Event.objects.get(pk=event.pk).revision == 1 and Event.objects.get(pk=event.pk).step == "needs"
