"""《活动物料明细表》 (MT-1): the materials of an event, by category (宣传物料, 活动物料, 礼品), each with
quantity, specification, owner, deadline, supplier (from the vendor register), status, note and files.

Rules (every write, page, API and Excel import alike):

- the category is one of ``MaterialItem.Kind``; a name is unique within its category in one event (the
  Excel import matches rows to items by category and name);
- the quantity is a positive whole number (at most ``MAX_QUANTITY``);
- the deadline is a date not after the event (its last day in the event's time zone);
- the supplier is an active vendor of the register, or none; the owner an active person, or nobody;
- the status runs 待下单 → 已下单 → 已到货 → 已验收, or 不再需要, which needs a reason (a status other
  than 不再需要 clears the reason);
- an item is overdue when its deadline has passed and it is neither accepted nor waived
  (``MaterialItem.is_overdue``), computed on the event's calendar.

Who: the owner, the team's organisers and administrators (``Need.EDIT``) change everything; the owner of
an item (``MaterialItem.owner``) may also change its status and add photos or files to it (the person
who receives the delivery, on a phone). Writes happen in the preparation steps only
(``rules.PREPARATION_STEPS``), lock the event first, then the item, and an update or removal says the
revision it saw (409 when someone saved first).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.services import owner_check
from huodong.core.text import text_clean
from huodong.core.uploads import (
    allowed_label,
    content_type_of,
    file_sha256,
    upload_check,
)
from huodong.events.access import Need, event_access, event_for, step_require
from huodong.events.models import Event

from ..models import MaterialFile, MaterialItem, Vendor
from ..rules import PREPARATION_STEPS, preparation_event_lock

WHAT = _("物料明细")
MAX_QUANTITY = 1_000_000
NAME_MAX, SPEC_MAX, NOTE_MAX, REASON_MAX = 200, 300, 5000, 2000
MATERIAL_FIELDS = (
    "kind",
    "name",
    "quantity",
    "spec",
    "owner",
    "due_on",
    "vendor",
    "status",
    "waive_reason",
    "note",
)
# Photos of the delivery, the design as PDF or Office files.
FILE_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "pptx")
KIND_ORDER = {k: i for i, k in enumerate(MaterialItem.Kind.values)}
# The next status of the quick buttons (待下单 → 已下单 → 已到货 → 已验收).
NEXT_STATUS = {
    MaterialItem.Status.TO_ORDER: MaterialItem.Status.ORDERED,
    MaterialItem.Status.ORDERED: MaterialItem.Status.ARRIVED,
    MaterialItem.Status.ARRIVED: MaterialItem.Status.ACCEPTED,
}
STATUS_REFUSAL = _("只有活动负责人、团队中的策划人员、管理员或该物料的负责人可以更改物料状态或上传附件。")


# ---------------------------------------------------------------- reads
def event_last_day(event: Event) -> dt.date:
    """The last calendar day of the event in its own time zone: no deadline may be after it."""
    return timezone.localtime(event.ends_at, event.tz).date()


def event_today(event: Event, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), event.tz).date()


def materials_of(event: Event) -> list[MaterialItem]:
    """The event's items in the order of the sheet: by category (宣传物料, 活动物料, 礼品), then position."""
    files = Prefetch("files", queryset=MaterialFile.objects.select_related("uploaded_by"))
    items = list(
        MaterialItem.objects.filter(event=event).select_related("owner", "vendor").prefetch_related(files)
    )
    items.sort(key=lambda m: (KIND_ORDER.get(m.kind, 99), m.position, m.pk))
    return items


def material_get(*, event: Event, material_id: int) -> MaterialItem:
    item = MaterialItem.objects.filter(pk=material_id, event=event).select_related("owner", "vendor").first()
    if item is None:
        raise NotFound(_missing(material_id))
    return item


def material_file_get(*, event: Event, material_id: int, material_file_id: int) -> MaterialFile:
    f = MaterialFile.objects.filter(pk=material_file_id, item_id=material_id, event=event).first()
    if f is None:
        raise NotFound(_("物料附件 %(id)s 不存在。") % {"id": material_file_id})
    return f


def can_update_status(user: User | None, event: Event, item: MaterialItem) -> bool:
    """Whether ``user`` may change the status of ``item`` and add files to it (not the step)."""
    if user is None:
        return False
    return event_access(user, event).can(Need.EDIT) or (
        item.owner_id is not None and item.owner_id == user.pk
    )


# ---------------------------------------------------------------- validation, shared with the Excel import
def _missing(material_id: int) -> Any:
    return _("物料 %(id)s 不存在。") % {"id": material_id}


def _label(item: MaterialItem) -> Any:
    return _("物料「%(name)s」") % {"name": item.name}


def choices_label(choices: list[tuple[str, Any]]) -> str:
    return "、".join(f"{v}({label})" for v, label in choices)


def quantity_problem(value: Any) -> tuple[int | None, Any]:
    """``value`` as a quantity, or the reason it is not one (a positive whole number up to MAX_QUANTITY)."""
    if isinstance(value, bool):
        return None, _("数量须为正整数。")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.lstrip("+-").isdigit() and len(text) < 12:
            value = int(text)
        else:
            return None, _("数量须为正整数(现为「%(v)s」)。") % {"v": value.strip()[:30]}
    if not isinstance(value, int):
        return None, _("数量须为正整数。")
    if value < 1:
        return None, _("数量须为正整数(现为 %(v)s)。") % {"v": value}
    if value > MAX_QUANTITY:
        return None, _("数量最多 %(max)s(现为 %(v)s)。") % {"max": MAX_QUANTITY, "v": value}
    return value, None


def due_problem(value: Any, event: Event) -> tuple[dt.date | None, Any]:
    """``value`` as a deadline, or why not: a date, not after the event's last day."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return None, _("截止日期须为日期,如 2027-03-10。")
    if not dt.date(2000, 1, 1) <= value < dt.date(2100, 1, 1):
        return None, _("日期须在 2000 年至 2099 年之间。")
    last = event_last_day(event)
    if value > last:
        return None, _("截止日期 %(d)s 晚于活动日期 %(last)s;物料须在活动前备齐。") % {
            "d": value.isoformat(),
            "last": last.isoformat(),
        }
    return value, None


def _choice(value: Any, choices: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if value not in choices.values:
        errors.setdefault(field, []).append(
            _("%(label)s须为以下之一:%(allowed)s。")
            % {"label": label, "allowed": choices_label(choices.choices)}
        )
    return value


def _vendor(value: Any, errors: dict[str, list[Any]]) -> Vendor | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Vendor):
        errors.setdefault("vendor", []).append(_("供应商须从供应商名录中选择。"))
        return None
    if not value.is_active:
        errors.setdefault("vendor", []).append(
            _("供应商「%(v)s」已停用,请选择其他供应商。") % {"v": value.name}
        )
        return None
    return value


def validate(data: dict[str, Any], event: Event) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The cleaned fields of an item and the errors by field (nothing is written here)."""
    errors: dict[str, list[Any]] = {}
    quantity, problem = quantity_problem(data.get("quantity"))
    if problem is not None:
        errors["quantity"] = [problem]
    due_on, problem = due_problem(data.get("due_on"), event)
    if problem is not None:
        errors["due_on"] = [problem]
    status = _choice(data.get("status"), MaterialItem.Status, field="status", label=_("状态"), errors=errors)
    reason = text_clean(
        data.get("waive_reason"),
        field="waive_reason",
        label=_("不再需要的原因"),
        limit=REASON_MAX,
        errors=errors,
    )
    if status == MaterialItem.Status.WAIVED and not reason and "waive_reason" not in errors:
        errors["waive_reason"] = [_("状态为「不再需要」时须写明原因。")]
    clean: dict[str, Any] = {
        "kind": _choice(data.get("kind"), MaterialItem.Kind, field="kind", label=_("类别"), errors=errors),
        "name": text_clean(
            data.get("name"),
            field="name",
            label=_("物料名称"),
            limit=NAME_MAX,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "quantity": quantity,
        "spec": text_clean(
            data.get("spec"), field="spec", label=_("规格"), limit=SPEC_MAX, errors=errors, multiline=False
        ),
        "owner": owner_check(data.get("owner"), field="owner", errors=errors),
        "due_on": due_on,
        "vendor": _vendor(data.get("vendor"), errors),
        "status": status,
        "waive_reason": reason if status == MaterialItem.Status.WAIVED else "",
        "note": text_clean(data.get("note"), field="note", label=_("备注"), limit=NOTE_MAX, errors=errors),
    }
    return clean, errors


def _unique_name(
    event: Event, kind: str, name: str, errors: dict[str, list[Any]], exclude: int | None
) -> None:
    if "kind" in errors or "name" in errors:
        return
    clash = MaterialItem.objects.filter(event=event, kind=kind, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        errors["name"] = [
            _("「%(kind)s」中已有物料「%(name)s」;同一类别下物料名称不能重复。")
            % {"kind": MaterialItem.Kind(kind).label, "name": name}
        ]


def _row_locked(event: Event, material_id: int) -> MaterialItem:
    row = MaterialItem.objects.select_for_update().filter(pk=material_id, event=event).first()
    if row is None:
        raise NotFound(_missing(material_id))
    return row


def next_position(event: Event) -> int:
    return int(MaterialItem.objects.filter(event=event).aggregate(last=Max("position"))["last"] or 0) + 1


def _lock_for_item(
    *, actor: User | None, event: Event | int, material_id: int, system: bool
) -> tuple[Event, MaterialItem]:
    """The locks of a status change or upload: the event, then the item; the right checked before the step,
    so that somebody without it is told so whatever the step."""
    if system:
        locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=True)
        return locked, _row_locked(locked, material_id)
    locked = event_for(actor, event, Need.VIEW, lock=True)
    row = _row_locked(locked, material_id)
    if not can_update_status(actor, locked, row):
        raise NotAllowed(STATUS_REFUSAL)
    step_require(locked, PREPARATION_STEPS, WHAT)
    return locked, row


# ---------------------------------------------------------------- writes
@transaction.atomic
def material_add(
    *,
    actor: User | None,
    event: Event | int,
    kind: str,
    name: str,
    quantity: Any,
    spec: str = "",
    owner: User | None = None,
    due_on: dt.date | None = None,
    vendor: Vendor | None = None,
    status: str = MaterialItem.Status.TO_ORDER,
    waive_reason: str = "",
    note: str = "",
    system: bool = False,
) -> MaterialItem:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    clean, errors = validate(
        dict(
            kind=kind,
            name=name,
            quantity=quantity,
            spec=spec,
            owner=owner,
            due_on=due_on,
            vendor=vendor,
            status=status,
            waive_reason=waive_reason,
            note=note,
        ),
        locked,
    )
    _unique_name(locked, clean["kind"], clean["name"], errors, None)
    if errors:
        raise DomainError(errors)
    item = MaterialItem.objects.create(event=locked, position=next_position(locked), **clean)
    audit_record(
        actor=actor, action="preparation.material.add", target=item, event_id=locked.pk, after=snapshot(item)
    )
    return item


def _unknown(changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(MATERIAL_FIELDS)
    if unknown:
        raise DomainError(
            {
                f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(MATERIAL_FIELDS)}]
                for f in sorted(unknown)
            }
        )


@transaction.atomic
def material_update(
    *,
    actor: User | None,
    event: Event | int,
    material_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> MaterialItem:
    """Change some fields of the item ``material_id`` seen at revision ``seen``."""
    _unknown(changes)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, material_id)
    revision_require(row, seen, label=_label(row), system=system, fields=MATERIAL_FIELDS)
    data = {f: getattr(row, f) for f in MATERIAL_FIELDS}
    data.update(changes)
    clean, errors = validate(data, locked)
    _unique_name(locked, clean["kind"], clean["name"], errors, row.pk)
    if errors:
        raise DomainError(errors)
    row_update(
        row,
        changes=clean,
        seen=row.revision,
        actor=actor,
        action="preparation.material.update",
        label=_label(row),
        event_id=locked.pk,
    )
    return row


@transaction.atomic
def material_status_set(
    *,
    actor: User | None,
    event: Event | int,
    material_id: int,
    seen: int | None,
    status: str,
    reason: str = "",
    system: bool = False,
) -> MaterialItem:
    """Move the item to ``status`` (the quick buttons); 不再需要 needs ``reason``. Editors and the item's
    owner may do it."""
    locked, row = _lock_for_item(actor=actor, event=event, material_id=material_id, system=system)
    revision_require(row, seen, label=_label(row), system=system, fields=("status", "waive_reason"))
    errors: dict[str, list[Any]] = {}
    status = _choice(status, MaterialItem.Status, field="status", label=_("状态"), errors=errors)
    reason = text_clean(reason, field="reason", label=_("不再需要的原因"), limit=REASON_MAX, errors=errors)
    if status == MaterialItem.Status.WAIVED and not reason and "reason" not in errors:
        errors["reason"] = [_("状态为「不再需要」时须写明原因。")]
    if errors:
        raise DomainError(errors)
    row_update(
        row,
        changes={"status": status, "waive_reason": reason if status == MaterialItem.Status.WAIVED else ""},
        seen=row.revision,
        actor=actor,
        action="preparation.material.status",
        label=_label(row),
        event_id=locked.pk,
    )
    return row


@transaction.atomic
def material_remove(
    *, actor: User | None, event: Event | int, material_id: int, seen: int | None, system: bool = False
) -> None:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    row = _row_locked(locked, material_id)
    revision_require(row, seen, label=_label(row), system=system, fields=MATERIAL_FIELDS)
    stored = [(f.file.storage, f.file.name) for f in row.files.all()]
    audit_record(
        actor=actor,
        action="preparation.material.remove",
        target=row,
        event_id=locked.pk,
        before=snapshot(row),
    )
    row.delete()

    def _delete_files() -> None:
        for storage, name in stored:
            if name:
                storage.delete(name)

    transaction.on_commit(_delete_files)


def template_rows(event: Event) -> list[dict[str, Any]]:
    """The event type's materials (``EventType.materials``: kind, name, quantity, spec), the valid ones."""
    rows = []
    for entry in event.event_type.materials or []:
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("kind") or "").strip()
        name = str(entry.get("name") or "").strip()
        quantity, problem = quantity_problem(entry.get("quantity", 1))
        if kind not in MaterialItem.Kind.values or not name or len(name) > NAME_MAX or problem is not None:
            continue
        rows.append(
            {
                "kind": kind,
                "name": name,
                "quantity": quantity,
                "spec": str(entry.get("spec") or "")[:SPEC_MAX],
            }
        )
    return rows


@transaction.atomic
def materials_from_template(
    *, actor: User | None, event: Event | int, system: bool = False
) -> dict[str, int]:
    """Create the items of the event type's template that the list lacks (matched by category and name):
    running it twice creates nothing the second time. Returns ``created`` and ``existing``."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    have = set(MaterialItem.objects.filter(event=locked).values_list("kind", "name"))
    position = next_position(locked)
    created: list[MaterialItem] = []
    existing = 0
    for row in template_rows(locked):
        key = (row["kind"], row["name"])
        if key in have:
            existing += 1
            continue
        have.add(key)
        created.append(MaterialItem(event=locked, position=position, **row))
        position += 1
    MaterialItem.objects.bulk_create(created)
    if created:
        audit_record(
            actor=actor,
            action="preparation.material.template",
            target=locked,
            event_id=locked.pk,
            summary=f"{len(created)}",
            after={"created": [m.name for m in created]},
        )
    return {"created": len(created), "existing": existing}


# ---------------------------------------------------------------- photos and files of an item
def allowed_file_types_label() -> str:
    return allowed_label(FILE_KINDS)


@transaction.atomic
def material_file_add(
    *, actor: User | None, event: Event | int, material_id: int, file: File | None, system: bool = False
) -> MaterialFile:
    """Store a photo or file of the item; a bad upload is refused and nothing is written."""
    locked, row = _lock_for_item(actor=actor, event=event, material_id=material_id, system=system)
    name, ext = upload_check(file, field="file", kinds=FILE_KINDS)
    assert file is not None  # upload_check refused a missing file
    sha256 = file_sha256(file)
    stored_file = MaterialFile(
        item=row,
        event=locked,
        original_name=name,
        size=int(getattr(file, "size", 0) or 0),
        content_type=content_type_of(ext),
        sha256=sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    stored_file.file.save(f"{sha256[:16]}.{ext}", file, save=False)
    stored = stored_file.file.name
    try:
        stored_file.save()
        audit_record(
            actor=actor,
            action="preparation.material.file_add",
            target=stored_file,
            event_id=locked.pk,
            after=snapshot(stored_file),
        )
    except BaseException:
        stored_file.file.storage.delete(stored)
        raise
    return stored_file


@transaction.atomic
def material_file_remove(
    *,
    actor: User | None,
    event: Event | int,
    material_id: int,
    material_file_id: int,
    seen: int | None,
    system: bool = False,
) -> None:
    locked, row = _lock_for_item(actor=actor, event=event, material_id=material_id, system=system)
    stored_file = MaterialFile.objects.select_for_update().filter(pk=material_file_id, item=row).first()
    if stored_file is None:
        raise NotFound(_("物料附件 %(id)s 不存在。") % {"id": material_file_id})
    revision_require(
        stored_file,
        seen,
        label=_("附件「%(name)s」") % {"name": stored_file.original_name},
        system=system,
        fields=("original_name", "size", "sha256"),
    )
    storage, name = stored_file.file.storage, stored_file.file.name
    audit_record(
        actor=actor,
        action="preparation.material.file_remove",
        target=stored_file,
        event_id=locked.pk,
        before=snapshot(stored_file),
    )
    stored_file.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
