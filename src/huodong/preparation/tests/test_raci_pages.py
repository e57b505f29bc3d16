"""The RACI matrix page, edited a row at a time, and its Excel export (TM-1)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from huodong.preparation.excel_raci import raci_workbook
from huodong.preparation.models import Task, TaskAssignment
from huodong.preparation.services.team import member_add
from tests.factories import login

from .test_team_fixtures import *  # noqa: F403  (the fixtures: prep_event, staff, engineer)
from .test_team_fixtures import task_with_raci

pytestmark = pytest.mark.django_db


def url(event, tail: str = "") -> str:
    return f"/events/{event.pk}/preparation/{tail}"


@pytest.fixture
def matrix(prep_event, organiser, staff, engineer):
    member_add(actor=organiser, event=prep_event, person=organiser, is_leader=True)
    member_add(actor=organiser, event=prep_event, person=staff)
    good = task_with_raci(prep_event, "媒体邀约", {organiser: "A", staff: "R", engineer: "I"})
    bad = task_with_raci(prep_event, "=海报设计", {staff: "R"})
    return good, bad


def test_the_matrix_shows_tasks_by_people_with_their_letters(
    client, prep_event, organiser, staff, engineer, matrix
):
    # REQ: TM-1 — tasks × people (team and anyone assigned), letters in the cells
    good, bad = matrix
    login(client, staff)
    html = client.get(url(prep_event, "raci/")).content.decode()
    for person in (organiser, staff, engineer):
        assert f'<th scope="col" id="pc{person.pk}">{person.name}</th>' in html
    assert '<td class="raci-A">A</td>' in html and '<td class="raci-I">I</td>' in html
    assert "没有 A" in html and "raci-bad" in html
    assert 'id="raci-f-' not in html and "<select" not in html  # a team member reads; editors edit
    login(client, organiser)
    html = client.get(url(prep_event, "raci/")).content.decode()
    assert (
        f'<select name="p{engineer.pk}" form="raci-f-{good.pk}" aria-labelledby="rt{good.pk} pc{engineer.pk}">'
        in html
    )
    assert "<option selected>A</option>" in html and f'id="raci-f-{good.pk}"' in html


def test_a_row_is_saved_in_place_with_htmx(client, prep_event, organiser, staff, engineer, matrix):
    # REQ: TM-1
    good, bad = matrix
    login(client, organiser)
    resp = client.post(
        url(prep_event, f"raci/{bad.pk}/"),
        {"revision": 1, f"p{organiser.pk}": "A", f"p{staff.pk}": "R", f"p{engineer.pk}": "C"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.lstrip().startswith(f'<tr id="raci-row-{bad.pk}"') and "raci-saved" in html
    assert 'name="revision" value="2"' in html
    letters = dict(TaskAssignment.objects.filter(task=bad).values_list("person_id", "role"))
    assert letters == {organiser.pk: "A", staff.pk: "R", engineer.pk: "C"}


@pytest.mark.parametrize(
    ("letters", "reason"),
    [
        (lambda o, s, e: {o: "A", s: "A"}, "只能有一个"),
        (lambda o, s, e: {s: "R"}, "没有 A"),
        (lambda o, s, e: {o: "A", s: "C"}, "没有 R"),
        (lambda o, s, e: {o: "A", s: "R", e: "Z"}, "只能是"),
    ],
)
def test_a_bad_row_is_refused_with_the_reason_and_kept_as_typed(
    client, prep_event, organiser, staff, engineer, matrix, letters, reason
):
    # REQ: TM-1 — two As, no A, no R, a wrong letter: refused, nothing written
    good, _bad = matrix
    login(client, organiser)
    data = {"revision": 1, **{f"p{k}": v for k, v in letters(organiser.pk, staff.pk, engineer.pk).items()}}
    resp = client.post(url(prep_event, f"raci/{good.pk}/"), data, HTTP_HX_REQUEST="true")
    assert resp.status_code == 400
    assert reason in resp.content.decode()
    assert dict(TaskAssignment.objects.filter(task=good).values_list("person_id", "role")) == {
        organiser.pk: "A",
        staff.pk: "R",
        engineer.pk: "I",
    }
    assert Task.objects.get(pk=good.pk).revision == 1


def test_a_row_works_without_javascript_and_a_stale_row_is_409(
    client, prep_event, organiser, staff, engineer, matrix
):
    # REQ: TM-1
    good, _bad = matrix
    login(client, organiser)
    resp = client.post(
        url(prep_event, f"raci/{good.pk}/"), {"revision": 1, f"p{staff.pk}": "A", f"p{organiser.pk}": "R"}
    )
    assert resp.status_code == 302 and resp["Location"].endswith(f"#raci-row-{good.pk}")
    resp = client.post(
        url(prep_event, f"raci/{good.pk}/"), {"revision": 1, f"p{organiser.pk}": "A", f"p{staff.pk}": "R"}
    )
    assert resp.status_code == 409 and "已被" in resp.content.decode()
    resp = client.post(url(prep_event, f"raci/{good.pk}/"), {"revision": 2, f"p{organiser.pk}": "A"})
    assert resp.status_code == 400 and "没有 R" in resp.content.decode() and "<html" in resp.content.decode()
    resp = client.post(url(prep_event, f"raci/{good.pk}/"), {f"p{organiser.pk}": "A", f"p{staff.pk}": "R"})
    assert resp.status_code == 400 and "修订号" in resp.content.decode()


def test_only_editors_save_rows(client, prep_event, staff, organiser, matrix):
    # REQ: TM-1
    good, _bad = matrix
    login(client, staff)
    resp = client.post(
        url(prep_event, f"raci/{good.pk}/"), {"revision": 1, f"p{staff.pk}": "A", f"p{organiser.pk}": "R"}
    )
    assert resp.status_code == 403


def test_the_excel_export_reads_back(client, prep_event, organiser, staff, engineer, matrix):
    # REQ: TM-1 — the RACI matrix exported to Excel (one sheet, Chinese headers)
    good, bad = matrix
    login(client, staff)
    resp = client.get(url(prep_event, "raci.xlsx"))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["RACI"]
    rows = list(wb["RACI"].iter_rows(values_only=True))
    header = rows[1]
    assert header[:4] == ("任务", "所在组", "截止时间", "状态") and header[-1] == "问题"
    people = list(header[4:-1])
    assert people[:2] == [organiser.name, staff.name] and engineer.name in people
    by_title = {r[0]: r for r in rows[2:] if r and r[0]}
    media = by_title["媒体邀约"]
    assert media[4 + people.index(organiser.name)] == "A"
    assert media[4 + people.index(engineer.name)] == "I"
    assert media[-1] in (None, "")
    assert "没有 A" in by_title["'=海报设计"][-1]  # a formula-like title is kept as text
    assert raci_workbook(prep_event)[:2] == b"PK"
