"""The rules of vendor needs, quotes, the choice, the exception and the contract (VD-1, VD-2), through the
services: what is refused says why and writes nothing."""

# ruff: noqa: F811  (the fixtures of test_vendor_setup are imported by name, and named by the tests)

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Notification
from huodong.events.models import Event
from huodong.events.steps import Step
from huodong.preparation.models import Contract, Quote, QuoteAttachment, VendorNeed, VendorRating
from huodong.preparation.selectors import committed_by_line, readiness
from huodong.preparation.services import vendors as services
from tests.factories import EventFactory

from .test_vendor_setup import (  # noqa: F401  (fixtures)
    add_quote,
    line,
    make_vendor,
    media_root,
    move,
    need,
    pdf,
    prep_event,
    three_quotes,
    vendors,
)

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.as_dict()


# ---------------------------------------------------------------- needs
def test_a_need_needs_a_title_a_known_category_its_own_budget_line_and_a_date_not_after_the_event(
    prep_event, organiser
):
    # REQ: VD-1
    other = EventFactory(owner=organiser)
    from huodong.planning.models import BudgetLine, Plan

    foreign = BudgetLine.objects.create(
        plan=Plan.objects.create(event=other), category="venue", category_name="场地", item="别处",
        quantity=1, unit_price=1, amount=1,
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.need_add(
            actor=organiser,
            event=prep_event,
            title=" ",
            category="rockets",
            budget_line=foreign,
            needed_by=dt.date(2027, 3, 19),
        )
    errors = _errors(exc)
    assert set(errors) == {"title", "category", "budget_line", "needed_by"}
    assert "不能晚于活动日期" in errors["needed_by"][0]
    assert not VendorNeed.objects.exists()


def test_a_need_is_written_only_in_the_preparation_steps_and_by_an_editor(prep_event, organiser, outsider):
    # REQ: VD-1
    with pytest.raises(NotAllowed):
        services.need_add(actor=outsider, event=prep_event, title="礼品", category="gifts")
    move(prep_event, Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        services.need_add(actor=organiser, event=prep_event, title="礼品", category="gifts")
    assert exc.value.code == "wrong_step"
    assert not VendorNeed.objects.exists()


def test_a_need_update_says_the_revision_it_saw(prep_event, organiser, need):
    # REQ: VD-1 — a stale update is refused (409) and changes nothing
    services.need_update(
        actor=organiser, event=prep_event, need_id=need.pk, seen=need.revision, title="主舞台"
    )
    with pytest.raises(Stale):
        services.need_update(
            actor=organiser, event=prep_event, need_id=need.pk, seen=need.revision - 1, title="旧"
        )
    with pytest.raises(PreconditionRequired):
        services.need_update(actor=organiser, event=prep_event, need_id=need.pk, seen=None, title="旧")
    need.refresh_from_db()
    assert need.title == "主舞台" and need.revision == 2


# ---------------------------------------------------------------- quotes
@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "不能为负数"), ("十万", "须为数字"), ("", "须为数字"), ("1e30", "过大")],
)
def test_a_quote_with_a_negative_or_non_numeric_amount_is_refused(
    prep_event, organiser, need, vendors, amount, message
):
    # REQ: VD-1 — bad input: a quote with a negative or non-numeric amount
    with pytest.raises(DomainError) as exc:
        add_quote(organiser, prep_event, need, vendors[0], amount)
    assert message in _errors(exc)["amount"][0]
    assert not Quote.objects.exists()


def test_a_quote_checks_its_scores_dates_and_vendor(prep_event, organiser, need, vendors):
    # REQ: VD-1
    vendors[2].is_active = False
    vendors[2].save()
    with pytest.raises(DomainError) as exc:
        add_quote(
            organiser, prep_event, need, vendors[2], "100", qualification_score=101, cases_score="x",
            delivery_on=dt.date(2027, 4, 1),
        )  # fmt: skip
    assert set(_errors(exc)) == {"vendor", "qualification_score", "cases_score", "delivery_on"}
    assert not Quote.objects.exists()


def test_one_quote_per_vendor_per_need(prep_event, organiser, need, vendors):
    # REQ: VD-1
    add_quote(organiser, prep_event, need, vendors[0], "100")
    with pytest.raises(DomainError) as exc:
        add_quote(organiser, prep_event, need, vendors[0], "90")
    assert "只能有一份报价" in _errors(exc)["vendor"][0]
    assert Quote.objects.count() == 1


def test_a_quote_after_the_need_is_closed_is_refused_with_the_reason(prep_event, organiser, need, vendors):
    # REQ: VD-1 — bad input: a quote after the need is closed
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[2].pk,
        reason="最优",
    )
    extra = make_vendor("晚到的供应商")
    with pytest.raises(DomainError) as exc:
        add_quote(organiser, prep_event, need, extra, "90000")
    assert (
        exc.value.code == "need_closed"
        and "已选定" in exc.value.message
        and "不能再添加报价" in exc.value.message
    )
    with pytest.raises(DomainError):
        services.quote_update(
            actor=organiser, event=prep_event, quote_id=quotes[0].pk, seen=quotes[0].revision, amount="1"
        )
    with pytest.raises(DomainError):
        services.quote_attachment_add(actor=organiser, event=prep_event, quote_id=quotes[0].pk, file=pdf())
    assert Quote.objects.count() == 3 and not QuoteAttachment.objects.exists()


def test_a_stale_quote_update_is_refused(prep_event, organiser, need, vendors):
    # REQ: VD-1
    quote = add_quote(organiser, prep_event, need, vendors[0], "100")
    services.quote_update(actor=organiser, event=prep_event, quote_id=quote.pk, seen=1, amount="110")
    with pytest.raises(Stale):
        services.quote_update(actor=organiser, event=prep_event, quote_id=quote.pk, seen=1, amount="120")
    quote.refresh_from_db()
    assert quote.amount == Decimal("110.00")


def test_quote_attachments_are_checked_like_plan_attachments(prep_event, organiser, need, vendors, settings):
    # REQ: VD-1 — attachments with size and type limits
    from django.core.files.uploadedfile import SimpleUploadedFile

    quote = add_quote(organiser, prep_event, need, vendors[0], "100", files=[pdf()])
    assert quote.attachments.count() == 1
    for bad, message in [
        (SimpleUploadedFile("virus.exe", b"MZ" * 10), "不允许上传"),
        (SimpleUploadedFile("fake.pdf", b"MZ" * 10), "扩展名与内容不符"),
        (SimpleUploadedFile("empty.pdf", b""), "是空的"),
    ]:
        with pytest.raises(DomainError) as exc:
            services.quote_attachment_add(actor=organiser, event=prep_event, quote_id=quote.pk, file=bad)
        assert message in _errors(exc)["file"][0]
    settings.HUODONG_MAX_UPLOAD_BYTES = 10
    with pytest.raises(DomainError) as exc:
        services.quote_attachment_add(actor=organiser, event=prep_event, quote_id=quote.pk, file=pdf())
    assert "超过上限" in _errors(exc)["file"][0]
    assert quote.attachments.count() == 1
    att = quote.attachments.get()
    with pytest.raises(Stale):
        services.quote_attachment_remove(actor=organiser, event=prep_event, attachment_id=att.pk, seen=7)
    services.quote_attachment_remove(
        actor=organiser, event=prep_event, attachment_id=att.pk, seen=att.revision
    )
    assert not quote.attachments.exists()


# ---------------------------------------------------------------- comparison
def test_weighted_scoring_figures_and_ranking(prep_event, organiser, need, vendors):
    # REQ: VD-1 — qualification 25%, price 40%, cases 20%, delivery 15% (the defaults); the lowest amount
    # scores 100 on price, the others lowest ÷ amount × 100
    three_quotes(organiser, prep_event, need, vendors)
    result = services.comparison(need)
    rows = {r.quote.vendor.name: r for r in result.rows}
    assert rows["东方演艺工程"].price_score == Decimal("100.00")
    assert rows["华彩搭建"].price_score == Decimal("83.33")
    assert rows["星光舞美"].price_score == Decimal("66.67")
    # 70×.25 + 100×.40 + 60×.20 + 90×.15 = 83.00; 60×.25 + 83.33×.40 + 90×.20 + 80×.15 = 78.33; …
    assert [(r.quote.vendor.name, r.weighted, r.rank) for r in result.rows] == [
        ("东方演艺工程", Decimal("83.00"), 1),
        ("华彩搭建", Decimal("78.33"), 2),
        ("星光舞美", Decimal("75.67"), 3),
    ]
    assert result.enough


def test_the_weights_change_the_ranking_and_missing_scores_count_zero(
    prep_event, organiser, admin_user, need, vendors
):
    # REQ: VD-1
    three_quotes(organiser, prep_event, need, vendors)
    weights = services.scoring_weights()
    services.weights_update(
        actor=admin_user,
        seen=weights.revision,
        qualification=70,
        price=10,
        cases=10,
        delivery=10,
        min_quotes=3,
    )
    result = services.comparison(need)
    assert result.rows[0].quote.vendor.name == "星光舞美"  # 90×.7 + 66.67×.1 + 80×.1 + 70×.1 = 84.67
    assert result.rows[0].weighted == Decimal("84.67")
    extra = make_vendor("新供应商")
    add_quote(organiser, prep_event, need, extra, "100000")
    row = next(r for r in services.comparison(need).rows if r.quote.vendor == extra)
    assert row.weighted == Decimal("10.00") and len(row.unscored) == 3


def test_an_expired_qualification_is_flagged_in_the_comparison(prep_event, organiser, need, vendors):
    # REQ: VD-1 — an expired qualification is flagged
    three_quotes(organiser, prep_event, need, vendors)
    rows = {r.quote.vendor.name: r for r in services.comparison(need).rows}
    assert rows["华彩搭建"].expired == ["舞台搭建资质证书"]
    assert rows["星光舞美"].expired == [] and rows["东方演艺工程"].expired == []


def test_equal_scores_share_a_rank(prep_event, organiser, need, vendors):
    for v in vendors[:2]:
        add_quote(
            organiser, prep_event, need, v, "100", qualification_score=50, cases_score=50, delivery_score=50
        )
    assert [r.rank for r in services.comparison(need).rows] == [1, 1]


# ---------------------------------------------------------------- choice and exception
def test_fewer_than_three_quotes_cannot_be_closed_without_an_exception(prep_event, organiser, need, vendors):
    # REQ: VD-1 — a need cannot be closed with fewer than 3 quotes unless an approver records an exception
    quotes = [add_quote(organiser, prep_event, need, v, "100") for v in vendors[:2]]
    with pytest.raises(DomainError) as exc:
        services.need_choose(
            actor=organiser,
            event=prep_event,
            need_id=need.pk,
            seen=need.revision,
            quote_id=quotes[0].pk,
            reason="快",
        )
    assert "只有 2 家报价,少于规定的 3 家" in exc.value.message
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.QUOTING and need.chosen_quote is None
    assert "preparation.vendor_quotes" in {p.code for p in readiness(prep_event).open_points()}


def test_only_an_approver_or_an_administrator_records_the_exception(
    prep_event,
    organiser,
    marketing_mgr,
    reviewer_finance,
    approver_exec,
    approver_gm,
    admin_user,
    need,
    vendors,
):
    # REQ: VD-1 — the exception only by an approver
    prep_event.team_members.add(marketing_mgr)
    for person in (organiser, marketing_mgr, reviewer_finance):
        with pytest.raises(NotAllowed):
            services.need_exception(
                actor=person, event=prep_event, need_id=need.pk, seen=need.revision, reason="仅两家有资质"
            )
    need.refresh_from_db()
    assert need.exception_at is None
    with pytest.raises(DomainError) as exc:
        services.need_exception(
            actor=approver_exec, event=prep_event, need_id=need.pk, seen=need.revision, reason=" "
        )
    assert "reason" in _errors(exc)
    for approver in (approver_exec, approver_gm, admin_user):
        need.refresh_from_db()
        services.need_exception(
            actor=approver, event=prep_event, need_id=need.pk, seen=need.revision, reason="本地仅两家具备资质"
        )
        need.refresh_from_db()
        assert need.exception_by == approver and need.exception_reason == "本地仅两家具备资质"


def test_after_an_exception_two_quotes_may_be_chosen_and_a_reason_is_required(
    prep_event, organiser, approver_gm, need, vendors
):
    # REQ: VD-1
    quotes = [add_quote(organiser, prep_event, need, v, "100") for v in vendors[:2]]
    services.need_exception(
        actor=approver_gm, event=prep_event, need_id=need.pk, seen=need.revision, reason="急需"
    )
    need.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.need_choose(
            actor=organiser,
            event=prep_event,
            need_id=need.pk,
            seen=need.revision,
            quote_id=quotes[0].pk,
            reason="",
        )
    assert set(_errors(exc)) == {"reason"}
    with pytest.raises(DomainError) as exc:
        services.need_choose(
            actor=organiser,
            event=prep_event,
            need_id=need.pk,
            seen=need.revision,
            quote_id=999999,
            reason="快",
        )
    assert set(_errors(exc)) == {"quote"}
    with pytest.raises(Stale):
        services.need_choose(
            actor=organiser, event=prep_event, need_id=need.pk, seen=1, quote_id=quotes[0].pk, reason="快"
        )
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[0].pk,
        reason="交期最短",
    )
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CHOSEN and need.chosen_quote == quotes[0]
    assert need.choice_reason == "交期最短" and need.chosen_by == organiser
    assert AuditEntry.objects.filter(action="vendor.need.choose", target_id=str(need.pk)).exists()


def test_the_minimum_number_of_quotes_follows_the_weights(prep_event, organiser, admin_user, need, vendors):
    # REQ: VD-1
    quote = add_quote(organiser, prep_event, need, vendors[0], "100")
    w = services.scoring_weights()
    services.weights_update(
        actor=admin_user, seen=w.revision, qualification=25, price=40, cases=20, delivery=15, min_quotes=1
    )
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quote.pk,
        reason="唯一",
    )
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CHOSEN


# ---------------------------------------------------------------- committed vs planned
def test_the_chosen_amount_is_committed_and_an_overcommitted_line_is_flagged_once(
    prep_event, organiser, reviewer_finance, reviewer_sales, approver_gm, need, vendors
):
    # REQ: VD-1 — the chosen quote's amount is the committed amount of its budget line; a line over its plan
    # is flagged to the organiser and finance (once)
    led = line(prep_event, "LED 屏")  # planned 160,000
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[0].pk,
        reason="口碑",
    )
    assert committed_by_line(prep_event) == {led.pk: Decimal("150000.00")}
    statuses = services.line_statuses(prep_event, list(services.needs_of(prep_event)))
    assert [(s.planned, s.committed, s.over) for s in statuses] == [
        (Decimal("160000.00"), Decimal("150000.00"), False)
    ]
    assert not Notification.objects.filter(kind="preparation.budget_overcommitted").exists()

    second = services.need_add(
        actor=organiser, event=prep_event, title="备用屏", category="av", budget_line=led
    )
    quote = add_quote(organiser, prep_event, second, vendors[1], "20000")
    services.need_exception(
        actor=approver_gm, event=prep_event, need_id=second.pk, seen=second.revision, reason="急"
    )
    second.refresh_from_db()
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=second.pk,
        seen=second.revision,
        quote_id=quote.pk,
        reason="唯一",
    )
    statuses = services.line_statuses(prep_event, list(services.needs_of(prep_event)))
    assert [(s.committed, s.over) for s in statuses] == [(Decimal("170000.00"), True)]
    notices = Notification.objects.filter(kind="preparation.budget_overcommitted")
    assert sorted(n.recipient.username for n in notices) == ["organiser", "reviewer_finance"]
    assert "LED 屏" in notices[0].message and "170,000.00" in notices[0].message
    # Still over after another choice or the contract: no second notice.
    second.refresh_from_db()
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=second.pk,
        seen=second.revision,
        quote_id=quote.pk,
        reason="再选",
    )
    need.refresh_from_db()
    _contract(organiser, prep_event, need, amount="150000")
    assert Notification.objects.filter(kind="preparation.budget_overcommitted").count() == 2
    assert "budget_overcommitted" in {p.code for p in readiness(prep_event).open_points()}


def _contract(actor, event, need, **overrides):
    data = {
        "number": "HT-2027-001",
        "service_content": "主舞台 12m×8m 搭建及 LED 屏",
        "delivery_at": dt.datetime(2027, 3, 17, 18, 0),
        "liability": "逾期每日按合同金额 1% 支付违约金",
        "amount": "150000",
        "signed_on": dt.date(2026, 11, 30),
    }
    data.update(overrides)
    return services.contract_record(actor=actor, event=event, need_id=need.pk, seen=need.revision, **data)


# ---------------------------------------------------------------- contract (VD-2)
def test_a_contract_without_delivery_time_or_liability_is_refused(prep_event, organiser, need, vendors):
    # REQ: VD-2 — service content, delivery time and liability for breach are required
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[2].pk,
        reason="综合最优",
    )
    need.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        _contract(
            organiser, prep_event, need, delivery_at=None, liability="", service_content=" ", amount="-5"
        )
    assert set(_errors(exc)) == {"delivery_at", "liability", "service_content", "amount"}
    with pytest.raises(DomainError) as exc:
        _contract(organiser, prep_event, need, delivery_at=dt.datetime(2027, 3, 19, 9, 0))
    assert "不能晚于活动结束" in _errors(exc)["delivery_at"][0]
    with pytest.raises(DomainError) as exc:
        _contract(organiser, prep_event, need, signed_file=pdf("contract.docx"))
    assert "signed_file" in _errors(exc)
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CHOSEN and not Contract.objects.exists()


def test_recording_the_contract_sets_the_need_to_contracted(prep_event, organiser, need, vendors):
    # REQ: VD-2
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[2].pk,
        reason="综合最优",
    )
    need.refresh_from_db()
    contract = _contract(organiser, prep_event, need, amount="98000", signed_file=pdf("signed.pdf"))
    need.refresh_from_db()
    assert need.status == VendorNeed.Status.CONTRACTED and need.get_status_display() == "已签合同"
    assert contract.vendor == vendors[2] and contract.signed_file_name == "signed.pdf"
    assert contract.delivery_at == dt.datetime(2027, 3, 17, 18, 0, tzinfo=prep_event.tz)
    assert committed_by_line(prep_event) == {need.budget_line_id: Decimal("98000.00")}
    assert {p.code for p in readiness(prep_event).open_points()}.isdisjoint(
        {"preparation.vendor_quotes", "preparation.vendor_contracts"}
    )
    with pytest.raises(DomainError):  # once only
        _contract(organiser, prep_event, need)
    with pytest.raises(Stale):
        services.contract_update(actor=organiser, event=prep_event, need_id=need.pk, seen=9, amount="1")
    services.contract_update(
        actor=organiser, event=prep_event, need_id=need.pk, seen=contract.revision, amount="97000"
    )
    contract.refresh_from_db()
    assert contract.amount == Decimal("97000.00") and contract.revision == 2
    services.contract_file_set(
        actor=organiser, event=prep_event, need_id=need.pk, seen=contract.revision, file=pdf("v2.pdf")
    )
    contract.refresh_from_db()
    assert contract.signed_file_name == "v2.pdf" and contract.signed_file.name.endswith(".pdf")


def test_a_contract_needs_a_chosen_quote(prep_event, organiser, need):
    # REQ: VD-2
    with pytest.raises(DomainError) as exc:
        _contract(organiser, prep_event, need)
    assert "尚未选定报价" in exc.value.message


# ---------------------------------------------------------------- rating
def test_a_contracted_vendor_is_rated_once_the_event_has_started(prep_event, organiser, need, vendors):
    # REQ: VD-1 — a rating from past events
    quotes = three_quotes(organiser, prep_event, need, vendors)
    services.need_choose(
        actor=organiser,
        event=prep_event,
        need_id=need.pk,
        seen=need.revision,
        quote_id=quotes[2].pk,
        reason="综合最优",
    )
    need.refresh_from_db()
    _contract(organiser, prep_event, need)
    with pytest.raises(DomainError) as exc:
        services.rating_record(actor=organiser, event=prep_event, need_id=need.pk, score=5)
    assert "活动开始后" in exc.value.message
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=prep_event.tz)
    Event.objects.filter(pk=prep_event.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=4), step=Step.RUN
    )
    with pytest.raises(DomainError) as exc:
        services.rating_record(actor=organiser, event=prep_event, need_id=need.pk, score=6)
    assert "score" in _errors(exc)
    services.rating_record(actor=organiser, event=prep_event, need_id=need.pk, score=4, comment="准时")
    services.rating_record(actor=organiser, event=prep_event, need_id=need.pk, score=5, comment="很好")
    assert VendorRating.objects.get().score == 5
    vendor = services.vendor_get(vendors[2].pk)
    assert vendor.rating_avg == 5 and vendor.rating_count == 1
