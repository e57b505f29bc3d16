"""Department quotas (NT-1: the collaboration letter says 销售部 brings 20 customers): counted against the
guests each department invited (not declined or cancelled); a shortfall accepted with a reason."""

from __future__ import annotations

import pytest

from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.events.steps import Step
from huodong.outreach.models import DepartmentQuota, Guest, GuestStatus
from huodong.outreach.services import quotas
from huodong.planning.tests.conftest import make_event
from tests.factories import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota_event(organiser):
    return make_event(organiser, step=Step.NOTIFICATION)


def _guests(event, code, n, status=GuestStatus.INVITED, start=0):
    for i in range(start, start + n):
        Guest.objects.create(
            event=event, name=f"客户{i}", phone=f"+86139{i:08d}", department=department(code), status=status
        )


def test_quota_status_counts_the_departments_guests(quota_event, organiser, marketing_mgr):
    # REQ: NT-1
    q = quotas.quota_add(
        actor=organiser, event=quota_event, department=department("sales"), quota=20, contact=marketing_mgr
    )
    _guests(quota_event, "sales", 15)
    _guests(quota_event, "sales", 2, GuestStatus.REGISTERED, start=100)
    _guests(quota_event, "sales", 3, GuestStatus.DECLINED, start=200)
    _guests(quota_event, "product", 5, start=300)
    [s] = quotas.quota_status(quota_event)
    assert (s.quota_id, s.quota, s.added, s.registered, s.shortfall, s.met, s.accepted) == (
        q.pk,
        20,
        17,
        2,
        3,
        False,
        False,
    )
    assert s.as_dict()["contact"] == "marketing_mgr" and not s.ok


def test_a_shortfall_is_accepted_with_a_reason(quota_event, organiser):
    # REQ: NT-1 (the gate of 通知发布: quotas met or the shortfall accepted)
    q = quotas.quota_add(actor=organiser, event=quota_event, department=department("sales"), quota=5)
    _guests(quota_event, "sales", 3)
    with pytest.raises(DomainError) as exc:
        quotas.quota_shortfall_accept(
            actor=organiser, event=quota_event, quota_id=q.pk, reason="  ", revision=1
        )
    assert "reason" in exc.value.errors
    with pytest.raises(PreconditionRequired):
        quotas.quota_shortfall_accept(
            actor=organiser, event=quota_event, quota_id=q.pk, reason="客户出差", revision=None
        )
    quotas.quota_shortfall_accept(
        actor=organiser, event=quota_event, quota_id=q.pk, reason="两位客户出差", revision=1
    )
    [s] = quotas.quota_status(quota_event)
    assert s.accepted and s.ok and s.reason == "两位客户出差" and s.accepted_by == organiser.name
    with pytest.raises(Stale):
        quotas.quota_update(actor=organiser, event=quota_event, quota_id=q.pk, seen=1, quota=4)
    quotas.quota_update(actor=organiser, event=quota_event, quota_id=q.pk, seen=2, quota=6)
    [s] = quotas.quota_status(quota_event)
    assert not s.accepted  # accepted for another number: withdrawn


def test_a_met_quota_needs_no_acceptance_and_bad_input_is_refused(quota_event, organiser, marketing_mgr):
    q = quotas.quota_add(actor=organiser, event=quota_event, department=department("sales"), quota=1)
    _guests(quota_event, "sales", 1)
    with pytest.raises(DomainError) as exc:
        quotas.quota_shortfall_accept(
            actor=organiser, event=quota_event, quota_id=q.pk, reason="x", revision=1
        )
    assert "__all__" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        quotas.quota_add(actor=organiser, event=quota_event, department=department("sales"), quota=3)
    assert "department" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        quotas.quota_add(actor=organiser, event=quota_event, department=department("product"), quota=-1)
    assert "quota" in exc.value.errors
    with pytest.raises(NotAllowed):
        quotas.quota_add(actor=marketing_mgr, event=quota_event, department=department("product"), quota=3)
    quotas.quota_remove(actor=organiser, event=quota_event, quota_id=q.pk, seen=1)
    assert not DepartmentQuota.objects.exists()
