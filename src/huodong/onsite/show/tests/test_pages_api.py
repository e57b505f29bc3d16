"""The show's pages and API with valid and invalid input (EX-3): the run page and its buttons, the skip
form, the stage view's conditional polling (ETag → 304), an owner's page and "我已到位", in Chinese and in
English."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.urls import reverse

from huodong.checkin.models import StaffArrival
from huodong.events.steps import Step
from huodong.onsite.show.models import SegmentRun
from huodong.onsite.show.services import run as services
from huodong.planning.tests.conftest import move
from tests.factories import login

from .support import T0, minutes, show_event

pytestmark = pytest.mark.django_db
J = "application/json"


@pytest.fixture
def show(organiser):
    return show_event(organiser)


def _api(show, tail=""):
    return f"/api/events/{show.event.pk}/show{tail}"


def _seg_api(show, title, verb):
    return _api(show, f"/segments/{show.seg(title).pk}/{verb}")


# ---------------------------------------------------------------- the API
def test_the_api_starts_and_ends_a_segment_and_refuses_a_second_start(client, organiser, show):
    # REQ: EX-3
    with time_machine.travel(T0 + minutes(10), tick=False):
        login(client, organiser)
        ok = client.post(_seg_api(show, "开场", "start"), {}, content_type=J)
        assert ok.status_code == 200, ok.content
        body = ok.json()
        assert body["status"] == "running" and body["stage"]["current"]["title"] == "开场"
        assert (
            body["stage"]["next"]["projected_label"] == "13:50–14:20" and body["stage"]["late_minutes"] == 10
        )
        again = client.post(_seg_api(show, "开场", "start"), {}, content_type=J)
        assert again.status_code == 409 and "不能重复开始" in again.json()["message"]
        busy = client.post(_seg_api(show, "主题演讲", "start"), {}, content_type=J)
        assert busy.status_code == 409 and "「开场」" in busy.json()["message"]
    with time_machine.travel(T0 + minutes(20), tick=False):
        ended = client.post(_seg_api(show, "开场", "end"), {}, content_type=J)
        assert ended.status_code == 200 and ended.json()["status"] == "ended"
        twice = client.post(_seg_api(show, "开场", "end"), {}, content_type=J)
        assert twice.status_code == 409


def test_the_api_refuses_ending_a_segment_not_started(client, organiser, show):
    # REQ: EX-3
    login(client, organiser)
    response = client.post(_seg_api(show, "抽奖", "end"), {}, content_type=J)
    assert response.status_code == 400 and response.json()["code"] == "not_started"
    assert "环节「抽奖」尚未开始" in response.json()["message"]
    assert not SegmentRun.objects.filter(ended_at__isnull=False).exists()


def test_a_refusal_is_in_english_when_asked(client, organiser, show):
    # REQ: EX-3 — the step refusal (the show's own messages are in /tmp/po/show.json for the catalogue).
    move(show.event, Step.NOTIFICATION)
    login(client, organiser)
    response = client.post(_seg_api(show, "开场", "start"), {}, content_type=J, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Notification" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"reason": ""}, 400),
        ({"reason": "x" * 201}, 422),
        ({"reason": "a\u0000b"}, 422),
        ({"reason": 5}, 422),
    ],
)
def test_a_bad_skip_is_refused_naming_the_reason_and_skips_nothing(client, organiser, show, body, status):
    # REQ: EX-3
    login(client, organiser)
    response = client.post(_seg_api(show, "产品发布", "skip"), body, content_type=J)
    assert response.status_code in (400, 422), response.content
    assert "reason" in json.dumps(response.json()["errors"])
    assert not SegmentRun.objects.filter(skipped_at__isnull=False).exists()


def test_a_good_skip_and_ids_that_are_not_the_events(client, organiser, show):
    # REQ: EX-3
    login(client, organiser)
    ok = client.post(_seg_api(show, "产品发布", "skip"), {"reason": "讲者航班延误"}, content_type=J)
    assert ok.status_code == 200 and ok.json()["skip_reason"] == "讲者航班延误"
    other = show_event(organiser, name="别的活动")
    wrong = client.post(_api(show, f"/segments/{other.seg('开场').pk}/start"), {}, content_type=J)
    assert wrong.status_code == 404
    assert client.post(_api(show, "/segments/0/start"), {}, content_type=J).status_code in (400, 422)
    assert client.post(_api(show, "/segments/99999999/start"), {}, content_type=J).status_code == 404


def test_the_api_refuses_outside_the_execution_phase(client, organiser, show):
    # REQ: EX-3
    move(show.event, Step.NOTIFICATION)
    login(client, organiser)
    response = client.post(_seg_api(show, "开场", "start"), {}, content_type=J)
    assert response.status_code == 400 and response.json()["code"] == "wrong_step"


def test_the_state_polls_with_an_etag_and_gets_304_while_nothing_changes(client, organiser, show):
    # REQ: EX-3
    with time_machine.travel(T0 - minutes(5), tick=False):
        login(client, organiser)
        first = client.get(_api(show))
        assert first.status_code == 200 and first["ETag"]
        assert first.json()["next"]["title"] == "开场" and first.json()["current"] is None
        same = client.get(_api(show), HTTP_IF_NONE_MATCH=first["ETag"])
        assert same.status_code == 304 and same.content == b""
        services.segment_start(actor=organiser, event=show.event.pk, segment_id=show.seg("开场").pk)
        moved = client.get(_api(show), HTTP_IF_NONE_MATCH=first["ETag"])
        assert moved.status_code == 200 and moved["ETag"] != first["ETag"]
        punctual = client.get(_api(show, "/punctuality")).json()
        assert punctual["started"] == 1 and punctual["on_time"] == 1 and punctual["current"] == "开场"


def test_an_owner_reads_their_segments_and_confirms_in_place_once(client, organiser, show):
    # REQ: EX-3
    speaker = show.owners["speaker"]
    with time_machine.travel(T0 - minutes(40), tick=False):
        login(client, speaker)
        mine = client.get(_api(show, "/mine")).json()
        assert [s["title"] for s in mine["segments"]] == ["主题演讲", "产品发布"] and not mine["in_place"]
        made = client.post(_api(show, "/mine/in-place"), {}, content_type=J)
        assert made.status_code == 200 and made.json()["new"] is True and made.json()["late"] is False
        again = client.post(_api(show, "/mine/in-place"), {}, content_type=J)
        assert again.status_code == 200 and again.json()["new"] is False
        assert client.get(_api(show, "/mine")).json()["in_place"] is True
    assert StaffArrival.objects.filter(event=show.event, person=speaker).count() == 1


def test_in_place_is_refused_to_someone_with_no_segment_and_outside_the_phase(
    client, organiser, outsider, show
):
    # REQ: EX-3
    login(client, outsider)
    assert client.post(_api(show, "/mine/in-place"), {}, content_type=J).status_code == 403
    assert client.get(_api(show, "/mine")).json()["segments"] == []
    move(show.event, Step.NOTIFICATION)
    login(client, show.owners["crew"])
    wrong = client.post(_api(show, "/mine/in-place"), {}, content_type=J)
    assert wrong.status_code == 400 and not StaffArrival.objects.exists()


# ---------------------------------------------------------------- the pages
def test_the_run_page_has_one_big_button_that_starts_then_ends(client, organiser, show):
    # REQ: EX-3
    url = reverse("onsite_show:run", args=[show.event.pk])
    with time_machine.travel(T0 + minutes(10), tick=False):
        login(client, organiser)
        page = client.get(url).content.decode()
        assert 'data-action="start"' in page and "开始「开场」" in page
        started = client.post(reverse("onsite_show:start", args=[show.event.pk, show.seg("开场").pk]))
        assert started.status_code == 302
        page = client.get(url).content.decode()
        assert "结束「开场」" in page and "晚 10 分钟" in page and "顺延 10 分钟" in page
        twice = client.post(reverse("onsite_show:start", args=[show.event.pk, show.seg("开场").pk]))
        assert twice.status_code == 409 and "不能重复开始" in twice.content.decode()
        early = client.post(reverse("onsite_show:end", args=[show.event.pk, show.seg("抽奖").pk]))
        assert early.status_code == 400 and "尚未开始" in early.content.decode()


def test_the_skip_form_needs_a_reason(client, organiser, show):
    # REQ: EX-3
    login(client, organiser)
    url = reverse("onsite_show:skip", args=[show.event.pk, show.seg("产品发布").pk])
    bad = client.post(url, {"reason": ""})
    assert bad.status_code == 400 and "请填写跳过原因" in bad.content.decode()
    long = client.post(url, {"reason": "长" * 201})
    assert long.status_code == 400 and "最多 200 个字" in long.content.decode()
    assert not SegmentRun.objects.filter(skipped_at__isnull=False).exists()
    ok = client.post(url, {"reason": "时间不够"})
    assert ok.status_code == 302
    again = client.post(url, {"reason": "再跳一次"})
    assert again.status_code == 409 and "已跳过" in again.content.decode()


def test_the_run_page_refuses_in_english_when_switched(client, organiser, show):
    # REQ: EX-3
    login(client, organiser)
    client.post(reverse("set_language"), {"language": "en"})
    move(show.event, Step.NOTIFICATION)
    response = client.post(reverse("onsite_show:start", args=[show.event.pk, show.seg("开场").pk]))
    assert response.status_code == 400
    assert "Notification" in response.content.decode() or "cannot" in response.content.decode()


def test_the_stage_view_polls_with_304(client, organiser, show):
    # REQ: EX-3
    url = reverse("onsite_show:screen", args=[show.event.pk])
    with time_machine.travel(T0 + minutes(10), tick=False):
        login(client, organiser)
        services.segment_start(actor=organiser, event=show.event.pk, segment_id=show.seg("开场").pk)
        page = client.get(url).content.decode()
        assert "screen.css" in page and "poll.js" in page and "<script>" not in page
        board = client.get(url, {"part": "board"})
        text = board.content.decode()
        assert board.status_code == 200 and "开场" in text and "晚 10 分钟" in text and "<html" not in text
        assert client.get(url, {"part": "board"}, HTTP_IF_NONE_MATCH=board["ETag"]).status_code == 304
        status = client.get(reverse("onsite_show:run", args=[show.event.pk]), {"part": "status"})
        assert status.status_code == 200 and "show-status" in status.content.decode()


def test_the_owner_page_shows_the_shifted_time_and_confirms_in_place(client, organiser, show):
    # REQ: EX-3
    with time_machine.travel(T0 + minutes(10), tick=False):
        services.segment_start(actor=organiser, event=show.event.pk, segment_id=show.seg("开场").pk)
        login(client, show.owners["crew"])
        url = reverse("onsite_show:mine", args=[show.event.pk])
        page = client.get(url).content.decode()
        assert "抽奖" in page and "14:40–14:55" in page and "顺延 10 分钟" in page and "我已到位" in page
        assert client.post(reverse("onsite_show:in_place", args=[show.event.pk])).status_code == 302
        assert "确认到位" in client.get(url).content.decode()
        listing = client.get(url, {"part": "list"})
        assert client.get(url, {"part": "list"}, HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304


# ---------------------------------------------------------------- the OpenAPI document
def test_the_stage_segments_have_their_own_schema_in_the_openapi_document(client):
    # Found by the fuzzer (issue 11): the stage's segment was a schema named SegmentOut like the plan's; the
    # OpenAPI document kept one of the two, so GET /plan answered against the stage's fields.
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schemas["StageOut"]["properties"]["segments"]["items"]["$ref"].endswith("/StageSegmentOut")
    assert {"projected_start", "late_minutes", "shifted"} <= set(schemas["StageSegmentOut"]["properties"])
    assert {"duration_minutes", "starts_at", "owner_name"} <= set(schemas["SegmentOut"]["properties"])
