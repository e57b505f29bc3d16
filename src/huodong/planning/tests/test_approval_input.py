"""Bad input to review and approval never gives a 500 (issue 6, finding 5).

Every refusal is a 4xx in the documented JSON shape naming the field, and nothing is written: NUL bytes,
lone surrogates and control characters, over-long text, wrong types, ``null`` for text, ids out of range,
and bodies that are not JSON objects (``[null, null]`` was accepted with 201).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huodong.core.errors import DomainError
from huodong.core.models import AuditEntry, User
from huodong.core.services import token_create
from huodong.planning.models import DepartmentReview, PlanVersion, Signature
from huodong.planning.services.approval import approval_sign
from huodong.planning.services.department_review import department_review_decide
from tests.factories import login

from .conftest import reviewed_version, submit

HUGE_ID = 10**12


def _api(user: User) -> Client:
    _, secret = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


def _post(client: Client, path: str, raw: str):  # noqa: ANN202
    return client.post(f"/api/events{path}", raw, content_type="application/json")


def _written() -> tuple[int, int, int, int]:
    return (
        PlanVersion.objects.count(),
        DepartmentReview.objects.exclude(decision=DepartmentReview.Decision.PENDING).count(),
        Signature.objects.count(),
        AuditEntry.objects.exclude(event_id=None).count(),  # a token's own audit row is not the event's
    )


def _refused(res, field: str | None = None) -> dict:  # noqa: ANN001
    assert 400 <= res.status_code < 500, (res.status_code, res.content[:300])
    body = res.json()
    assert set(body) >= {"code", "message", "errors"}, body
    if field is not None:
        assert field in body["errors"], body
    return body


# ---------------------------------------------------------------- bodies that are not objects
@pytest.mark.parametrize("raw", ["[null, null]", "[]", "null", "1", '"sales"', "true", "{"])
def test_a_submission_body_that_is_not_a_json_object_is_refused(plan_event, organiser, reviewers, raw):
    # REQ: RV-1 — issue 6, finding 5: `[null, null]` as a body was accepted with 201.
    res = _post(_api(organiser), f"/{plan_event.pk}/plan/submit", raw)
    _refused(res)
    assert res.status_code == 400
    assert not PlanVersion.objects.exists()


def test_an_empty_submission_body_still_means_the_required_departments(plan_event, organiser, reviewers):
    # REQ: RV-1
    res = _api(organiser).post(
        f"/api/events/{plan_event.pk}/plan/submit", "", content_type="application/json"
    )
    assert res.status_code == 201, res.content
    assert len(res.json()["reviews"]) == 4


@pytest.mark.parametrize("raw", ["[null, null]", "null", "[]", "7"])
def test_decision_and_signature_bodies_that_are_not_objects_are_refused(
    plan_event, organiser, reviewers, approver_exec, raw
):
    version = reviewed_version(plan_event, organiser, reviewers)
    before = _written()
    _refused(_post(_api(approver_exec), f"/{plan_event.pk}/approvals/sign", raw))
    review = version.reviews.first()
    _refused(_post(_api(reviewers["sales"]), f"/{plan_event.pk}/department-reviews/{review.pk}/decide", raw))
    assert _written() == before


# ---------------------------------------------------------------- text
BAD_TEXT = {
    "NUL": "可行\x00",
    "lone surrogate": "可行\ud800",
    "control character": "可行\x07",
    "over-long": "长" * 5001,
}


@pytest.mark.parametrize("field", ["feasibility_opinion", "budget_opinion", "risk_opinion", "conditions"])
@pytest.mark.parametrize("kind", list(BAD_TEXT))
def test_bad_opinion_text_is_refused_by_the_api_naming_the_field(
    plan_event, organiser, reviewers, field, kind
):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    review = version.reviews.get(department__code="legal")
    body = {"decision": "approve_with_conditions", "conditions": "合同须复核", field: BAD_TEXT[kind]}
    before = _written()
    res = _post(
        _api(reviewers["legal"]),
        f"/{plan_event.pk}/department-reviews/{review.pk}/decide",
        json.dumps(body),  # a lone surrogate travels as the JSON escape \ud800
    )
    assert _refused(res, field)["code"] == "invalid"
    assert _written() == before


@pytest.mark.parametrize("kind", list(BAD_TEXT))
def test_bad_opinion_text_is_refused_by_the_service(plan_event, organiser, reviewers, kind):
    # REQ: RV-1 — the pages go through the service, so the service refuses it too.
    version = submit(plan_event, organiser)
    review = version.reviews.get(department__code="legal")
    with pytest.raises(DomainError) as exc:
        department_review_decide(
            review=review, actor=reviewers["legal"], decision="reject", risk_opinion=BAD_TEXT[kind]
        )
    assert "risk_opinion" in exc.value.errors


@pytest.mark.parametrize(
    "comment", ["同意\x00", "同意\ud800", "同意\x1b[0m", "长" * 2001], ids=["NUL", "surrogate", "ESC", "long"]
)
def test_a_bad_signature_comment_is_refused(plan_event, organiser, reviewers, approver_exec, comment):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    before = _written()
    res = _post(
        _api(approver_exec),
        f"/{plan_event.pk}/approvals/sign",
        json.dumps({"decision": "approve", "comment": comment, "content_hash": version.content_hash}),
    )
    _refused(res, "comment")
    with pytest.raises(DomainError) as exc:
        approval_sign(
            version=version,
            actor=approver_exec,
            decision="approve",
            comment=comment,
            content_hash=version.content_hash,
        )
    assert "comment" in exc.value.errors
    assert _written() == before


# ---------------------------------------------------------------- types
@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": None}, "decision"),
        ({"decision": 5}, "decision"),
        ({"decision": ["approve"]}, "decision"),
        ({"decision": "approve", "feasibility_opinion": None}, "feasibility_opinion"),
        ({"decision": "approve", "budget_opinion": 12}, "budget_opinion"),
        ({"decision": "approve", "risk_opinion": {"a": 1}}, "risk_opinion"),
        ({"decision": "x" * 31}, "decision"),
        ({"decision": "approve\n"}, "decision"),
    ],
)
def test_wrong_types_in_a_decision_are_refused(plan_event, organiser, reviewers, body, field):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    review = version.reviews.get(department__code="sales")
    before = _written()
    res = _post(
        _api(reviewers["sales"]), f"/{plan_event.pk}/department-reviews/{review.pk}/decide", json.dumps(body)
    )
    _refused(res, field)
    assert _written() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "approve", "content_hash": None}, "content_hash"),
        ({"decision": "approve", "content_hash": "a" * 65}, "content_hash"),
        ({"decision": "approve", "content_hash": 12345}, "content_hash"),
        ({"decision": "approve", "content_hash": "ab\x00"}, "content_hash"),
        ({"decision": None, "content_hash": "a" * 64}, "decision"),
        ({"decision": "approve", "comment": None, "content_hash": "a" * 64}, "comment"),
    ],
)
def test_wrong_types_in_a_signature_are_refused(plan_event, organiser, reviewers, approver_exec, body, field):
    # REQ: AP-1
    reviewed_version(plan_event, organiser, reviewers)
    res = _post(_api(approver_exec), f"/{plan_event.pk}/approvals/sign", json.dumps(body))
    _refused(res, field)
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"departments": [None]}, "departments.0"),
        ({"departments": [5]}, "departments.0"),
        ({"departments": ["sales\x00"]}, "departments.0"),
        ({"departments": ["s" * 41]}, "departments.0"),
        ({"departments": ["sales"] * 101}, "departments"),
        ({"departments": {"a": "sales"}}, "departments"),
        ({"exception_reason": None}, "exception_reason"),
        ({"exception_reason": "\ud800"}, "exception_reason"),
        ({"exception_reason": "长" * 2001}, "exception_reason"),
        ({"content_hash": "f" * 65}, "content_hash"),
    ],
)
def test_wrong_types_in_a_submission_are_refused(plan_event, organiser, reviewers, body, field):
    # REQ: RV-1
    res = _post(_api(organiser), f"/{plan_event.pk}/plan/submit", json.dumps(body))
    _refused(res, field)
    assert not PlanVersion.objects.exists()


def test_a_submission_that_saw_an_older_plan_is_refused(plan_event, organiser, reviewers):
    # REQ: RV-1 — the submitter names the plan they saw; a plan changed since is not frozen unseen.
    res = _post(_api(organiser), f"/{plan_event.pk}/plan/submit", json.dumps({"content_hash": "0" * 64}))
    assert res.status_code == 409 and "方案在您查看后已被修改" in res.json()["message"]
    assert not PlanVersion.objects.exists()


# ---------------------------------------------------------------- ids
@pytest.mark.parametrize("bad", ["0", "-1", str(2**31), str(HUGE_ID)])
def test_ids_out_of_range_are_refused_not_500(plan_event, organiser, reviewers, approver_exec, bad):
    version = submit(plan_event, organiser)
    review = version.reviews.first()
    api = _api(organiser)
    reads = [
        f"/api/events/{bad}/plan/versions",
        f"/api/events/{plan_event.pk}/plan/versions/{bad}",
        f"/api/events/{plan_event.pk}/department-reviews?version={bad}",
        f"/api/events/{plan_event.pk}/plan/diff?from={bad}",
    ]
    for url in reads:
        _refused(api.get(url))
    _refused(_post(api, f"/{bad}/plan/submit", "{}"))
    _refused(
        _post(
            _api(reviewers["sales"]),
            f"/{plan_event.pk}/department-reviews/{bad}/decide",
            json.dumps({"decision": "approve"}),
        )
    )
    _refused(
        _post(
            _api(approver_exec),
            f"/{bad}/approvals/sign",
            json.dumps({"decision": "approve", "content_hash": "a"}),
        )
    )
    assert review.decision == DepartmentReview.Decision.PENDING


@pytest.mark.parametrize("bad", [str(2**31), str(HUGE_ID)])
def test_page_ids_out_of_range_are_404_not_500(client, plan_event, organiser, reviewers, bad):
    submit(plan_event, organiser)
    client.raise_request_exception = False
    login(client, organiser)
    eid = plan_event.pk
    for path in (
        f"/events/{bad}/planning/approval/",
        f"/events/{eid}/planning/approval/versions/{bad}/",
        f"/events/{eid}/planning/approval/diff/?from={bad}",
    ):
        assert client.get(path).status_code in (400, 404), path
    for path in (
        f"/events/{eid}/planning/approval/department-reviews/{bad}/decide/",
        f"/events/{eid}/planning/approval/versions/{bad}/sign/",
    ):
        assert client.post(path, {"decision": "approve"}).status_code in (400, 403, 404), path


def test_a_nul_in_a_page_form_is_a_400_naming_the_field(client, plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    review = version.reviews.get(department__code="legal")
    login(client, reviewers["legal"])
    res = client.post(
        reverse(
            "planning:department_review_decide", kwargs={"event_id": plan_event.pk, "review_id": review.pk}
        ),
        {"decision": "reject", "risk_opinion": "缺少授权\x00"},
    )
    assert res.status_code == 400
    assert "风险控制意见" in res.content.decode()
    review.refresh_from_db()
    assert review.decision == DepartmentReview.Decision.PENDING
