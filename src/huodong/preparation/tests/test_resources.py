"""Internal resources (IR-1): requests to another department, its answer from the inbox, the flag.

The services: a department that does not exist (or is inactive) and a time after the event or in the past
are refused naming the field, nothing written; only the department's people answer (others 403, even an
administrator of another department), a decline needs a comment; the department and the requester are
told in their own language; a stale edit is a 409; the readiness of 资源协调 waits for every request.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from huodong.core.audit import message_render
from huodong.core.concurrency import PreconditionRequired, Stale
from huodong.core.errors import DomainError, NotAllowed
from huodong.core.models import AuditEntry, Department, Notification, Role
from huodong.events.steps import Step
from huodong.planning.tests.conftest import make_event
from huodong.preparation.models import ResourceRequest
from huodong.preparation.selectors import readiness
from huodong.preparation.services.resources import (
    inbox_requests,
    is_flagged,
    request_add,
    request_answer,
    request_cancel,
    request_update,
)
from tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def prep_event(organiser):
    """A launch at 资源协调, 2027-03-18 13:30–17:30 in Shanghai."""
    return make_event(organiser, step=Step.RESOURCES)


@pytest.fixture
def tech(db):
    return Department.objects.get(code="tech")


@pytest.fixture
def tech_li(db):
    return person("tech_li", Role.STAFF, "tech", "网络工程师", "李工")


def _ask(event, actor, **overrides):
    data = {
        "department": Department.objects.get(code="tech"),
        "what": "现场网络保障:100 人同时上网",
        "needed_at": event.starts_at - dt.timedelta(hours=4),
        "contact": actor,
    }
    data.update(overrides)
    return request_add(actor=actor, event=event, **data)


def _texts(user, lang="zh-hans"):
    with translation.override(lang):
        return [
            message_render(n.message_key, n.message_params, n.message)
            for n in Notification.objects.filter(recipient=user)
        ]


# ---------------------------------------------------------------- asking
def test_a_request_is_pending_and_the_department_is_told(prep_event, organiser, tech_li, reviewer_sales):
    # REQ: IR-1
    row = _ask(prep_event, organiser)
    assert row.status == ResourceRequest.Status.PENDING
    assert (row.requested_by, row.contact, row.department.code) == (organiser, organiser, "tech")
    assert AuditEntry.objects.filter(
        action="preparation.resource_request.add", event_id=prep_event.pk
    ).exists()
    [zh] = _texts(tech_li)
    assert "技术部" in zh and "现场网络保障" in zh and "2027-03-18 09:30" in zh
    [en] = _texts(tech_li, "en")
    assert "Technology" in en
    assert not Notification.objects.filter(recipient=reviewer_sales).exists()
    assert not Notification.objects.filter(recipient=organiser).exists()


@pytest.mark.parametrize("department", [999999, "no-such-dept", "", None])
def test_a_department_that_does_not_exist_is_refused(prep_event, organiser, department):
    # REQ: IR-1
    with pytest.raises(DomainError) as exc:
        _ask(prep_event, organiser, department=department)
    assert list(exc.value.errors) == ["department"]
    assert "部门" in str(exc.value.errors["department"][0])
    assert not ResourceRequest.objects.exists()


def test_an_inactive_department_is_refused(prep_event, organiser, tech):
    # REQ: IR-1
    Department.objects.filter(pk=tech.pk).update(is_active=False)
    with pytest.raises(DomainError) as exc:
        _ask(prep_event, organiser, department=tech.pk)
    assert "已停用" in str(exc.value.errors["department"][0])
    assert not ResourceRequest.objects.exists()


def test_a_time_after_the_event_is_refused(prep_event, organiser):
    # REQ: IR-1
    with pytest.raises(DomainError) as exc:
        _ask(prep_event, organiser, needed_at=prep_event.ends_at + dt.timedelta(minutes=1))
    assert "不能晚于活动结束(2027-03-18 17:30)" in str(exc.value.errors["needed_at"][0])
    assert not ResourceRequest.objects.exists()


def test_a_time_in_the_past_is_refused(prep_event, organiser):
    # REQ: IR-1
    with pytest.raises(DomainError) as exc:
        _ask(prep_event, organiser, needed_at=timezone.now() - dt.timedelta(hours=1))
    assert "不能早于现在" in str(exc.value.errors["needed_at"][0])


def test_what_and_contact_are_required(prep_event, organiser):
    with pytest.raises(DomainError) as exc:
        request_add(
            actor=None,
            event=prep_event,
            department="tech",
            what="  ",
            needed_at=prep_event.starts_at,
            system=True,
        )
    assert set(exc.value.errors) == {"what", "contact"}


def test_a_colleague_off_the_team_cannot_ask(prep_event, reviewer_sales):
    with pytest.raises(NotAllowed):
        _ask(prep_event, reviewer_sales)


def test_asking_is_refused_before_the_plan_is_approved(organiser):
    event = make_event(organiser, step=Step.APPROVAL)
    with pytest.raises(DomainError) as exc:
        _ask(event, organiser)
    assert exc.value.code == "wrong_step"


# ---------------------------------------------------------------- changing and cancelling
def test_a_pending_request_is_changed_with_the_revision_it_saw(prep_event, organiser, tech_li):
    row = _ask(prep_event, organiser)
    Notification.objects.all().delete()
    request_update(
        actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision, what="网络+备用 4G 路由"
    )
    row.refresh_from_db()
    assert row.what == "网络+备用 4G 路由" and row.revision == 2
    assert any("修改了" in t for t in _texts(tech_li))


def test_a_stale_or_missing_revision_is_refused(prep_event, organiser):
    row = _ask(prep_event, organiser)
    request_update(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision, what="第一次修改")
    with pytest.raises(Stale):
        request_update(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision, what="第二次")
    with pytest.raises(PreconditionRequired):
        request_update(actor=organiser, event=prep_event, request_id=row.pk, seen=None, what="第三次")
    row.refresh_from_db()
    assert row.what == "第一次修改"


def test_moving_a_request_after_the_event_is_refused_and_nothing_changes(prep_event, organiser):
    # REQ: IR-1
    row = _ask(prep_event, organiser)
    with pytest.raises(DomainError) as exc:
        request_update(
            actor=organiser,
            event=prep_event,
            request_id=row.pk,
            seen=row.revision,
            needed_at=prep_event.ends_at + dt.timedelta(days=1),
            what="改了",
        )
    assert "needed_at" in exc.value.errors
    row.refresh_from_db()
    assert row.what.startswith("现场网络保障") and row.revision == 1


def test_an_answered_request_cannot_be_changed_but_can_be_cancelled(prep_event, organiser, tech_li):
    row = _ask(prep_event, organiser)
    request_answer(
        actor=tech_li, request_id=row.pk, decision="decline", comment="人手不足", seen=row.revision
    )
    row.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        request_update(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision, what="再改")
    assert exc.value.code == "wrong_status"
    request_cancel(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision)
    row.refresh_from_db()
    assert row.status == ResourceRequest.Status.CANCELLED
    with pytest.raises(DomainError):
        request_cancel(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision)


# ---------------------------------------------------------------- answering
def test_the_department_confirms_and_the_requester_is_told(prep_event, organiser, marketing_mgr, tech_li):
    # REQ: IR-1
    row = _ask(prep_event, organiser, contact=marketing_mgr)
    request_answer(actor=tech_li, request_id=row.pk, decision="confirm", comment="已安排", seen=row.revision)
    row.refresh_from_db()
    assert (row.status, row.responder, row.response) == ("confirmed", tech_li, "已安排")
    assert row.responded_at is not None
    [zh] = _texts(organiser)
    assert zh.startswith("技术部答复了") and ":已确认。" in zh and "已安排" in zh
    assert _texts(marketing_mgr)  # our contact person too
    [en] = _texts(organiser, "en")
    assert "Technology" in en
    assert AuditEntry.objects.filter(action="preparation.resource_request.answer").exists()


def test_a_department_person_off_the_team_answers(prep_event, organiser, tech_li):
    # REQ: IR-1
    from huodong.events.access import Need, can

    assert not can(tech_li, prep_event, Need.EDIT)
    row = _ask(prep_event, organiser)
    assert [r.pk for r in inbox_requests(tech_li)] == [row.pk]
    request_answer(actor=tech_li, request_id=row.pk, decision="confirm", seen=row.revision)
    assert ResourceRequest.objects.get(pk=row.pk).status == "confirmed"


@pytest.mark.parametrize("who", ["reviewer_sales", "organiser", "admin_user"])
def test_only_the_departments_people_may_answer(prep_event, organiser, who, request):
    # REQ: IR-1
    actor = request.getfixturevalue(who)
    row = _ask(prep_event, organiser, department=Department.objects.get(code="product"))
    with pytest.raises(NotAllowed) as exc:
        request_answer(actor=actor, request_id=row.pk, decision="confirm", seen=row.revision)
    assert exc.value.status == 403 and "产品部" in exc.value.message
    assert ResourceRequest.objects.get(pk=row.pk).status == "pending"


def test_a_decline_needs_a_comment(prep_event, organiser, tech_li):
    # REQ: IR-1
    row = _ask(prep_event, organiser)
    with pytest.raises(DomainError) as exc:
        request_answer(actor=tech_li, request_id=row.pk, decision="decline", comment="  ", seen=row.revision)
    assert "拒绝时须填写答复意见" in str(exc.value.errors["comment"][0])
    assert ResourceRequest.objects.get(pk=row.pk).status == "pending"
    request_answer(
        actor=tech_li, request_id=row.pk, decision="decline", comment="当天设备检修", seen=row.revision
    )
    assert ResourceRequest.objects.get(pk=row.pk).status == "declined"


def test_a_bad_decision_and_a_stale_answer_are_refused(prep_event, organiser, tech_li, outsider):
    row = _ask(prep_event, organiser)
    with pytest.raises(DomainError) as exc:
        request_answer(actor=tech_li, request_id=row.pk, decision="maybe", seen=row.revision)
    assert "decision" in exc.value.errors
    request_answer(actor=tech_li, request_id=row.pk, decision="confirm", seen=row.revision)
    with pytest.raises(Stale):  # outsider is 技术部 too, and saw the old revision
        request_answer(
            actor=outsider, request_id=row.pk, decision="decline", comment="不行", seen=row.revision
        )
    assert ResourceRequest.objects.get(pk=row.pk).status == "confirmed"


def test_a_cancelled_request_takes_no_answer(prep_event, organiser, tech_li):
    row = _ask(prep_event, organiser)
    request_cancel(actor=organiser, event=prep_event, request_id=row.pk, seen=row.revision)
    row.refresh_from_db()
    with pytest.raises(DomainError):
        request_answer(actor=tech_li, request_id=row.pk, decision="confirm", seen=row.revision)


# ---------------------------------------------------------------- flag and readiness
def test_a_pending_request_near_its_time_is_flagged(organiser, tech_li):
    # REQ: IR-1
    soon = timezone.now() + dt.timedelta(days=2)
    event = make_event(organiser, step=Step.RESOURCES, starts=soon)
    near = _ask(event, organiser, needed_at=soon - dt.timedelta(hours=2))
    far_event = make_event(organiser, step=Step.RESOURCES, name="远期活动")
    far = _ask(far_event, organiser)
    assert is_flagged(near) and not is_flagged(far)
    warnings = [w.code for w in readiness(event).warnings]
    assert "request_due" in warnings
    request_answer(actor=tech_li, request_id=near.pk, decision="confirm", seen=near.revision)
    near.refresh_from_db()
    assert not is_flagged(near)
    assert "request_due" not in [w.code for w in readiness(event).warnings]


def test_the_gate_waits_for_every_request_to_be_confirmed(prep_event, organiser, tech_li):
    # REQ: IR-1
    def met():
        return next(
            c.met
            for c in readiness(prep_event).criteria(Step.RESOURCES)
            if c.code == "preparation.internal_resources"
        )

    row = _ask(prep_event, organiser)
    declined = _ask(prep_event, organiser, what="投影仪 2 台")
    assert not met()
    request_answer(actor=tech_li, request_id=row.pk, decision="confirm", seen=row.revision)
    request_answer(
        actor=tech_li, request_id=declined.pk, decision="decline", comment="无库存", seen=declined.revision
    )
    assert not met()
    declined.refresh_from_db()
    request_cancel(actor=organiser, event=prep_event, request_id=declined.pk, seen=declined.revision)
    assert met()


def test_the_inbox_lists_pending_first(prep_event, organiser, tech_li):
    late = _ask(prep_event, organiser, needed_at=prep_event.starts_at - dt.timedelta(hours=1))
    early = _ask(prep_event, organiser, needed_at=prep_event.starts_at - dt.timedelta(days=2))
    answered = _ask(prep_event, organiser, needed_at=prep_event.starts_at - dt.timedelta(days=5))
    request_answer(actor=tech_li, request_id=answered.pk, decision="confirm", seen=answered.revision)
    assert [r.pk for r in inbox_requests(tech_li)] == [early.pk, late.pk, answered.pk]


def test_moving_a_request_to_another_department_tells_that_department(
    prep_event, organiser, reviewer_product
):
    # REQ: IR-1
    row = _ask(prep_event, organiser)
    request_update(
        actor=organiser,
        event=prep_event,
        request_id=row.pk,
        seen=row.revision,
        department=Department.objects.get(code="product"),
    )
    [zh] = _texts(reviewer_product)
    assert "请产品部协助" in zh
    [en] = _texts(reviewer_product, "en")
    assert "Product" in en
