"""The REST API for events: tokens, errors as JSON with field messages, create, advance (409 with the
unmet criteria), history, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from huodong.core.models import ApiToken, AuditEntry
from huodong.core.services import token_create, token_revoke
from huodong.events.models import Event, StepTransition

from .factories import EventFactory

pytestmark = pytest.mark.django_db

LAUNCH = {
    "name": "智启未来·2026新品发布会",
    "event_type": "product-launch",
    "starts_at": "2027-03-18T13:30:00+08:00",
    "ends_at": "2027-03-18T17:30:00+08:00",
    "time_zone": "Asia/Shanghai",
    "theme": "智启未来",
    "tone": "高端专业",
    "venue": "上海国际会议中心",
    "expected_attendance": 220,
    "requesting_department": "sales",
}


def _cli_token(username: str, *args: str) -> str:
    out = io.StringIO()
    call_command("token", "create", username, *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def token(organiser) -> str:
    return _cli_token(organiser.username)


@pytest.fixture
def api(client, token):
    """A small client that sends the organiser's token and JSON bodies."""

    class Api:
        def __init__(self, bearer: str | None) -> None:
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer else {}

        def get(self, path: str):
            return client.get("/api" + path, **self.headers)

        def post(self, path: str, body=None, raw: str | None = None):
            data = raw if raw is not None else json.dumps(body if body is not None else {})
            return client.post("/api" + path, data=data, content_type="application/json", **self.headers)

        def patch(self, path: str, body, if_match: str | None = None):
            headers = dict(self.headers) | ({"HTTP_IF_MATCH": if_match} if if_match else {})
            return client.patch(
                "/api" + path, data=json.dumps(body), content_type="application/json", **headers
            )

    Api.with_token = Api  # type: ignore[attr-defined]
    return Api(token)


# --- tokens -----------------------------------------------------------------------------------------


def test_the_token_command_prints_a_token_and_stores_only_its_hash(organiser):
    secret = _cli_token(organiser.username)
    assert secret.startswith("hd_") and len(secret) > 30
    stored = ApiToken.objects.get(user=organiser)
    assert secret not in (stored.key_hash, stored.prefix) and secret.startswith(stored.prefix)


def test_a_bearer_token_authenticates(api, organiser):
    resp = api.get("/events")
    assert resp.status_code == 200
    assert resp.json() == []


def test_no_token_is_401_with_a_json_error(client, organiser):
    resp = client.get("/api/events")
    assert resp.status_code == 401
    body = resp.json()
    assert body["code"] == "unauthorized" and "Bearer" in body["message"]


def test_an_unknown_token_is_401(api):
    resp = api.with_token("hd_not-a-real-token").get("/events")
    assert resp.status_code == 401
    assert "令牌无效" in resp.json()["message"]


def test_an_expired_token_is_401(organiser):
    secret = _cli_token(organiser.username, "--days", "1")
    from django.test import Client

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/events", **headers).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        resp = client.get("/api/events", **headers)
    assert resp.status_code == 401
    assert "过期" in resp.json()["message"]


def test_a_revoked_token_is_401(organiser, client):
    tok, secret = token_create(user=organiser, name="laptop")
    token_revoke(actor=organiser, token_id=tok.pk)
    resp = client.get("/api/events", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert resp.status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke").exists()


def test_a_token_of_a_deactivated_person_is_401(organiser, token, client):
    organiser.is_active = False
    organiser.save()
    assert client.get("/api/events", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_the_token_command_refuses_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _cli_token("nobody")


# --- create -----------------------------------------------------------------------------------------


def test_create_returns_201_with_the_event_in_its_first_step(api, organiser):
    resp = api.post("/events", LAUNCH)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["step"] == "needs" and body["phase"] == "planning" and body["owner"] == "organiser"
    assert body["event_type"] == "product-launch" and body["requesting_department"] == "sales"
    event = Event.objects.get(pk=body["id"])
    assert event.local_start().strftime("%H:%M") == "13:30"


def test_a_malformed_json_body_is_400(api):
    resp = api.post("/events", raw='{"name": "x",')
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "invalid" and body["errors"], body
    assert not Event.objects.exists()


def test_a_missing_field_is_400_naming_it(api):
    body = {k: v for k, v in LAUNCH.items() if k != "starts_at"}
    resp = api.post("/events", body)
    assert resp.status_code == 400
    assert "starts_at" in resp.json()["errors"]
    assert not Event.objects.exists()


def test_an_unknown_event_type_is_400_listing_the_allowed_codes(api):
    resp = api.post("/events", LAUNCH | {"event_type": "rave"})
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert "rave" in errors["event_type"][0] and "product-launch" in errors["event_type"][0]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"ends_at": "2027-03-18T12:00:00+08:00"}, "ends_at"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"expected_attendance": -1}, "expected_attendance"),
        ({"requesting_department": "nowhere"}, "requesting_department"),
        ({"owner": "ghost"}, "owner"),
        ({"expected_attendance": "lots"}, "expected_attendance"),
    ],
)
def test_bad_values_are_400_naming_the_field(api, changes, field):
    resp = api.post("/events", LAUNCH | changes)
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    assert not Event.objects.exists()


def test_a_staff_member_may_not_create_events(client, outsider):
    secret = _cli_token(outsider.username)
    resp = client.post(
        "/api/events",
        data=json.dumps(LAUNCH),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "forbidden"


# --- read, update, advance, history -----------------------------------------------------------------


def test_read_and_update_an_event(api, event):
    read = api.get(f"/events/{event.pk}")
    assert read.json()["name"] == event.name
    assert read.json()["revision"] == 1 and read["ETag"] == '"r1"'
    resp = api.patch(f"/events/{event.pk}", {"venue": "深圳会展中心"}, if_match=read["ETag"])
    assert resp.status_code == 200 and resp.json()["venue"] == "深圳会展中心"
    assert resp.json()["revision"] == 2 and resp["ETag"] == '"r2"'


def test_an_unknown_event_is_404(api):
    resp = api.get("/events/999999")
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
    assert api.post("/events/999999/advance", {"from_step": "needs"}).status_code == 404
    assert api.patch("/events/999999", {"revision": 1, "venue": "x"}).status_code == 404


def test_advance_moves_the_event_one_step(no_gates, api, event):
    # REQ: LC-1
    resp = api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["step"] == "goals"


def test_advance_with_an_unmet_gate_is_409_with_every_unmet_criterion(api, organiser):
    # REQ: LC-2
    event = EventFactory(owner=organiser, venue="", expected_attendance=0, requesting_department=None)
    resp = api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "gate_blocked" and body["step"] == "needs"
    unmet = {c["code"] for c in body["unmet"]}
    assert {"event.venue", "event.expected_attendance", "event.requesting_department"} <= unmet
    assert all(c["met"] is False and c["label"] for c in body["unmet"])
    assert Event.objects.get(pk=event.pk).step == "needs"


def test_the_gate_endpoint_lists_the_criteria(api, organiser):
    event = EventFactory(owner=organiser, venue="")
    body = api.get(f"/events/{event.pk}/gate").json()
    assert body["ready"] is False
    assert {"code": "event.venue", "met": False}.items() <= next(
        c for c in body["criteria"] if c["code"] == "event.venue"
    ).items()


def test_advance_from_a_stale_step_is_409(api, event):
    resp = api.post(f"/events/{event.pk}/advance", {"from_step": "plan"})
    assert resp.status_code == 409
    assert resp.json()["code"] == "conflict"
    assert not StepTransition.objects.filter(event=event).exists()


@pytest.mark.parametrize("body", ["", "{}", '{"from_step": null}', "[null, null]", '"needs"'])
def test_advance_without_the_step_the_caller_saw_is_400_and_moves_nothing(no_gates, api, event, body):
    # Issue 6, finding 2: from_step is required, so that a repeated request cannot move the event twice.
    resp = api.post(f"/events/{event.pk}/advance", raw=body)
    assert resp.status_code == 400, resp.content
    assert resp.json()["code"] == "invalid"
    assert Event.objects.get(pk=event.pk).step == "needs"


def test_two_identical_advances_move_the_event_once(no_gates, api, event):
    # REQ: LC-2 — issue 6, finding 2: two identical advances moved an event two steps.
    first = api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    second = api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["code"] == "conflict"
    assert Event.objects.get(pk=event.pk).step == "goals"
    assert StepTransition.objects.filter(event=event).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"to_step": "needs", "reason": "需求有变"},
        {"to_step": "needs", "reason": "需求有变", "from_step": None},
    ],
)
def test_move_back_without_the_step_the_caller_saw_is_400(no_gates, api, event, body):
    api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    resp = api.post(f"/events/{event.pk}/back", body)
    assert resp.status_code == 400 and "from_step" in resp.json()["errors"]
    assert Event.objects.get(pk=event.pk).step == "goals"


def test_a_staff_user_may_not_advance_an_event(client, outsider, event):
    secret = _cli_token(outsider.username)
    resp = client.post(
        f"/api/events/{event.pk}/advance",
        data=json.dumps({"from_step": "needs"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert resp.status_code == 403
    assert Event.objects.get(pk=event.pk).step == "needs"


def test_move_back_needs_a_reason(no_gates, api, event):
    api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    resp = api.post(f"/events/{event.pk}/back", {"to_step": "needs", "reason": " ", "from_step": "goals"})
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    resp = api.post(
        f"/events/{event.pk}/back", {"to_step": "needs", "reason": "需求有变", "from_step": "goals"}
    )
    assert resp.status_code == 200 and resp.json()["step"] == "needs"


def test_history_lists_every_move(no_gates, api, event):
    api.post(f"/events/{event.pk}/advance", {"from_step": "needs"})
    api.post(f"/events/{event.pk}/back", {"to_step": "needs", "reason": "需求有变", "from_step": "goals"})
    resp = api.get(f"/events/{event.pk}/history")
    assert resp.status_code == 200
    moves = [(m["from_step"], m["to_step"], m["direction"], m["actor"]) for m in resp.json()]
    assert moves == [("needs", "goals", "forward", "organiser"), ("goals", "needs", "back", "organiser")]


def test_the_list_filters_by_phase_and_owner(api, organiser, event):
    EventFactory(name="其他人的活动")
    assert [e["id"] for e in api.get("/events?owner=organiser").json()] == [event.pk]
    assert api.get("/events?phase=review").json() == []
    assert len(api.get("/events?phase=planning").json()) == 2


def test_the_api_session_login_works_for_the_pages(as_organiser, event):
    assert as_organiser.get(f"/api/events/{event.pk}").status_code == 200


# --- OpenAPI ----------------------------------------------------------------------------------------


def test_the_openapi_document_describes_the_events_endpoints(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/events" in paths and "/api/events/{event_id}/advance" in paths
    assert "409" in paths["/api/events/{event_id}/advance"]["post"]["responses"]


def test_the_api_docs_page_is_served_to_signed_in_people(as_organiser):
    resp = as_organiser.get("/api/docs")
    assert resp.status_code == 200
    assert "openapi.json" in resp.content.decode()


def test_the_api_docs_page_asks_an_anonymous_visitor_to_sign_in(client):
    # Issue 6, finding 7: /api/docs requires login.
    resp = client.get("/api/docs")
    assert resp.status_code == 302 and "/login" in resp["Location"]


def test_the_api_docs_page_loads_nothing_from_another_host(as_organiser):
    # Issue 6, finding 7: the Swagger UI assets are served by the app (no CDN).
    import re

    html = as_organiser.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(?:src|href)=[\"'](?:https?:)?//", html), html
    assert "cdn" not in html.lower()
    for asset in re.findall(r"(?:src|href)=[\"'](/static/[^\"']+)", html):
        assert as_organiser.get(asset).status_code == 200, asset
