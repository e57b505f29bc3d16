"""The organiser's check-in setup (issue 10 point 1; EX-2): gates, staff, settings (doors, kit, stage
manager), the tab 签到 and its API; the kit comes from the event type."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from huodong.checkin.models import CheckinSettings, Gate, GateStaff, Scan
from huodong.checkin.services import redeem
from huodong.checkin.services import setup as services
from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.models import Event, EventType
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from tests.factories import login
from tests.test_english_pages import ALWAYS_ALLOWED, english, english_leftovers

from .support import door_event, gate, guests_of, post, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 2)


def _url(event, name="checkin:setup", **kw):
    return reverse(name, kwargs={"event_id": event.pk, **kw})


def _api(event, tail=""):
    return f"/api/events/{event.pk}/checkin/{tail}"


def _put(client, url, data, **extra):
    return client.put(url, json.dumps(data), "application/json", **extra)


# ---------------------------------------------------------------- the kit comes from the event type
def test_each_built_in_type_has_a_kit_and_a_new_event_starts_from_it(organiser):
    # REQ: EX-2
    kits = {et.code: [k["code"] for k in et.kit] for et in EventType.objects.filter(is_builtin=True)}
    assert kits["product-launch"] == ["agenda", "bag", "gift"]
    assert all(1 <= len(k) <= 12 for k in kits.values()) and len(kits) == 5
    launch = EventType.objects.get(code="product-launch")
    assert [k["name"] for k in launch.kit] == ["议程", "资料袋", "伴手礼"]
    assert all(k["name_en"] for k in launch.kit)
    summit = make_event(organiser, step=Step.SETUP, type_code="industry-summit")
    assert [k["code"] for k in redeem.settings_for(summit).kit] == ["agenda", "badge", "proceedings", "bag"]


def test_the_event_type_form_edits_the_kit_row_by_row(client, admin_user):
    # REQ: EX-2
    et = EventType.objects.get(code="brand-salon")
    login(client, admin_user)
    url = reverse("events:type_edit", args=[et.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="section-kit"' in page.content.decode()
    data = {
        "name": et.name,
        "name_en": et.name_en,
        "code": et.code,
        "revision": et.revision,
        "is_active": "on",
    }
    rows = {
        "kit-TOTAL_FORMS": "3",
        "kit-INITIAL_FORMS": "0",
        "kit-MIN_NUM_FORMS": "0",
        "kit-MAX_NUM_FORMS": "50",
    }
    good = {**data, **rows, "kit-0-code": "agenda", "kit-0-name": "议程", "kit-0-name_en": "Agenda",
            "kit-1-code": "tea", "kit-1-name": "茶歇券"}  # fmt: skip
    response = client.post(url, good)
    assert response.status_code == 302, response.content.decode()[:2000]
    et.refresh_from_db()
    assert et.kit == [
        {"code": "agenda", "name": "议程", "name_en": "Agenda"},
        {"code": "tea", "name": "茶歇券", "name_en": ""},
    ]
    bad = {**data, **rows, "revision": et.revision, "kit-0-code": "tea", "kit-0-name": "茶歇券",
           "kit-1-code": "tea", "kit-1-name": "又一个"}  # fmt: skip
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "代码「tea」与第 1 行重复" in response.content.decode()


# ---------------------------------------------------------------- settings
def test_settings_change_the_doors_kit_and_stage_manager_with_a_revision(organiser, marketing_mgr, event):
    # REQ: EX-2
    conf = redeem.settings_for(event)
    kit = [
        {"code": "agenda", "name": "议程", "name_en": "Agenda"},
        {"code": "pen", "name": "笔", "name_en": ""},
    ]
    row = services.settings_update(
        actor=organiser,
        event=event,
        seen=conf.revision,
        opens_minutes_before=30,
        closes_minutes_after=15,
        kit=kit,
        stage_manager=marketing_mgr,
    )
    assert (row.opens_minutes_before, row.closes_minutes_after, row.kit) == (30, 15, kit)
    assert services.stage_manager_of(event) == marketing_mgr
    with pytest.raises(PreconditionRequired):
        services.settings_update(actor=organiser, event=event, seen=None, opens_minutes_before=10)
    with pytest.raises(Stale):
        services.settings_update(actor=organiser, event=event, seen=conf.revision, opens_minutes_before=10)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opens_minutes_before": 1441}, "opens_minutes_before"),
        ({"closes_minutes_after": -1}, "closes_minutes_after"),
        ({"kit": []}, "kit"),
        ({"kit": [{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}]}, "kit"),
        ({"kit": [{"code": f"k{i}", "name": f"物{i}"} for i in range(13)]}, "kit"),
        ({"kit": [{"code": "Bad Code", "name": "甲"}]}, "kit"),
        ({"kit": [{"code": "a", "name": ""}]}, "kit"),
    ],
)
def test_settings_refuse_bad_values_naming_the_field(organiser, event, changes, field):
    # REQ: EX-2
    conf = redeem.settings_for(event)
    with pytest.raises(DomainError) as refused:
        services.settings_update(actor=organiser, event=event, seen=conf.revision, **changes)
    assert field in refused.value.errors
    assert CheckinSettings.objects.get(pk=conf.pk).revision == conf.revision


def test_only_editors_in_the_setup_steps_change_the_setup(organiser, checkin_staff, event):
    # REQ: EX-2
    conf = redeem.settings_for(event)
    with pytest.raises(NotAllowed):
        services.settings_update(actor=checkin_staff, event=event, seen=conf.revision, opens_minutes_before=5)
    Event.objects.filter(pk=event.pk).update(step=Step.DATA)
    with pytest.raises(DomainError) as refused:
        services.gate_add(actor=organiser, event=event, name="入口 C")
    assert refused.value.code == "wrong_step"


# ---------------------------------------------------------------- gates
def test_gates_are_added_renamed_flagged_and_a_used_gate_is_deactivated_not_deleted(organiser, event):
    # REQ: EX-2
    vip = services.gate_add(actor=organiser, event=event, name="VIP 通道", name_en="VIP lane", is_vip=True)
    assert vip.position == 3 and vip.is_vip
    with pytest.raises(DomainError) as taken:
        services.gate_add(actor=organiser, event=event, name="入口 A")
    assert "name" in taken.value.errors
    renamed = services.gate_update(
        actor=organiser, event=event, gate_id=vip.pk, seen=vip.revision, name="贵宾通道", position=0
    )
    assert (renamed.name, renamed.position, renamed.revision) == ("贵宾通道", 0, 2)
    with pytest.raises(Stale):
        services.gate_update(actor=organiser, event=event, gate_id=vip.pk, seen=1, name="再改")
    assert [g.name for g in services.gates_all(event)][0] == "贵宾通道"
    # a gate nobody scanned at is deleted; one with scans only deactivated
    unused, deleted = services.gate_remove(
        actor=organiser, event=event, gate_id=vip.pk, seen=renamed.revision
    )
    assert deleted and not Gate.objects.filter(pk=vip.pk).exists()
    a = gate(event)
    redeem.scan(actor=organiser, event=event, token=token_of(guests_of(event)[0]), gate_id=a.pk)
    kept, deleted = services.gate_remove(actor=organiser, event=event, gate_id=a.pk, seen=a.revision)
    a.refresh_from_db()
    assert not deleted and not a.is_active and Scan.objects.filter(gate=a).count() == 1


# ---------------------------------------------------------------- staff
def test_staff_are_added_at_a_gate_or_any_and_become_gate_staff(
    organiser, checkin_staff, marketing_mgr, event
):
    # REQ: EX-2
    rows = services.staff_add(
        actor=organiser, event=event, people=[checkin_staff], gate_id=gate(event).pk, is_supervisor=False
    )
    assert rows[0].gate == gate(event)
    sup = services.staff_add(actor=organiser, event=event, people=[marketing_mgr.pk], is_supervisor=True)[0]
    assert sup.gate is None and sup.is_supervisor
    # the staff member may now check guests in
    out = redeem.scan(actor=checkin_staff, event=event, token=token_of(guests_of(event)[0]))
    assert out.ok
    with pytest.raises(DomainError) as again:
        services.staff_add(actor=organiser, event=event, people=[checkin_staff])
    assert "person" in again.value.errors
    with pytest.raises(DomainError) as bad_gate:
        services.staff_add(actor=organiser, event=event, people=[organiser], gate_id=999999)
    assert "gate" in bad_gate.value.errors
    services.staff_remove(actor=organiser, event=event, staff_id=rows[0].pk)
    assert not GateStaff.objects.filter(person=checkin_staff).exists()


# ---------------------------------------------------------------- the tab
def test_the_tab_shows_gates_staff_settings_summary_and_the_links_that_exist(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    page = client.get(_url(event))
    text = page.content.decode()
    assert page.status_code == 200
    for testid in ("gates", "staff", "settings-form", "devices", "checkin-summary", "arrivals"):
        assert f'data-testid="{testid}"' in text
    assert "入口 A" in text and reverse("checkin:walkin", kwargs={"event_id": event.pk}) in text
    assert 'data-testid="count-registered">2<' in text


def test_the_tab_forms_save_and_refuse_with_the_field_named(client, organiser, checkin_staff, event):
    # REQ: EX-2
    login(client, organiser)
    conf = redeem.settings_for(event)
    good = {"revision": conf.revision, "opens_minutes_before": "60", "closes_minutes_after": "30",
            "kit": "agenda | 议程 | Agenda\ngift | 伴手礼 | Gift", "stage_manager": ""}  # fmt: skip
    assert client.post(_url(event, "checkin:settings_save"), good).status_code == 302
    conf.refresh_from_db()
    assert [k["code"] for k in conf.kit] == ["agenda", "gift"] and conf.opens_minutes_before == 60
    bad = {**good, "revision": conf.revision, "opens_minutes_before": "2000", "kit": "a|b|c|d"}
    response = client.post(_url(event, "checkin:settings_save"), bad)
    assert response.status_code == 400
    assert "第 1 行:最多 3 栏" in response.content.decode()
    dup = {**good, "revision": conf.revision, "kit": "a | 甲\na | 乙"}
    response = client.post(_url(event, "checkin:settings_save"), dup)
    assert response.status_code == 400 and "重复" in response.content.decode()
    stale = client.post(_url(event, "checkin:settings_save"), {**good, "revision": 1})
    assert stale.status_code == 409
    # gates
    assert (
        client.post(_url(event, "checkin:gate_add"), {"name": "VIP 通道", "is_vip": "on"}).status_code == 302
    )
    assert client.post(_url(event, "checkin:gate_add"), {"name": "VIP 通道"}).status_code == 400
    vip = Gate.objects.get(event=event, name="VIP 通道")
    p = f"g{vip.pk}-"
    edit = {
        p + "revision": vip.revision,
        p + "name": "贵宾",
        p + "name_en": "VIP",
        p + "position": "0",
        p + "is_active": "on",
    }
    assert client.post(_url(event, "checkin:gate_save", gate_id=vip.pk), edit).status_code == 302
    vip.refresh_from_db()
    assert vip.name == "贵宾" and not vip.is_vip
    assert (
        client.post(_url(event, "checkin:gate_save", gate_id=vip.pk), {**edit, p + "name": ""}).status_code
        == 400
    )
    assert client.post(_url(event, "checkin:gate_save", gate_id=vip.pk), edit).status_code == 409
    assert client.post(_url(event, "checkin:gate_save", gate_id=999999), edit).status_code == 404
    removed = client.post(_url(event, "checkin:gate_remove", gate_id=vip.pk), {"revision": vip.revision})
    assert removed.status_code == 302 and not Gate.objects.filter(pk=vip.pk).exists()
    # staff
    add = {"people": [checkin_staff.pk], "gate": gate(event).pk, "is_supervisor": ""}
    assert client.post(_url(event, "checkin:staff_add"), add).status_code == 302
    assert client.post(_url(event, "checkin:staff_add"), add).status_code == 400  # already on the staff
    assert client.post(_url(event, "checkin:staff_add"), {"people": []}).status_code == 400
    row = GateStaff.objects.get(event=event, person=checkin_staff)
    assert client.post(_url(event, "checkin:staff_remove", staff_id=row.pk)).status_code == 302
    assert not GateStaff.objects.filter(pk=row.pk).exists()


def test_gate_staff_read_the_tab_but_cannot_change_it(client, checkin_staff, organiser, event):
    # REQ: EX-2
    services.staff_add(actor=organiser, event=event, people=[checkin_staff])
    login(client, checkin_staff)
    page = client.get(_url(event))
    assert page.status_code == 200 and 'data-testid="settings-form"' not in page.content.decode()
    assert client.post(_url(event, "checkin:gate_add"), {"name": "入口 Z"}).status_code == 403


def test_the_tab_in_english(client, organiser, checkin_staff, event):
    services.staff_add(actor=organiser, event=event, people=[checkin_staff], gate_id=gate(event).pk)
    login(english(client), organiser)
    allowed = typed(event)
    found = english_leftovers(
        client, [("setup", _url(event)), ("walkin", _url(event, "checkin:walkin"))], allowed
    )
    assert not found, found


def typed(event):
    """What people typed that the check-in pages show: names, titles, departments, gates, the kit."""
    from huodong.core.models import Department, Organisation, User

    texts = [event.name, event.venue, *ALWAYS_ALLOWED, "入口 A", "入口 B"]
    texts += [k["name"] for k in redeem.settings_for(event).kit]
    for user in User.objects.all():
        texts += [user.name, user.title, user.username]
    texts += [o.name for o in Organisation.objects.all()]
    texts += [d.name for d in Department.objects.all() if not d.name_en]
    return sorted({t for t in texts if t}, key=len, reverse=True)


# ---------------------------------------------------------------- API
def test_api_settings_read_and_change_with_if_match(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    got = client.get(_api(event, "settings"))
    assert got.status_code == 200 and got.json()["kit"][0]["code"] == "agenda"
    etag = got.headers["ETag"]
    body = {"opens_minutes_before": 45, "kit": [{"code": "agenda", "name": "议程", "name_en": "Agenda"}]}
    assert _put(client, _api(event, "settings"), body).status_code == 428
    ok = _put(client, _api(event, "settings"), body, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["opens_minutes_before"] == 45
    assert _put(client, _api(event, "settings"), body, HTTP_IF_MATCH=etag).status_code == 409
    bad = _put(client, _api(event, "settings"), {"revision": ok.json()["revision"], "kit": []})
    assert bad.status_code == 400 and "kit" in bad.json()["errors"]
    bad = _put(
        client, _api(event, "settings"), {"revision": ok.json()["revision"], "closes_minutes_after": 5000}
    )
    assert bad.status_code in (400, 422) and "closes_minutes_after" in bad.content.decode()


def test_api_gates_and_staff(client, organiser, checkin_staff, event):
    # REQ: EX-2
    login(client, organiser)
    assert [g["name"] for g in client.get(_api(event, "gates")).json()] == ["入口 A", "入口 B"]
    made = post(client, _api(event, "gates"), {"name": "VIP 通道", "is_vip": True})
    assert made.status_code == 201 and made.json()["position"] == 3
    assert post(client, _api(event, "gates"), {"name": "VIP 通道"}).status_code == 400
    assert post(client, _api(event, "gates"), {"name": "x" * 41}).status_code in (400, 422)
    gid = made.json()["id"]
    assert _put(client, _api(event, f"gates/{gid}"), {"name": "贵宾"}).status_code == 428
    ok = _put(client, _api(event, f"gates/{gid}"), {"name": "贵宾", "revision": 1})
    assert ok.status_code == 200 and ok.json()["name"] == "贵宾"
    assert _put(client, _api(event, f"gates/{gid}"), {"name": "x", "revision": 1}).status_code == 409
    assert client.delete(_api(event, f"gates/{gid}")).status_code == 428
    assert client.delete(_api(event, f"gates/{gid}?revision=2")).status_code == 204
    assert client.delete(_api(event, "gates/999999?revision=1")).status_code == 404
    staffed = post(client, _api(event, "staff"), {"person_id": checkin_staff.pk, "gate_id": gate(event).pk})
    assert staffed.status_code == 201 and staffed.json()["gate_id"] == gate(event).pk
    assert post(client, _api(event, "staff"), {"person_id": checkin_staff.pk}).status_code == 400
    assert post(client, _api(event, "staff"), {"person_id": 999999}).status_code == 400
    assert len(client.get(_api(event, "staff")).json()) == 1
    assert client.delete(_api(event, f"staff/{staffed.json()['id']}")).status_code == 204
    assert client.delete(_api(event, f"staff/{staffed.json()['id']}")).status_code == 404
