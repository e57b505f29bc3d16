"""Events and their types (SC-2): the seeded types, creating and editing events, the event list."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Role
from huodong.events import selectors
from huodong.events.models import Event, EventType
from huodong.events.services import event_create, event_type_save, event_update

from .conftest import login
from .factories import EventFactory, UserFactory, department

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
SPEC_TYPES = {
    "product-launch": "产品发布会",
    "industry-summit": "行业峰会",
    "customer-appreciation": "客户答谢会",
    "promotion": "促销推广活动",
    "brand-salon": "品牌沙龙",
}


def _launch() -> EventType:
    return EventType.objects.get(code="product-launch")


def _valid(**overrides):
    data = {
        "name": "智启未来·2026新品发布会",
        "event_type": _launch(),
        "starts_at": dt.datetime(2027, 3, 18, 13, 30, tzinfo=SH),
        "ends_at": dt.datetime(2027, 3, 18, 17, 30, tzinfo=SH),
        "time_zone": "Asia/Shanghai",
        "venue": "上海国际会议中心",
        "expected_attendance": 220,
        "requesting_department": department("sales"),
    }
    return data | overrides


# --- event types (SC-2) -----------------------------------------------------------------------------


def test_the_five_event_types_of_the_spec_are_seeded_as_templates():
    # REQ: SC-2
    seeded = dict(EventType.objects.filter(is_builtin=True).values_list("code", "name"))
    assert seeded == SPEC_TYPES
    launch = _launch()
    assert launch.name_en == "Product launch"
    assert [s["title"] for s in launch.run_of_show][:3] == ["签到", "开场", "领导致辞"]
    assert launch.budget_categories[-1]["code"] == "contingency"
    assert launch.risks and launch.materials and launch.schedule


def test_an_admin_adds_an_event_type(admin_user):
    # REQ: SC-2 — "including but not limited to": organisations add their own types.
    et = event_type_save(
        actor=admin_user,
        name="经销商大会",
        name_en="Dealer conference",
        template={"run_of_show": [{"title": "签到", "duration_minutes": 30}]},
    )
    assert et.code == "dealer-conference" and not et.is_builtin
    assert et.run_of_show[0]["title"] == "签到"
    assert AuditEntry.objects.filter(action="event_type.create", target_id=str(et.pk)).exists()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"name": "品牌沙龙", "code": "salon2"}, "name"),
        ({"name": "新类型", "code": "promotion"}, "code"),
        ({"name": "新类型", "code": ""}, "code"),
        ({"name": "", "code": "x"}, "name"),
        ({"name": "新类型", "code": "x", "template": {"bogus": []}}, "bogus"),
        ({"name": "新类型", "code": "x", "template": {"risks": "火灾"}}, "risks"),
    ],
)
def test_a_bad_event_type_is_refused_naming_the_field(admin_user, kwargs, field):
    count = EventType.objects.count()
    with pytest.raises(DomainError) as exc:
        event_type_save(actor=admin_user, **kwargs)
    assert field in exc.value.errors
    assert EventType.objects.count() == count


def test_only_an_admin_manages_event_types(organiser):
    with pytest.raises(NotAllowed):
        event_type_save(actor=organiser, name="X", code="x")


def test_the_event_type_page_adds_a_type(as_admin):
    resp = as_admin.post(
        "/events/types/new/",
        {"name": "校园招聘会", "name_en": "Campus fair", "code": "", "is_active": "on", "template_json": ""},
    )
    assert resp.status_code == 302
    assert EventType.objects.filter(code="campus-fair", name="校园招聘会").exists()
    assert "校园招聘会" in as_admin.get("/events/types/").content.decode()


def test_an_event_type_edited_by_someone_else_meanwhile_is_not_overwritten(as_admin, admin_user):
    # Issue 6, finding 2: every editable record carries a revision, the pages send it with the form.
    salon = EventType.objects.get(code="brand-salon")
    seen = salon.revision  # what the administrator's page was opened at
    event_type_save(
        actor=admin_user,
        event_type=salon,
        revision=salon.revision,
        name="品牌沙龙",
        name_en="Salon",
        code=salon.code,
    )
    resp = as_admin.post(
        f"/events/types/{salon.pk}/",
        {
            "name": "品牌沙龙(新)",
            "name_en": "Salon",
            "code": salon.code,
            "is_active": "on",
            "template_json": "",
            "revision": str(seen),
        },
    )
    assert resp.status_code == 409
    assert "已被" in resp.content.decode()
    assert EventType.objects.get(pk=salon.pk).name == "品牌沙龙"
    resp = as_admin.post(
        f"/events/types/{salon.pk}/",
        {
            "name": "品牌沙龙(新)",
            "name_en": "Salon",
            "code": salon.code,
            "is_active": "on",
            "template_json": "",
            "revision": str(seen + 1),
        },
    )
    assert resp.status_code == 302
    entry = AuditEntry.objects.filter(action="event_type.update", target_id=str(salon.pk)).latest("id")
    assert entry.before == {"name": "品牌沙龙"} and entry.after == {"name": "品牌沙龙(新)"}


def test_the_event_type_pages_are_for_admins_only(as_organiser):
    assert as_organiser.get("/events/types/").status_code == 403
    assert as_organiser.get("/events/types/new/").status_code == 403


# --- creating and editing events --------------------------------------------------------------------


def test_an_organiser_creates_an_event_in_the_first_step(organiser, reviewer_sales):
    # REQ: LC-1 — every event starts at needs insight.
    event = event_create(
        actor=organiser, team_members=[reviewer_sales], theme="智启未来", tone="高端专业", **_valid()
    )
    assert event.step == "needs" and event.owner == organiser
    assert list(event.team_members.all()) == [reviewer_sales]
    assert event.local_start().hour == 13 and event.starts_at.utcoffset() is not None
    assert AuditEntry.objects.filter(action="event.create", event_id=event.pk).exists()


def test_a_naive_time_is_read_in_the_event_time_zone(organiser):
    event = event_create(
        actor=organiser,
        **_valid(
            time_zone="Europe/London",
            starts_at=dt.datetime(2027, 6, 1, 9, 0),
            ends_at=dt.datetime(2027, 6, 1, 12, 0),
        ),
    )
    event.refresh_from_db()
    assert event.starts_at == dt.datetime(2027, 6, 1, 8, 0, tzinfo=dt.UTC)  # BST is UTC+1
    assert event.local_start().hour == 9


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"event_type": None}, "event_type"),
        ({"name": "   "}, "name"),
        ({"ends_at": dt.datetime(2027, 3, 18, 12, 0, tzinfo=SH)}, "ends_at"),
        ({"ends_at": dt.datetime(2027, 3, 18, 13, 30, tzinfo=SH)}, "ends_at"),
        ({"time_zone": "Asia/Atlantis"}, "time_zone"),
        ({"expected_attendance": -1}, "expected_attendance"),
        ({"expected_attendance": 2_000_000}, "expected_attendance"),
        ({"starts_at": None}, "starts_at"),
    ],
)
def test_bad_event_input_is_refused_naming_the_field_and_nothing_is_written(organiser, overrides, field):
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, **_valid(**overrides))
    assert field in exc.value.errors
    assert str(exc.value.errors[field][0])
    assert not Event.objects.exists()
    assert not AuditEntry.objects.filter(action="event.create").exists()


def test_an_inactive_event_type_cannot_be_used(organiser):
    salon = EventType.objects.get(code="brand-salon")
    salon.is_active = False
    salon.save()
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, **_valid(event_type=salon))
    assert "event_type" in exc.value.errors


def test_all_bad_fields_are_reported_at_once(organiser):
    with pytest.raises(DomainError) as exc:
        event_create(actor=organiser, **_valid(name="", time_zone="X/Y", expected_attendance=-5))
    assert {"name", "time_zone", "expected_attendance"} <= set(exc.value.errors)


@pytest.mark.parametrize("who", ["reviewer_sales", "approver_gm", "outsider"])
def test_only_organisers_and_admins_create_events(request, who):
    with pytest.raises(NotAllowed):
        event_create(actor=request.getfixturevalue(who), **_valid())
    assert not Event.objects.exists()


def test_the_owner_updates_an_event_and_the_change_is_audited(organiser, event):
    event_update(
        actor=organiser,
        event=event,
        revision=event.revision,
        venue="北京国家会议中心",
        expected_attendance=300,
    )
    event.refresh_from_db()
    assert (event.venue, event.expected_attendance) == ("北京国家会议中心", 300)
    entry = AuditEntry.objects.get(action="event.update", event_id=event.pk)
    # Issue 6, finding 2: the audit row records the fields that changed, with their real before and after.
    assert entry.before == {"venue": "上海国际会议中心", "expected_attendance": 220}
    assert entry.after == {"venue": "北京国家会议中心", "expected_attendance": 300}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"ends_at": dt.datetime(2020, 1, 1, tzinfo=SH)}, "ends_at"),
        ({"time_zone": "Nope"}, "time_zone"),
        ({"expected_attendance": -3}, "expected_attendance"),
        ({"step": "closed"}, "step"),
    ],
)
def test_a_bad_update_names_the_field_and_changes_nothing(organiser, event, changes, field):
    before = Event.objects.values().get(pk=event.pk)
    with pytest.raises(DomainError) as exc:
        event_update(actor=organiser, event=event, revision=event.revision, **changes)
    assert field in exc.value.errors
    assert Event.objects.values().get(pk=event.pk) == before


def test_an_outsider_cannot_update_an_event(outsider, event):
    with pytest.raises(NotAllowed):
        event_update(actor=outsider, event=event, revision=event.revision, venue="别处")


def _form(**overrides):
    data = {
        "name": "春季客户答谢会",
        "event_type": EventType.objects.get(code="customer-appreciation").pk,
        "time_zone": "Asia/Shanghai",
        "starts_at": "2027-04-10T18:00",
        "ends_at": "2027-04-10T21:00",
        "venue": "外滩酒店",
        "expected_attendance": "120",
        "requesting_department": department("sales").pk,
    }
    return data | overrides


def test_the_event_form_creates_an_event_and_redirects_to_it(as_organiser, organiser):
    resp = as_organiser.post("/events/new/", _form(owner=organiser.pk))
    event = Event.objects.get(name="春季客户答谢会")
    assert resp.status_code == 302 and resp.url == f"/events/{event.pk}/"
    assert event.local_start().strftime("%Y-%m-%d %H:%M") == "2027-04-10 18:00"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"event_type": "99999"}, "event_type", "未知的活动类型"),
        ({"ends_at": "2027-04-10T17:00"}, "ends_at", "结束时间必须晚于开始时间"),
        ({"expected_attendance": "-4"}, "expected_attendance", ""),
        ({"time_zone": "Moon/Base"}, "time_zone", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_the_event_form_shows_bad_input_on_the_field_and_writes_nothing(
    as_organiser, organiser, overrides, field, message
):
    resp = as_organiser.post("/events/new/", _form(owner=organiser.pk, **overrides))
    assert resp.status_code == 400
    errors = resp.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not Event.objects.exists()


def test_the_event_form_is_refused_to_a_reviewer(client, reviewer_sales):
    login(client, reviewer_sales)
    assert client.get("/events/new/").status_code == 403


def test_the_edit_form_saves_changes(as_organiser, organiser, event):
    resp = as_organiser.post(
        f"/events/{event.pk}/edit/",
        _form(
            name="改名后的发布会", owner=organiser.pk, event_type=event.event_type_id, revision=event.revision
        ),
    )
    assert resp.status_code == 302
    event.refresh_from_db()
    assert event.name == "改名后的发布会"


# --- the event list ---------------------------------------------------------------------------------


@pytest.fixture
def many_events(organiser):
    other = UserFactory(username="org2", role=Role.ORGANISER, display_name="赵策划")
    summit = EventType.objects.get(code="industry-summit")
    return {
        "launch": EventFactory(name="新品发布会A", owner=organiser),
        "summit": EventFactory(name="行业峰会B", owner=other, event_type=summit, venue="杭州"),
        "prep": EventFactory(name="准备中C", owner=organiser, step="materials"),
        "closed": EventFactory(name="已归档D", owner=other, step="closed"),
    }


@pytest.mark.parametrize(
    "filters,expected",
    [
        ({}, {"launch", "summit", "prep", "closed"}),
        ({"phase": "planning"}, {"launch", "summit"}),
        ({"phase": "preparation"}, {"prep"}),
        ({"phase": "review"}, {"closed"}),
        ({"step": "materials"}, {"prep"}),
        ({"event_type": "industry-summit"}, {"summit"}),
        ({"q": "峰会"}, {"summit"}),
        ({"q": "杭州"}, {"summit"}),
    ],
)
def test_the_event_list_selector_filters(many_events, filters, expected):
    names = {k for k, e in many_events.items() if e in selectors.event_list(**filters)}
    assert names == expected


def test_the_event_list_selector_filters_by_owner(many_events, organiser):
    assert set(selectors.event_list(owner=organiser.pk)) == {many_events["launch"], many_events["prep"]}


@pytest.mark.parametrize(
    "query,shown,hidden",
    [
        ("phase=planning", ["新品发布会A", "行业峰会B"], ["准备中C", "已归档D"]),
        ("q=准备", ["准备中C"], ["新品发布会A"]),
        ("event_type={summit}", ["行业峰会B"], ["新品发布会A"]),
        ("owner={owner}", ["新品发布会A", "准备中C"], ["行业峰会B"]),
        ("phase=bogus", [], []),
    ],
)
def test_the_event_list_page_filters(as_organiser, organiser, many_events, query, shown, hidden):
    query = query.format(summit=many_events["summit"].event_type_id, owner=organiser.pk)
    resp = as_organiser.get("/events/?" + query)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert all(s in html for s in shown)
    assert not any(h in html for h in hidden)


def test_the_event_list_pages_thirty_at_a_time(as_organiser, organiser):
    for i in range(31):
        EventFactory(owner=organiser, name=f"批量活动{i:02d}")
    first = as_organiser.get("/events/")
    assert len(first.context["page"].object_list) == 30
    second = as_organiser.get("/events/?page=2")
    assert len(second.context["page"].object_list) == 1
    assert as_organiser.get("/events/?page=999").status_code == 200


def test_the_edit_form_is_refused_to_an_outsider(client, outsider, event):
    login(client, outsider)
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403
    assert client.post(f"/events/{event.pk}/edit/", _form(owner=outsider.pk)).status_code == 403
    event.refresh_from_db()
    assert event.name != "春季客户答谢会"


def test_the_event_page_of_a_missing_event_is_404(as_organiser):
    assert as_organiser.get("/events/999999/").status_code == 404


def test_the_event_page_advances_and_shows_the_blocked_gate(as_organiser, organiser):
    # REQ: LC-2
    blocked = EventFactory(owner=organiser, venue="", expected_attendance=0)
    resp = as_organiser.post(f"/events/{blocked.pk}/advance/", {"from_step": "needs"})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert 'data-testid="gate-blocked"' in html and "已填写活动地点" in html and "已填写预计人数" in html
    blocked.refresh_from_db()
    assert blocked.step == "needs"


def test_an_outsider_cannot_advance_from_the_page(client, outsider, event):
    login(client, outsider)
    assert client.post(f"/events/{event.pk}/advance/", {"from_step": "needs"}).status_code == 403
    event.refresh_from_db()
    assert event.step == "needs"


def test_the_advance_button_without_the_step_it_showed_moves_nothing(no_gates, as_organiser, event):
    # Issue 6, finding 2: from_step is required on the page too.
    resp = as_organiser.post(f"/events/{event.pk}/advance/", {})
    assert resp.status_code == 302
    event.refresh_from_db()
    assert event.step == "needs"


def test_two_clicks_on_the_advance_button_move_the_event_once(no_gates, as_organiser, event):
    # Issue 6, finding 2: two identical advances moved an event two steps.
    as_organiser.post(f"/events/{event.pk}/advance/", {"from_step": "needs"})
    as_organiser.post(f"/events/{event.pk}/advance/", {"from_step": "needs"})
    event.refresh_from_db()
    assert event.step == "goals"
