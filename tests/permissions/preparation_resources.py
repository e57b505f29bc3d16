"""Permission rows of internal resources (IR-1): the event's tab 内部资源, the department's inbox
(``/my/requests/``) and their API.

The world's request goes to 产品部, so only the product reviewer (the one persona of that department) may
answer it — not the owner, not an administrator of another department. The world's event is at 审批定稿:
every write of an allowed persona is refused for the step (400), which is past access.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huodong.core.models import Department
from huodong.preparation.models import ResourceRequest
from tests.permission_rows import EDIT, EVERYONE, Row

PRODUCT = {"reviewer_product"}  # the people of 产品部 among the personas


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    row = ResourceRequest.objects.create(
        event=event,
        department=Department.objects.get(code="product"),
        what="演示样机 3 台",
        needed_at=event.starts_at - dt.timedelta(days=1),
        contact=world.people["owner"],
        requested_by=world.people["owner"],
    )
    return {"request_id": row.pk}


def _form(world: Any) -> dict[str, Any]:
    return {
        "department": str(Department.objects.get(code="tech").pk),
        "what": "现场网络",
        "needed_at": "2027-03-18 09:00",
        "contact": str(world.people["owner"].pk),
    }


_API_BODY = {"department": "tech", "what": "现场网络", "needed_at": "2027-03-18T09:00:00+08:00"}

PAGES: dict[str, Row] = {
    "preparation:resources": Row(EVERYONE),
    "preparation:resource_add": Row(EDIT, data=_form),
    "preparation:resource_edit": Row(EDIT),
    "preparation:resource_cancel": Row(EDIT, data={}, revision_of="request_id"),
    "preparation:requests_inbox": Row(EVERYONE),
    "preparation:request_answer": Row(PRODUCT, data={"decision": "confirm"}, revision_of="request_id"),
}

API: dict[str, Row] = {
    "GET /api/events/{event_id}/resource-requests": Row(EVERYONE),
    "POST /api/events/{event_id}/resource-requests": Row(EDIT, data=_API_BODY),
    "GET /api/events/{event_id}/resource-requests/{request_id}": Row(EVERYONE),
    "PATCH /api/events/{event_id}/resource-requests/{request_id}": Row(
        EDIT, data={"what": "演示样机 4 台"}, revision_of="request_id"
    ),
    "DELETE /api/events/{event_id}/resource-requests/{request_id}": Row(EDIT, revision_of="request_id"),
    "POST /api/resource-requests/{request_id}/answer": Row(
        PRODUCT, data={"decision": "confirm"}, revision_of="request_id"
    ),
    "GET /api/my/resource-requests": Row(EVERYONE),
}

REVISIONS = {"request_id": ResourceRequest}
URL_KEYS = [["event_id", "request_id"], ["request_id"]]
