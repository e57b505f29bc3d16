"""Message templates (issue 9, point 5; NT-1, NT-2): the event's text, else the organisation's, else the
built-in one; an unknown placeholder refused when saved (service, page and API, Chinese and English),
nothing written; a preview with a real guest shows exactly what they would receive; SMS length; revert."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from huodong.core.errors import DomainError, NotAllowed
from huodong.outreach.models import MessageTemplate
from huodong.outreach.services import templates
from tests.factories import login

from .test_letters_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _edit_url(event, kind="invitation", channel="email", language="zh-hans"):
    return reverse(
        "outreach:template_edit",
        kwargs={"event_id": event.pk, "kind": kind, "channel": channel, "language": language},
    )


def _api(event, kind="invitation", channel="email", language="zh-hans", tail=""):
    return f"/api/events/{event.pk}/templates/{kind}/{channel}/{language}{tail}"


def test_the_text_in_force_is_the_events_then_the_organisations_then_built_in(notices_world, admin_user):
    # REQ: NT-2
    w = notices_world
    t = templates.template_in_force(w.event, "invitation", "email", "zh-hans")
    assert t.source == "builtin" and "{guest_name}" in t.text.body
    templates.template_save(
        actor=admin_user, event=w.event, kind="invitation", channel="email", language="zh-hans",
        subject="组织邀请 {event}", body="您好 {guest_name}", scope="organisation",
    )  # fmt: skip
    assert templates.template_in_force(w.event, "invitation", "email", "zh-hans").source == "organisation"
    row = templates.template_save(
        actor=w.organiser, event=w.event, kind="invitation", channel="email", language="zh-hans",
        subject="本场邀请 {event}", body="{guest_name},欢迎",
    )  # fmt: skip
    t = templates.template_in_force(w.event, "invitation", "email", "zh-hans")
    assert t.source == "event" and t.row == row
    templates.template_revert(
        actor=w.organiser,
        event=w.event,
        kind="invitation",
        channel="email",
        language="zh-hans",
        seen=row.revision,
    )
    assert templates.template_in_force(w.event, "invitation", "email", "zh-hans").source == "organisation"


def test_only_an_administrator_writes_the_organisation_default(notices_world):
    w = notices_world
    with pytest.raises(NotAllowed):
        templates.template_save(
            actor=w.organiser, event=w.event, kind="invitation", channel="email", language="zh-hans",
            subject="x", body="y", scope="organisation",
        )  # fmt: skip


@pytest.mark.parametrize(
    "body, expected",
    [
        ("您好 {guest}", "未知的占位符「{guest}」"),
        ("您好 {guest_name", "花括号不成对"),
        ("您好 {guest_name!r}", "不能带格式或转换"),
    ],
)
def test_an_unknown_placeholder_is_refused_naming_it_and_nothing_is_written(notices_world, body, expected):
    # REQ: NT-2
    w = notices_world
    with pytest.raises(DomainError) as exc:
        templates.template_save(
            actor=w.organiser, event=w.event, kind="invitation", channel="email", language="zh-hans",
            subject="邀请", body=body,
        )  # fmt: skip
    assert expected in exc.value.message
    if "未知" in expected:
        assert (
            "{guest_name}" in exc.value.message and "{ticket_link}" in exc.value.message
        )  # the allowed ones
    assert not MessageTemplate.objects.exists()


def test_the_page_refuses_an_unknown_placeholder_in_chinese_and_english(notices_world, client):
    # REQ: NT-2
    w = notices_world
    login(client, w.organiser)
    url = _edit_url(w.event)
    response = client.post(url, {"subject": "邀请 {evnt}", "body": "您好", "action": "save"})
    assert response.status_code == 400
    assert "未知的占位符「{evnt}」" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post(
        url, {"subject": "Invite", "body": "Hi {nme}", "action": "save"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "{nme}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    response = client.post(url, {"subject": "邀请 {event}", "body": "{guest_name}您好", "action": "save"})
    assert response.status_code == 302
    assert MessageTemplate.objects.get(event=w.event).body == "{guest_name}您好"


def test_the_api_refuses_an_unknown_placeholder_naming_the_field(notices_world, client):
    # REQ: NT-2
    w = notices_world
    login(client, w.organiser)
    body = json.dumps({"subject": "邀请", "body": "您好 {nobody}"})
    response = client.put(_api(w.event), body, content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.json()["errors"] and "{nobody}" in response.json()["errors"]["body"][0]
    response = client.put(_api(w.event), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "{nobody}" in response.json()["errors"]["body"][0]
    response = client.put(
        _api(w.event), json.dumps({"subject": "x" * 201, "body": ""}), content_type="application/json"
    )
    assert response.status_code == 400 and "subject" in response.json()["errors"]
    assert not MessageTemplate.objects.exists()
    ok = client.put(
        _api(w.event),
        json.dumps({"subject": "邀请 {event}", "body": "{guest_name}"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["source"] == "event" and ok["ETag"] == '"r1"'
    stale = client.put(
        _api(w.event), json.dumps({"subject": "a", "body": "b"}), content_type="application/json"
    )
    assert stale.status_code == 428  # changing an existing one needs the revision seen
    again = client.put(
        _api(w.event),
        json.dumps({"subject": "a", "body": "b"}),
        content_type="application/json",
        HTTP_IF_MATCH='"r1"',
    )
    assert again.status_code == 200 and again.json()["revision"] == 2
    assert client.get(_api(w.event, kind="nope")).status_code == 404
    assert client.delete(_api(w.event) + "?revision=2").status_code == 204


def test_the_preview_renders_for_a_real_guest(notices_world, client):
    # REQ: NT-2
    w = notices_world
    first, second = guest_factory(w.event, 2)  # noqa: F405
    preview = templates.template_preview(
        event=w.event, kind="invitation", channel="email", language="zh-hans", guest_id=second.pk
    )
    assert not preview.sample and preview.recipient == second.email
    assert preview.subject == f"诚邀您参加「{w.event.name}」"
    assert f"尊敬的{second.name}" in preview.body and "新品首发" in preview.body
    login(client, w.organiser)
    page = client.get(_edit_url(w.event) + f"?guest={second.pk}")
    assert page.status_code == 200 and second.email in page.content.decode()
    draft = client.post(
        _edit_url(w.event, channel="sms"),
        {"body": "{guest_name},{company}见", "guest": first.pk, "action": "preview"},
    )
    text = draft.content.decode()
    assert draft.status_code == 200 and f"{first.name},华东制造见" in text and first.phone in text
    assert not MessageTemplate.objects.exists()  # a preview saves nothing
    api = client.post(
        _api(w.event, tail="/preview"), json.dumps({"guest_id": first.pk}), content_type="application/json"
    )
    assert (
        api.status_code == 200 and api.json()["recipient"] == first.email and first.name in api.json()["body"]
    )
    bad = client.post(
        _api(w.event, tail="/preview"), json.dumps({"guest_id": 999999}), content_type="application/json"
    )
    assert bad.status_code == 400 and "guest" in bad.json()["errors"]


def test_without_guests_the_preview_uses_a_sample(notices_world):
    preview = templates.template_preview(
        event=notices_world.event, kind="reminder", channel="sms", language="en"
    )
    assert preview.sample and "Alex Chen" in preview.body


def test_a_letter_template_previews_with_a_collaborating_department(notices_world):
    # REQ: NT-1
    preview = templates.template_preview(
        event=notices_world.event, kind="collaboration_letter", channel="robot", language="zh-hans"
    )
    assert not preview.sample and "市场部" in preview.body and "设计活动海报" in preview.body


def test_sms_length_counts_seventy_chinese_characters_a_segment():
    assert templates.sms_segments("短" * 70) == {"length": 70, "segments": 1, "per_segment": 70}
    assert templates.sms_segments("短" * 71)["segments"] == 2
    assert templates.sms_segments("a" * 160)["segments"] == 1
    assert templates.sms_segments("a" * 161)["segments"] == 2
