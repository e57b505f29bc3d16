"""The review and approval API (RV-1, AP-1): same services as the pages, JSON errors naming the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from huodong.core.models import User
from huodong.core.services import token_create
from huodong.events.steps import Step
from huodong.planning.models import BudgetLine, DepartmentReview, PlanVersion, Signature

from .conftest import reviewed_version, submit


class Api:
    def __init__(self, user: User) -> None:
        _, secret = token_create(user=user)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params):  # noqa: ANN003, ANN201
        return self.client.get(f"/api/events{path}", params)

    def post(self, path: str, body: dict | None = None):  # noqa: ANN201
        return self.client.post(f"/api/events{path}", json.dumps(body or {}), content_type="application/json")


def test_the_whole_round_through_the_api(plan_event, organiser, reviewers, approver_exec, approver_gm):
    # REQ: RV-1, AP-1, LC-2
    eid = plan_event.pk
    res = Api(organiser).post(
        f"/{eid}/plan/submit", {"departments": ["sales", "finance", "legal", "product"]}
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["number"] == 1 and body["status"] == "in_review"
    assert sorted(r["department"] for r in body["reviews"]) == ["finance", "legal", "product", "sales"]
    assert body["review_exception_departments"] == [] and body["review_exception_by"] is None

    for code in ("sales", "finance", "legal", "product"):
        api = Api(reviewers[code])
        pending = api.get("/me/pending").json()
        assert [p["department"] for p in pending["reviews"]] == [code]
        res = api.post(
            f"/{eid}/department-reviews/{pending['reviews'][0]['review_id']}/decide",
            {"decision": "approve", "risk_opinion": "可控"},
        )
        assert res.status_code == 200, res.content
        assert res.json()["decision"] == "approve"

    exec_api = Api(approver_exec)
    pending = exec_api.get("/me/pending").json()["approvals"]
    assert len(pending) == 1 and pending[0]["level"] == "executive"
    res = exec_api.post(
        f"/{eid}/approvals/sign",
        {"decision": "approve", "comment": "同意", "content_hash": pending[0]["content_hash"]},
    )
    assert res.status_code == 201, res.content
    assert res.json()["level"] == "executive"

    gm_api = Api(approver_gm)
    res = gm_api.post(
        f"/{eid}/approvals/sign", {"decision": "approve", "content_hash": pending[0]["content_hash"]}
    )
    assert res.status_code == 201
    versions = Api(organiser).get(f"/{eid}/plan/versions").json()
    assert versions[0]["status"] == "approved" and len(versions[0]["signatures"]) == 2

    res = Api(organiser).post(f"/{eid}/advance", {"from_step": "approval"})
    assert res.status_code == 200 and res.json()["step"] == Step.RESOURCES


def test_reviewer_of_another_department_gets_403_json(plan_event, organiser, reviewers):
    # REQ: RV-1
    version = submit(plan_event, organiser)
    review = DepartmentReview.objects.get(version=version, department__code="finance")
    res = Api(reviewers["sales"]).post(
        f"/{plan_event.pk}/department-reviews/{review.pk}/decide", {"decision": "approve"}
    )
    assert res.status_code == 403
    assert "评审人不属于该部门" in res.json()["message"]
    review.refresh_from_db()
    assert review.decision == DepartmentReview.Decision.PENDING


def test_stale_signature_gets_409_and_nothing_is_written(plan_event, organiser, reviewers, approver_exec):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    old_hash = version.content_hash
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("9.00"))
    res = Api(approver_exec).post(
        f"/{plan_event.pk}/approvals/sign", {"decision": "approve", "content_hash": old_hash}
    )
    assert res.status_code == 409
    assert res.json()["message"] == "方案已修改,请查看新版本。"
    assert not Signature.objects.exists()


def test_gm_before_executive_is_refused(plan_event, organiser, reviewers, approver_gm):
    # REQ: AP-1
    version = reviewed_version(plan_event, organiser, reviewers)
    res = Api(approver_gm).post(
        f"/{plan_event.pk}/approvals/sign", {"decision": "approve", "content_hash": version.content_hash}
    )
    assert res.status_code == 400
    assert res.json()["code"] == "out_of_order"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"departments": ["sales", "nosuch"]}, "departments"),
        ({"departments": []}, "departments"),
        ({"departments": "sales"}, "departments"),
    ],
)
def test_bad_submissions_name_the_field(plan_event, organiser, reviewers, body, field):
    res = Api(organiser).post(f"/{plan_event.pk}/plan/submit", body)
    assert res.status_code == 400
    assert field in res.json()["errors"]
    assert not PlanVersion.objects.exists()


def test_bad_review_body_names_the_field(plan_event, organiser, reviewers):
    version = submit(plan_event, organiser)
    review = DepartmentReview.objects.get(version=version, department__code="sales")
    res = Api(reviewers["sales"]).post(
        f"/{plan_event.pk}/department-reviews/{review.pk}/decide", {"decision": "approve_with_conditions"}
    )
    assert res.status_code == 400 and "conditions" in res.json()["errors"]
    res = Api(reviewers["sales"]).post(f"/{plan_event.pk}/department-reviews/{review.pk}/decide", {})
    assert res.status_code == 400 and "decision" in res.json()["errors"]


def test_version_detail_and_diff(plan_event, organiser, reviewers):
    submit(plan_event, organiser)
    api = Api(organiser)
    detail = api.get(f"/{plan_event.pk}/plan/versions/1").json()
    assert detail["content"]["event"]["venue"] == "上海国际会议中心"
    BudgetLine.objects.filter(item="LED 屏").update(amount=Decimal("9.00"))
    diff = api.get(f"/{plan_event.pk}/plan/diff", **{"from": "1", "to": "current"}).json()
    assert diff["changed"] is True
    budget = next(t for t in diff["tables"] if t["key"] == "budget_lines")
    assert budget["changed"][0]["fields"] == [
        {"field": "amount", "label": "金额", "old": "160000.00", "new": "9.00"}
    ]
    assert api.get(f"/{plan_event.pk}/plan/diff", **{"from": "7"}).status_code == 400
    assert api.get(f"/{plan_event.pk}/plan/versions/7").status_code == 404


def test_outsider_cannot_read_reviews(plan_event, organiser, outsider):
    submit(plan_event, organiser)
    assert Api(outsider).get(f"/{plan_event.pk}/department-reviews").status_code == 403
    assert Api(outsider).get(f"/{plan_event.pk}/plan/versions").status_code == 403
    assert Api(outsider).get("/me/pending").json() == {"reviews": [], "approvals": []}
