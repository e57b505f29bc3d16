"""Who may use the pages and operations of 《活动物料明细表》 (MT-1).

Reading (the list, the Excel export, an item's files) is for everyone who sees the event; writing is for
those who may edit it (``Need.EDIT``) — and the status change and uploads also for the item's owner (here
the event's owner, already an editor). The world's event is at 审批定稿, so an allowed write is refused
for the step (400, or the page again), which is past access.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.preparation.models import MaterialFile, MaterialItem
from tests.permission_rows import EDIT, EVERYONE, Row

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
URL_KEYS = [["event_id", "material_id"], ["event_id", "material_id", "material_file_id"]]
REVISIONS: dict[str, Any] = {"material_id": MaterialItem, "material_file_id": MaterialFile}


def ids(world: Any) -> dict[str, int]:
    item = MaterialItem.objects.create(
        event=world.event, kind="publicity", name="海报", quantity=10, owner=world.people["owner"], position=1
    )
    stored = MaterialFile(
        item=item, event=world.event, original_name="到货.png", size=len(PNG), content_type="image/png"
    )
    stored.file.save("arrival.png", ContentFile(PNG), save=True)
    return {"material_id": item.pk, "material_file_id": stored.pk}


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("到货.png", PNG, "image/png")


def _xlsx() -> SimpleUploadedFile:
    from openpyxl import Workbook

    from huodong.preparation.excel_materials import HEADERS

    wb = Workbook()
    wb.active.title = "物料明细"
    wb.active.append(list(HEADERS))
    wb.active.append(["礼品", "伴手礼", 220, "", "", "", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("物料.xlsx", out.getvalue())


ITEM = {"kind": "publicity", "name": "海报", "quantity": "12", "status": "to_order"}

PAGES: dict[str, Row] = {
    "preparation:materials": Row(EVERYONE),
    "preparation:materials_xlsx": Row(EVERYONE),
    "preparation:material_add": Row(
        EDIT, data={"add-kind": "gift", "add-name": "伴手礼", "add-quantity": "220", "add-status": "to_order"}
    ),
    "preparation:materials_from_template": Row(EDIT, data={}),
    "preparation:materials_import": Row(EDIT, data=lambda w: {"imp-file": _xlsx()}),
    "preparation:material_edit": Row(EDIT, data=ITEM, revision_of="material_id"),
    "preparation:material_delete": Row(EDIT, data={}, revision_of="material_id"),
    "preparation:material_status": Row(EDIT, data={"status": "ordered"}, revision_of="material_id"),
    "preparation:material_file_add": Row(EDIT, data=lambda w: {f"file{w.ids['material_id']}-file": _png()}),
    "preparation:material_file_download": Row(EVERYONE),
    "preparation:material_file_delete": Row(EDIT, data={}, revision_of="material_file_id"),
}

_B = "/api/events/{event_id}/materials"
API: dict[str, Row] = {
    f"GET {_B}": Row(EVERYONE),
    f"POST {_B}": Row(EDIT, data={"kind": "gift", "name": "伴手礼", "quantity": 220}),
    f"GET {_B}/{{material_id}}": Row(EVERYONE),
    f"PATCH {_B}/{{material_id}}": Row(EDIT, data={"quantity": 12}, revision_of="material_id"),
    f"DELETE {_B}/{{material_id}}": Row(EDIT, revision_of="material_id"),
    f"POST {_B}/{{material_id}}/status": Row(EDIT, data={"status": "ordered"}, revision_of="material_id"),
    f"POST {_B}/from-template": Row(EDIT, data={}),
    "GET /api/events/{event_id}/materials.xlsx": Row(EVERYONE),
    f"POST {_B}/import": Row(EDIT, data=lambda w: {"file": _xlsx()}),
    f"POST {_B}/{{material_id}}/files": Row(EDIT, data=lambda w: {"file": _png()}),
    f"GET {_B}/{{material_id}}/files/{{material_file_id}}": Row(EVERYONE),
    f"DELETE {_B}/{{material_id}}/files/{{material_file_id}}": Row(EDIT, revision_of="material_file_id"),
}
