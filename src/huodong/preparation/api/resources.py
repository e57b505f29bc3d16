"""API: requests for internal resources and the departments' answers (IR-1); the same services as the pages.

- ``GET/POST /events/{event_id}/resource-requests``: the event's requests; ask a department (``department``
  as its id or code; ``needed_at`` without a zone is read in the event's time zone; ``contact`` a username,
  by default the caller).
- ``GET/PATCH/DELETE /events/{event_id}/resource-requests/{request_id}``: one request; change it while
  pending; DELETE cancels it (the record stays, status ``cancelled``).
- ``POST /resource-requests/{request_id}/answer``: the department's answer (``confirm``, or ``decline`` with
  a ``comment``) — by a person of that department only, on the team or not.
- ``GET /my/resource-requests``: the requests to the caller's department, pending first.

Revisions (``core.concurrency``): a request carries ``revision`` (also the ``ETag`` of a single read and of
every write's answer). PATCH, DELETE and the answer say which one they saw, as ``If-Match: "r3"`` or a
``revision`` field (query for DELETE): missing → 428, old → 409 ``stale`` with ``current``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError, NotFound
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import ErrorOut, Id, Line, Moment, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_person
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import ResourceRequest
from ..rules import PREPARATION_REFUSAL
from ..services import resources as services

router = Router(tags=["preparation: internal resources"])

if TYPE_CHECKING:
    DepartmentCode = str
    What = str
    Username = str
    Comment = str
    Decision = str
    StatusCode = str
else:
    DepartmentCode = Line(40)  # Department.code
    What = Text(services.WHAT_MAX)
    Username = Line(150)
    Comment = Text(services.RESPONSE_MAX)
    Decision = Line(10)
    StatusCode = Line(12)

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class RequestOut(Schema):
    id: int
    revision: int
    event_id: int
    event_name: str
    department: str = Field(..., description="部门代码")
    department_id: int
    department_name: str
    what: str
    needed_at: dt.datetime
    contact: str | None = Field(None, description="我方联系人用户名")
    contact_name: str | None = None
    status: str = Field(..., description="pending / confirmed / declined / cancelled")
    status_label: str
    flagged: bool = Field(..., description="距需要时间不足 3 天仍待确认")
    response: str
    responder: str | None = None
    responder_name: str | None = None
    responded_at: dt.datetime | None = None
    requested_by: str | None = None
    requested_at: dt.datetime


class RequestIn(Schema):
    department: Id | DepartmentCode = Field(..., description="部门 id 或代码(如 tech、product、admin)")
    what: What
    needed_at: Moment = Field(..., description="需要时间;不带时区时按活动时区理解;不能早于现在或晚于活动结束")
    contact: Username | None = Field(None, description="我方联系人用户名;默认为提出人")


class RequestPatch(Schema):
    revision: Revision | None = None
    department: Id | DepartmentCode | None = None
    what: What | None = None
    needed_at: Moment | None = None
    contact: Username | None = None


class AnswerIn(Schema):
    revision: Revision | None = None
    decision: Decision = Field(..., description="confirm(确认)或 decline(拒绝)")
    comment: Comment = Field("", description="答复意见;拒绝时必填")


def _out(row: ResourceRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "revision": row.revision,
        "event_id": row.event_id,
        "event_name": row.event.name,
        "department": row.department.code,
        "department_id": row.department_id,
        "department_name": row.department.display_name,
        "what": row.what,
        "needed_at": row.needed_at,
        "contact": row.contact.username if row.contact else None,
        "contact_name": row.contact.name if row.contact else None,
        "status": row.status,
        "status_label": str(row.get_status_display()),
        "flagged": services.is_flagged(row),
        "response": row.response,
        "responder": row.responder.username if row.responder else None,
        "responder_name": row.responder.name if row.responder else None,
        "responded_at": row.responded_at,
        "requested_by": row.requested_by.username if row.requested_by else None,
        "requested_at": row.requested_at,
    }


def _answer(response: HttpResponse, pk: int) -> dict[str, Any]:
    row = (
        ResourceRequest.objects.select_related("event", "department", "contact", "responder", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(services._missing(pk))
    response["ETag"] = etag(row)
    return _out(row)


def _contact(data: dict[str, Any]) -> dict[str, Any]:
    if "contact" in data:
        data["contact"] = active_person(data["contact"], field="contact") if data["contact"] else None
    return data


def _edit_event(request: HttpRequest, event_id: int) -> Event:
    return event_for(actor(request), event_id, Need.EDIT, message=PREPARATION_REFUSAL)


@router.get(
    "/events/{event_id}/resource-requests",
    response={200: list[RequestOut], **READ},
    summary="活动的内部资源协调请求",
)
def list_requests(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return [_out(r) for r in services.requests_of(event).select_related("event").order_by("needed_at", "id")]


@router.post(
    "/events/{event_id}/resource-requests",
    response={201: RequestOut, **WRITE},
    summary="向其他部门提出内部资源协调请求",
)
def add_request(request: HttpRequest, response: HttpResponse, event_id: Id, payload: RequestIn):  # noqa: ANN201
    _edit_event(request, event_id)
    data = _contact(payload.dict())
    if data.get("contact") is None:
        data["contact"] = actor(request)
    row = retry_on_conflict(services.request_add)(actor=actor(request), event=event_id, **data)
    return Status(201, _answer(response, row.pk))


@router.get(
    "/events/{event_id}/resource-requests/{request_id}",
    response={200: RequestOut, **READ},
    summary="一项内部资源协调请求(含修订号)",
)
def get_request(request: HttpRequest, response: HttpResponse, event_id: Id, request_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    row = services.request_get(event=event, request_id=request_id)
    return _answer(response, row.pk)


@router.patch(
    "/events/{event_id}/resource-requests/{request_id}",
    response={200: RequestOut, **EDIT},
    summary="修改待确认的协调请求",
)
def patch_request(  # noqa: ANN201
    request: HttpRequest, response: HttpResponse, event_id: Id, request_id: Id, payload: RequestPatch
):
    _edit_event(request, event_id)
    changes = payload.dict(exclude_unset=True, exclude={"revision"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "contact"}
    retry_on_conflict(services.request_update)(
        actor=actor(request),
        event=event_id,
        request_id=request_id,
        seen=seen_revision(request, payload.revision),
        **_contact(changes),
    )
    return _answer(response, request_id)


@router.delete(
    "/events/{event_id}/resource-requests/{request_id}",
    response={204: None, **EDIT},
    summary="取消协调请求(记录保留,状态为已取消)",
)
def cancel_request(  # noqa: ANN201
    request: HttpRequest, event_id: Id, request_id: Id, revision: Revision | None = None
):
    _edit_event(request, event_id)
    retry_on_conflict(services.request_cancel)(
        actor=actor(request), event=event_id, request_id=request_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/resource-requests/{request_id}/answer",
    response={200: RequestOut, **EDIT},
    summary="部门答复协调请求:确认,或填写意见后拒绝(仅该部门人员)",
)
def answer_request(request: HttpRequest, response: HttpResponse, request_id: Id, payload: AnswerIn):  # noqa: ANN201
    retry_on_conflict(services.request_answer)(
        actor=actor(request),
        request_id=request_id,
        decision=payload.decision,
        comment=payload.comment,
        seen=seen_revision(request, payload.revision),
    )
    return _answer(response, request_id)


@router.get(
    "/my/resource-requests",
    response={200: list[RequestOut], **READ},
    summary="发给我所在部门的协调请求(待确认在前)",
)
def my_requests(request: HttpRequest, status: StatusCode | None = None):  # noqa: ANN201
    rows = services.inbox_requests(actor(request))
    if status:
        if status not in ResourceRequest.Status.values:
            raise DomainError(
                {"status": [_("状态须为以下之一:%(s)s。") % {"s": ", ".join(ResourceRequest.Status.values)}]}
            )
        rows = rows.filter(status=status)
    return [_out(r) for r in rows]
