"""Issue 3 "Done when", through the API: the demo's product launch goes from needs to an approved plan.

The demo (``huodong.demo.loader.demo_load``) is loaded as it ships: personas, and 「智启未来·2026新品发布会」
at 需求洞察 with its needs report, goals and plan filled in. Each persona calls the API with its own
token, as a script or another system would; nothing is written to the database behind the API's back.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from huodong.core.models import AuditEntry, Notification, User
from huodong.core.services import token_create
from huodong.demo.loader import DEMO_EVENT_NAME, demo_load
from huodong.events.models import Event
from huodong.events.steps import Step

pytestmark = pytest.mark.django_db

REVIEWER_DEPARTMENTS = {
    "reviewer_sales": "sales",
    "reviewer_product": "product",
    "reviewer_legal": "legal",
    "reviewer_finance": "finance",
}
DEPARTMENT_NAMES = {"sales": "销售部", "product": "产品部", "legal": "法务部", "finance": "财务部"}

# What each department says about the demo plan (RV-1: feasibility, budget reasonableness, risk control).
OPINIONS: dict[str, dict[str, str]] = {
    "sales": {
        "decision": "approve",
        "feasibility_opinion": "签约仪式与洽谈区安排合理,可支撑 150 条有效线索目标。",
        "budget_opinion": "推广费用与预期线索量匹配。",
        "risk_opinion": "同意现有预案。",
    },
    "product": {
        "decision": "approve",
        "feasibility_opinion": "体验区需提前一天完成设备联调。",
        "budget_opinion": "设备租赁报价合理。",
        "risk_opinion": "备用投影仪与备用麦克风须到场测试。",
    },
    "legal": {
        "decision": "approve_with_conditions",
        "feasibility_opinion": "流程可行。",
        "budget_opinion": "无意见。",
        "risk_opinion": "直播画面须取得嘉宾肖像授权。",
        "conditions": "签约文本须经法务部审核定稿后方可在现场使用。",
    },
    "finance": {
        "decision": "approve",
        "feasibility_opinion": "可行。",
        "budget_opinion": "总额在 60 万审批额度内,备用金约 8%,符合 5%–10% 的要求。",
        "risk_opinion": "应急备用金动用须报财务备案。",
    },
}


class Persona:
    """One demo persona talking to the API with its own personal token (``Authorization: Bearer …``)."""

    def __init__(self, user: User) -> None:
        self.user = user
        _, secret = token_create(user=user, name="planning journey")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params: Any):  # noqa: ANN201
        return self.client.get(f"/api{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None):  # noqa: ANN201
        return self.client.post(f"/api{path}", json.dumps(body or {}), content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]):  # noqa: ANN201
        return self.client.patch(f"/api{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def demo() -> dict[str, Any]:
    """The shipped demo, loaded, and one API client per persona."""
    loaded = demo_load()
    event: Event = loaded["event"]
    assert event.name == DEMO_EVENT_NAME and event.step == Step.NEEDS
    return {"event": event, "as": {p.username: Persona(p) for p in loaded["people"]}}


def _audit(event: Event, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event_id=event.pk, action=action).order_by("at", "id"))


def _gate(api: Persona, eid: int) -> dict[str, Any]:
    res = api.get(f"/events/{eid}/gate")
    assert res.status_code == 200, res.content
    return res.json()


def _advance(api: Persona, eid: int, frm: str, to: str) -> dict[str, Any]:
    """Advance from ``frm`` after checking the gate shows every criterion met; returns the gate seen."""
    gate = _gate(api, eid)
    assert gate["step"] == frm
    assert gate["ready"], [c for c in gate["criteria"] if not c["met"]]
    res = api.post(f"/events/{eid}/advance", {"from_step": frm})
    assert res.status_code == 200, res.content
    assert res.json()["step"] == to
    return gate


def _advance_through_planning(organiser: Persona, eid: int) -> None:
    # REQ: NI-1 — the demo's needs report has the business goal, trend and feedback inputs; the gate holds.
    needs_gate = _advance(organiser, eid, Step.NEEDS, Step.GOALS)
    assert {"needs.background", "needs.inputs", "needs.methods", "needs.persona"} <= {
        c["code"] for c in needs_gate["criteria"]
    }
    needs = organiser.get(f"/events/{eid}/needs").json()
    assert json.dumps(needs, ensure_ascii=False).count("新品上市需提升30%线索量") >= 1

    # REQ: GO-1 — 200+ attendees, 150 valid leads, 500,000 exposure: measurable, dated, owned.
    goals_gate = _advance(organiser, eid, Step.GOALS, Step.PLAN)
    assert any(c["code"] == "goals.smart" and c["met"] for c in goals_gate["criteria"])
    targets = {Decimal(str(g["target_value"])) for g in organiser.get(f"/events/{eid}/goals").json()}
    assert {Decimal("200"), Decimal("150"), Decimal("500000")} <= targets

    # REQ: PL-3 — total within the approved ¥600,000 and the contingency reserve inside 5–10 %.
    plan_gate = _advance(organiser, eid, Step.PLAN, Step.APPROVAL)
    met = {c["code"] for c in plan_gate["criteria"] if c["met"]}
    assert {"plan.budget.within_approved", "plan.budget.contingency_band"} <= met
    summary = organiser.get(f"/events/{eid}/plan").json()["budget_summary"]
    assert Decimal(str(summary["total"])) <= Decimal("600000")
    assert Decimal("0.05") <= Decimal(str(summary["contingency_share"])) <= Decimal("0.10")


def _blocked_at_approval(organiser: Persona, eid: int) -> dict[str, Any]:
    """The organiser tries to leave 审批定稿 too early: 409 and every unmet criterion, nothing moved."""
    moves_before = len(_audit_moves(eid))
    res = organiser.post(f"/events/{eid}/advance", {"from_step": Step.APPROVAL})
    assert res.status_code == 409, res.content
    body = res.json()
    assert body["code"] == "gate_blocked" and body["step"] == Step.APPROVAL
    assert Event.objects.get(pk=eid).step == Step.APPROVAL
    assert len(_audit_moves(eid)) == moves_before
    return {c["code"]: c for c in body["unmet"]}


def _audit_moves(eid: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event_id=eid, action="event.forward"))


def _all_review(api: dict[str, Persona], eid: int, version: int, opinions: dict[str, dict[str, str]]) -> None:
    """Each reviewer finds its own pending review of ``version`` in 我的待办 and decides it."""
    for username, dept in REVIEWER_DEPARTMENTS.items():
        reviewer = api[username]
        pending = reviewer.get("/events/me/pending").json()["reviews"]
        mine = [p for p in pending if p["event_id"] == eid]
        assert [(p["department"], p["version"]) for p in mine] == [(dept, version)], pending
        res = reviewer.post(f"/events/{eid}/department-reviews/{mine[0]['review_id']}/decide", opinions[dept])
        assert res.status_code == 200, res.content
        decided = res.json()
        assert decided["decision"] == opinions[dept]["decision"]
        assert decided["reviewer"] == username and decided["department"] == dept


def _sign_in_order(api: dict[str, Persona], eid: int, version: int) -> None:
    """分管领导 then 总经理 sign the content hash shown by the versions endpoint (AP-1)."""
    versions = api["approver_exec"].get(f"/events/{eid}/plan/versions").json()
    latest = versions[0]
    assert latest["number"] == version and latest["status"] == "reviewed"
    digest = latest["content_hash"]

    # The general manager cannot sign before the executive in charge: refused, nothing written.
    res = api["approver_gm"].post(
        f"/events/{eid}/approvals/sign", {"decision": "approve", "comment": "同意", "content_hash": digest}
    )
    assert res.status_code == 400, res.content
    assert res.json()["code"] == "out_of_order"
    assert "分管领导" in res.json()["message"]
    assert api["approver_gm"].get(f"/events/{eid}/plan/versions").json()[0]["signatures"] == []

    res = api["approver_exec"].post(
        f"/events/{eid}/approvals/sign",
        {"decision": "approve", "comment": "同意,注意控制现场安全。", "content_hash": digest},
    )
    assert res.status_code == 201, res.content
    assert res.json()["level"] == "executive" and res.json()["content_hash"] == digest

    pending = api["approver_gm"].get("/events/me/pending").json()["approvals"]
    assert [(p["event_id"], p["level"], p["content_hash"]) for p in pending] == [
        (eid, "general_manager", digest)
    ]
    res = api["approver_gm"].post(
        f"/events/{eid}/approvals/sign",
        {"decision": "approve", "comment": "同意执行。", "content_hash": digest},
    )
    assert res.status_code == 201, res.content
    assert res.json()["level"] == "general_manager"


def _docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def test_the_demo_launch_goes_from_needs_to_an_approved_plan_through_the_api(demo):
    event: Event = demo["event"]
    api: dict[str, Persona] = demo["as"]
    organiser = api["organiser"]
    eid = event.pk

    # REQ: LC-2 — needs → goals → plan → approval, each gate met by the demo's own data.
    _advance_through_planning(organiser, eid)

    # REQ: LC-2 — no preparation before the plan is reviewed and signed: 409 with what is missing.
    unmet = _blocked_at_approval(organiser, eid)
    assert set(unmet) == {
        "approval.submitted",
        "approval.reviews",
        "approval.executive",
        "approval.general_manager",
    }
    assert unmet["approval.executive"]["detail"] == "尚未签字"

    res = organiser.post(f"/events/{eid}/plan/submit")
    assert res.status_code == 201, res.content
    v1 = res.json()
    assert v1["number"] == 1 and v1["status"] == "in_review"
    assert sorted(r["department"] for r in v1["reviews"]) == sorted(DEPARTMENT_NAMES)

    # Still blocked, now naming the four pending departments and both missing signatures.
    unmet = _blocked_at_approval(organiser, eid)
    assert set(unmet) == {"approval.reviews", "approval.executive", "approval.general_manager"}
    for name in DEPARTMENT_NAMES.values():
        assert name in unmet["approval.reviews"]["detail"]

    # REQ: RV-1 — sales, product, legal and finance each review feasibility, budget and risk control.
    _all_review(api, eid, 1, OPINIONS)
    reviews = {r["department"]: r for r in organiser.get(f"/events/{eid}/department-reviews").json()}
    assert reviews["legal"]["decision"] == "approve_with_conditions"
    assert reviews["legal"]["conditions"] == OPINIONS["legal"]["conditions"]
    assert all(r["decided_at"] for r in reviews.values())

    unmet = _blocked_at_approval(organiser, eid)
    assert set(unmet) == {"approval.executive", "approval.general_manager"}

    # REQ: AP-1 — the executive in charge, then the general manager, sign the exact version's hash.
    _sign_in_order(api, eid, 1)
    versions = organiser.get(f"/events/{eid}/plan/versions").json()
    assert versions[0]["status"] == "approved"
    assert [(s["level"], s["approver"]) for s in versions[0]["signatures"]] == [
        ("executive", "approver_exec"),
        ("general_manager", "approver_gm"),
    ]
    assert {s["content_hash"] for s in versions[0]["signatures"]} == {versions[0]["content_hash"]}

    res = organiser.post(f"/events/{eid}/advance", {"from_step": Step.APPROVAL})
    assert res.status_code == 200, res.content
    assert res.json()["step"] == Step.RESOURCES and res.json()["phase"] == "preparation"
    assert organiser.get(f"/events/{eid}").json()["step"] == Step.RESOURCES
    assert Event.objects.get(pk=eid).step == Step.RESOURCES

    # Every move, decision and signature is in the audit log, by the persona who made it.
    moves = _audit(event, "event.forward")
    assert [(m.before["step"], m.after["step"]) for m in moves] == [
        (Step.NEEDS, Step.GOALS),
        (Step.GOALS, Step.PLAN),
        (Step.PLAN, Step.APPROVAL),
        (Step.APPROVAL, Step.RESOURCES),
    ]
    assert {m.actor.username for m in moves} == {"organiser"}
    assert [e.actor.username for e in _audit(event, "plan_version.submit")] == ["organiser"]
    assert sorted(e.actor.username for e in _audit(event, "department_review.decide")) == sorted(
        REVIEWER_DEPARTMENTS
    )
    assert [e.actor.username for e in _audit(event, "approval.sign")] == ["approver_exec", "approver_gm"]
    assert len(_audit(event, "plan_version.reviewed")) == 1
    assert len(_audit(event, "plan_version.approve")) == 1

    # REQ: DOC-3 — the approval form: each department's opinion, both signers, their dates.
    res = organiser.get(f"/events/{eid}/documents/approval-form.docx")
    assert res.status_code == 200, res.content[:300]
    text = _docx_text(res.content)
    assert "活动策划方案审批表" in text and DEMO_EVENT_NAME in text
    for dept, opinion in OPINIONS.items():
        assert DEPARTMENT_NAMES[dept] in text
        assert opinion["feasibility_opinion"] in text and opinion["risk_opinion"] in text
    assert OPINIONS["legal"]["conditions"] in text
    for reviewer in ("李总监", "周经理", "吴律师", "郑会计"):
        assert reviewer in text
    assert "赵总" in text and "孙总" in text
    assert "同意,注意控制现场安全。" in text and "同意执行。" in text
    assert "＿＿＿＿＿＿＿＿" not in text  # no blank signature or review line left to fill in by hand
    assert versions[0]["content_hash"] in text


def test_a_rejected_plan_goes_back_edited_and_round_again_until_it_is_approved(demo):
    event: Event = demo["event"]
    api: dict[str, Persona] = demo["as"]
    organiser = api["organiser"]
    eid = event.pk
    _advance_through_planning(organiser, eid)
    assert organiser.post(f"/events/{eid}/plan/submit").status_code == 201

    # REQ: RV-1 — finance rejects v1 over the promotion budget; the other departments have not decided.
    finance = api["reviewer_finance"]
    review_id = next(
        p["review_id"] for p in finance.get("/events/me/pending").json()["reviews"] if p["event_id"] == eid
    )
    rejection = "线上推广投放 50,000 元偏高,请压缩到 40,000 元以内后再提交。"
    res = finance.post(
        f"/events/{eid}/department-reviews/{review_id}/decide",
        {"decision": "reject", "budget_opinion": rejection},
    )
    assert res.status_code == 200, res.content
    assert res.json()["decision"] == "reject"

    # The event is back at 方案设计, and the organiser reads the opinion: notification, reviews, history.
    assert organiser.get(f"/events/{eid}").json()["step"] == Step.PLAN
    notices = Notification.objects.filter(recipient=api["organiser"].user, kind="department_review.rejected")
    assert notices.count() == 1 and rejection in notices.get().message
    reviews = {
        r["department"]: r for r in organiser.get(f"/events/{eid}/department-reviews", version=1).json()
    }
    assert reviews["finance"]["budget_opinion"] == rejection
    back = organiser.get(f"/events/{eid}/history").json()[-1]
    assert back["direction"] == "back" and back["to_step"] == Step.PLAN and rejection in back["reason"]
    # The other reviewers no longer have v1 waiting for them.
    for username in ("reviewer_sales", "reviewer_product", "reviewer_legal"):
        assert [
            p for p in api[username].get("/events/me/pending").json()["reviews"] if p["event_id"] == eid
        ] == []

    # REQ: PL-3 — the organiser cuts the promotion line; the budget stays within the limit and the band.
    plan = organiser.get(f"/events/{eid}/plan").json()
    line = next(b for b in plan["budget_lines"] if b["item"] == "线上推广投放")
    res = organiser.patch(
        f"/events/{eid}/plan/budget-lines/{line['id']}", {"unit_price": "40000", "revision": line["revision"]}
    )
    assert res.status_code == 200, res.content
    assert Decimal(str(res.json()["amount"])) == Decimal("40000.00")
    summary = organiser.get(f"/events/{eid}/plan").json()["budget_summary"]
    assert Decimal(str(summary["total"])) == Decimal(str(plan["budget_summary"]["total"])) - Decimal("10000")
    assert summary["reserve_in_band"] and not summary["over_budget"]

    # REQ: LC-2 — back to 审批定稿 through the plan gate, then v2 goes round again.
    _advance(organiser, eid, Step.PLAN, Step.APPROVAL)
    unmet = _blocked_at_approval(organiser, eid)
    assert (
        "v1" in unmet["approval.submitted"]["detail"] and "重新提交" in unmet["approval.submitted"]["detail"]
    )
    res = organiser.post(f"/events/{eid}/plan/submit")
    assert res.status_code == 201, res.content
    assert res.json()["number"] == 2 and res.json()["status"] == "in_review"

    approvals = {
        **OPINIONS,
        "finance": {**OPINIONS["finance"], "budget_opinion": "已按要求压缩推广费用,同意。"},
    }
    _all_review(api, eid, 2, approvals)
    # REQ: AP-1
    _sign_in_order(api, eid, 2)
    res = organiser.post(f"/events/{eid}/advance", {"from_step": Step.APPROVAL})
    assert res.status_code == 200, res.content
    assert res.json()["step"] == Step.RESOURCES

    versions = {v["number"]: v for v in organiser.get(f"/events/{eid}/plan/versions").json()}
    assert versions[1]["status"] == "rejected" and versions[2]["status"] == "approved"
    assert versions[1]["content_hash"] != versions[2]["content_hash"]
    diff = organiser.get(f"/events/{eid}/plan/diff", **{"from": "1", "to": "2"}).json()
    assert "40000.00" in json.dumps(diff, ensure_ascii=False)

    # DOC-3 of the approved version carries v2's opinions, not the rejected round's.
    text = _docx_text(organiser.get(f"/events/{eid}/documents/approval-form.docx").content)
    assert "已按要求压缩推广费用,同意。" in text and rejection not in text
    assert "第 2 版" in text
    assert [e.actor.username for e in _audit(event, "approval.sign")] == ["approver_exec", "approver_gm"]
    assert len(_audit(event, "department_review.decide")) == 1 + 4
    assert len(_audit(event, "event.back")) == 1
