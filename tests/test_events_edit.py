"""Editing an event (issue 6): revisions that never lose an edit, who owns an event, bounded clean text.

- finding 2: every edit says which revision it saw (API ``revision``/``If-Match``, page hidden field);
  an old one changes nothing and is answered 409 with the current state, a missing one 428; only the
  fields that changed are written and audited with their real before and after;
- finding 4: the owner (负责人) is an organiser or an administrator, on create and on change; only the owner
  or an administrator changes the owner and the team, and team changes are audited;
- finding 5: name, theme, tone and venue are bounded by their columns and free of control characters
  (an event name with one broke its Word export), refused with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import zoneinfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.core.services import token_create
from huodong.events.models import Event, EventType
from huodong.events.services import event_create, event_update

from .factories import EventFactory, UserFactory, department, login

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
J = "application/json"


def _valid(**overrides):
    data = {
        "name": "智启未来·2026新品发布会",
        "event_type": EventType.objects.get(code="product-launch"),
        "starts_at": dt.datetime(2027, 3, 18, 13, 30, tzinfo=SH),
        "ends_at": dt.datetime(2027, 3, 18, 17, 30, tzinfo=SH),
        "time_zone": "Asia/Shanghai",
        "venue": "上海国际会议中心",
        "expected_attendance": 220,
        "requesting_department": department("sales"),
    }
    return data | overrides


def _bearer(user) -> dict[str, str]:
    _token, secret = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def team_organiser(db):
    return UserFactory(username="team_org", role=Role.ORGANISER, display_name="团队策划")


# ---------------------------------------------------------------- revisions: the service
def test_an_edit_based_on_an_old_revision_changes_nothing_and_says_who_changed_it(organiser, marketing_mgr):
    # Issue 6, finding 2: concurrent edits were lost silently.
    event = EventFactory(owner=organiser)
    event.team_members.set([marketing_mgr])
    mine, theirs = Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)
    event_update(actor=marketing_mgr, event=theirs, revision=theirs.revision, venue="北京国家会议中心")
    with pytest.raises(Stale) as exc:
        event_update(actor=organiser, event=mine, revision=mine.revision, tone="年轻活力")
    assert exc.value.status == 409
    assert exc.value.current["venue"] == "北京国家会议中心" and exc.value.current["revision"] == 2
    assert exc.value.changed_by == marketing_mgr.name
    assert exc.value.theirs == {"venue": "北京国家会议中心"}
    assert Event.objects.get(pk=event.pk).tone == "高端专业"
    assert AuditEntry.objects.filter(action="event.update").count() == 1


def test_an_edit_that_does_not_say_which_revision_it_saw_is_refused(organiser, event):
    # Issue 6, finding 2.
    with pytest.raises(PreconditionRequired) as exc:
        event_update(actor=organiser, event=event, revision=None, venue="别处")
    assert exc.value.status == 428 and "revision" in exc.value.errors
    assert Event.objects.get(pk=event.pk).venue == "上海国际会议中心"


def test_a_service_may_change_theme_and_tone_without_a_revision_when_it_says_so(organiser, event):
    # The plan's page edits theme and tone (planning.services.plan): the plan carries its own revision.
    event_update(actor=organiser, event=event, revision=None, skip_revision_check=True, theme="新主题")
    assert Event.objects.get(pk=event.pk).theme == "新主题"


def test_only_the_fields_that_changed_are_written(organiser, event):
    # Issue 6, finding 2: updates write only the fields that changed.
    with CaptureQueriesContext(connection) as queries:
        event_update(
            actor=organiser,
            event=event,
            revision=1,
            name=event.name,
            venue="北京国家会议中心",
            tone=event.tone,
        )
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "events_event"')]
    assert len(updates) == 1
    assert '"venue"' in updates[0] and '"revision"' in updates[0]
    assert '"name"' not in updates[0].split("WHERE")[0] and '"tone"' not in updates[0]
    assert '"revision" = ' in updates[0].split("WHERE")[1]  # conditional on the revision seen


def test_an_edit_that_changes_nothing_writes_nothing(organiser, event):
    event_update(actor=organiser, event=event, revision=1, venue=event.venue)
    assert Event.objects.get(pk=event.pk).revision == 1
    assert not AuditEntry.objects.filter(action="event.update").exists()


# ---------------------------------------------------------------- revisions: the API
def test_the_api_answers_a_stale_patch_with_409_and_the_current_event(client, organiser, event):
    # Issue 6, finding 2: 409 with the current state.
    headers = _bearer(organiser)
    etag = client.get(f"/api/events/{event.pk}", **headers)["ETag"]
    first = client.patch(
        f"/api/events/{event.pk}", {"venue": "深圳"}, content_type=J, HTTP_IF_MATCH=etag, **headers
    )
    assert first.status_code == 200
    stale = client.patch(
        f"/api/events/{event.pk}", {"tone": "活泼"}, content_type=J, HTTP_IF_MATCH=etag, **headers
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale" and body["message"] and body["errors"]["__all__"]
    assert body["current"]["venue"] == "深圳" and body["current"]["revision"] == 2
    assert (
        body["current"]["owner"] == organiser.username and body["current"]["event_type"] == "product-launch"
    )
    assert body["changed_by"] == organiser.name and body["changed_at"]
    assert Event.objects.get(pk=event.pk).tone == "高端专业"


def test_the_api_refuses_a_patch_without_a_revision_with_428(client, organiser, event):
    resp = client.patch(f"/api/events/{event.pk}", {"venue": "深圳"}, content_type=J, **_bearer(organiser))
    assert resp.status_code == 428
    assert resp.json()["code"] == "revision_required" and "revision" in resp.json()["errors"]
    assert Event.objects.get(pk=event.pk).venue == "上海国际会议中心"


def test_the_revision_field_of_the_body_wins_over_if_match(client, organiser, event):
    resp = client.patch(
        f"/api/events/{event.pk}",
        {"revision": 1, "venue": "深圳"},
        content_type=J,
        HTTP_IF_MATCH='"r7"',
        **_bearer(organiser),
    )
    assert resp.status_code == 200 and resp.json()["revision"] == 2


@pytest.mark.parametrize("if_match", ['"r1"', 'W/"1"', "1"])
def test_if_match_takes_the_etag_in_any_usual_spelling(client, organiser, event, if_match):
    resp = client.patch(
        f"/api/events/{event.pk}",
        {"venue": "深圳"},
        content_type=J,
        HTTP_IF_MATCH=if_match,
        **_bearer(organiser),
    )
    assert resp.status_code == 200, resp.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads against an in-memory SQLite database do not run concurrently; "
    "the conditional update is proven on SQLite by the stale-edit tests above, and threaded on PostgreSQL",
)
def test_two_people_editing_the_same_event_at_once_lose_neither_edit(organiser, marketing_mgr):
    # Issue 6, finding 2: 23 of 60 concurrent edits were lost on PostgreSQL, all answered 200.
    event = EventFactory(owner=organiser)
    event.team_members.set([marketing_mgr])
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def edit(who, field: str, value: str) -> None:
        try:
            seen = Event.objects.get(pk=event.pk)
            barrier.wait()  # both have read revision 1 before either writes
            event_update(actor=who, event=seen, revision=seen.revision, **{field: value})
            outcomes[field] = "saved"
        except Stale:
            outcomes[field] = "stale"
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            outcomes[field] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=(organiser, "venue", "北京")),
        threading.Thread(target=edit, args=(marketing_mgr, "tone", "活泼")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    saved = next(f for f, o in outcomes.items() if o == "saved")
    row = Event.objects.get(pk=event.pk)
    assert row.revision == 2
    assert (row.venue, row.tone) == (
        ("北京", "高端专业") if saved == "venue" else ("上海国际会议中心", "活泼")
    )
    assert AuditEntry.objects.filter(action="event.update", event_id=event.pk).count() == 1


# ---------------------------------------------------------------- revisions: the page
def _form(event, **overrides):
    data = {
        "name": event.name,
        "event_type": event.event_type_id,
        "time_zone": "Asia/Shanghai",
        "starts_at": event.local_start().strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.local_end().strftime("%Y-%m-%dT%H:%M"),
        "venue": event.venue,
        "theme": event.theme,
        "tone": event.tone,
        "expected_attendance": str(event.expected_attendance),
        "requesting_department": event.requesting_department_id,
        "owner": event.owner_id,
        "revision": str(event.revision),
    }
    return data | overrides


def test_the_edit_page_carries_the_revision_it_showed(as_organiser, event):
    html = as_organiser.get(f"/events/{event.pk}/edit/").content.decode()
    assert 'name="revision"' in html and 'value="1"' in html


def test_a_stale_edit_page_shows_who_changed_the_event_and_their_values(client, organiser, marketing_mgr):
    # Issue 6, finding 2: the page shows "已被某某修改" with the other person's change.
    event = EventFactory(owner=organiser)
    event.team_members.set([marketing_mgr])
    event_update(
        actor=marketing_mgr, event=Event.objects.get(pk=event.pk), revision=1, venue="北京国家会议中心"
    )
    login(client, organiser)
    resp = client.post(f"/events/{event.pk}/edit/", _form(event, venue="广州", revision="1"))
    assert resp.status_code == 409
    html = resp.content.decode()
    assert f"已被{marketing_mgr.name}修改" in html
    assert "北京国家会议中心" in html and "广州" in html
    assert html.count(resp.context["form"].stale.message) == 0  # said once, by the notice, not again below it
    assert html.count(f"已被{marketing_mgr.name}修改") == 1
    assert Event.objects.get(pk=event.pk).venue == "北京国家会议中心"
    # The form now carries the current revision: submitting again is a deliberate overwrite.
    assert resp.context["form"].data["revision"] == "2"
    again = client.post(f"/events/{event.pk}/edit/", _form(event, venue="广州", revision="2"))
    assert again.status_code == 302
    assert Event.objects.get(pk=event.pk).venue == "广州"


def test_an_edit_page_without_its_revision_is_refused(as_organiser, event):
    data = _form(event, venue="广州")
    del data["revision"]
    resp = as_organiser.post(f"/events/{event.pk}/edit/", data)
    assert resp.status_code == 400
    assert "revision" in resp.context["form"].errors
    assert Event.objects.get(pk=event.pk).venue == "上海国际会议中心"


# ---------------------------------------------------------------- who owns an event (finding 4)
@pytest.mark.parametrize("who", ["reviewer_sales", "approver_gm", "checkin_staff"])
def test_an_event_cannot_be_given_to_an_owner_who_is_not_an_organiser(request, organiser, who):
    # Issue 6, finding 4: the owner must be an organiser (an approver owned an event and signed its plan).
    person = request.getfixturevalue(who)
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, owner=person, **_valid())
    assert "owner" in exc.value.errors and person.name in str(exc.value.errors["owner"][0])
    assert not Event.objects.exists()
    event = EventFactory(owner=organiser)
    with pytest.raises(DomainError) as exc:
        event_update(actor=organiser, event=event, revision=1, owner=person)
    assert "owner" in exc.value.errors
    assert Event.objects.get(pk=event.pk).owner == organiser


def test_an_admin_may_own_an_event_and_give_it_to_another_organiser(admin_user, marketing_mgr):
    event = event_create(actor=admin_user, **_valid())
    assert event.owner == admin_user
    event_update(actor=admin_user, event=event, revision=event.revision, owner=marketing_mgr)
    assert Event.objects.get(pk=event.pk).owner == marketing_mgr


def test_the_api_refuses_an_approver_as_owner(client, organiser, approver_gm):
    body = {
        "name": "发布会",
        "event_type": "product-launch",
        "starts_at": "2027-03-18T13:30:00+08:00",
        "ends_at": "2027-03-18T17:30:00+08:00",
        "owner": approver_gm.username,
    }
    resp = client.post("/api/events", json.dumps(body), content_type=J, **_bearer(organiser))
    assert resp.status_code == 400 and "owner" in resp.json()["errors"]


def test_the_edit_form_offers_only_organisers_and_admins_as_owner(as_organiser, event, approver_gm):
    form = as_organiser.get(f"/events/{event.pk}/edit/").context["form"]
    owners = set(form.fields["owner"].queryset)
    assert event.owner in owners and approver_gm not in owners


def test_a_team_organiser_edits_the_event_but_not_its_owner_or_team(organiser, team_organiser, staff_member):
    # Need.MANAGE: only the owner or an administrator changes who runs the event.
    event = EventFactory(owner=organiser)
    event.team_members.set([team_organiser])
    event_update(actor=team_organiser, event=event, revision=1, venue="北京")
    with pytest.raises(NotAllowed):
        event_update(
            actor=team_organiser, event=event, revision=2, team_members=[team_organiser, staff_member]
        )
    with pytest.raises(NotAllowed):
        event_update(actor=team_organiser, event=event, revision=2, owner=team_organiser)
    row = Event.objects.get(pk=event.pk)
    assert row.owner == organiser and list(row.team_members.all()) == [team_organiser]


def test_team_changes_are_audited_with_who_joined_and_who_left(organiser, event, marketing_mgr, staff_member):
    # Issue 6, finding 4: team members changes audited.
    event_update(actor=organiser, event=event, revision=1, team_members=[marketing_mgr])
    event_update(actor=organiser, event=event, revision=2, team_members=[staff_member])
    entries = list(AuditEntry.objects.filter(action="event.team_update", event_id=event.pk).order_by("id"))
    assert [(e.before, e.after) for e in entries] == [
        ({"team_members": []}, {"team_members": [marketing_mgr.username]}),
        ({"team_members": [marketing_mgr.username]}, {"team_members": [staff_member.username]}),
    ]
    assert entries[0].actor == organiser
    assert Event.objects.get(pk=event.pk).revision == 3


@pytest.fixture
def staff_member(db):
    return UserFactory(username="staff_member", role=Role.STAFF, display_name="钱同学")


# ---------------------------------------------------------------- bounded, clean text (finding 5)
@pytest.mark.parametrize(("field", "length"), [("name", 201), ("theme", 201), ("tone", 101), ("venue", 201)])
def test_text_longer_than_its_column_is_refused_naming_the_field(organiser, event, field, length):
    # Issue 6, finding 5: theme/tone/venue longer than their columns (SQLite silently stored 5,000).
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, **_valid(**{field: "长" * length}))
    assert field in exc.value.errors and str(length - 1) in str(exc.value.errors[field][0])
    with pytest.raises(DomainError) as exc:
        event_update(actor=organiser, event=event, revision=1, **{field: "长" * length})
    assert field in exc.value.errors
    assert Event.objects.count() == 1 and Event.objects.get(pk=event.pk).revision == 1


@pytest.mark.parametrize(
    "value", ["发布会\x00", "发布会\x0b第二场", "发\x1f布会", "发布\ud800会", "发布会\n第二场"]
)
def test_a_name_with_control_characters_is_refused_at_input(organiser, event, value):
    # Issue 6, finding 5: control characters in an event name broke its Word export.
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, **_valid(name=value))
    assert "name" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        event_update(actor=organiser, event=event, revision=1, name=value)
    assert "name" in exc.value.errors
    assert Event.objects.get(pk=event.pk).name == event.name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "发布会\u000b第二场"}, "name"),
        ({"venue": "会" * 201}, "venue"),
        ({"theme": "主" * 201}, "theme"),
        ({"tone": "调" * 101}, "tone"),
        ({"name": None}, "name"),
        ({"event_type": None}, "event_type"),
        ({"starts_at": None}, "starts_at"),
        ({"expected_attendance": None}, "expected_attendance"),
        ({"expected_attendance": 1e30}, "expected_attendance"),
        ({"starts_at": "9999-01-01T00:00:00+08:00"}, "starts_at"),
        ({"ends_at": "0001-01-01T00:00:00"}, "ends_at"),
        ({"time_zone": "Asia"}, "time_zone"),
        ({"owner": "发\ud800"}, "owner"),
        ({"team_members": ["x" * 151]}, "team_members.0"),
    ],
)
def test_the_api_refuses_bad_event_input_with_400_naming_the_field(client, organiser, event, body, field):
    # Issue 6, finding 5: null for required text, a quantity of 1e30, dates in year 9999 or 0001, …
    resp = client.patch(
        f"/api/events/{event.pk}",
        json.dumps({"revision": 1, **body}),
        content_type=J,
        **_bearer(organiser),
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"], resp.json()
    assert Event.objects.get(pk=event.pk).revision == 1


def test_null_clears_an_optional_text_and_keeps_the_time_zone(client, organiser, event):
    # A PATCH reads like a JSON merge patch: null empties an optional field; a required one is refused above.
    resp = client.patch(
        f"/api/events/{event.pk}",
        json.dumps({"revision": 1, "venue": None, "time_zone": None}),
        content_type=J,
        **_bearer(organiser),
    )
    assert resp.status_code == 200, resp.content
    row = Event.objects.get(pk=event.pk)
    assert (row.venue, row.time_zone) == ("", "Asia/Shanghai")


def test_the_event_page_refuses_a_control_character_in_the_name(as_organiser, event):
    resp = as_organiser.post(f"/events/{event.pk}/edit/", _form(event, name="发布会\x0b第二场"))
    assert resp.status_code == 400
    assert "name" in resp.context["form"].errors
    assert Event.objects.get(pk=event.pk).name == event.name


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_the_event_page_refuses_a_year_outside_this_century(as_organiser, event, year):
    resp = as_organiser.post(
        f"/events/{event.pk}/edit/",
        _form(event, starts_at=f"{year}-03-18T13:30", ends_at=f"{year}-03-18T17:30"),
    )
    assert resp.status_code == 400
    assert {"starts_at", "ends_at"} & set(resp.context["form"].errors)


def test_an_existing_name_with_a_control_character_still_exports_to_word(organiser, event, tmp_path):
    # Issue 6, finding 5: data stored before the check still exports (the renderer drops the character).
    from django.core.management import call_command

    from huodong.documents.tests.readers import docx_kv, docx_read

    Event.objects.filter(pk=event.pk).update(name="发布会\x0b第二场", venue="会场\x08A")
    call_command("export", "needs-report", "--event", str(event.pk), "--out", str(tmp_path / "x.docx"))
    document = docx_read((tmp_path / "x.docx").read_bytes())
    assert docx_kv(document)["活动名称"] == "发布会第二场"
