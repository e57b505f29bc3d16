"""Permission rows of the outbox (issue 9, point 4): the event's tab 消息 (the delivery log, one message,
retry a dead letter, decide one in doubt) and their API; the administrators' robot register and its API.

Guest contact data is personal information: the delivery log is for the event's editors only
(``Need.EDIT``). The world's event is at 审批定稿, outside the outreach steps: an allowed persona's retry
or resolve is refused for the step (400 for the API, a redirect with the message for the pages), which is
past access. The world's robot is disabled, so its test message is refused before any request leaves.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from huodong.outreach.models import Message, Robot
from tests.permission_rows import ADMIN, EDIT, Row


def ids(world: Any) -> dict[str, Any]:
    now = timezone.now()
    common = {
        "event": world.event,
        "channel": "email",
        "kind": "invitation",
        "recipient": "guest@example.com",
        "body": "邀请",
        "due_at": now,
        "not_before": now,
    }
    dead = Message.objects.create(
        **common, status="dead", attempts=5, last_error="550", idempotency_key="perm:dead"
    )
    doubt = Message.objects.create(**common, status="in_doubt", idempotency_key="perm:doubt")
    robot = Robot.objects.create(kind="wecom", name="权限测试群", token="KEY", is_active=False)
    return {"message_id": dead.pk, "doubt_message_id": doubt.pk, "robot_id": robot.pk}


_DOUBT = {"message_id": "doubt_message_id"}

PAGES: dict[str, Row] = {
    "outreach:messages": Row(EDIT),
    "outreach:message_detail": Row(EDIT),
    "outreach:message_retry": Row(EDIT, data={}),
    "outreach:message_resolve": Row(EDIT, data={"outcome": "delivered"}, kwargs=_DOUBT),
    "outreach:robots": Row(ADMIN),
    "outreach:robot_add": Row(ADMIN, data={"kind": "wecom", "name": "新群", "token": "K2"}),
    "outreach:robot_edit": Row(ADMIN),
    "outreach:robot_test": Row(ADMIN, data={}),
}

_M = "/api/events/{event_id}/messages"
_R = "/api/outreach/robots"
API: dict[str, Row] = {
    f"GET {_M}": Row(EDIT),
    f"GET {_M}/{{message_id}}": Row(EDIT),
    f"POST {_M}/{{message_id}}/retry": Row(EDIT, data={}),
    f"POST {_M}/{{message_id}}/resolve": Row(EDIT, data={"outcome": "delivered"}, kwargs=_DOUBT),
    f"GET {_R}": Row(ADMIN),
    f"POST {_R}": Row(ADMIN, data={"kind": "wecom", "name": "新群", "token": "K2"}),
    f"GET {_R}/{{robot_id}}": Row(ADMIN),
    f"PATCH {_R}/{{robot_id}}": Row(ADMIN, data={"name": "改名"}, revision_of="robot_id"),
    f"POST {_R}/{{robot_id}}/test": Row(ADMIN, data={}),
}

REVISIONS: dict[str, Any] = {"robot_id": Robot}
URL_KEYS: list[list[str]] = [["event_id", "message_id"], ["robot_id"]]
