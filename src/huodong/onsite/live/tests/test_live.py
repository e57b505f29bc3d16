"""The live part (EX-6): leads from badges, the dashboard's snapshot and its ETag/304, the final figures
and the gate of 现场监控."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from huodong.checkin.services import redeem
from huodong.checkin.tests.support import door_event, gate, guests_of, post, token_of
from huodong.core.errors import Conflict, DomainError, NotAllowed
from huodong.events.lifecycle import gate_evaluate
from huodong.events.steps import Step
from huodong.onsite.live import selectors
from huodong.onsite.live.models import FinalFigures, Lead
from huodong.onsite.live.services import final as final_services
from huodong.onsite.live.services import leads as services
from huodong.outreach.models import Guest
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_lead_from_a_badge_qr_is_recorded_once_per_person(organiser, marketing_mgr):
    # REQ: EX-6
    event = door_event(organiser, 2)
    g1, _g2 = guests_of(event)
    lead = services.lead_record(
        actor=organiser, event=event.pk, interest="a", notes="关注新品", token=token_of(g1)
    )
    assert (lead.guest_id, lead.interest, lead.found_by, lead.recorded_by_id) == (
        g1.pk,
        "a",
        "qr",
        organiser.pk,
    )
    with pytest.raises(Conflict) as taken:
        services.lead_record(actor=organiser, event=event.pk, interest="b", guest_id=g1.pk)
    assert taken.value.lead_id == lead.pk  # type: ignore[attr-defined]
    event.team_members.add(marketing_mgr)
    other = services.lead_record(actor=marketing_mgr, event=event.pk, interest="c", guest_id=g1.pk)
    assert other.found_by == "search"
    assert [r["id"] for r in selectors.leads_of(event.pk)] == [other.pk, lead.pk]
    changed = services.lead_update(
        actor=organiser, event=event.pk, lead_id=lead.pk, seen=lead.revision, interest="b"
    )
    assert changed.interest == "b" and changed.revision == 2


def test_bad_leads_are_refused_with_the_field_named(organiser):
    # REQ: EX-6
    event = door_event(organiser, 1)
    (g1,) = guests_of(event)
    cases = [
        ({"interest": "z", "token": token_of(g1)}, "interest"),
        ({"interest": "a", "token": "not-a-ticket"}, "token"),
        ({"interest": "a", "token": token_of(g1)[:-4] + "AAAA"}, "token"),
        ({"interest": "a", "code": "ZZZZZZZZ"}, "code"),
        ({"interest": "a", "guest_id": 999999}, "guest_id"),
        ({"interest": "a"}, "token"),
        ({"interest": "a", "token": token_of(g1), "notes": "x" * 501}, "notes"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as refused:
            services.lead_record(actor=organiser, event=event.pk, **data)
        assert field in refused.value.errors, data
    assert not Lead.objects.exists()


def test_leads_only_on_the_day(organiser):
    # REQ: EX-6
    event = door_event(organiser, 1)
    (g1,) = guests_of(event)
    type(event).objects.filter(pk=event.pk).update(step=Step.NOTIFICATION)
    with pytest.raises(DomainError):
        services.lead_record(actor=organiser, event=event.pk, interest="a", guest_id=g1.pk)


def test_the_snapshot_counts_check_ins_by_gate_category_media_and_leads(organiser):
    # REQ: EX-6
    event = door_event(organiser, 3)
    g1, g2, g3 = guests_of(event)
    Guest.objects.filter(pk=g3.pk).update(category="media")
    assert redeem.scan(
        actor=organiser, event=event.pk, token=token_of(g1), gate_id=gate(event, "入口 B").pk
    ).ok
    assert redeem.scan(
        actor=organiser, event=event.pk, token=token_of(g3), gate_id=gate(event, "入口 A").pk
    ).ok
    services.lead_record(actor=organiser, event=event.pk, interest="a", guest_id=g2.pk)
    data = selectors.snapshot(event)
    assert data["totals"] == {"expected": 3, "checked_in": 2, "not_arrived": 1, "rate": round(2 / 3, 4)}
    assert {g["gate"]: g["checked_in"] for g in data["by_gate"]} == {"入口 A": 1, "入口 B": 1}
    assert data["media"]["checked_in"] == 1 and data["media"]["expected"] == 1
    assert data["leads"]["total"] == 1 and data["leads"]["people"] == 1
    assert data["series"]["checked_in"][-1] == 2 and data["series"]["registered"][-1] == 3
    assert sum(data["series"]["arrivals"]) == 2


def test_the_snapshot_endpoint_answers_304_when_unchanged_and_200_after_a_check_in(organiser, client: Client):
    # REQ: EX-6
    event = door_event(organiser, 2)
    g1, _g2 = guests_of(event)
    login(client, organiser)
    url = f"/api/events/{event.pk}/live"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["totals"]["checked_in"] == 0
    tag = first.headers["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=f'W/{tag}, "other"').status_code == 304
    redeem.scan(actor=organiser, event=event.pk, token=token_of(g1))
    cache.clear()  # as a second later
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 200 and again.json()["totals"]["checked_in"] == 1
    assert again.headers["ETag"] != tag


def test_the_final_figures_open_the_gate_of_monitoring(organiser, marketing_mgr):
    # REQ: EX-6
    event = door_event(organiser, 1)
    type(event).objects.filter(pk=event.pk).update(step=Step.MONITORING)
    event.refresh_from_db()
    unmet = [c for c in gate_evaluate(event, Step.MONITORING) if c.code == "live.final"]
    assert unmet and not unmet[0].met
    from huodong.core.models import Role, User

    member = User.objects.create_user("live_staff", role=Role.STAFF, display_name="现场")
    event.team_members.add(member)
    with pytest.raises(NotAllowed):
        final_services.final_confirm(actor=member, event=event.pk)
    row = final_services.final_confirm(actor=organiser, event=event.pk, note="以此为准")
    assert row.figures["totals"]["expected"] == 1 and row.confirmed_by_id == organiser.pk
    assert [c.met for c in gate_evaluate(event, Step.MONITORING) if c.code == "live.final"] == [True]
    with pytest.raises(DomainError):  # replacing needs the revision seen
        final_services.final_confirm(actor=organiser, event=event.pk)
    again = final_services.final_confirm(actor=organiser, event=event.pk, seen=row.revision)
    assert again.revision == 2 and FinalFigures.objects.count() == 1
    assert selectors.final_figures(event.pk)["note"] == ""


def test_the_lead_api_valid_and_invalid(organiser, client: Client):
    # REQ: EX-6
    event = door_event(organiser, 2)
    g1, g2 = guests_of(event)
    login(client, organiser)
    base = f"/api/events/{event.pk}/leads"
    made = post(client, base, {"interest": "a", "token": token_of(g1), "notes": "预算充足"})
    assert made.status_code == 201, made.content
    lead = made.json()
    again = post(client, base, {"interest": "b", "token": token_of(g1)})
    assert again.status_code == 409 and again.json()["lead_id"] == lead["id"]
    assert post(client, base, {"interest": "x", "guest_id": g2.pk}).status_code in (400, 422)
    assert post(client, base, {"interest": "a", "code": "?"}).status_code == 400
    put = client.put(f"{base}/{lead['id']}", '{"notes": "改"}', "application/json")
    assert put.status_code == 428
    put = client.put(f"{base}/{lead['id']}", '{"notes": "改", "revision": 1}', "application/json")
    assert put.status_code == 200 and put.json()["notes"] == "改"
    stale = client.put(f"{base}/{lead['id']}", '{"notes": "再改", "revision": 1}', "application/json")
    assert stale.status_code == 409
    found = client.get(f"{base}/guests", {"q": g2.name})
    assert found.status_code == 200 and found.json()["guests"][0]["id"] == g2.pk
    who = client.get(f"{base}/identify", {"token": token_of(g1)})
    assert who.status_code == 200 and who.json()["lead"]["id"] == lead["id"]
    assert client.get(f"{base}/identify").status_code == 400
    assert client.get(base).json()[0]["guest_id"] == g1.pk


def test_the_lead_page_finds_a_guest_and_records_the_lead(organiser, client: Client):
    # REQ: EX-6
    event = door_event(organiser, 2)
    g1, g2 = guests_of(event)
    login(client, organiser)
    url = f"/events/{event.pk}/live/leads/"
    page = client.get(url, {"token": token_of(g1)})
    assert page.status_code == 200 and g1.name in page.content.decode()
    assert client.get(url, {"token": "junk"}).status_code == 400
    assert g2.name in client.get(url, {"q": g2.name[:2]}).content.decode()
    refused = client.post(url, {"guest_id": g1.pk, "interest": ""})
    assert refused.status_code == 400 and not Lead.objects.exists()
    done = client.post(url, {"guest_id": g1.pk, "interest": "b", "notes": "下周回访"})
    assert done.status_code == 302
    lead = Lead.objects.get()
    edit = client.post(f"{url}{lead.pk}/", {"interest": "a", "notes": "", "revision": lead.revision})
    assert edit.status_code == 302 and Lead.objects.get().interest == "a"
    stale = client.post(f"{url}{lead.pk}/", {"interest": "c", "notes": "", "revision": 1})
    assert stale.status_code == 409


def test_the_dashboard_page_and_the_final_form(organiser, client: Client):
    # REQ: EX-6
    event = door_event(organiser, 1)
    login(client, organiser)
    page = client.get(f"/events/{event.pk}/live/")
    assert page.status_code == 200 and "live-checked-in" in page.content.decode()
    assert "<script>" not in page.content.decode()
    refused = client.post(f"/events/{event.pk}/live/final/", {"note": "x"})  # 场地布置: too early
    assert refused.status_code == 400
    type(event).objects.filter(pk=event.pk).update(step=Step.MONITORING)
    assert client.post(f"/events/{event.pk}/live/final/", {"note": "y" * 201}).status_code == 400
    assert client.post(f"/events/{event.pk}/live/final/", {"note": "以此为准"}).status_code == 302
    assert FinalFigures.objects.get().note == "以此为准"


def test_the_api_refuses_odd_input_without_a_500(organiser, client: Client):
    # REQ: EX-6
    event = door_event(organiser, 1)
    (g1,) = guests_of(event)
    login(client, organiser)
    base = f"/api/events/{event.pk}"
    lead = services.lead_record(actor=organiser, event=event.pk, interest="a", guest_id=g1.pk)
    answers = [
        client.get(f"{base}/leads/identify", {"token": "A" * 600}),
        client.get(f"{base}/leads/identify", {"token": "A" * 601}),
        client.get(f"{base}/leads/guests", {"q": "\x00"}),
        client.get(f"{base}/leads/guests", {"q": "x" * 51}),
        client.put(f"{base}/leads/{lead.pk}", '{"interest": "d", "revision": 1}', "application/json"),
        client.put(f"{base}/leads/999999", '{"interest": "b", "revision": 1}', "application/json"),
        post(client, f"{base}/leads", {"interest": "a", "guest_id": 0}),
        post(client, f"{base}/live/final", {"note": "x" * 201}),
        client.get("/api/events/2147483648/live"),
        client.get("/api/events/999999/live/final"),
    ]
    assert all(400 <= r.status_code < 500 for r in answers), [r.status_code for r in answers]
    assert client.get(f"{base}/live/final").status_code == 404  # not frozen yet


def test_the_other_parts_panels_fill_in_and_say_no_data_while_missing(organiser, client: Client):
    # REQ: EX-6
    from huodong.onsite.incidents.services import incidents as incident_services

    event = door_event(organiser, 1)
    incident_services.incident_report(
        actor=organiser, event=event.pk, category="equipment", title="投影仪无信号"
    )
    data = selectors.snapshot(event)
    (open_one,) = data["incidents"]
    assert (
        open_one["title"] == "投影仪无信号" and open_one["sla_state"] == "running" and open_one["sla_due_at"]
    )
    assert data["interaction"]["questions"] == 0 and "segments" in data["show"]
    login(client, organiser)
    page = client.get(f"/events/{event.pk}/live/").content.decode()
    assert "投影仪无信号" in page and 'data-testid="sla-clock"' in page
    # A part that does not offer its selector (yet): its panel is empty, the rest still works.
    assert selectors._optional("huodong.onsite.absent.selectors", "anything", event.pk) is None
    assert selectors._optional("huodong.onsite.show.selectors", "absent", event.pk) is None


def test_the_demo_loads_a_few_leads_once(organiser, marketing_mgr):
    # REQ: EX-6
    from huodong.demo.onsite_live_demo import demo_live_load

    event = door_event(organiser, 3)
    people = {"organiser": organiser, "marketing_mgr": marketing_mgr}
    demo_live_load(event=event, people=people)
    demo_live_load(event=event, people=people)
    assert sorted(Lead.objects.filter(event=event).values_list("interest", flat=True)) == ["a", "b", "c"]
    assert selectors.lead_counts(event.pk)["total"] == 3


def test_the_dashboard_rows_have_their_own_schemas_in_the_openapi_document():
    # Found by the fuzzer (issue 11): the dashboard's rows by category and by gate were schemas named
    # LiveCategoryOut and LiveGateOut like the check-in's live counts; the OpenAPI document kept one of each
    # pair, so GET /checkin/counts answered against the dashboard's fields (``rate``, no ``not_arrived``).
    schemas = Client().get("/api/openapi.json").json()["components"]["schemas"]
    assert "rate" in schemas["DashboardCategoryOut"]["properties"]
    assert "not_arrived" in schemas["LiveCategoryOut"]["properties"]
    assert "rate" not in schemas["LiveCategoryOut"]["properties"]
    assert set(schemas["DashboardGateOut"]["properties"]) == {"gate_id", "gate", "checked_in"}
