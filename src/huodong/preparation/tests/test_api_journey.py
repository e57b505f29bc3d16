"""Issue 8, "done when": the demo's approved launch is prepared end to end through the API and reaches 通知发布.

The demo loads 「智启未来·华东巡展(杭州站)」 approved by the personas and half prepared in 资源协调. With the
personas' tokens, as a program would: the organiser reads what is missing, completes the RACI of the
tasks left without one, compares the three quotes and chooses the best-scoring one, records the
contract; 技术部's person confirms the request for the network; the organiser accepts every material,
records the execution meeting held and everyone's attendance, and advances the event three times.
The clock is moved to two days before the event (the meeting is held three days before it).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import Client

from huodong.core.services import token_create
from huodong.demo.loader import demo_load
from huodong.demo.preparation_demo import PREP_EVENT_NAME
from huodong.events.models import Event

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Api:
    def __init__(self, username: str, people: dict[str, Any]) -> None:
        _, secret = token_create(user=people[username], name="journey")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str) -> Any:
        response = self.client.get(f"/api{path}")
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response.json()

    def send(
        self, method: str, path: str, body: dict[str, Any], expect: int = 200, rev: int | None = None
    ) -> Any:
        headers: dict[str, Any] = {"HTTP_IF_MATCH": f'"r{rev}"'} if rev is not None else {}
        response = self.client.generic(method, f"/api{path}", json.dumps(body), "application/json", **headers)
        assert response.status_code == expect, (method, path, response.status_code, response.content[:400])
        return response.json() if response.content else None


def test_the_demo_launch_is_prepared_through_the_api_and_reaches_notification():
    # REQ: TM-1, TM-2, VD-1, VD-2, IR-1, MT-1, TR-1, LC-2
    people = {p.username: p for p in demo_load()["people"]}
    event = Event.objects.get(name=PREP_EVENT_NAME)
    assert event.step == "resources"
    e = event.pk
    with time_machine.travel(dt.datetime(2027, 4, 20, 10, 0, tzinfo=SHANGHAI), tick=True):
        organiser, tech, staff = Api("organiser", people), Api("admin", people), Api("staff", people)
        ready = organiser.get(f"/events/{e}/readiness")
        assert ready["ready"] is False
        unmet = {c["code"] for g in ready["gates"] for c in g["criteria"] if not c["met"]}
        assert {"preparation.raci", "preparation.vendor_contracts", "preparation.internal_resources"} <= unmet

        # TM-1: the tasks the demo left without a RACI get one A and one R.
        team = organiser.get(f"/events/{e}/team")
        leader = next(m for m in team["members"] if m["is_leader"])
        assert leader["person"] == "organiser" and {g["code"] for g in team["groups"]} >= {
            "execution",
            "publicity",
            "logistics",
        }  # TM-2
        open_tasks = [t for t in organiser.get(f"/events/{e}/tasks") if t["raci_problems"]]
        assert len(open_tasks) == 2
        for task in open_tasks:
            organiser.send(
                "PUT",
                f"/events/{e}/tasks/{task['id']}/raci",
                {"raci": {"organiser": "A", "staff": "R", "marketing_mgr": "C"}},
                rev=task["revision"],
            )

        # VD-1, VD-2: compare, choose the best-scoring quote with a reason, record the contract.
        [need] = organiser.get(f"/events/{e}/vendor-needs")["needs"]
        comparison = organiser.get(f"/events/{e}/vendor-needs/{need['id']}/comparison")
        assert len(comparison["rows"]) == 3 and comparison["enough_quotes"]
        best = min(comparison["rows"], key=lambda r: r["rank"])
        assert any(r["expired_qualifications"] for r in comparison["rows"])  # the fire certificate
        chosen = organiser.send(
            "POST",
            f"/events/{e}/vendor-needs/{need['id']}/choose",
            {"quote": best["quote_id"], "reason": "综合得分最高,场地与设备齐全"},
            rev=need["revision"],
        )
        organiser.send(
            "POST",
            f"/events/{e}/vendor-needs/{need['id']}/contract",
            {
                "number": "HT-2027-042",
                "service_content": "主会场 4 小时,含音响灯光、LED 屏与 150 人茶歇",
                "delivery_at": "2027-04-21T14:00:00+08:00",
                "liability": "逾期交付按合同金额每日 1% 支付违约金",
                "amount": str(best["amount"]),
                "signed_on": "2027-04-10",
            },
            expect=201,
            rev=chosen["revision"],
        )

        # IR-1: 技术部's person confirms from their own list.
        [request] = [r for r in tech.get("/my/resource-requests") if r["event_id"] == e]
        tech.send(
            "POST",
            f"/resource-requests/{request['id']}/answer",
            {"decision": "confirm", "comment": "安排两名工程师全程值守"},
            rev=request["revision"],
        )
        refused = staff.send(  # not 技术部: the answer is the department's
            "POST",
            f"/resource-requests/{request['id']}/answer",
            {"decision": "decline", "comment": "不行"},
            expect=403,
        )
        assert refused["code"] == "forbidden"

        # MT-1: every material accepted.
        for item in organiser.get(f"/events/{e}/materials")["items"]:
            organiser.send(
                "POST",
                f"/events/{e}/materials/{item['id']}/status",
                {"status": "accepted"},
                rev=item["revision"],
            )

        # TR-1: the execution meeting held (three days before the event), everyone's attendance recorded.
        [meeting] = [t for t in organiser.get(f"/events/{e}/trainings") if t["kind"] == "execution_meeting"]
        held = organiser.send(
            "POST",
            f"/events/{e}/trainings/{meeting['id']}/held",
            {"held_at": meeting["starts_at"], "minutes": "流程串讲完毕;LED 屏 T-1 日 18:00 前完成调试。"},
            rev=meeting["revision"],
        )
        organiser.send(
            "PUT",
            f"/events/{e}/trainings/{meeting['id']}/attendance",
            {"rows": [{"person": a["person"], "attended": True} for a in held["attendance"]]},
            rev=held["revision"],
        )

        assert organiser.get(f"/events/{e}/readiness")["ready"] is True
        for step, after in (
            ("resources", "materials"),
            ("materials", "training"),
            ("training", "notification"),
        ):
            moved = organiser.send("POST", f"/events/{e}/advance", {"from_step": step})
            assert moved["step"] == after
    event.refresh_from_db()
    assert event.step == "notification"
