"""Permission rows of outreach's notices (NT-1, NT-2) and message templates: the tab 通知 with its forms,
the template list and editor, and their API.

Reading the notices and the templates is for everyone who may view the event; the template editor (it
previews with a real guest's name and address) and every change are for its editors (``Need.EDIT``). The
world's event is at 审批定稿: every write of an allowed persona is refused for the step (400 on a form,
a message and a redirect for a button), which is past access.
"""

from __future__ import annotations

from typing import Any

from huodong.core.models import Department
from huodong.outreach.models import CollaborationLetter, MessageTemplate
from tests.permission_rows import EDIT, EVERYONE, Row


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    letter = CollaborationLetter.objects.create(event=event, department=Department.objects.get(code="sales"))
    template = MessageTemplate.objects.create(
        event=event,
        kind="reminder",
        channel="email",
        language="zh-hans",
        subject="提醒 {event}",
        body="{guest_name}",
    )
    return {
        "letter_id": letter.pk,
        "template_id": template.pk,
        "kind": "reminder",
        "channel": "email",
        "language": "zh-hans",
    }


PAGES: dict[str, Row] = {
    "outreach:notices": Row(EVERYONE),
    "outreach:notices_schedule": Row(
        EDIT, data={"revision": 1, "days": "3", "hours": "0", "channels": ["email"], "enabled": "on"}
    ),
    "outreach:letters_prepare": Row(EDIT, data={}),
    "outreach:letters_queue": Row(EDIT, data={}),
    "outreach:letter_acknowledge": Row(EDIT, data={"reason": "已电话通知"}, revision_of="letter_id"),
    "outreach:invitations_send": Row(
        EDIT, data={"statuses": ["invited"], "channels": ["email"], "when": "now"}
    ),
    "outreach:reminders_queue": Row(EDIT, data={}),
    "outreach:templates": Row(EVERYONE),
    "outreach:template_edit": Row(EDIT),
    "outreach:template_revert": Row(EDIT, data={}, revision_of="template_id"),
}

_E = "/api/events/{event_id}"
_T = f"{_E}/templates/{{kind}}/{{channel}}/{{language}}"
API: dict[str, Row] = {
    f"GET {_E}/notices": Row(EVERYONE),
    f"PUT {_E}/notices/schedule/{{kind}}": Row(EDIT, data={"revision": 1, "offset_minutes": -4320}),
    f"POST {_E}/letters/prepare": Row(EDIT, data={}),
    f"POST {_E}/letters/queue": Row(EDIT, data={}),
    f"POST {_E}/letters/{{letter_id}}/acknowledge": Row(
        EDIT, data={"reason": "已电话通知"}, revision_of="letter_id"
    ),
    f"POST {_E}/invitations": Row(EDIT, data={"channels": ["email"]}),
    f"POST {_E}/reminders": Row(EDIT, data={}),
    "GET /api/outreach/placeholders": Row(EVERYONE),
    f"GET {_E}/templates": Row(EVERYONE),
    f"GET {_T}": Row(EVERYONE),
    f"PUT {_T}": Row(EDIT, data={"subject": "提醒", "body": "{guest_name}"}, revision_of="template_id"),
    f"DELETE {_T}": Row(EDIT, revision_of="template_id"),
    f"POST {_T}/preview": Row(EDIT, data={}),
}

REVISIONS: dict[str, Any] = {"letter_id": CollaborationLetter, "template_id": MessageTemplate}
URL_KEYS: list[list[str]] = [
    ["event_id", "kind"],
    ["event_id", "letter_id"],
    ["event_id", "kind", "channel", "language"],
]
