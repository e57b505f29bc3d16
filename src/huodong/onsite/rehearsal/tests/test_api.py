"""The rehearsal API (EX-1): the checklist with the gate, items, checks as multipart with photos, photos,
follow-ups; valid and invalid data for every operation, revisions (428/409), never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huodong.onsite.rehearsal.models import ChecklistItem, FollowUp, ItemPhoto, Result
from tests.factories import login

from .support import day_before, item, png, team_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def crew(db):
    return team_member()


@pytest.fixture
def ev(organiser, crew):
    return day_before(organiser, team=[crew])


def _api(event, tail=""):
    return f"/api/events/{event.pk}/rehearsal/{tail}"


def _send(client, method, url, data, **extra):
    return client.generic(method, url, json.dumps(data), "application/json", **extra)


def test_reading_the_checklist_copies_the_defaults_and_reports_the_gate(client, organiser):
    # REQ: EX-1
    from huodong.events.steps import Step
    from huodong.planning.tests.conftest import make_event

    event = make_event(organiser, step=Step.SETUP)
    login(client, organiser)
    body = client.get(_api(event, "checklist")).json()
    assert body["summary"]["total"] == ChecklistItem.objects.filter(event=event).count() > 0
    assert {c["code"]: c["met"] for c in body["gate"]}["rehearsal.all_checked"] is False
    again = client.get(_api(event, "checklist")).json()
    assert [i["id"] for i in again["items"]] == [i["id"] for i in body["items"]]


def test_items_are_added_changed_and_removed(client, organiser, ev):
    # REQ: EX-1
    login(client, organiser)
    added = client.post(
        _api(ev, "items"), {"section": "rehearsal", "title": "开场倒计时演练"}, "application/json"
    )
    assert added.status_code == 201, added.content
    iid, etag = added.json()["id"], added["ETag"]
    assert _send(client, "PUT", _api(ev, f"items/{iid}"), {"title": "倒计时"}).status_code == 428
    ok = _send(
        client,
        "PUT",
        _api(ev, f"items/{iid}"),
        {"title": "倒计时", "title_en": "Countdown"},
        HTTP_IF_MATCH=etag,
    )
    assert ok.status_code == 200 and ok.json()["title_en"] == "Countdown"
    assert _send(client, "PUT", _api(ev, f"items/{iid}"), {"title": "x", "revision": 1}).status_code == 409
    assert client.delete(_api(ev, f"items/{iid}")).status_code == 428
    assert client.delete(_api(ev, f"items/{iid}?revision=2")).status_code == 204
    assert client.delete(_api(ev, f"items/{iid}?revision=2")).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"section": "party", "title": "x"},
        {"section": "build"},
        {"section": "build", "title": ""},
        {"section": "build", "title": "x" * 121},
        {"section": "build", "title": "a\u0000b"},
        {"section": "build", "title": "ok", "position": -3},
        {"section": "build", "title": "ok", "position": "first"},
    ],
)
def test_a_bad_item_is_a_400_naming_the_field(client, organiser, ev, data):
    # REQ: EX-1
    login(client, organiser)
    before = ChecklistItem.objects.filter(event=ev).count()
    response = client.post(_api(ev, "items"), data, "application/json")
    assert response.status_code in (400, 422) and response.json()["errors"], response.content
    assert ChecklistItem.objects.filter(event=ev).count() == before


def test_a_check_with_photos_as_multipart(client, crew, ev):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "projection")
    response = client.post(
        _api(ev, f"items/{row.pk}/check"),
        {"result": "failed", "note": "投影偏色", "revision": 1, "photos": [png("a.png"), png("b.png")]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["item"]["result"] == "failed" and body["item"]["checked_by"]["id"] == crew.pk
    assert len(body["item"]["photos"]) == 2
    assert body["follow_up"]["owner"]["id"] == crew.pk and not body["follow_up"]["done"]
    photo = client.get(body["item"]["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"
    # re-checked ok: the follow-up closes
    again = client.post(_api(ev, f"items/{row.pk}/check"), {"result": "ok"}, HTTP_IF_MATCH=response["ETag"])
    assert again.status_code == 200 and again.json()["closed_follow_ups"] == [body["follow_up"]["id"]]


def test_more_files_than_the_site_takes_is_a_400_on_photos_not_a_500(client, crew, ev, settings):
    # Found by the fuzzer (issue 11): more files than DATA_UPLOAD_MAX_NUMBER_FILES in one check made Django's
    # TooManyFilesSent escape the API as a 500.
    login(client, crew)
    row = item(ev, "stage")
    photos = [png(f"{n}.png") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = client.post(
        _api(ev, f"items/{row.pk}/check"), {"result": "ok", "revision": 1, "photos": photos}
    )
    assert response.status_code == 400, response.content
    assert "5" in response.json()["errors"]["photos"][0]
    row.refresh_from_db()
    assert row.result == Result.UNCHECKED and not ItemPhoto.objects.exists()


def test_the_client_cannot_say_who_or_when(client, crew, organiser, ev):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "stage")
    response = client.post(
        _api(ev, f"items/{row.pk}/check"),
        {"result": "ok", "revision": 1, "checked_by": organiser.pk, "checked_at": "2020-01-01T00:00:00Z"},
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.checked_by == crew and row.checked_at > timezone.now() - dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    "data",
    [
        {"result": "maybe", "revision": 1},
        {"revision": 1},
        {"result": "failed", "revision": 1},
        {"result": "ok", "revision": 0},
        {"result": "ok", "revision": 1, "note": "x" * 1001},
        {"result": "failed", "note": "坏", "revision": 1, "owner_id": 0},
        {"result": "failed", "note": "坏", "revision": 1, "owner_id": 2_000_000},
        {"result": "failed", "note": "坏", "revision": 1, "due_at": "not-a-time"},
        {"result": "failed", "note": "坏", "revision": 1, "due_at": "1999-01-01T00:00:00Z"},
        {"result": "failed", "note": "坏", "revision": 1, "due_at": "2020-01-01T00:00:00Z"},
        {
            "result": "ok",
            "revision": 1,
            "photos": [SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")],
        },
        {"result": "ok", "revision": 1, "photos": [SimpleUploadedFile("x.png", b"GIF89a", "image/png")]},
    ],
)
def test_a_bad_check_is_a_4xx_and_nothing_is_written(client, crew, ev, data):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "stage")
    response = client.post(_api(ev, f"items/{row.pk}/check"), data)
    assert 400 <= response.status_code < 500 and response.status_code not in (401, 403), response.content
    assert response.json()["errors"]
    row.refresh_from_db()
    assert row.result == Result.UNCHECKED and not ItemPhoto.objects.exists() and not FollowUp.objects.exists()


def test_a_check_without_a_revision_is_428_and_a_stale_one_409(client, crew, ev):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "stage")
    assert client.post(_api(ev, f"items/{row.pk}/check"), {"result": "ok"}).status_code == 428
    assert client.post(_api(ev, f"items/{row.pk}/check"), {"result": "ok", "revision": 1}).status_code == 200
    stale = client.post(_api(ev, f"items/{row.pk}/check"), {"result": "ok", "revision": 1})
    assert stale.status_code == 409 and stale.json()["current"]["revision"] == 2
    assert client.post(_api(ev, "items/2000000/check"), {"result": "ok", "revision": 1}).status_code == 404


def test_follow_ups_are_listed_and_updated(client, crew, organiser, ev):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "sound")
    client.post(_api(ev, f"items/{row.pk}/check"), {"result": "failed", "note": "啸叫", "revision": 1})
    listed = client.get(_api(ev, "follow-ups")).json()
    assert len(listed) == 1 and listed[0]["item_id"] == row.pk
    fid = listed[0]["id"]
    due = (timezone.now() + dt.timedelta(hours=4)).isoformat()
    assert _send(client, "PUT", _api(ev, f"follow-ups/{fid}"), {"done": True}).status_code == 428
    ok = _send(
        client, "PUT", _api(ev, f"follow-ups/{fid}"), {"revision": 1, "owner_id": organiser.pk, "due_at": due}
    )
    assert ok.status_code == 200 and ok.json()["owner"]["id"] == organiser.pk
    done = _send(client, "PUT", _api(ev, f"follow-ups/{fid}"), {"done": True}, HTTP_IF_MATCH=ok["ETag"])
    assert done.status_code == 200 and done.json()["done"] and done.json()["done_by"]["id"] == crew.pk
    assert (
        _send(client, "PUT", _api(ev, f"follow-ups/{fid}"), {"done": False, "revision": 1}).status_code == 409
    )


@pytest.mark.parametrize(
    "data",
    [
        {"revision": 1, "owner_id": 0},
        {"revision": 1, "owner_id": 2_000_000},
        {"revision": 1, "due_at": "yesterday"},
        {"revision": 1, "due_at": "2001-01-01T00:00:00Z"},
        {"revision": 1, "note": "x" * 1001},
        {"revision": 1, "done": "perhaps"},
    ],
)
def test_a_bad_follow_up_change_is_a_4xx(client, crew, ev, data):
    # REQ: EX-1
    login(client, crew)
    row = item(ev, "sound")
    client.post(_api(ev, f"items/{row.pk}/check"), {"result": "failed", "note": "啸叫", "revision": 1})
    fid = FollowUp.objects.get(item=row).pk
    response = _send(client, "PUT", _api(ev, f"follow-ups/{fid}"), data)
    assert 400 <= response.status_code < 500 and response.status_code not in (401, 403, 404), response.content
    assert FollowUp.objects.get(pk=fid).revision == 1


def test_an_outsider_reads_but_may_not_check_or_edit(client, outsider, ev):
    # REQ: EX-1
    login(client, outsider)
    row = item(ev, "stage")
    assert client.get(_api(ev, "checklist")).status_code == 200
    assert client.post(_api(ev, f"items/{row.pk}/check"), {"result": "ok", "revision": 1}).status_code == 403
    assert (
        client.post(_api(ev, "items"), {"section": "build", "title": "x"}, "application/json").status_code
        == 403
    )
