"""The day-before checklist (EX-1, the gate of 场地布置): its items, their checks, photos and follow-ups.

- ``checklist_for``: the event's checklist, created with the event type's default items
  (``defaults.items_for``) the first time it is read; idempotent (one checklist per event, a unique key).
- Items (``item_add``, ``item_update``, ``item_remove``): the editors add, rename, move between sections,
  reorder and remove items (``Need.EDIT``, ``rules.EDIT_STEPS``). An edit says which revision it saw (428
  without, 409 when old). At most ``ITEMS_MAX`` items.
- Checks (``item_check``): a member of the team on the day (``Need.ONSITE``, ``rules.CHECK_STEPS``) records
  ok or failed, a note (required for a failure) and up to ``PHOTOS_PER_CHECK`` photos (PNG or JPEG, at most
  ``photo_max_bytes``). Who and when are the actor and the server's clock, never the client's. A failure
  becomes a follow-up (``FollowUp``) with an owner (a member of the team on the day; the checker by default)
  and a due time (by default ``FOLLOW_UP_HOURS`` from now, no later than the start); the owner is told in
  the app. A second failure of the same item keeps its open follow-up. Checking the item again and passing
  closes its open follow-up.
- Follow-ups (``follow_up_update``): owner, due time, note and done, by the team on the day (revisioned).

Lock order: the event row, the checklist, the item, its follow-ups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.services import notify
from huodong.core.text import text_clean
from huodong.core.uploads import content_type_of, file_sha256, max_upload_bytes, size_label, upload_problem
from huodong.events.access import Need, can
from huodong.events.models import Event

from ..defaults import items_for
from ..models import NOTE_MAX, TITLE_MAX, Checklist, ChecklistItem, FollowUp, ItemPhoto, Result, Section
from ..rules import CHECK_STEPS, EDIT_STEPS, rehearsal_event_lock

WHAT_ITEMS = _("彩排检查清单")
WHAT_CHECK = _("彩排检查")
WHAT_FOLLOW_UP = _("整改任务")
ITEMS_MAX = 100
POSITION_MAX = 10_000
PHOTOS_PER_CHECK = 5  # photos sent with one check
PHOTOS_PER_ITEM = 20  # photos kept on one item
PHOTO_KINDS = ("png", "jpeg")
PHOTO_MAX_BYTES = 8 * 1024 * 1024  # a phone's photo; the site's upload limit applies when lower
FOLLOW_UP_HOURS = 2  # a failure is to be put right within two hours unless the checker says otherwise
FOLLOW_UP_LATEST_DAYS = 7  # a due time at most a week after the event ends
ITEM_FIELDS = ("section", "title", "title_en", "position")
FOLLOW_UP_FIELDS = ("owner", "due_at", "note", "done")


def photo_max_bytes() -> int:
    return min(PHOTO_MAX_BYTES, max_upload_bytes())


def _pk(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**31 else 0


# ---------------------------------------------------------------- reads
@transaction.atomic
def checklist_for(event: Event) -> Checklist:
    """The event's checklist; the first call copies the event type's default items into it."""
    found = Checklist.objects.filter(event_id=event.pk).first()
    if found is not None:
        return found
    code = event.event_type.code if event.event_type_id else ""
    try:
        with transaction.atomic():
            checklist = Checklist.objects.create(event_id=event.pk, type_code=code)
    except IntegrityError:  # someone opened it at the same moment: theirs has the items
        return Checklist.objects.get(event_id=event.pk)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            event_id=event.pk,
            section=spec["section"],
            title=spec["name"],
            title_en=spec.get("name_en", ""),
            code=spec["code"],
            position=n,
        )
        for n, spec in enumerate(items_for(code), start=1)
    )
    return checklist


def items_of(event: Event | int) -> list[ChecklistItem]:
    """Every item of the event's checklist in order, with its checker, photos and follow-ups."""
    return list(
        ChecklistItem.objects.filter(event=event)
        .select_related("checked_by")
        .prefetch_related(
            "photos",
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner", "done_by")),
        )
    )


def item_get(event: Event, item_id: Any) -> ChecklistItem:
    item = ChecklistItem.objects.filter(pk=_pk(item_id), event_id=event.pk).first()
    if item is None:
        raise NotFound(_("检查项不存在。"))
    return item


def photo_get(event: Event, photo_id: Any) -> ItemPhoto:
    photo = ItemPhoto.objects.filter(pk=_pk(photo_id), item__event_id=event.pk).select_related("item").first()
    if photo is None:
        raise NotFound(_("照片不存在。"))
    return photo


def follow_ups_of(event: Event | int) -> list[FollowUp]:
    return list(FollowUp.objects.filter(event=event).select_related("item", "owner", "done_by", "created_by"))


def follow_up_get(event: Event, follow_up_id: Any) -> FollowUp:
    row = FollowUp.objects.filter(pk=_pk(follow_up_id), event_id=event.pk).select_related("item").first()
    if row is None:
        raise NotFound(_("整改任务不存在。"))
    return row


def open_follow_up(item: ChecklistItem) -> FollowUp | None:
    """The item's open follow-up (from the prefetched rows when there are)."""
    return next((f for f in item.follow_ups.all() if not f.done), None)


def default_due(event: Event, now: dt.datetime | None = None) -> dt.datetime:
    """``FOLLOW_UP_HOURS`` from now, but before the start when the start is later than now."""
    now = now or timezone.now()
    due = now + dt.timedelta(hours=FOLLOW_UP_HOURS)
    return min(due, event.starts_at) if event.starts_at > now else due


# ---------------------------------------------------------------- items
def _item_clean(data: dict[str, Any], errors: dict[str, list[Any]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "section" in data:
        if data["section"] not in Section.values:
            allowed = "、".join(f"{v}({label})" for v, label in Section.choices)
            errors.setdefault("section", []).append(
                _("分类须为以下之一:%(allowed)s。") % {"allowed": allowed}
            )
        else:
            clean["section"] = data["section"]
    if "title" in data:
        clean["title"] = text_clean(
            data["title"], field="title", label=_("检查项"), limit=TITLE_MAX, errors=errors,
            required=True, multiline=False,
        )  # fmt: skip
    if "title_en" in data:
        clean["title_en"] = text_clean(
            data["title_en"], field="title_en", label=_("英文名称"), limit=TITLE_MAX, errors=errors,
            multiline=False,
        )  # fmt: skip
    if "position" in data and data["position"] is not None:
        value = data["position"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= POSITION_MAX:
            errors.setdefault("position", []).append(_("顺序须为 0–%(max)s 的整数。") % {"max": POSITION_MAX})
        else:
            clean["position"] = value
    return clean


def _checklist_locked(event: Event) -> Checklist:
    checklist_for(event)
    return Checklist.objects.select_for_update().get(event_id=event.pk)


def _item_locked(event: Event, item_id: Any) -> ChecklistItem:
    item = ChecklistItem.objects.select_for_update().filter(pk=_pk(item_id), event_id=event.pk).first()
    if item is None:
        raise NotFound(_("检查项不存在。"))
    return item


def _label(item: ChecklistItem) -> Any:
    return _("检查项「%(title)s」") % {"title": item.title}


@transaction.atomic
def item_add(
    *,
    actor: User | None,
    event: Event | int,
    section: str,
    title: str,
    title_en: str = "",
    position: int | None = None,
    system: bool = False,
) -> ChecklistItem:
    """A new item in ``section`` (last unless ``position`` says)."""
    locked = rehearsal_event_lock(actor=actor, event=event, what=WHAT_ITEMS, system=system)
    checklist = _checklist_locked(locked)
    errors: dict[str, list[Any]] = {}
    clean = _item_clean(
        {"section": section, "title": title, "title_en": title_en, "position": position}, errors
    )
    if ChecklistItem.objects.filter(checklist=checklist).count() >= ITEMS_MAX:
        errors.setdefault("__all__", []).append(_("一份检查清单最多 %(n)s 项。") % {"n": ITEMS_MAX})
    if errors:
        raise DomainError(errors)
    if "position" not in clean:
        last = ChecklistItem.objects.filter(checklist=checklist).aggregate(m=Max("position"))["m"]
        clean["position"] = (last or 0) + 1
    item = ChecklistItem.objects.create(checklist=checklist, event=locked, **clean)
    audit_record(
        actor=actor,
        action="rehearsal.item.add",
        target=item,
        event_id=locked.pk,
        summary=Said(_("彩排检查清单添加「%(title)s」"), title=item.title),
        after=snapshot(item, ["section", "title", "title_en", "position"]),
    )
    return item


@transaction.atomic
def item_update(
    *, actor: User | None, event: Event | int, item_id: Any, seen: int | None, **changes: Any
) -> ChecklistItem:
    """Rename an item, move it to another section or place (only the fields given)."""
    unknown = [k for k in changes if k not in ITEM_FIELDS]
    if unknown:
        raise DomainError({k: [_("未知的检查项字段。")] for k in unknown})
    locked = rehearsal_event_lock(actor=actor, event=event, what=WHAT_ITEMS)
    _checklist_locked(locked)
    item = _item_locked(locked, item_id)
    revision_require(item, seen, label=_label(item), fields=ITEM_FIELDS)
    errors: dict[str, list[Any]] = {}
    clean = _item_clean(changes, errors)
    if errors:
        raise DomainError(errors)
    row_update(
        item,
        changes=clean,
        seen=seen,
        actor=actor,
        action="rehearsal.item.update",
        label=_label(item),
        event_id=locked.pk,
        summary=Said(_("修改彩排检查项「%(title)s」"), title=item.title),
    )
    return item


@transaction.atomic
def item_remove(*, actor: User | None, event: Event | int, item_id: Any, seen: int | None) -> ChecklistItem:
    """Remove an item, its photos and its follow-ups (the audit log keeps what it was)."""
    locked = rehearsal_event_lock(actor=actor, event=event, what=WHAT_ITEMS)
    _checklist_locked(locked)
    item = _item_locked(locked, item_id)
    revision_require(item, seen, label=_label(item), fields=ITEM_FIELDS)
    files = [(p.file.storage, p.file.name) for p in item.photos.all()]
    audit_record(
        actor=actor,
        action="rehearsal.item.remove",
        target=item,
        event_id=locked.pk,
        summary=Said(_("删除彩排检查项「%(title)s」"), title=item.title),
        before=snapshot(item, ["section", "title", "title_en", "position", "result", "checked_by", "note"]),
    )
    item.delete()

    def _files_gone() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(_files_gone)
    return item


# ---------------------------------------------------------------- checks
@dataclass
class CheckOutcome:
    """What a check did: the item as now, the follow-up opened or kept (failure), those closed (pass)."""

    item: ChecklistItem
    follow_up: FollowUp | None = None
    opened: bool = False
    closed: list[FollowUp] = field(default_factory=list)
    photos: list[ItemPhoto] = field(default_factory=list)


def _owner(value: Any, event: Event, errors: dict[str, list[Any]], key: str = "owner") -> User | None:
    if value is None or value == "":
        return None
    person = value if isinstance(value, User) else User.objects.filter(pk=_pk(value)).first()
    if person is None or not person.is_active or not can(person, event, Need.ONSITE):
        errors.setdefault(key, []).append(
            _("负责人须为本活动现场团队的在职成员(团队成员、舞台监督、签到人员或策划人员)。")
        )
        return None
    return person


def _due(value: Any, event: Event, errors: dict[str, list[Any]], now: dt.datetime) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime):
        errors.setdefault("due_at", []).append(_("截止时间须为日期和时间。"))
        return None
    due = timezone.make_aware(value, event.tz) if timezone.is_naive(value) else value
    latest = event.ends_at + dt.timedelta(days=FOLLOW_UP_LATEST_DAYS)
    if due < now - dt.timedelta(minutes=1):
        errors.setdefault("due_at", []).append(_("截止时间不能早于现在。"))
        return None
    if due > latest:
        errors.setdefault("due_at", []).append(
            _("截止时间不能晚于活动结束后 %(n)s 天(%(latest)s)。")
            % {
                "n": FOLLOW_UP_LATEST_DAYS,
                "latest": timezone.localtime(latest, event.tz).strftime("%Y-%m-%d %H:%M"),
            }
        )
        return None
    return due


def _photos_check(photos: Iterable[Any], item: ChecklistItem, errors: dict[str, list[Any]]) -> list[Any]:
    files = [p for p in photos or [] if p is not None]
    if len(files) > PHOTOS_PER_CHECK:
        errors.setdefault("photos", []).append(_("每次检查最多上传 %(n)s 张照片。") % {"n": PHOTOS_PER_CHECK})
        return []
    if files and item.photos.count() + len(files) > PHOTOS_PER_ITEM:
        errors.setdefault("photos", []).append(
            _("每个检查项最多保留 %(n)s 张照片。") % {"n": PHOTOS_PER_ITEM}
        )
        return []
    limit = photo_max_bytes()
    for f in files:
        size = int(getattr(f, "size", 0) or 0)
        if size > limit:
            errors.setdefault("photos", []).append(
                _("照片「%(name)s」大小为 %(size)s,超过上限 %(limit)s。")
                % {
                    "name": str(getattr(f, "name", ""))[:60],
                    "size": size_label(size),
                    "limit": size_label(limit),
                }
            )
            continue
        _name, _ext, problem = upload_problem(f, kinds=PHOTO_KINDS)
        if problem is not None:
            errors.setdefault("photos", []).append(problem)
    return files


def _photo_store(
    item: ChecklistItem, file: Any, result: str, actor: User | None, stored: list[str]
) -> ItemPhoto:
    name, ext, _problem = upload_problem(file, kinds=PHOTO_KINDS)
    sha256 = file_sha256(file)
    photo = ItemPhoto(
        item=item,
        result=result,
        original_name=name,
        size=int(getattr(file, "size", 0) or 0),
        content_type=content_type_of(ext),
        sha256=sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    photo.file.save(f"{sha256[:16]}.{'jpg' if ext == 'jpeg' else ext}", file, save=False)
    stored.append(photo.file.name)
    photo.save()
    return photo


def _url(event: Event) -> str:
    return reverse("onsite_rehearsal:checklist", kwargs={"event_id": event.pk})


def _follow_up_close(row: FollowUp, *, actor: User | None, event: Event, now: dt.datetime) -> None:
    row_update(
        row,
        changes={"done": True, "done_at": now, "done_by": actor, "closed_by_recheck": True},
        seen=row.revision,
        actor=actor,
        action="rehearsal.follow_up.close",
        label=_("整改任务"),
        event_id=event.pk,
        summary=Said(_("「%(title)s」复查通过,整改任务关闭"), title=row.item.title),
    )


@transaction.atomic
def item_check(
    *,
    actor: User | None,
    event: Event | int,
    item_id: Any,
    seen: int | None,
    result: str,
    note: str = "",
    photos: Iterable[Any] = (),
    owner: Any = None,
    due_at: Any = None,
) -> CheckOutcome:
    """Record the result of checking an item (see the module's docstring)."""
    locked = rehearsal_event_lock(
        actor=actor, event=event, what=WHAT_CHECK, need=Need.ONSITE, steps=CHECK_STEPS
    )
    _checklist_locked(locked)
    item = _item_locked(locked, item_id)
    revision_require(item, seen, label=_label(item), fields=("result", "checked_at", "note"))
    now = timezone.now()
    errors: dict[str, list[Any]] = {}
    if result not in (Result.OK, Result.FAILED):
        errors["result"] = [_("检查结果须为 ok(通过)或 failed(未通过)。")]
    clean_note = text_clean(note, field="note", label=_("备注"), limit=NOTE_MAX, errors=errors)
    if result == Result.FAILED and not clean_note and "note" not in errors:
        errors["note"] = [_("未通过时请说明问题(如:左侧音箱无声)。")]
    files = _photos_check(photos, item, errors)
    chosen_owner = _owner(owner, locked, errors)
    chosen_due = _due(due_at, locked, errors, now)
    if errors:
        raise DomainError(errors)
    outcome = CheckOutcome(item=item)
    stored: list[str] = []
    try:
        row_update(
            item,
            changes={"result": result, "checked_by": actor, "checked_at": now, "note": clean_note},
            seen=seen,
            actor=actor,
            action="rehearsal.item.check",
            label=_label(item),
            event_id=locked.pk,
            summary=Said(
                _("彩排检查「%(title)s」:%(result)s"), title=item.title, result=Result(result).label
            ),
        )
        outcome.photos = [_photo_store(item, f, result, actor, stored) for f in files]
        open_rows = list(
            FollowUp.objects.select_for_update().filter(item=item, done=False).select_related("item")
        )
        if result == Result.OK:
            for row in open_rows:
                _follow_up_close(row, actor=actor, event=locked, now=now)
            outcome.closed = open_rows
        else:
            outcome.follow_up, outcome.opened = _follow_up_for_failure(
                item=item, event=locked, actor=actor, open_rows=open_rows, owner=chosen_owner,
                due=chosen_due, note=clean_note, now=now,
            )  # fmt: skip
    except BaseException:
        for name in stored:
            ItemPhoto._meta.get_field("file").storage.delete(name)  # type: ignore[attr-defined]
        raise
    return outcome


def _follow_up_for_failure(
    *,
    item: ChecklistItem,
    event: Event,
    actor: User | None,
    open_rows: list[FollowUp],
    owner: User | None,
    due: dt.datetime | None,
    note: str,
    now: dt.datetime,
) -> tuple[FollowUp, bool]:
    """The failed item's follow-up: its open one (owner and due changed when given), or a new one."""
    if open_rows:
        row = open_rows[0]
        changes: dict[str, Any] = {}
        if owner is not None:
            changes["owner"] = owner
        if due is not None:
            changes["due_at"] = due
        if changes:
            row_update(
                row,
                changes=changes,
                seen=row.revision,
                actor=actor,
                action="rehearsal.follow_up.update",
                label=_("整改任务"),
                event_id=event.pk,
            )
        if owner is not None and owner != actor and "owner" in changes:
            _tell_owner(row, event)
        return row, False
    fallback = actor if actor is not None and actor.is_authenticated else event.owner
    row = FollowUp.objects.create(
        event=event,
        item=item,
        owner=owner or fallback,
        due_at=due or default_due(event, now),
        note=note,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="rehearsal.follow_up.add",
        target=row,
        event_id=event.pk,
        summary=Said(_("「%(title)s」未通过,整改任务交给 %(owner)s"), title=item.title, owner=row.owner.name),
        after=snapshot(row, ["item", "owner", "due_at", "note"]),
    )
    if row.owner != actor:
        _tell_owner(row, event)
    return row, True


def _tell_owner(row: FollowUp, event: Event) -> None:
    notify(
        recipients=[row.owner],
        kind="rehearsal.follow_up",
        message=Said(
            _("「%(event)s」彩排检查「%(title)s」未通过,整改任务交给您,截止 %(due)s。"),
            event=event.name,
            title=row.item.title,
            due=timezone.localtime(row.due_at, event.tz).strftime("%m-%d %H:%M"),
        ),
        url=_url(event) + f"#follow-up-{row.pk}",
        event_id=event.pk,
    )


# ---------------------------------------------------------------- follow-ups
@transaction.atomic
def follow_up_update(
    *, actor: User | None, event: Event | int, follow_up_id: Any, seen: int | None, **changes: Any
) -> FollowUp:
    """Change a follow-up's owner, due time or note, mark it done or open it again (only the fields given)."""
    unknown = [k for k in changes if k not in FOLLOW_UP_FIELDS]
    if unknown:
        raise DomainError({k: [_("未知的整改任务字段。")] for k in unknown})
    locked = rehearsal_event_lock(
        actor=actor, event=event, what=WHAT_FOLLOW_UP, need=Need.ONSITE, steps=CHECK_STEPS
    )
    _checklist_locked(locked)
    found = follow_up_get(locked, follow_up_id)
    item = _item_locked(locked, found.item_id)
    row = FollowUp.objects.select_for_update().select_related("item", "owner").get(pk=found.pk)
    revision_require(row, seen, label=_("整改任务"), fields=FOLLOW_UP_FIELDS)
    now = timezone.now()
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    if "owner" in changes:
        person = _owner(changes["owner"], locked, errors)
        if person is None and "owner" not in errors:
            errors["owner"] = [_("请选择整改负责人。")]
        clean["owner"] = person
    if "due_at" in changes:
        due = _due(changes["due_at"], locked, errors, now)
        if due is None and "due_at" not in errors:
            errors["due_at"] = [_("请填写截止时间。")]
        clean["due_at"] = due
    if "note" in changes:
        clean["note"] = text_clean(
            changes["note"], field="note", label=_("整改说明"), limit=NOTE_MAX, errors=errors
        )
    if "done" in changes:
        done = changes["done"]
        if not isinstance(done, bool):
            errors["done"] = [_("已完成须为是或否。")]
        elif done and not row.done:
            clean.update(done=True, done_at=now, done_by=actor, closed_by_recheck=False)
        elif not done and row.done:
            if item.result == Result.OK:
                errors["done"] = [
                    _("该检查项已复查通过,不能重新打开整改任务;如有新问题,请重新检查并标记未通过。")
                ]
            elif FollowUp.objects.filter(item=item, done=False).exclude(pk=row.pk).exists():
                errors["done"] = [_("该检查项已有未完成的整改任务。")]
            else:
                clean.update(done=False, done_at=None, done_by=None, closed_by_recheck=False)
    if errors:
        raise DomainError(errors)
    old_owner = row.owner
    row_update(
        row,
        changes=clean,
        seen=seen,
        actor=actor,
        action="rehearsal.follow_up.update",
        label=_("整改任务"),
        event_id=locked.pk,
        summary=Said(_("修改「%(title)s」的整改任务"), title=item.title),
    )
    if "owner" in clean and clean["owner"] != old_owner and clean["owner"] != actor and not row.done:
        _tell_owner(row, locked)
    return row


__all__ = [
    "CHECK_STEPS",
    "EDIT_STEPS",
    "CheckOutcome",
    "checklist_for",
    "follow_up_update",
    "item_add",
    "item_check",
    "item_remove",
    "item_update",
    "items_of",
]
