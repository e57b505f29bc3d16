"""The training pages (TR-1): the tab and one training's page; every form valid and invalid (400, the field
named, nothing written); a stale save is a 409; who attended and who missed are shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import TeamMember, Training, TrainingAttendance
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep_event(organiser, marketing_mgr):
    event = make_event(organiser, step=Step.TRAINING)
    TeamMember.objects.create(event=event, person=organiser, is_leader=True, duties="统筹")
    TeamMember.objects.create(event=event, person=marketing_mgr, duties="接待")
    return event


def _url(event, name="training", **kw):
    return reverse(f"preparation:{name}", kwargs={"event_id": event.pk, **kw})


def _meeting(event, **kw):
    data = {
        "event": event,
        "kind": Training.Kind.EXECUTION_MEETING,
        "title": "执行会议",
        "starts_at": event.starts_at - dt.timedelta(days=3),
    }
    data.update(kw)
    t = Training.objects.create(**data)
    for m in TeamMember.objects.filter(event=event):
        TrainingAttendance.objects.create(training=t, person=m.person)
    return t


def test_the_tab_offers_the_meeting_at_t_minus_3(client, prep_event, organiser):
    # REQ: TR-1
    login(client, organiser)
    html = client.get(_url(prep_event)).content.decode()
    assert "尚未安排执行会议" in html and "2027-03-15 13:30" in html
    assert 'value="2027-03-15T13:30"' in html  # the form's default
    assert 'data-code="preparation.meeting_held"' in html


def test_the_meeting_is_created_from_the_page(client, prep_event, organiser):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(_url(prep_event, "training_meeting"), {"starts_at": "2027-03-15 13:30"})
    meeting = Training.objects.get()
    assert resp.status_code == 302 and resp["Location"].endswith(f"/training/{meeting.pk}/")
    assert meeting.starts_at == prep_event.starts_at - dt.timedelta(days=3)
    html = client.get(_url(prep_event)).content.decode()
    assert 'data-testid="meeting-link"' in html and "应到 2 人" in html


@pytest.mark.parametrize(
    ("value", "words"),
    [("2027-03-19 09:00", "须早于活动开始"), ("", "请填写时间"), ("下周", "请输入日期和时间")],
)
def test_a_bad_meeting_time_is_refused(client, prep_event, organiser, value, words):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(_url(prep_event, "training_meeting"), {"starts_at": value})
    assert resp.status_code == 400 and words in resp.content.decode()
    assert not Training.objects.exists()


def test_a_special_training_is_added(client, prep_event, organiser, marketing_mgr):
    # REQ: TR-1
    login(client, organiser)
    resp = client.post(
        _url(prep_event, "training_add"),
        {
            "kind": "etiquette",
            "title": "",
            "starts_at": "2027-03-17 10:00",
            "duration_minutes": "60",
            "location": "多功能厅",
            "trainer": str(marketing_mgr.pk),
            "attendees": [str(organiser.pk)],
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    t = Training.objects.get()
    assert (t.title, t.location, t.trainer) == ("礼仪培训", "多功能厅", marketing_mgr)
    assert list(t.attendance.values_list("person_id", flat=True)) == [organiser.pk]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("kind", "party", "选择一个有效的选项"),
        ("starts_at", "2027-03-18 14:00", "须早于活动开始"),
        ("duration_minutes", "0", "1"),
        ("duration_minutes", "一小时", "请输入整数分钟数"),
        ("trainer", "999999", "未知人员"),
        ("attendees", "999999", "未知人员"),
    ],
)
def test_a_bad_training_is_refused_naming_the_field(client, prep_event, organiser, field, value, words):
    login(client, organiser)
    data = {"kind": "host", "starts_at": "2027-03-17 10:00", "duration_minutes": "60"}
    data[field] = value
    resp = client.post(_url(prep_event, "training_add"), data)
    html = resp.content.decode()
    assert resp.status_code == 400 and words in html and f'id="id_{field}_error"' in html
    assert not Training.objects.exists()


def test_edit_held_attendance_through_the_page(client, prep_event, organiser, marketing_mgr):
    # REQ: TR-1
    m = _meeting(prep_event)
    login(client, organiser)
    assert client.get(_url(prep_event, "training_detail", training_id=m.pk)).status_code == 200
    edit = {
        "revision": "1",
        "kind": "execution_meeting",
        "title": "执行会议",
        "starts_at": "2027-03-15 14:00",
        "duration_minutes": "90",
        "location": "大会议室",
        "attendees": [str(organiser.pk), str(marketing_mgr.pk)],
    }
    assert client.post(_url(prep_event, "training_edit", training_id=m.pk), edit).status_code == 302
    m.refresh_from_db()
    assert (m.location, m.revision) == ("大会议室", 2)
    stale = client.post(_url(prep_event, "training_edit", training_id=m.pk), {**edit, "location": "旧"})
    assert stale.status_code == 409 and "已被" in stale.content.decode()
    bad = client.post(
        _url(prep_event, "training_edit", training_id=m.pk),
        {**edit, "revision": "2", "starts_at": "2027-04-01 09:00"},
    )
    assert bad.status_code == 400 and "须早于活动开始" in bad.content.decode()

    held_url = _url(prep_event, "training_held", training_id=m.pk)
    no_minutes = client.post(held_url, {"revision": "2", "held_at": "2026-11-30 14:00", "minutes": ""})
    assert no_minutes.status_code == 400 and "请填写执行会议的会议纪要" in no_minutes.content.decode()
    assert (
        client.post(
            held_url, {"revision": "2", "held_at": "2026-11-30 14:00", "minutes": "分工明确"}
        ).status_code
        == 302
    )
    m.refresh_from_db()
    assert m.held_at is not None and m.revision == 3

    att_url = _url(prep_event, "training_attendance", training_id=m.pk)
    partial = client.post(att_url, {"revision": "3", f"a_{organiser.pk}": "yes"})
    assert partial.status_code == 400 and "陈经理" in partial.content.decode()
    assert (
        client.post(
            att_url, {"revision": "3", f"a_{organiser.pk}": "maybe", f"a_{marketing_mgr.pk}": "no"}
        ).status_code
        == 400
    )
    ok = client.post(
        att_url,
        {
            "revision": "3",
            f"a_{organiser.pk}": "yes",
            f"a_{marketing_mgr.pk}": "no",
            f"n_{marketing_mgr.pk}": "出差",
        },
    )
    assert ok.status_code == 302
    m.refresh_from_db()
    assert m.attendance_recorded_at is not None
    html = client.get(_url(prep_event, "training_detail", training_id=m.pk)).content.decode()
    assert 'data-testid="attendance-recorded"' in html
    attended = html.split('data-testid="attended"')[1].split("</ul>")[0]
    missed = html.split('data-testid="missed"')[1].split("</ul>")[0]
    assert "王策划" in attended and "陈经理" in missed and "出差" in missed
    tab = client.get(_url(prep_event)).content.decode()
    assert (
        "出席 1 人" in tab
        and "缺席 1 人" in tab
        and 'class="met" data-code="preparation.meeting_attendance"' in tab
    )


def test_remove_from_the_page(client, prep_event, organiser):
    m = _meeting(prep_event)
    login(client, organiser)
    assert (
        client.post(_url(prep_event, "training_remove", training_id=m.pk), {"revision": "9"}).status_code
        == 302
    )
    assert Training.objects.exists()  # stale: refused, said as a message
    assert (
        client.post(_url(prep_event, "training_remove", training_id=m.pk), {"revision": "1"}).status_code
        == 302
    )
    assert not Training.objects.exists()


def test_people_off_the_team_read_only(client, prep_event, reviewer_sales):
    m = _meeting(prep_event)
    login(client, reviewer_sales)
    html = client.get(_url(prep_event, "training_detail", training_id=m.pk)).content.decode()
    assert 'data-testid="edit-form"' not in html
    assert (
        client.post(_url(prep_event, "training_meeting"), {"starts_at": "2027-03-15 13:30"}).status_code
        == 403
    )
    assert client.post(_url(prep_event, "training_held", training_id=m.pk), {}).status_code == 403


def test_an_unknown_training_is_404(client, prep_event, organiser):
    login(client, organiser)
    assert client.get(_url(prep_event, "training_detail", training_id=999999)).status_code == 404
    assert client.post(_url(prep_event, "training_attendance", training_id=999999), {}).status_code == 404


def test_each_attendance_note_box_says_whose_note_it_is(client, prep_event, organiser, marketing_mgr):
    # REQ: TR-1 — the attendance table has no label beside each note: a screen reader hears whose it is
    from huodong.preparation.models import TrainingAttendance

    m = _meeting(prep_event)
    TrainingAttendance.objects.get_or_create(training=m, person=marketing_mgr)
    m.held_at = m.starts_at
    m.save()
    login(client, organiser)
    html = client.get(_url(prep_event, "training_detail", training_id=m.pk)).content.decode()
    assert f'name="n_{marketing_mgr.pk}"' in html
    assert f'aria-label="{marketing_mgr.name} 的备注"' in html
