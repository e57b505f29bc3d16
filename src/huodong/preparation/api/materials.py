"""API: 《活动物料明细表》 (MT-1): items, status, photos and files, the type's template, Excel export and import.

GET/POST /events/{event_id}/materials; GET/PATCH/DELETE …/materials/{material_id}; POST …/{material_id}/status;
POST …/materials/from-template; GET /events/{event_id}/materials.xlsx; POST (multipart) …/materials/import;
POST (multipart) …/{material_id}/files, GET …/files/{material_file_id} (download), DELETE it.

The same services as the page. Owner by username, vendor by id (``/api/vendors``), category and status by
code (``publicity``/``event``/``gift``; ``to_order``/``ordered``/``arrived``/``accepted``/``waived``).
PATCH, DELETE and the status change say the revision they saw (``revision`` field or ``If-Match``): missing
→ 428, stale → 409. An import that is refused answers 400 ``import_refused`` with ``problems``: every bad
row's number (as Excel shows it, the header is row 1), column and reason; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from huodong.core.concurrency import retry_on_conflict
from huodong.core.errors import DomainError
from huodong.core.http import actor, seen_revision
from huodong.core.schemas import Day, ErrorOut, Id, Line, Revision, StaleErrorOut, Text
from huodong.core.selectors import active_person
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.planning.selectors_plan import attachment_file_response

from .. import excel_materials
from ..models import MaterialFile, MaterialItem, Vendor
from ..services import materials as services

router = Router(tags=["preparation: materials"])

Quantity = Annotated[int, Field(ge=1, le=services.MAX_QUANTITY)]
if TYPE_CHECKING:
    Name = str
    Spec = str
    Username = str
    Code = str
    Note = str
    Reason = str
else:
    Name = Line(services.NAME_MAX)
    Spec = Line(services.SPEC_MAX)
    Username = Line(150)
    Code = Line(20)
    Note = Text(services.NOTE_MAX)
    Reason = Text(services.REASON_MAX)
KINDS = "publicity(宣传物料)、event(活动物料)、gift(礼品)"
STATUSES = "to_order(待下单)、ordered(已下单)、arrived(已到货)、accepted(已验收)、waived(不再需要,须填原因)"

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut}
EDIT_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: StaleErrorOut, 428: ErrorOut}


class MaterialFileOut(Schema):
    id: int
    revision: int
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str | None
    uploaded_at: dt.datetime


class MaterialOut(Schema):
    id: int
    revision: int
    position: int
    kind: str
    kind_label: str
    name: str
    quantity: int
    spec: str
    owner: str | None = Field(None, description="负责人用户名")
    owner_name: str | None
    due_on: dt.date | None
    vendor_id: int | None
    vendor_name: str | None
    status: str
    status_label: str
    waive_reason: str
    note: str
    overdue: bool = Field(..., description="已过截止日期且未验收、未注明不再需要")
    files: list[MaterialFileOut]


class MaterialListOut(Schema):
    event_id: int
    last_day: dt.date = Field(..., description="活动最后一天(截止日期不得晚于此日)")
    total: int
    overdue: int
    done: int = Field(..., description="已验收或不再需要的项数")
    items: list[MaterialOut]


class MaterialIn(Schema):
    kind: Code = Field(..., description=KINDS)
    name: Name
    quantity: Quantity
    spec: Spec = ""
    owner: Username | None = Field(None, description="负责人用户名")
    due_on: Day | None = Field(None, description="截止日期,不得晚于活动日期")
    vendor_id: Id | None = Field(None, description="供应商名录中的供应商 id")
    status: Code = Field("to_order", description=STATUSES)
    waive_reason: Reason = ""
    note: Note = ""


class MaterialPatch(Schema):
    revision: Revision | None = None
    kind: Code | None = Field(None, description=KINDS)
    name: Name | None = None
    quantity: Quantity | None = None
    spec: Spec | None = None
    owner: Username | None = Field(None, description="负责人用户名;null 清空")
    due_on: Day | None = Field(None, description="null 清空")
    vendor_id: Id | None = Field(None, description="null 清空")
    status: Code | None = Field(None, description=STATUSES)
    waive_reason: Reason | None = None
    note: Note | None = None


class MaterialStatusIn(Schema):
    revision: Revision | None = None
    status: Code = Field(..., description=STATUSES)
    reason: Reason = Field("", description="状态为 waived(不再需要)时必填")


class MaterialsTemplateOut(Schema):
    created: int
    existing: int


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    sheet: str
    rows: int


class ProblemOut(Schema):
    row: int = Field(..., description="Excel 中的行号(表头为第 1 行);0 表示整个文件")
    column: str
    message: str


class ImportErrorOut(ErrorOut):
    problems: list[ProblemOut] = []


def _file_out(f: MaterialFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "revision": f.revision,
        "original_name": f.original_name,
        "size": f.size,
        "content_type": f.content_type,
        "sha256": f.sha256,
        "uploaded_by": f.uploaded_by.username if f.uploaded_by_id and f.uploaded_by else None,
        "uploaded_at": f.uploaded_at,
    }


def _out(item: MaterialItem, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "revision": item.revision,
        "position": item.position,
        "kind": item.kind,
        "kind_label": force_str(MaterialItem.Kind(item.kind).label),
        "name": item.name,
        "quantity": item.quantity,
        "spec": item.spec,
        "owner": item.owner.username if item.owner is not None else None,
        "owner_name": item.owner.name if item.owner is not None else None,
        "due_on": item.due_on,
        "vendor_id": item.vendor_id,
        "vendor_name": item.vendor.name if item.vendor is not None else None,
        "status": item.status,
        "status_label": force_str(MaterialItem.Status(item.status).label),
        "waive_reason": item.waive_reason,
        "note": item.note,
        "overdue": item.is_overdue(today),
        "files": [_file_out(f) for f in item.files.all()],
    }


def _answer(event: Event, material_id: int, response: HttpResponse) -> dict[str, Any]:
    item = services.material_get(event=event, material_id=material_id)
    response["ETag"] = f'"r{item.revision}"'
    return _out(item, services.event_today(event))


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    """The owner's username and the vendor's id as the records the services take; unknown ones refused."""
    if "owner" in data:
        data["owner"] = active_person(data["owner"], field="owner") if data["owner"] else None
    if "vendor_id" in data:
        vendor_id = data.pop("vendor_id")
        vendor = Vendor.objects.filter(pk=vendor_id).first() if vendor_id else None
        if vendor_id and vendor is None:
            raise DomainError({"vendor_id": [_("供应商 %(id)s 不存在。") % {"id": vendor_id}]})
        data["vendor"] = vendor
    return data


@router.get(
    "/events/{event_id}/materials", response={200: MaterialListOut, **READ_ERRORS}, summary="物料明细表(MT-1)"
)
def list_materials(request: HttpRequest, event_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    today = services.event_today(event)
    items = services.materials_of(event)
    return {
        "event_id": event.pk,
        "last_day": services.event_last_day(event),
        "total": len(items),
        "overdue": sum(1 for m in items if m.is_overdue(today)),
        "done": sum(1 for m in items if m.is_done),
        "items": [_out(m, today) for m in items],
    }


@router.post("/events/{event_id}/materials", response={201: MaterialOut, **WRITE_ERRORS}, summary="添加物料")
def add_material(request: HttpRequest, event_id: Id, payload: MaterialIn, response: HttpResponse):  # noqa: ANN201
    item = retry_on_conflict(services.material_add)(
        actor=actor(request), event=event_id, **_refs(payload.dict())
    )
    return Status(201, _answer(event_for(actor(request), event_id, Need.VIEW), item.pk, response))


@router.post(
    "/events/{event_id}/materials/from-template",
    response={200: MaterialsTemplateOut, **WRITE_ERRORS},
    summary="按活动类型模板生成物料(可重复执行,不会重复生成)",
)
def materials_from_template(request: HttpRequest, event_id: Id):  # noqa: ANN201
    return retry_on_conflict(services.materials_from_template)(actor=actor(request), event=event_id)


@router.post(
    "/events/{event_id}/materials/import",
    response={
        200: ImportOut,
        400: ImportErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="从 Excel 导入物料(multipart;按类别+物料名称更新,其余新增;任一行有错误则全部不导入)",
)
def import_materials(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    file: UploadedFile | None = File(None, description="Excel 文件(.xlsx)"),  # noqa: B008
):
    try:
        result = retry_on_conflict(excel_materials.materials_import)(
            actor=actor(request), event=event_id, file=file
        )
    except excel_materials.ImportRefused as exc:
        errors = exc.as_dict()
        return Status(
            400,
            {
                "code": exc.code,
                "message": exc.message,
                "errors": errors,
                "problems": [p.as_dict() for p in exc.problems],
            },
        )
    return result.as_dict()


@router.get(
    "/events/{event_id}/materials/{material_id}",
    response={200: MaterialOut, **READ_ERRORS},
    summary="物料(含修订号)",
)
def get_material(request: HttpRequest, event_id: Id, material_id: Id, response: HttpResponse):  # noqa: ANN201
    return _answer(event_for(actor(request), event_id, Need.VIEW), material_id, response)


@router.patch(
    "/events/{event_id}/materials/{material_id}",
    response={200: MaterialOut, **EDIT_ERRORS},
    summary="修改物料",
)
def patch_material(  # noqa: ANN201
    request: HttpRequest, event_id: Id, material_id: Id, payload: MaterialPatch, response: HttpResponse
):
    data = payload.dict(exclude_unset=True)
    data.pop("revision", None)
    # ``null`` clears the owner, deadline and vendor; other fields keep their value when null.
    data = {k: v for k, v in data.items() if v is not None or k in ("owner", "due_on", "vendor_id")}
    retry_on_conflict(services.material_update)(
        actor=actor(request),
        event=event_id,
        material_id=material_id,
        seen=seen_revision(request, payload.revision),
        **_refs(data),
    )
    return _answer(event_for(actor(request), event_id, Need.VIEW), material_id, response)


@router.delete(
    "/events/{event_id}/materials/{material_id}", response={204: None, **EDIT_ERRORS}, summary="删除物料"
)
def delete_material(request: HttpRequest, event_id: Id, material_id: Id, revision: Revision | None = None):  # noqa: ANN201
    retry_on_conflict(services.material_remove)(
        actor=actor(request), event=event_id, material_id=material_id, seen=seen_revision(request, revision)
    )
    return Status(204, None)


@router.post(
    "/events/{event_id}/materials/{material_id}/status",
    response={200: MaterialOut, **EDIT_ERRORS},
    summary="更改物料状态(物料负责人也可)",
)
def set_material_status(  # noqa: ANN201
    request: HttpRequest, event_id: Id, material_id: Id, payload: MaterialStatusIn, response: HttpResponse
):
    retry_on_conflict(services.material_status_set)(
        actor=actor(request),
        event=event_id,
        material_id=material_id,
        seen=seen_revision(request, payload.revision),
        status=payload.status,
        reason=payload.reason,
    )
    return _answer(event_for(actor(request), event_id, Need.VIEW), material_id, response)


@router.get(
    "/events/{event_id}/materials.xlsx",
    response={200: None, **READ_ERRORS},
    summary="导出《活动物料明细表》(Excel)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Excel 文件",
                "content": {
                    excel_materials.EXCEL_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def export_materials(request: HttpRequest, event_id: Id) -> HttpResponse:
    event = event_for(actor(request), event_id, Need.VIEW)
    content = excel_materials.materials_workbook(event)
    response = HttpResponse(content, content_type=excel_materials.EXCEL_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=excel_materials.workbook_filename(event))
        or "attachment"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/events/{event_id}/materials/{material_id}/files",
    response={201: MaterialFileOut, **WRITE_ERRORS},
    summary="上传物料照片或文件(multipart;物料负责人也可)",
)
def add_material_file(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    material_id: Id,
    file: UploadedFile | None = File(None, description="照片或文件"),  # noqa: B008
):
    stored = retry_on_conflict(services.material_file_add)(
        actor=actor(request), event=event_id, material_id=material_id, file=file
    )
    return Status(201, _file_out(stored))


@router.get(
    "/events/{event_id}/materials/{material_id}/files/{material_file_id}",
    response={200: None, **READ_ERRORS},
    summary="下载物料照片或文件",
)
def download_material_file(request: HttpRequest, event_id: Id, material_id: Id, material_file_id: Id):  # noqa: ANN201
    event = event_for(actor(request), event_id, Need.VIEW)
    stored = services.material_file_get(
        event=event, material_id=material_id, material_file_id=material_file_id
    )
    return attachment_file_response(stored)  # type: ignore[arg-type]  # the same StoredFile fields


@router.delete(
    "/events/{event_id}/materials/{material_id}/files/{material_file_id}",
    response={204: None, **EDIT_ERRORS},
    summary="删除物料照片或文件",
)
def delete_material_file(  # noqa: ANN201
    request: HttpRequest,
    event_id: Id,
    material_id: Id,
    material_file_id: Id,
    revision: Revision | None = None,
):
    retry_on_conflict(services.material_file_remove)(
        actor=actor(request),
        event=event_id,
        material_id=material_id,
        material_file_id=material_file_id,
        seen=seen_revision(request, revision),
    )
    return Status(204, None)
