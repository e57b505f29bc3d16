"""Document pages, downloads and the API: login, status codes, content types, file names (DOC-1..3)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from huodong.core.services import token_create
from huodong.documents.render import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE
from tests.factories import login

from .readers import docx_kv, docx_read, docx_table, pdf_text

pytestmark = pytest.mark.django_db


def download_url(event_id: int, doc: str, fmt: str) -> str:
    return reverse("documents:download", kwargs={"event_id": event_id, "doc": doc, "fmt": fmt})


# ---------------------------------------------------------------- pages
def test_documents_page_lists_three_documents_with_word_pdf_and_print_links(as_organiser, event):
    # REQ: DOC-1
    # REQ: DOC-2
    # REQ: DOC-3
    response = as_organiser.get(reverse("documents:index", kwargs={"event_id": event.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    for slug, title in (
        ("needs-report", "活动需求调研报告"),
        ("plan", "活动策划方案"),
        ("approval-form", "活动策划方案审批表"),
    ):
        assert f"《{title}》" in html
        assert download_url(event.pk, slug, "docx") in html
        assert download_url(event.pk, slug, "pdf") in html
        assert reverse("documents:print", kwargs={"event_id": event.pk, "doc": slug}) in html
    # The event header with its tabs, the documents tab current.
    assert event.name in html
    assert f'href="{reverse("documents:index", kwargs={"event_id": event.pk})}" aria-current="page"' in html


def test_the_event_pages_show_a_documents_tab(as_organiser, event):
    # REQ: DOC-2
    response = as_organiser.get(reverse("events:detail", args=[event.pk]))
    assert reverse("documents:index", kwargs={"event_id": event.pk}) in response.content.decode()


@pytest.mark.parametrize(
    "url_name,kwargs",
    [
        ("documents:index", {}),
        ("documents:download", {"doc": "plan", "fmt": "docx"}),
        ("documents:print", {"doc": "plan"}),
    ],
)
def test_document_pages_need_login(client, event, url_name, kwargs):
    # REQ: DOC-2
    response = client.get(reverse(url_name, kwargs={"event_id": event.pk, **kwargs}))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


@pytest.mark.parametrize(
    ("fmt", "content_type", "ascii_name"),
    [("docx", DOCX_CONTENT_TYPE, "plan-{id}.docx"), ("pdf", PDF_CONTENT_TYPE, "plan-{id}.pdf")],
)
def test_download_sends_the_file_with_its_chinese_file_name(
    as_organiser, records, fmt, content_type, ascii_name
):
    # REQ: DOC-2
    event = records.event
    response = as_organiser.get(download_url(event.pk, "plan", fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="{ascii_name.format(id=event.pk)}"' in disposition
    assert "filename*=UTF-8''" + quote(f"活动策划方案-{event.name}.{fmt}", safe="") in disposition
    assert int(response["Content-Length"]) == len(response.content)
    if fmt == "docx":
        assert docx_kv(docx_read(response.content))["活动名称"] == event.name
    else:
        assert "活动策划方案" in pdf_text(response.content)


def test_any_signed_in_colleague_may_download_the_plan(client, outsider, records):
    # REQ: DOC-2
    login(client, outsider)
    response = client.get(download_url(records.event.pk, "plan", "docx"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("doc", "fmt", "status", "message"),
    [
        ("budget", "docx", 404, "未知文档「budget」"),
        ("plan", "xlsx", 400, "只能是 docx 或 pdf"),
    ],
)
def test_download_of_an_unknown_document_or_format_says_what_is_allowed(
    as_organiser, event, doc, fmt, status, message
):
    # REQ: DOC-2
    response = as_organiser.get(download_url(event.pk, doc, fmt))
    assert response.status_code == status
    assert message in response.content.decode()


def test_download_for_a_missing_event_is_404(as_organiser):
    # REQ: DOC-2
    response = as_organiser.get(download_url(999999, "plan", "docx"))
    assert response.status_code == 404
    assert "活动不存在" in response.content.decode()


def test_download_refuses_an_unknown_language(as_organiser, event):
    # REQ: DOC-2
    response = as_organiser.get(download_url(event.pk, "plan", "docx") + "?lang=fr")
    assert response.status_code == 400
    assert "不支持的语言「fr」" in response.content.decode()


def test_print_view_is_the_print_html_with_a_toolbar(as_organiser, records):
    # REQ: DOC-3
    response = as_organiser.get(
        reverse("documents:print", kwargs={"event_id": records.event.pk, "doc": "approval-form"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-document="approval-form"' in html
    assert "活动策划方案审批表" in html and "孙总(总经理)" in html
    assert 'class="print-toolbar"' in html
    assert download_url(records.event.pk, "approval-form", "pdf") in html


def test_print_view_of_an_unknown_document_is_404(as_organiser, event):
    # REQ: DOC-3
    response = as_organiser.get(reverse("documents:print", kwargs={"event_id": event.pk, "doc": "nope"}))
    assert response.status_code == 404


def test_english_download_uses_english_names_where_the_data_has_them(as_organiser, records):
    # REQ: DOC-2
    response = as_organiser.get(download_url(records.event.pk, "plan", "docx") + "?lang=en")
    assert response.status_code == 200
    document = docx_read(response.content)
    assert document.core_properties.language == "en-US"
    kv = docx_kv(document)
    assert kv  # the document renders in English; the labels come from the .po files later
    assert records.event.event_type.name_en in kv.values()  # "Product launch"
    assert "Sales" in kv.values()
    first_cells = {row.cells[0].text for table in document.tables for row in table.rows}
    assert "Venue rental" in first_cells  # the budget category's English name from the event type


# ---------------------------------------------------------------- API
def test_api_returns_the_file_for_a_token(client, organiser, records):
    # REQ: DOC-3
    _token, secret = token_create(user=organiser)
    response = client.get(
        f"/api/events/{records.event.pk}/documents/approval-form.docx", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert "filename*=UTF-8''" + quote("活动策划方案审批表", safe="") in response["Content-Disposition"]
    rows = docx_table(docx_read(response.content), "审批层级", "审批人")
    assert rows[2][1] == "孙总(总经理)"


def test_api_returns_a_pdf_for_the_browser_session(as_organiser, records):
    # REQ: DOC-1
    response = as_organiser.get(f"/api/events/{records.event.pk}/documents/needs-report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == PDF_CONTENT_TYPE
    assert "活动需求调研报告" in pdf_text(response.content)


def test_api_needs_authentication(client, event):
    # REQ: DOC-2
    response = client.get(f"/api/events/{event.pk}/documents/plan.docx")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/events/{id}/documents/budget.docx", 404, "doc"),
        ("/api/events/{id}/documents/plan.xls", 400, "format"),
        ("/api/events/999999/documents/plan.docx", 404, "event_id"),
        ("/api/events/{id}/documents/plan.docx?lang=fr", 400, "lang"),
    ],
)
def test_api_errors_name_the_field_and_what_is_allowed(as_organiser, event, path, status, field):
    # REQ: DOC-2
    response = as_organiser.get(path.format(id=event.pk))
    assert response.status_code == status
    body = response.json()
    assert field in body["errors"]
    assert body["message"]


def test_the_documents_route_is_in_the_openapi_document_as_a_binary_file(client):
    # REQ: DOC-2
    paths = client.get("/api/openapi.json").json()["paths"]
    responses = paths["/api/events/{event_id}/documents/{doc}.{fmt}"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE}


def test_file_names_replace_characters_a_file_system_refuses(as_organiser, event):
    # REQ: DOC-1
    event.name = '发布会/上海:2027 "春"'
    event.save()
    response = as_organiser.get(download_url(event.pk, "needs-report", "docx"))
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" + quote("活动需求调研报告-发布会_上海_2027 _春.docx", safe="") in disposition
    assert f'filename="needs-report-{event.pk}.docx"' in disposition


@pytest.mark.django_db
def test_staff_outside_the_team_cannot_read_the_approval_form_but_can_read_the_plan(
    client, records, checkin_staff
):
    # REQ: DOC-3
    event = records.event
    login(client, checkin_staff)
    assert client.get(f"/events/{event.pk}/documents/approval-form.docx").status_code == 403
    assert client.get(f"/events/{event.pk}/documents/approval-form/print/").status_code == 403
    assert client.get(f"/events/{event.pk}/documents/plan.docx").status_code == 200
    index = client.get(f"/events/{event.pk}/documents/").content.decode()
    assert "approval-form.docx" not in index and "plan.docx" in index


@pytest.mark.django_db
def test_a_reviewer_can_read_the_approval_form(client, records, reviewer_finance):
    # REQ: DOC-3
    login(client, reviewer_finance)
    assert client.get(f"/events/{records.event.pk}/documents/approval-form.docx").status_code == 200
