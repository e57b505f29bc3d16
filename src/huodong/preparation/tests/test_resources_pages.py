"""The pages of internal resources (IR-1): the event's tab and the department's inbox.

Every form with valid and invalid data (invalid: 400, the field named, nothing written); a stale edit is a
409 with "已被某某修改"; only the department's people may answer (others 403); a decline without a comment
is refused; a pending request near its time is shown in red.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huodong.core.models import Department, Role
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import ResourceRequest
from tests.factories import login, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep_event(organiser):
    return make_event(organiser, step=Step.RESOURCES)


@pytest.fixture
def tech_li(db):
    return person("tech_li", Role.STAFF, "tech", "网络工程师", "李工")


def _row(event, **kw):
    data = {
        "event": event,
        "department": Department.objects.get(code="tech"),
        "what": "现场网络保障",
        "needed_at": event.starts_at - dt.timedelta(hours=4),
        "contact": event.owner,
        "requested_by": event.owner,
    }
    data.update(kw)
    return ResourceRequest.objects.create(**data)


def _url(event, name="resources", **kw):
    return reverse(f"preparation:{name}", kwargs={"event_id": event.pk, **kw})


def _post_data(**overrides):
    data = {
        "department": str(Department.objects.get(code="tech").pk),
        "what": "现场网络保障:100 人同时上网",
        "needed_at": "2027-03-18 09:00",
        "contact": "",
    }
    data.update(overrides)
    return data


def test_the_tab_lists_the_requests(client, prep_event, organiser):
    _row(prep_event)
    login(client, organiser)
    resp = client.get(_url(prep_event))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "内部资源" in html and "现场网络保障" in html and "技术部" in html
    assert 'data-testid="request-form"' in html


def test_a_request_is_added_through_the_form(client, prep_event, organiser, tech_li):
    # REQ: IR-1
    login(client, organiser)
    resp = client.post(_url(prep_event, "resource_add"), _post_data(contact=str(organiser.pk)))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    row = ResourceRequest.objects.get()
    assert timezone.localtime(row.needed_at, prep_event.tz).strftime("%H:%M") == "09:00"  # the event's zone
    assert row.contact == organiser and row.status == "pending"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("department", "999999", "该部门不存在或已停用"),
        ("department", "", "请选择协作部门"),
        ("what", "", "需要什么"),
        ("needed_at", "2027-03-19 09:00", "不能晚于活动结束"),
        ("needed_at", "昨天", "请输入日期和时间"),
        ("contact", "", "请指定我方联系人"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(client, prep_event, organiser, field, value, words):
    # REQ: IR-1
    login(client, organiser)
    data = _post_data(contact=str(organiser.pk))
    data[field] = value
    resp = client.post(_url(prep_event, "resource_add"), data)
    html = resp.content.decode()
    assert resp.status_code == 400
    assert words in html and f'id="id_{field}_error"' in html
    assert not ResourceRequest.objects.exists()


def test_an_inactive_department_is_refused_by_the_form(client, prep_event, organiser):
    # REQ: IR-1
    tech = Department.objects.get(code="tech")
    Department.objects.filter(pk=tech.pk).update(is_active=False)
    login(client, organiser)
    resp = client.post(
        _url(prep_event, "resource_add"), _post_data(department=str(tech.pk), contact=str(organiser.pk))
    )
    assert resp.status_code == 400 and "该部门不存在或已停用" in resp.content.decode()


def test_the_edit_form_saves_and_a_stale_one_is_409(client, prep_event, organiser):
    row = _row(prep_event)
    login(client, organiser)
    url = _url(prep_event, "resource_edit", request_id=row.pk)
    assert client.get(url).status_code == 200
    data = _post_data(contact=str(organiser.pk), what="网络与备用 4G", revision=str(row.revision))
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.what == "网络与备用 4G" and row.revision == 2
    data["what"] = "用旧修订号提交"
    resp = client.post(url, data)
    assert resp.status_code == 409 and "已被" in resp.content.decode()
    row.refresh_from_db()
    assert row.what == "网络与备用 4G"


def test_the_edit_form_refuses_bad_input(client, prep_event, organiser):
    row = _row(prep_event)
    login(client, organiser)
    url = _url(prep_event, "resource_edit", request_id=row.pk)
    resp = client.post(
        url, _post_data(contact=str(organiser.pk), needed_at="2027-03-20 09:00", revision=str(row.revision))
    )
    assert resp.status_code == 400 and "不能晚于活动结束" in resp.content.decode()
    resp = client.post(url, _post_data(contact=str(organiser.pk)))  # no revision
    assert resp.status_code == 400 and "修订号" in resp.content.decode()
    row.refresh_from_db()
    assert row.revision == 1


def test_cancel_through_the_page(client, prep_event, organiser):
    row = _row(prep_event)
    login(client, organiser)
    resp = client.post(
        _url(prep_event, "resource_cancel", request_id=row.pk), {"revision": str(row.revision)}
    )
    assert resp.status_code == 302
    assert ResourceRequest.objects.get(pk=row.pk).status == "cancelled"
    resp = client.post(_url(prep_event, "resource_cancel", request_id=row.pk), {"revision": "1"}, follow=True)
    assert "已被" in resp.content.decode()  # stale: said as a message, nothing written


def test_people_off_the_team_read_but_cannot_write(client, prep_event, reviewer_sales):
    login(client, reviewer_sales)
    assert client.get(_url(prep_event)).status_code == 200
    assert 'data-testid="request-form"' not in client.get(_url(prep_event)).content.decode()
    assert client.post(_url(prep_event, "resource_add"), _post_data()).status_code == 403


def test_a_near_pending_request_is_shown_in_red(client, organiser, tech_li):
    # REQ: IR-1
    soon = timezone.now() + dt.timedelta(days=2)
    event = make_event(organiser, step=Step.RESOURCES, starts=soon)
    near = _row(event, needed_at=soon - dt.timedelta(hours=1))
    far = _row(event, needed_at=soon - dt.timedelta(hours=1), what="已确认的", status="confirmed")
    login(client, organiser)
    html = client.get(_url(event)).content.decode()
    assert f'data-request="{near.pk}" data-status="pending" class="flagged" data-flagged="1"' in html
    assert f'data-request="{far.pk}" data-status="confirmed">' in html
    assert "临近仍未确认" in html and 'data-testid="flagged-note"' in html
    login(client, tech_li)
    html = client.get(reverse("preparation:requests_inbox")).content.decode()
    assert f'data-request="{near.pk}" data-flagged="1"' in html


# ---------------------------------------------------------------- the inbox
def test_the_inbox_shows_the_departments_requests_only(client, prep_event, tech_li):
    mine = _row(prep_event)
    other = _row(prep_event, department=Department.objects.get(code="product"), what="演示资料")
    login(client, tech_li)
    html = client.get(reverse("preparation:requests_inbox")).content.decode()
    assert f'id="request-{mine.pk}"' in html and f'id="request-{other.pk}"' not in html
    assert "演示资料" not in html


def test_a_department_person_confirms_from_the_inbox(client, prep_event, tech_li, organiser):
    # REQ: IR-1
    row = _row(prep_event)
    login(client, tech_li)
    resp = client.post(
        reverse("preparation:request_answer", args=[row.pk]),
        {"decision": "confirm", "comment": "已安排 2 名工程师", "revision": str(row.revision)},
    )
    assert resp.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.responder, row.response) == ("confirmed", tech_li, "已安排 2 名工程师")


def test_a_decline_without_a_comment_is_refused_on_the_page(client, prep_event, tech_li):
    # REQ: IR-1
    row = _row(prep_event)
    login(client, tech_li)
    resp = client.post(
        reverse("preparation:request_answer", args=[row.pk]),
        {"decision": "decline", "revision": str(row.revision)},
    )
    html = resp.content.decode()
    assert resp.status_code == 400 and "拒绝时须填写答复意见" in html
    assert ResourceRequest.objects.get(pk=row.pk).status == "pending"


@pytest.mark.parametrize("data", [{"decision": "maybe", "revision": "1"}, {"decision": "confirm"}])
def test_a_bad_answer_form_is_refused(client, prep_event, tech_li, data):
    row = _row(prep_event)
    login(client, tech_li)
    resp = client.post(reverse("preparation:request_answer", args=[row.pk]), data)
    assert resp.status_code == 400
    assert ResourceRequest.objects.get(pk=row.pk).status == "pending"


def test_a_stale_answer_is_409(client, prep_event, tech_li):
    row = _row(prep_event)
    ResourceRequest.objects.filter(pk=row.pk).update(revision=2)
    login(client, tech_li)
    resp = client.post(
        reverse("preparation:request_answer", args=[row.pk]), {"decision": "confirm", "revision": "1"}
    )
    assert resp.status_code == 409 and "已被" in resp.content.decode()


@pytest.mark.parametrize("who", ["reviewer_sales", "organiser", "admin_user"])
def test_others_may_not_answer(client, prep_event, who, request):
    # REQ: IR-1
    row = _row(prep_event, department=Department.objects.get(code="product"))
    login(client, request.getfixturevalue(who))
    resp = client.post(
        reverse("preparation:request_answer", args=[row.pk]), {"decision": "confirm", "revision": "1"}
    )
    assert resp.status_code == 403 and "产品部" in resp.content.decode()
    assert ResourceRequest.objects.get(pk=row.pk).status == "pending"


def test_an_unknown_request_is_404(client, tech_li):
    login(client, tech_li)
    assert (
        client.post(reverse("preparation:request_answer", args=[999999]), {"decision": "confirm"}).status_code
        == 404
    )


def test_the_pages_in_english(client, prep_event, organiser):
    _row(prep_event)
    login(client, organiser)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(_url(prep_event)).content.decode()
    assert "Technology" in html


def test_the_navigation_leads_a_department_to_its_requests_with_the_pending_count(
    client, prep_event, tech_li, organiser
):
    # REQ: IR-1 — the department's people find the requests waiting for them from any page
    login(client, tech_li)
    assert 'data-testid="nav-requests"' not in client.get(reverse("events:list")).content.decode()
    _row(prep_event)
    _row(prep_event, what="签到区无线网络")
    html = client.get(reverse("events:list")).content.decode()
    link = html[html.index('data-testid="nav-requests"') :]
    assert link[: link.index("</a>")].endswith('<span class="badge">2</span>')
    login(client, organiser)  # another department: no link
    assert 'data-testid="nav-requests"' not in client.get(reverse("events:list")).content.decode()
