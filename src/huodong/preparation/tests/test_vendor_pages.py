"""The event's vendor pages (VD-1, VD-2): each form with valid and invalid data (invalid: 400 with the field
named, nothing written), a stale save 409, who sees what."""

# ruff: noqa: F811  (the fixtures of test_vendor_setup are imported by name, and named by the tests)

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.preparation.models import Contract, Quote, QuoteAttachment, VendorNeed, VendorRating
from huodong.preparation.services import vendors as services
from tests.factories import login

from .test_vendor_setup import (  # noqa: F401  (fixtures)
    PNG,
    add_quote,
    line,
    media_root,
    need,
    pdf,
    prep_event,
    three_quotes,
    vendors,
)

pytestmark = pytest.mark.django_db


def url(name: str, event, **kw) -> str:
    return reverse(f"preparation:{name}", kwargs={"event_id": event.pk, **kw})


@pytest.fixture
def as_owner(client, organiser):
    return login(client, organiser)


def _chosen(organiser, event, need, vendors) -> VendorNeed:
    quotes = three_quotes(organiser, event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[2].pk,
        reason="综合最优",
    )
    need.refresh_from_db()
    return need


# ---------------------------------------------------------------- the needs page
def test_the_vendors_tab_lists_needs_with_quote_counts_and_flags(
    as_owner, prep_event, organiser, need, vendors
):
    # REQ: VD-1
    add_quote(organiser, prep_event, need, vendors[1], "100")
    page = as_owner.get(url("vendor_needs", prep_event))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<a href="{url("vendor_needs", prep_event)}" aria-current="page">供应商</a>' in html
    assert "主舞台与 LED 屏搭建" in html and "1 / 3 家" in html and "报价不足" in html
    assert 'data-testid="expired">已过期</span> 华彩搭建' in html
    assert "添加采购需求" in html


def test_the_needs_page_shows_planned_vs_committed_and_flags_an_overcommitted_line(
    as_owner, prep_event, organiser, approver_gm, need, vendors
):
    # REQ: VD-1 — committed vs planned flag
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[0].pk,
        reason="口碑",
    )
    html = as_owner.get(url("vendor_needs", prep_event)).content.decode()
    assert (
        "160,000.00" in html and "150,000.00" in html and "在预算内" in html and "over-committed" not in html
    )
    Quote.objects.filter(pk=quotes[0].pk).update(amount=Decimal("170000"))
    html = as_owner.get(url("vendor_needs", prep_event)).content.decode()
    assert 'data-testid="over-committed">超出预算' in html


def test_a_colleague_sees_the_needs_read_only(client, outsider, prep_event, need):
    # REQ: VD-1
    login(client, outsider)
    html = client.get(url("vendor_needs", prep_event)).content.decode()
    assert "vendors-readonly" in html and "添加采购需求" not in html
    assert (
        client.post(url("vendor_need_add", prep_event), {"n-title": "x", "n-category": "av"}).status_code
        == 403
    )


def test_adding_a_need_valid_and_invalid(as_owner, prep_event, organiser):
    # REQ: VD-1 — the budget line's choices are the event's plan budget lines; needed by not after the event
    form_page = as_owner.get(url("vendor_needs", prep_event)).content.decode()
    assert "场地租赁 · 主会场" in form_page
    bad = as_owner.post(url("vendor_need_add", prep_event), {"n-title": "", "n-category": "stage"})
    assert bad.status_code == 400 and 'id="id_n-title_error"' in bad.content.decode()
    bad = as_owner.post(
        url("vendor_need_add", prep_event),
        {"n-title": "舞台", "n-category": "stage", "n-needed_by": "2027-03-20"},
    )
    assert bad.status_code == 400 and "需交付日期不能晚于活动日期" in bad.content.decode()
    assert not VendorNeed.objects.exists()
    venue = line(prep_event, "主会场")
    ok = as_owner.post(
        url("vendor_need_add", prep_event),
        {"n-title": "主会场租赁", "n-category": "venue", "n-budget_line": venue.pk, "n-owner": organiser.pk},
    )
    need = VendorNeed.objects.get()
    assert ok.status_code == 302 and ok["Location"] == url("vendor_need", prep_event, need_id=need.pk)
    assert need.budget_line == venue and need.owner == organiser


def test_editing_and_cancelling_a_need(as_owner, prep_event, need):
    # REQ: VD-1
    edit = url("vendor_need_edit", prep_event, need_id=need.pk)
    data = {"title": "主舞台", "category": "stage", "revision": need.revision}
    assert as_owner.post(edit, {**data, "category": "x"}).status_code == 400
    assert as_owner.post(edit, data).status_code == 302
    stale = as_owner.post(edit, {**data, "title": "旧标题"})
    assert stale.status_code == 409 and "已被" in stale.content.decode()
    need.refresh_from_db()
    assert need.title == "主舞台"
    cancel = url("vendor_need_cancel", prep_event, need_id=need.pk)
    as_owner.post(cancel, {"revision": "1"})
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.QUOTING
    assert as_owner.post(cancel, {"revision": need.revision}).status_code == 302
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CANCELLED


# ---------------------------------------------------------------- quotes
def test_adding_a_quote_with_an_attachment_valid_and_invalid(as_owner, prep_event, need, vendors):
    # REQ: VD-1 — amount ≥ 0; negative or non-numeric refused; attachments checked
    add = url("quote_add", prep_event, need_id=need.pk)
    bad = as_owner.post(
        add, {"qt-vendor": vendors[0].pk, "qt-amount": "-100", "qt-qualification_score": "150"}
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and "报价金额不能为负数" in html and "资质得分须为 0 到 100 的整数" in html
    bad = as_owner.post(add, {"qt-vendor": vendors[0].pk, "qt-amount": "abc"})
    assert bad.status_code == 400 and "报价金额须为数字" in bad.content.decode()
    bad = as_owner.post(
        add, {"qt-vendor": vendors[0].pk, "qt-amount": "100", "qt-file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert bad.status_code == 400 and "不允许上传" in bad.content.decode()
    assert not Quote.objects.exists()
    ok = as_owner.post(
        add,
        {
            "qt-vendor": vendors[0].pk,
            "qt-amount": "128,000.50",
            "qt-includes": "搭建、拆除",
            "qt-delivery_on": "2027-03-17",
            "qt-cases_score": "80",
            "qt-file": pdf(),
        },
    )
    assert ok.status_code == 302
    quote = Quote.objects.get()
    assert quote.amount == Decimal("128000.50") and quote.cases_score == 80 and quote.attachments.count() == 1
    page = as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    assert "128,000.50" in page and "quote.pdf" in page


def test_editing_and_deleting_a_quote(as_owner, prep_event, organiser, need, vendors):
    # REQ: VD-1
    quote = add_quote(organiser, prep_event, need, vendors[0], "100")
    page = as_owner.get(url("vendor_need", prep_event, need_id=need.pk) + f"?edit=quote-{quote.pk}")
    assert 'id="edit_amount"' in page.content.decode()
    edit = url("quote_edit", prep_event, quote_id=quote.pk)
    data = {"vendor": vendors[0].pk, "amount": "200", "revision": quote.revision}
    assert as_owner.post(edit, {**data, "amount": "-1"}).status_code == 400
    assert as_owner.post(edit, data).status_code == 302
    assert as_owner.post(edit, {**data, "amount": "300"}).status_code == 409
    quote.refresh_from_db()
    assert quote.amount == Decimal("200.00")
    assert as_owner.post(url("quote_edit", prep_event, quote_id=999999), data).status_code == 404
    delete = url("quote_delete", prep_event, quote_id=quote.pk)
    as_owner.post(delete, {"revision": "1"})
    assert Quote.objects.exists()
    assert as_owner.post(delete, {"revision": quote.revision}).status_code == 302
    assert not Quote.objects.exists()


def test_quote_attachments_upload_download_and_delete(
    as_owner, client, prep_event, organiser, outsider, need, vendors
):
    # REQ: VD-1
    quote = add_quote(organiser, prep_event, need, vendors[0], "100")
    add = url("quote_attachment_add", prep_event, quote_id=quote.pk)
    bad = as_owner.post(add, {"att-file": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert bad.status_code == 400 and "扩展名与内容不符" in bad.content.decode()
    assert as_owner.post(add, {"att-file": pdf("offer.pdf")}).status_code == 302
    att = QuoteAttachment.objects.get()
    download = as_owner.get(url("quote_attachment_download", prep_event, quote_attachment_id=att.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    delete = url("quote_attachment_delete", prep_event, quote_attachment_id=att.pk)
    assert as_owner.post(delete, {"revision": att.revision}).status_code == 302
    assert not QuoteAttachment.objects.exists()


def test_no_quote_form_once_the_need_is_chosen_and_a_post_is_refused(
    as_owner, prep_event, organiser, need, vendors
):
    # REQ: VD-1 — no quote after the need is closed, with a clear refusal
    _chosen(organiser, prep_event, need, vendors)
    assert (
        'data-testid="quote-add"'
        not in as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    )
    extra = services.vendor_add(actor=organiser, name="迟到供应商", categories=["stage"])
    refused = as_owner.post(
        url("quote_add", prep_event, need_id=need.pk), {"qt-vendor": extra.pk, "qt-amount": "1"}
    )
    assert refused.status_code == 400 and "已选定,不能再添加报价" in refused.content.decode()
    assert Quote.objects.count() == 3


# ---------------------------------------------------------------- comparison, choice, exception
def test_the_comparison_page_ranks_by_weighted_score_and_flags_expired_qualifications(
    as_owner, prep_event, organiser, need, vendors
):
    # REQ: VD-1 — weighted scoring, ranked; expired qualifications flagged
    three_quotes(organiser, prep_event, need, vendors)
    page = as_owner.get(url("vendor_comparison", prep_event, need_id=need.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("东方演艺工程") < html.index("华彩搭建") < html.index("星光舞美")
    assert (
        "<strong>83.00</strong>" in html
        and "<strong>78.33</strong>" in html
        and "<strong>75.67</strong>" in html
    )
    assert 'data-testid="expired">已过期</span> 舞台搭建资质证书' in html
    assert "资质 25%、价格 40%、案例 20%、交付 15%" in html


def test_choosing_on_the_page_valid_and_invalid(as_owner, prep_event, organiser, need, vendors):
    # REQ: VD-1 — a reason is required; fewer than 3 quotes refused
    quotes = [add_quote(organiser, prep_event, need, v, "100") for v in vendors[:2]]
    choose = url("vendor_choose", prep_event, need_id=need.pk)
    few = as_owner.post(
        choose, {"ch-quote": quotes[0].pk, "ch-reason": "价格低", "ch-revision": need.revision}
    )
    assert few.status_code == 400 and "少于规定的 3 家" in few.content.decode()
    add_quote(organiser, prep_event, need, vendors[2], "90")
    no_reason = as_owner.post(
        choose, {"ch-quote": quotes[0].pk, "ch-reason": "", "ch-revision": need.revision}
    )
    assert no_reason.status_code == 400 and "选择理由" in no_reason.content.decode()
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.QUOTING
    ok = as_owner.post(
        choose, {"ch-quote": quotes[1].pk, "ch-reason": "资质齐全", "ch-revision": need.revision}
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#contract")
    need.refresh_from_db()
    assert need.chosen_quote == quotes[1] and need.choice_reason == "资质齐全"
    stale = as_owner.post(choose, {"ch-quote": quotes[0].pk, "ch-reason": "改选", "ch-revision": 1})
    assert stale.status_code == 409


def test_the_exception_form_is_for_approvers_only(
    client, prep_event, organiser, approver_exec, need, vendors
):
    # REQ: VD-1 — a separate action only approvers see
    add_quote(organiser, prep_event, need, vendors[0], "100")
    login(client, organiser)
    page = client.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    assert 'data-testid="exception-form"' not in page
    exception = url("vendor_exception", prep_event, need_id=need.pk)
    assert client.post(exception, {"ex-reason": "急", "ex-revision": need.revision}).status_code == 403
    login(client, approver_exec)
    page = client.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    assert 'data-testid="exception-form"' in page
    bad = client.post(exception, {"ex-reason": "", "ex-revision": need.revision})
    assert bad.status_code == 400 and "例外原因" in bad.content.decode()
    assert client.post(exception, {"ex-reason": "独家供应", "ex-revision": need.revision}).status_code == 302
    need.refresh_from_db()
    assert need.exception_by == approver_exec
    assert "独家供应" in client.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()


# ---------------------------------------------------------------- contract and rating
def test_recording_the_contract_on_the_page_valid_and_invalid(as_owner, prep_event, organiser, need, vendors):
    # REQ: VD-2 — a contract without a delivery date is refused; recording it sets 已签合同
    _chosen(organiser, prep_event, need, vendors)
    page = as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    assert 'data-testid="contract-form"' in page and 'value="100000.00"' in page
    record = url("contract_record", prep_event, need_id=need.pk)
    data = {
        "ct-revision": need.revision,
        "ct-number": "HT-001",
        "ct-service_content": "舞台搭建",
        "ct-delivery_at": "2027-03-17T18:00",
        "ct-liability": "逾期每日 1% 违约金",
        "ct-amount": "100000",
    }
    bad = as_owner.post(record, {**data, "ct-delivery_at": "", "ct-liability": ""})
    html = bad.content.decode()
    assert bad.status_code == 400 and "交付时间" in html and "违约责任" in html
    bad = as_owner.post(record, {**data, "ct-signed_file": SimpleUploadedFile("c.docx", b"PK")})
    assert bad.status_code == 400 and "不允许上传" in bad.content.decode()
    assert not Contract.objects.exists()
    ok = as_owner.post(record, {**data, "ct-signed_file": SimpleUploadedFile("signed.png", PNG, "image/png")})
    assert ok.status_code == 302
    need.refresh_from_db()
    contract = Contract.objects.get()
    assert need.status == VendorNeed.Status.CONTRACTED
    assert contract.delivery_at == dt.datetime(2027, 3, 17, 18, 0, tzinfo=prep_event.tz)
    page = as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    assert "已签合同" in page and "HT-001" in page and "signed.png" in page
    download = as_owner.get(url("contract_download", prep_event, need_id=need.pk))
    assert download.status_code == 200
    replace = url("contract_file", prep_event, need_id=need.pk)
    assert as_owner.post(replace, {"cf-revision": contract.revision}).status_code == 400
    assert (
        as_owner.post(
            replace, {"cf-revision": contract.revision, "cf-signed_file": pdf("v2.pdf")}
        ).status_code
        == 302
    )
    assert (
        as_owner.post(
            replace, {"cf-revision": contract.revision, "cf-signed_file": pdf("v3.pdf")}
        ).status_code
        == 409
    )
    contract.refresh_from_db()
    assert contract.signed_file_name == "v2.pdf"


def test_rating_on_the_page_once_the_event_has_started(as_owner, prep_event, organiser, need, vendors):
    # REQ: VD-1 — a rating from past events
    _chosen(organiser, prep_event, need, vendors)
    services.contract_record(
        actor=organiser, event=prep_event, need_id=need.pk, seen=need.revision, service_content="搭建",
        delivery_at=dt.datetime(2027, 3, 17, 18, 0), liability="违约金", amount="100000",
    )  # fmt: skip
    rate = url("vendor_rate", prep_event, need_id=need.pk)
    assert (
        'data-testid="rating-form"'
        not in as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    )
    early = as_owner.post(rate, {"rt-score": "5"})
    assert early.status_code == 400 and "活动开始后才能评价" in early.content.decode()
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=prep_event.tz)
    Event.objects.filter(pk=prep_event.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=4), step=Step.RUN
    )
    assert (
        'data-testid="rating-form"'
        in as_owner.get(url("vendor_need", prep_event, need_id=need.pk)).content.decode()
    )
    assert as_owner.post(rate, {"rt-score": "9"}).status_code == 400
    assert as_owner.post(rate, {"rt-score": "4", "rt-comment": "准时"}).status_code == 302
    assert VendorRating.objects.get().score == 4
    assert (
        "4.0 / 5" in as_owner.get(reverse("preparation:vendor_detail", args=[vendors[2].pk])).content.decode()
    )


def test_every_vendor_page_renders_in_english(as_owner, prep_event, organiser, admin_user, need, vendors):
    # REQ: VD-1, VD-2 — the pages in the reader's language (the English texts come from /tmp/po/vendors.json)
    from django.conf import settings

    _chosen(organiser, prep_event, need, vendors)
    services.contract_record(
        actor=organiser, event=prep_event, need_id=need.pk, seen=need.revision, service_content="搭建",
        delivery_at=dt.datetime(2027, 3, 17, 18, 0), liability="违约金", amount="100000",
    )  # fmt: skip
    as_owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = [
        url("vendor_needs", prep_event),
        url("vendor_need", prep_event, need_id=need.pk),
        url("vendor_comparison", prep_event, need_id=need.pk),
        reverse("preparation:vendors"),
        reverse("preparation:vendor_detail", args=[vendors[2].pk]),
    ]
    for page in pages:
        response = as_owner.get(page)
        assert response.status_code == 200, page
        assert '<html lang="en">' in response.content.decode(), page
    login(as_owner, admin_user)
    as_owner.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert as_owner.get(reverse("preparation:weights")).status_code == 200
