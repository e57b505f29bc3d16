"""Regressions found using the check-in pages as their personas do (issue 10 QA):

- the tab 签到 links only to the pages its reader may open (gate staff are not sent to the supervisor's
  live page, a team member without check-in rights to neither scanner nor walk-in);
- a gate row saved by someone else first (409) offers their revision, so that saving again works;
- gates are named in the reader's language on the tab and in the gate pickers (Gate A, not 入口 A);
- the staff roster says "未到" (not arrived), not the guest status 未到场 ("No-show");
- at the desk, the guest just checked in can have their badge printed (scanner and walk-in), and the
  walk-in's kit starts ticked as on the scanner.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from huodong.checkin.models import Gate
from huodong.checkin.services import setup as services
from huodong.checkin.services.redeem import settings_for
from huodong.events.access import Need, event_access
from huodong.outreach.models import Guest, GuestStatus
from tests.factories import demo_person, login
from tests.test_english_pages import english

from .support import door_event, gate, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    return door_event(organiser, 2)


def _url(event, name="checkin:setup", **kw):
    return reverse(name, kwargs={"event_id": event.pk, **kw})


def _links(page) -> str:
    text = page.content.decode()
    start = text.index('data-testid="checkin-summary"')
    return text[start : text.index("</section>", start)]


# ---------------------------------------------------------------- links that open
def test_the_tab_links_only_to_pages_its_reader_may_open(client, organiser, checkin_staff, event):
    # REQ: EX-2 — gate staff see the scanner, walk-in, badges and sheet, not the supervisor's live page.
    staff(event, checkin_staff, gate_name="入口 A")
    login(client, checkin_staff)
    links = _links(client.get(_url(event)))
    assert _url(event, "checkin:scanner") in links and _url(event, "checkin:walkin") in links
    assert _url(event, "checkin:badges") in links and _url(event, "checkin:sheet") in links
    assert _url(event, "checkin:live") not in links
    assert client.get(_url(event, "checkin:live")).status_code == 403  # why the link must not be there
    # A supervisor, and the organiser, see the live page too.
    supervisor = demo_person("staff")
    staff(event, supervisor, supervisor=True)
    login(client, supervisor)
    assert _url(event, "checkin:live") in _links(client.get(_url(event)))
    login(client, organiser)
    assert _url(event, "checkin:live") in _links(client.get(_url(event)))


def test_a_reader_without_check_in_rights_gets_no_check_in_links(client, outsider, event):
    # REQ: EX-2 — any colleague may read the tab; only check-in people get the links.
    access = event_access(outsider, event)
    assert access.can(Need.VIEW) and not access.can(Need.CHECKIN)
    login(client, outsider)
    page = client.get(_url(event))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("checkin:scanner", "checkin:walkin", "checkin:badges", "checkin:sheet", "checkin:live"):
        assert _url(event, name) not in text, name


# ---------------------------------------------------------------- a stale gate row
def test_a_gate_row_saved_first_by_someone_else_can_be_saved_again(client, organiser, event):
    # REQ: EX-2 — 409 with the other person's revision offered, not the same 409 for ever.
    login(client, organiser)
    a = gate(event, "入口 A")
    p = f"g{a.pk}-"
    mine = {p + "revision": a.revision, p + "name": "入口 A", p + "name_en": "Gate A (mine)", p + "position": "1",
            p + "is_active": "on"}  # fmt: skip
    services.gate_update(
        actor=organiser, event=event, gate_id=a.pk, seen=a.revision, name_en="Gate A (theirs)"
    )
    a.refresh_from_db()
    stale = client.post(_url(event, "checkin:gate_save", gate_id=a.pk), mine)
    assert stale.status_code == 409
    text = stale.content.decode()
    assert f'name="{p}revision" value="{a.revision}"' in text
    assert 'value="Gate A (mine)"' in text  # what they typed is kept
    again = dict(mine, **{p + "revision": a.revision})
    assert client.post(_url(event, "checkin:gate_save", gate_id=a.pk), again).status_code == 302
    a.refresh_from_db()
    assert a.name_en == "Gate A (mine)"


# ---------------------------------------------------------------- gates and roster in English
def test_gates_are_named_in_english_on_the_tab_and_in_the_pickers(client, organiser, checkin_staff, event):
    # REQ: EX-2
    staff(event, checkin_staff, gate_name="入口 B")
    login(english(client), organiser)
    page = client.get(_url(event)).content.decode()
    staff_table = page[page.index('data-testid="staff-row"') :]
    staff_table = staff_table[: staff_table.index("</tr>")]
    assert "Gate B" in staff_table and "入口 B" not in staff_table
    picker = page[page.index('name="gate"', page.index('data-testid="staff-add-form"')) :]
    picker = picker[: picker.index("</select>")]
    assert ">Gate A</option>" in picker and "入口" not in picker
    walkin = client.get(_url(event, "checkin:walkin")).content.decode()
    picker = walkin[walkin.index('name="gate"') :]
    picker = picker[: picker.index("</select>")]
    assert ">Gate A</option>" in picker and ">Gate B</option>" in picker and "入口" not in picker
    # In Chinese, the Chinese names.
    client.cookies.pop("django_language")
    walkin = client.get(_url(event, "checkin:walkin")).content.decode()
    assert ">入口 A</option>" in walkin


def test_the_staff_roster_says_not_arrived_not_no_show(client, organiser, checkin_staff, event):
    # REQ: EX-3 — 未到场 is the guest status "No-show"; a staff member not there yet is "未到".
    staff(event, checkin_staff, gate_name="入口 A")
    login(client, organiser)
    page = client.get(_url(event)).content.decode()
    roster = page[page.index('data-testid="roster"') : page.index('id="gates"')]
    assert '<span class="tag">未到</span>' in roster and ">未到场<" not in roster
    login(english(client), organiser)
    roster = client.get(_url(event)).content.decode()
    roster = roster[roster.index('data-testid="roster"') : roster.index('id="gates"')]
    assert "No-show" not in roster


# ---------------------------------------------------------------- badges at the desk
def test_the_scanner_knows_where_to_print_the_badge(client, organiser, event):
    # REQ: EX-2 — issue 10 point 5: a badge printed one at a time at the desk on check-in.
    login(client, organiser)
    text = client.get(_url(event, "checkin:scanner")).content.decode()
    config = json.loads(html.unescape(re.search(r'data-config="([^"]*)"', text).group(1)))
    strings = json.loads(html.unescape(re.search(r'data-strings="([^"]*)"', text).group(1)))
    assert config["badge_url"] == _url(event, "checkin:badges")
    assert strings["print_badge"] == "打印胸牌"


WALKIN = {"phone": "13911112222", "name": "现场嘉宾", "category": "customer", "consent_operation": "on"}


def test_a_walk_in_offers_the_guest_badge_and_starts_with_the_kit_ticked(client, organiser, event):
    # REQ: EX-2
    login(client, organiser)
    form = client.get(_url(event, "checkin:walkin")).content.decode()
    for code in [k["code"] for k in settings_for(event).kit]:
        assert f'value="{code}"' in form
        assert re.search(rf'<input type="checkbox" name="kit" value="{code}"[^>]*checked', form), code
    a = gate(event, "入口 A")
    done = client.post(_url(event, "checkin:walkin"), {**WALKIN, "gate": a.pk})
    assert done.status_code == 302
    guest = Guest.objects.get(event=event, phone="+8613911112222")
    assert guest.status == GuestStatus.CHECKED_IN
    assert done["Location"] == f"{_url(event, 'checkin:walkin')}?gate={a.pk}&badge={guest.pk}"
    page = client.get(done["Location"]).content.decode()
    badge = f"{_url(event, 'checkin:badges')}?layout=label&amp;guest={guest.pk}"
    assert 'data-testid="print-badge"' in page and badge in page and "现场嘉宾" in page
    assert client.get(badge.replace("&amp;", "&")).status_code == 200
    # The same guest again (a duplicate): the badge is offered again (a lost badge).
    again = client.post(_url(event, "checkin:walkin"), WALKIN)
    assert again.status_code == 302 and f"badge={guest.pk}" in again["Location"]


def test_a_walk_in_badge_link_ignores_what_is_not_a_guest_of_the_event(client, organiser, event):
    # REQ: EX-2 — ?badge= of another event, unknown or not a number: the page, without a link; no 500.
    other = door_event(organiser, 1, name="另一场")
    outsider = Guest.objects.filter(event=other).first()
    login(client, organiser)
    for value in ("abc", "-1", "99999999", str(outsider.pk), "", "1e3", "٣"):
        page = client.get(_url(event, "checkin:walkin"), {"badge": value})
        assert page.status_code == 200, value
        assert 'data-testid="print-badge"' not in page.content.decode(), value


def test_a_refused_walk_in_offers_no_badge(client, organiser, event):
    # REQ: EX-2 — without the operation consent nothing is written and no badge is offered.
    login(client, organiser)
    refused = client.post(_url(event, "checkin:walkin") + "?badge=1", {**WALKIN, "consent_operation": ""})
    assert refused.status_code == 400
    assert 'data-testid="print-badge"' not in refused.content.decode()
    assert not Guest.objects.filter(event=event, phone="+8613911112222").exists()
    assert Gate.objects.filter(event=event).count() == 2
