"""The vendor register shared across events and the organisation's comparison weights (VD-1): services and
pages, valid and invalid, who may change them, expired qualifications flagged in red."""

# ruff: noqa: F811  (the fixtures of test_vendor_setup are imported by name, and named by the tests)

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huodong.core.concurrency import Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import Role
from huodong.preparation.models import ScoringWeights, Vendor, VendorQualification
from huodong.preparation.selectors import scoring_weights
from huodong.preparation.services import vendors as services
from tests.factories import login, person

from .test_vendor_setup import make_vendor, vendors  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- services
def test_a_vendor_needs_a_unique_name_known_categories_and_a_valid_contact(organiser):
    # REQ: VD-1
    services.vendor_add(actor=organiser, name="星光舞美", categories=["stage", "av"])
    with pytest.raises(DomainError) as exc:
        services.vendor_add(
            actor=organiser,
            name="星光舞美",
            categories=["stage", "rockets"],
            contact_phone="call me",
            contact_email="not-an-email",
        )
    assert set(exc.value.errors) == {"name", "categories", "contact_phone", "contact_email"}
    with pytest.raises(DomainError) as exc:
        services.vendor_add(actor=organiser, name="新供应商", categories=[])
    assert set(exc.value.errors) == {"categories"}
    assert Vendor.objects.count() == 1


def test_only_organisers_and_administrators_change_the_register(
    organiser, admin_user, outsider, reviewer_finance
):
    # REQ: VD-1
    for who in (outsider, reviewer_finance):
        with pytest.raises(NotAllowed):
            services.vendor_add(actor=who, name="某公司", categories=["gifts"])
    services.vendor_add(actor=admin_user, name="某公司", categories=["gifts"])
    assert Vendor.objects.get().categories == ["gifts"]


def test_a_vendor_update_says_its_revision(organiser):
    # REQ: VD-1
    vendor = services.vendor_add(actor=organiser, name="星光舞美", categories=["stage"])
    services.vendor_update(actor=organiser, vendor_id=vendor.pk, seen=1, contact_name="李四")
    with pytest.raises(Stale):
        services.vendor_update(actor=organiser, vendor_id=vendor.pk, seen=1, contact_name="王五")
    vendor.refresh_from_db()
    assert vendor.contact_name == "李四" and vendor.revision == 2


def test_qualifications_with_an_expiry_date_and_the_expired_ones(organiser):
    # REQ: VD-1 — an expired qualification is flagged
    vendor = services.vendor_add(actor=organiser, name="星光舞美", categories=["stage"])
    old = services.qualification_add(
        actor=organiser, vendor_id=vendor.pk, name="舞台搭建资质", expires_on=dt.date(2021, 6, 30)
    )
    services.qualification_add(actor=organiser, vendor_id=vendor.pk, name="营业执照", expires_on=None)
    with pytest.raises(DomainError) as exc:
        services.qualification_add(actor=organiser, vendor_id=vendor.pk, name="", expires_on="2027-13-01")
    assert set(exc.value.errors) == {"name", "expires_on"}
    assert [q.name for q in services.expired_qualifications(vendor)] == ["舞台搭建资质"]
    services.qualification_update(
        actor=organiser,
        vendor_id=vendor.pk,
        qualification_id=old.pk,
        seen=old.revision,
        expires_on=dt.date(2029, 1, 1),
    )
    assert services.expired_qualifications(vendor) == []
    with pytest.raises(Stale):
        services.qualification_remove(actor=organiser, vendor_id=vendor.pk, qualification_id=old.pk, seen=1)
    services.qualification_remove(actor=organiser, vendor_id=vendor.pk, qualification_id=old.pk, seen=2)
    assert VendorQualification.objects.count() == 1


def test_the_weights_add_up_to_100_and_need_at_least_one_quote(admin_user, organiser):
    # REQ: VD-1 — weights set per organisation
    w = scoring_weights()
    assert (w.qualification, w.price, w.cases, w.delivery, w.min_quotes) == (25, 40, 20, 15, 3)
    with pytest.raises(NotAllowed):
        services.weights_update(
            actor=organiser, seen=w.revision, qualification=25, price=25, cases=25, delivery=25, min_quotes=3
        )
    with pytest.raises(DomainError) as exc:
        services.weights_update(
            actor=admin_user, seen=w.revision, qualification=30, price=40, cases=20, delivery=15, min_quotes=0
        )
    assert "之和须为 100(现为 105)" in exc.value.errors["__all__"][0] and "min_quotes" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.weights_update(
            actor=admin_user,
            seen=w.revision,
            qualification=-5,
            price="x",
            cases=20,
            delivery=15,
            min_quotes=3,
        )
    assert set(exc.value.errors) == {"qualification", "price"}
    services.weights_update(
        actor=admin_user, seen=w.revision, qualification=30, price=30, cases=20, delivery=20, min_quotes=2
    )
    with pytest.raises(Stale):
        services.weights_update(
            actor=admin_user, seen=w.revision, qualification=25, price=40, cases=20, delivery=15, min_quotes=3
        )
    assert ScoringWeights.objects.get().min_quotes == 2


# ---------------------------------------------------------------- pages
def test_the_register_lists_filters_and_flags_expired_qualifications_in_red(client, outsider, vendors):
    # REQ: VD-1 — staff may view; search by name and category; 已过期 flagged in red
    make_vendor("金牌礼品", categories=["gifts"])
    login(client, outsider)
    page = client.get(reverse("preparation:vendors"))
    html = page.content.decode()
    assert page.status_code == 200 and "星光舞美" in html and "金牌礼品" in html
    assert '<span class="tag bad" data-testid="expired">已过期</span> 舞台搭建资质证书' in html
    assert "添加供应商" not in html  # staff only read
    html = client.get(reverse("preparation:vendors"), {"category": "gifts"}).content.decode()
    assert "金牌礼品" in html and "星光舞美" not in html
    html = client.get(reverse("preparation:vendors"), {"q": "星光"}).content.decode()
    assert "星光舞美" in html and "华彩搭建" not in html
    detail = client.get(reverse("preparation:vendor_detail", args=[vendors[1].pk])).content.decode()
    assert 'data-testid="expired">已过期' in detail
    assert client.get(reverse("preparation:vendor_detail", args=[999999])).status_code == 404


def test_adding_a_vendor_on_the_page_valid_and_invalid(client, organiser):
    # REQ: VD-1
    login(client, organiser)
    url = reverse("preparation:vendor_add")
    bad = client.post(url, {"v-name": "", "v-contact_email": "x"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "供应商名称" in html and "类别" in html and not Vendor.objects.exists()
    ok = client.post(
        url,
        {
            "v-name": "星光舞美",
            "v-categories": ["stage", "av"],
            "v-contact_phone": "021-1234",
            "v-is_active": "on",
        },
    )
    vendor = Vendor.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("preparation:vendor_detail", args=[vendor.pk])
    assert vendor.categories == ["stage", "av"] and vendor.is_active


def test_a_staff_member_cannot_post_to_the_register(client, outsider):
    # REQ: VD-1
    login(client, outsider)
    assert (
        client.post(reverse("preparation:vendor_add"), {"v-name": "x", "v-categories": ["av"]}).status_code
        == 403
    )
    assert not Vendor.objects.exists()


def test_editing_a_vendor_on_the_page_valid_invalid_and_stale(client, organiser, vendors):
    # REQ: VD-1
    login(client, organiser)
    vendor = vendors[0]
    url = reverse("preparation:vendor_edit", args=[vendor.pk])
    data = {"name": "星光舞美有限公司", "categories": ["stage"], "is_active": "on", "revision": "1"}
    bad = client.post(url, {**data, "contact_email": "nope"})
    assert bad.status_code == 400 and "联系邮箱格式不正确" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    vendor.refresh_from_db()
    assert vendor.name == "星光舞美有限公司" and vendor.revision == 2
    stale = client.post(url, {**data, "name": "别的名字"})
    assert stale.status_code == 409 and "已被" in stale.content.decode()
    vendor.refresh_from_db()
    assert vendor.name == "星光舞美有限公司"


def test_qualifications_on_the_page_valid_and_invalid(client, organiser, vendors):
    # REQ: VD-1
    login(client, organiser)
    vendor = vendors[0]
    url = reverse("preparation:qualification_add", args=[vendor.pk])
    assert client.post(url, {"q-name": "", "q-expires_on": "soon"}).status_code == 400
    assert vendor.qualifications.count() == 1
    assert client.post(url, {"q-name": "消防资质", "q-expires_on": "2020-05-01"}).status_code == 302
    html = client.get(reverse("preparation:vendor_detail", args=[vendor.pk])).content.decode()
    assert "消防资质" in html and "已过期" in html
    q = vendor.qualifications.get(name="消防资质")
    delete = reverse("preparation:qualification_delete", args=[vendor.pk, q.pk])
    stale = client.post(delete, {"revision": "5"}, follow=True)
    assert "已被" in stale.content.decode() and vendor.qualifications.filter(pk=q.pk).exists()
    assert client.post(delete, {"revision": str(q.revision)}).status_code == 302
    assert not vendor.qualifications.filter(pk=q.pk).exists()


def test_the_weights_page_is_for_administrators_valid_and_invalid(client, admin_user, organiser):
    # REQ: VD-1
    url = reverse("preparation:weights")
    login(client, organiser)
    assert client.get(url).status_code == 403
    login(client, admin_user)
    assert client.get(url).status_code == 200
    rev = scoring_weights().revision
    bad = client.post(
        url,
        {
            "qualification": "30",
            "price": "30",
            "cases": "30",
            "delivery": "30",
            "min_quotes": "0",
            "revision": rev,
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and "之和须为 100(现为 120)" in html and "最少报价数须为 1 到" in html
    ok = client.post(
        url,
        {
            "qualification": "20",
            "price": "50",
            "cases": "15",
            "delivery": "15",
            "min_quotes": "4",
            "revision": rev,
        },
    )
    assert ok.status_code == 302
    w = scoring_weights()
    assert (w.qualification, w.price, w.cases, w.delivery, w.min_quotes) == (20, 50, 15, 15, 4)
    stale = client.post(
        url,
        {
            "qualification": "25",
            "price": "40",
            "cases": "20",
            "delivery": "15",
            "min_quotes": "3",
            "revision": rev,
        },
    )
    assert stale.status_code == 409


def test_the_register_is_open_to_every_role(client, db):
    # REQ: VD-1 — reachable by organisers and administrators; staff may view
    for role in Role.values:
        login(client, person(f"p_{role}", role, "marketing"))
        assert client.get(reverse("preparation:vendors")).status_code == 200
