"""API: the day-before checklist (EX-1, the gate of 场地布置), the same services as the tab 彩排.

- ``GET /events/{event_id}/rehearsal/checklist``: the items (with their last check, photos and open
  follow-up), the counts and the gate's criteria; the first read copies the event type's default items.
- ``POST /events/{event_id}/rehearsal/items``; ``PUT/DELETE …/items/{checklist_item_id}`` (revisioned): the editors.
- ``POST /events/{event_id}/rehearsal/items/{checklist_item_id}/check`` (multipart: ``result``, ``note``,
  ``revision``, ``owner_id``, ``due_at``, ``photos``): the team on the day. Who and when are the caller
  and the server's clock.
- ``GET /events/{event_id}/rehearsal/photos/{checklist_photo_id}``: a photo.
- ``GET /events/{event_id}/rehearsal/follow-ups``; ``PUT …/follow-ups/{checklist_follow_up_id}`` (revisioned).

Revisions: ``revision`` in the body or ``If-Match`` (428 without, 409 with the current state when stale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from huodong.core.concurrency import etag, retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import CriterionOut, ErrorOut, Id, Moment, Revision, StaleErrorOut
from huodong.events.access import Need, event_for

from ..models import NOTE_MAX, TITLE_MAX, ChecklistItem, FollowUp, ItemPhoto, Section
from ..selectors import gate_criteria, summary
from ..services import checklist as services
from ..views.checklist import photo_response

router = Router(tags=["onsite: rehearsal"])

if TYPE_CHECKING:
    ItemTitle = str
    NoteText = str
else:
    from huodong.core.schemas import Line, Text

    ItemTitle = Line(TITLE_MAX)
    NoteText = Text(NOTE_MAX)
Position = Annotated[int, Field(ge=0, le=services.POSITION_MAX)]
SectionCode = Annotated[
    str, Field(pattern="^(build|equipment|rehearsal)$", description="build、equipment 或 rehearsal")
]
ResultCode = Annotated[str, Field(pattern="^(ok|failed)$", description="ok(通过)或 failed(未通过)")]

READ: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE: dict[int, Any] = {**READ, 409: StaleErrorOut}
EDIT: dict[int, Any] = {**WRITE, 428: ErrorOut}


class RehearsalPersonOut(Schema):
    id: int
    name: str


class RehearsalPhotoOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    result: str = Field(..., description="拍摄时的检查结果")
    uploaded_at: dt.datetime
    url: str


class RehearsalFollowUpOut(Schema):
    id: int
    revision: int
    item_id: int
    item_title: str
    owner: RehearsalPersonOut
    due_at: dt.datetime
    note: str
    done: bool
    done_at: dt.datetime | None = None
    done_by: RehearsalPersonOut | None = None
    closed_by_recheck: bool
    overdue: bool


class RehearsalItemOut(Schema):
    id: int
    revision: int
    section: str
    title: str
    title_en: str
    code: str = Field(..., description="模板代码;自行添加的检查项为空")
    position: int
    result: str = Field(..., description="unchecked、ok 或 failed")
    checked_by: RehearsalPersonOut | None = None
    checked_at: dt.datetime | None = None
    note: str
    photos: list[RehearsalPhotoOut]
    follow_up: RehearsalFollowUpOut | None = Field(None, description="未完成的整改任务")


class RehearsalSummaryOut(Schema):
    total: int
    ok: int
    failed: int
    unchecked: int
    open_follow_ups: int


class RehearsalChecklistOut(Schema):
    event_id: int
    items: list[RehearsalItemOut]
    summary: RehearsalSummaryOut
    gate: list[CriterionOut] = Field(..., description="场地布置关口的条件(met=false 的须先满足)")


class RehearsalItemIn(Schema):
    section: SectionCode
    title: ItemTitle
    title_en: ItemTitle = ""
    position: Position | None = Field(None, description="顺序;省略则排在最后")


class RehearsalItemPut(Schema):
    revision: Revision | None = None
    section: SectionCode | None = None
    title: ItemTitle | None = None
    title_en: ItemTitle | None = None
    position: Position | None = None


class RehearsalFollowUpPut(Schema):
    revision: Revision | None = None
    owner_id: Id | None = None
    due_at: Moment | None = None
    note: NoteText | None = None
    done: bool | None = None


class RehearsalCheckOut(Schema):
    item: RehearsalItemOut
    follow_up: RehearsalFollowUpOut | None = Field(None, description="未通过时:新建或沿用的整改任务")
    closed_follow_ups: list[int] = Field(..., description="通过时关闭的整改任务")


def _person(p: Any) -> dict[str, Any] | None:
    return {"id": p.pk, "name": p.name} if p is not None else None


def _photo_out(p: ItemPhoto, event_id: int) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.original_name,
        "size": p.size,
        "content_type": p.content_type,
        "result": p.result,
        "uploaded_at": p.uploaded_at,
        "url": f"/api/events/{event_id}/rehearsal/photos/{p.pk}",
    }


def _follow_up_out(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.pk,
        "revision": f.revision,
        "item_id": f.item_id,
        "item_title": f.item.label,
        "owner": _person(f.owner),
        "due_at": f.due_at,
        "note": f.note,
        "done": f.done,
        "done_at": f.done_at,
        "done_by": _person(f.done_by),
        "closed_by_recheck": f.closed_by_recheck,
        "overdue": f.is_overdue(),
    }


def _item_out(i: ChecklistItem) -> dict[str, Any]:
    follow = services.open_follow_up(i)
    return {
        "id": i.pk,
        "revision": i.revision,
        "section": i.section,
        "title": i.title,
        "title_en": i.title_en,
        "code": i.code,
        "position": i.position,
        "result": i.result,
        "checked_by": _person(i.checked_by),
        "checked_at": i.checked_at,
        "note": i.note,
        "photos": [_photo_out(p, i.event_id) for p in i.photos.all()],
        "follow_up": _follow_up_out(follow) if follow is not None else None,
    }


def _item_read(event_id: int, item_id: int) -> ChecklistItem:
    return next(i for i in services.items_of(event_id) if i.pk == item_id)


# ---------------------------------------------------------------- the checklist
@router.get(
    "/events/{event_id}/rehearsal/checklist",
    response={200: RehearsalChecklistOut, **READ},
    summary="彩排检查清单(含关口条件)",
)
def get_checklist(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    services.checklist_for(event)
    items = services.items_of(event)
    return {
        "event_id": event.pk,
        "items": [_item_out(i) for i in items],
        "summary": summary(items),
        "gate": [c.as_dict() for c in gate_criteria(event)],
    }


@router.post(
    "/events/{event_id}/rehearsal/items", response={201: RehearsalItemOut, **WRITE}, summary="添加检查项"
)
def add_item(request: HttpRequest, response: HttpResponse, event_id: Id, payload: RehearsalItemIn):  # noqa: ANN201
    item = retry_on_conflict(services.item_add)(actor=actor(request), event=event_id, **payload.dict())
    response["ETag"] = etag(item)
    return Status(201, _item_read(event_id, item.pk))


@router.put(
    "/events/{event_id}/rehearsal/items/{checklist_item_id}",
    response={200: RehearsalItemOut, **EDIT},
    summary="修改检查项(名称、分类、顺序)",
)
def put_item(
    request: HttpRequest,
    response: HttpResponse,
    event_id: Id,
    checklist_item_id: Id,
    payload: RehearsalItemPut,
):  # noqa: ANN201
    changes = {
        k: v for k, v in payload.dict(exclude_unset=True, exclude={"revision"}).items() if v is not None
    }
    item = retry_on_conflict(services.item_update)(
        actor=actor(request),
        event=event_id,
        item_id=checklist_item_id,
        seen=seen_revision(request, payload.revision),
        **changes,
    )
    response["ETag"] = etag(item)
    return _item_read(event_id, item.pk)


@router.delete(
    "/events/{event_id}/rehearsal/items/{checklist_item_id}",
    response={204: None, **EDIT},
    summary="删除检查项",
)
def delete_item(request: HttpRequest, event_id: Id, checklist_item_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(services.item_remove)(
        actor=actor(request), event=event_id, item_id=checklist_item_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


def _files_bounded(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The check's multipart body read before django-ninja reads it: more files than the site takes
    (``DATA_UPLOAD_MAX_NUMBER_FILES``) is a 400 on ``photos``, as six photos are, not Django's
    ``TooManyFilesSent`` escaping as a 500 (found by the fuzzer, issue 11); any other unreadable body gets
    the API's usual answer."""

    @wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.FILES  # noqa: B018
        except Exception as exc:  # noqa: BLE001 — answered by the API's handlers, as inside the operation
            from huodong.api.urls import api  # loaded by now; importing it above would be circular

            if isinstance(exc, TooManyFilesSent):
                too_many = _("每次检查最多上传 %(n)s 张照片。") % {"n": services.PHOTOS_PER_CHECK}
                exc = DomainError({"photos": [too_many]})
            return api.on_exception(request, exc)
        return run(request, *args, **kwargs)

    return guarded


@router.post(
    "/events/{event_id}/rehearsal/items/{checklist_item_id}/check",
    response={200: RehearsalCheckOut, **EDIT},
    summary="检查一项(multipart,可附照片)",
)
@decorate_view(_files_bounded)
def check_item(  # noqa: ANN201, PLR0913
    request: HttpRequest,
    response: HttpResponse,
    event_id: Id,
    checklist_item_id: Id,
    result: ResultCode = Form(...),  # noqa: B008
    note: NoteText = Form(""),  # noqa: B008
    revision: Revision | None = Form(None),  # noqa: B008
    owner_id: Id | None = Form(None, description="未通过时的整改负责人;省略为本人"),  # noqa: B008
    due_at: Moment | None = Form(None, description="未通过时的整改截止时间;省略为 2 小时内(不晚于活动开始)"),  # noqa: B008
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # noqa: B008
):
    outcome = retry_on_conflict(services.item_check)(
        actor=actor(request),
        event=event_id,
        item_id=checklist_item_id,
        seen=seen_revision(request, revision),
        result=result,
        note=note,
        photos=list(photos or []),
        owner=owner_id,
        due_at=due_at,
    )
    item = _item_read(event_id, outcome.item.pk)
    response["ETag"] = etag(item)
    follow = outcome.follow_up
    if follow is not None:
        follow = FollowUp.objects.select_related("item", "owner", "done_by").get(pk=follow.pk)
    return {
        "item": _item_out(item),
        "follow_up": _follow_up_out(follow) if follow is not None else None,
        "closed_follow_ups": [f.pk for f in outcome.closed],
    }


@router.get(
    "/events/{event_id}/rehearsal/photos/{checklist_photo_id}",
    response={200: None, **READ},
    summary="检查照片",
)
def get_photo(request: HttpRequest, event_id: Id, checklist_photo_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return photo_response(services.photo_get(event, checklist_photo_id))


# ---------------------------------------------------------------- follow-ups
@router.get(
    "/events/{event_id}/rehearsal/follow-ups",
    response={200: list[RehearsalFollowUpOut], **READ},
    summary="整改任务",
)
def list_follow_ups(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    return [_follow_up_out(f) for f in services.follow_ups_of(event)]


@router.put(
    "/events/{event_id}/rehearsal/follow-ups/{checklist_follow_up_id}",
    response={200: RehearsalFollowUpOut, **EDIT},
    summary="更新整改任务(负责人、截止时间、说明、完成)",
)
def put_follow_up(  # noqa: ANN201
    request: HttpRequest,
    response: HttpResponse,
    event_id: Id,
    checklist_follow_up_id: Id,
    payload: RehearsalFollowUpPut,
):
    changes = {
        k: v for k, v in payload.dict(exclude_unset=True, exclude={"revision"}).items() if v is not None
    }
    if "owner_id" in changes:
        changes["owner"] = changes.pop("owner_id")
    row = retry_on_conflict(services.follow_up_update)(
        actor=actor(request),
        event=event_id,
        follow_up_id=checklist_follow_up_id,
        seen=seen_revision(request, payload.revision),
        **changes,
    )
    row = FollowUp.objects.select_related("item", "owner", "done_by").get(pk=row.pk)
    response["ETag"] = etag(row)
    return _follow_up_out(row)


__all__ = ["router", "Section"]
