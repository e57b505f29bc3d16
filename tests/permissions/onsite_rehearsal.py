"""Permission rows of setup and rehearsal (issue 11 point 1; EX-1): the tab 彩排, its writes and its API.

Reading the checklist (and its photos and follow-ups) is for everyone who may view the event; changing the
list is for its editors (``Need.EDIT``); checking items and working on follow-ups is for the team on the day
(``Need.ONSITE``: the editors, ``team_member`` and ``checkin_staff``, made gate staff of the world's event).
The world's event is at 审批定稿, before the execution phase: an allowed persona's write is refused for the
step (400) — past access.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huodong.checkin.models import GateStaff
from huodong.onsite.rehearsal.models import ChecklistItem, FollowUp, ItemPhoto, Result
from huodong.onsite.rehearsal.services.checklist import checklist_for
from tests.permission_rows import EDIT, EVERYONE, Row

ONSITE = EDIT | {"team_member", "checkin_staff"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def ids(world: Any) -> dict[str, Any]:
    event = world.event
    GateStaff.objects.get_or_create(event=event, person=world.people["checkin_staff"])
    checklist_for(event)
    item = ChecklistItem.objects.filter(event=event).order_by("id").first()
    assert item is not None
    ChecklistItem.objects.filter(pk=item.pk).update(result=Result.FAILED, note="测试")
    follow = FollowUp.objects.create(
        event=event, item=item, owner=world.people["owner"], due_at=event.starts_at
    )
    photo = ItemPhoto(item=item, result=Result.FAILED, original_name="p.png", size=len(PNG),
                      content_type="image/png", sha256="0" * 64)  # fmt: skip
    photo.file.save("p.png", ContentFile(PNG), save=True)
    # Under the path parameters' own names: the matrix tries every area's URL_KEYS on every URL.
    return {"checklist_item_id": item.pk, "checklist_follow_up_id": follow.pk, "checklist_photo_id": photo.pk}


def _rev(model: Any, pk: int) -> int:
    return int(model.objects.get(pk=pk).revision)


def _item_form(world: Any) -> dict[str, Any]:
    pk = world.ids["checklist_item_id"]
    p = f"i{pk}-"
    return {p + "revision": _rev(ChecklistItem, pk), p + "section": "build", p + "title": "改名"}


def _check_form(world: Any) -> dict[str, Any]:
    pk = world.ids["checklist_item_id"]
    return {f"c{pk}-revision": _rev(ChecklistItem, pk), f"c{pk}-result": "ok"}


def _follow_up_form(world: Any) -> dict[str, Any]:
    pk = world.ids["checklist_follow_up_id"]
    p = f"f{pk}-"
    due = _due(world)
    return {p + "revision": _rev(FollowUp, pk), p + "owner": world.people["owner"].pk, p + "due_at": due}


def _due(world: Any) -> str:
    return timezone.localtime(world.event.starts_at, world.event.tz).strftime("%Y-%m-%dT%H:%M")


PAGES: dict[str, Row] = {
    "onsite_rehearsal:checklist": Row(EVERYONE),
    "onsite_rehearsal:item_add": Row(EDIT, data={"section": "build", "title": "新检查项"}),
    "onsite_rehearsal:item_save": Row(EDIT, data=_item_form),
    "onsite_rehearsal:item_remove": Row(EDIT, data={}, revision_of="checklist_item_id"),
    "onsite_rehearsal:item_check": Row(ONSITE, data=_check_form),
    "onsite_rehearsal:follow_up_save": Row(ONSITE, data=_follow_up_form),
    "onsite_rehearsal:photo": Row(EVERYONE),
}

_R = "/api/events/{event_id}/rehearsal"
API: dict[str, Row] = {
    f"GET {_R}/checklist": Row(EVERYONE),
    f"POST {_R}/items": Row(EDIT, data={"section": "build", "title": "新检查项"}),
    f"PUT {_R}/items/{{checklist_item_id}}": Row(
        EDIT, data={"title": "改名"}, revision_of="checklist_item_id"
    ),
    f"DELETE {_R}/items/{{checklist_item_id}}": Row(EDIT, revision_of="checklist_item_id"),
    f"POST {_R}/items/{{checklist_item_id}}/check": Row(
        ONSITE,
        data=lambda w: {"result": "ok", "photos": SimpleUploadedFile("p.png", PNG, "image/png")},
        revision_of="checklist_item_id",
    ),
    f"GET {_R}/photos/{{checklist_photo_id}}": Row(EVERYONE),
    f"GET {_R}/follow-ups": Row(EVERYONE),
    f"PUT {_R}/follow-ups/{{checklist_follow_up_id}}": Row(
        ONSITE, data={"note": "换设备"}, revision_of="checklist_follow_up_id"
    ),
}

REVISIONS = {"checklist_item_id": ChecklistItem, "checklist_follow_up_id": FollowUp}
URL_KEYS: list[list[str]] = [
    ["event_id", "checklist_item_id"],
    ["event_id", "checklist_follow_up_id"],
    ["event_id", "checklist_photo_id"],
]
