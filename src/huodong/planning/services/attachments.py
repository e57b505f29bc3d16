"""Attachments of the plan (DOC-2: venue floor plan, materials list), stored through Django storage.

An upload is refused when it is empty, larger than ``settings.HUODONG_MAX_UPLOAD_BYTES`` (10 MB by
default), or not one of the allowed kinds. The kind is decided by the file's extension *and* its leading
bytes, so an .exe renamed .pdf is refused. The size, SHA-256 and original name are stored; the file is
served only through a permission-checked view, never a public URL. Uploading and removing lock first
(``plan.plan_lock``); a removal says which revision of the attachment it saw.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.events.models import Event
from huodong.planning.models import PlanAttachment

from .plan import plan_lock, row_locked, touch

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    content_type: str
    label: str


# What a floor plan or materials list comes as: PDF, images, Office documents, AutoCAD drawings.
ALLOWED_KINDS: dict[str, FileKind] = {
    "pdf": FileKind(("pdf",), "application/pdf", "PDF"),
    "png": FileKind(("png",), "image/png", "PNG"),
    "jpeg": FileKind(("jpg", "jpeg"), "image/jpeg", "JPEG"),
    "docx": FileKind(
        ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
    ),
    "xlsx": FileKind(("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "pptx": FileKind(
        ("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"
    ),
    "dwg": FileKind(("dwg",), "image/vnd.dwg", "AutoCAD DWG"),
}
EXTENSION_KIND = {ext: kind for kind, spec in ALLOWED_KINDS.items() for ext in spec.extensions}
OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
DWG_MAGIC = re.compile(rb"^AC10[0-3][0-9]")
WHAT = _("附件")


def max_upload_bytes() -> int:
    return int(getattr(settings, "HUODONG_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def allowed_extensions_label() -> str:
    return ", ".join(f".{ext}" for ext in EXTENSION_KIND)


def _size_label(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _sniff(kind: str, fileobj: Any) -> bool:
    """True when the leading bytes (and, for Office files, the zip's parts) match ``kind``."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "dwg":
        return bool(DWG_MAGIC.match(head))
    if kind in OOXML_PART:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(fileobj) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            fileobj.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_PART[kind]) for n in names)
    return False


def _clean_name(name: str) -> str:
    """The file's own name: no folders, no control characters or lone surrogates (PostgreSQL and the Word
    export cannot store them), at most 200 characters with its extension kept."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = "".join(ch if ch.isprintable() else (" " if ch.isspace() else "") for ch in name).strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name


def attachment_get(*, event: Event, attachment_id: int) -> PlanAttachment:
    att = PlanAttachment.objects.filter(pk=attachment_id, plan__event=event).select_related("plan").first()
    if att is None:
        raise NotFound(_missing(attachment_id))
    return att


def _missing(attachment_id: int) -> Any:
    return _("附件 %(id)s 不存在。") % {"id": attachment_id}


def _check(file: File | None, kind: Any) -> tuple[str, str]:
    """The upload's clean name and extension, or a refusal naming what is wrong with it."""
    errors: dict[str, list[Any]] = {}
    if not isinstance(kind, str) or kind not in PlanAttachment.Kind.values:
        allowed = "、".join(f"{v}({label})" for v, label in PlanAttachment.Kind.choices)
        errors["kind"] = [_("附件类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    if file is None:
        errors["file"] = [_("请选择要上传的文件。")]
        raise DomainError(errors)
    name = _clean_name(getattr(file, "name", "") or "")
    size = int(getattr(file, "size", 0) or 0)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    limit = max_upload_bytes()
    if not name:
        errors["file"] = [_("文件缺少文件名。")]
    elif size <= 0:
        errors["file"] = [_("文件「%(name)s」是空的。") % {"name": name}]
    elif size > limit:
        errors["file"] = [
            _("文件「%(name)s」大小为 %(size)s,超过上限 %(limit)s。")
            % {"name": name, "size": _size_label(size), "limit": _size_label(limit)}
        ]
    elif ext not in EXTENSION_KIND:
        errors["file"] = [
            _("不允许上传「.%(ext)s」类型的文件;允许的类型:%(allowed)s。")
            % {"ext": ext[:20] or "?", "allowed": allowed_extensions_label()}
        ]
    elif not _sniff(EXTENSION_KIND[ext], file):
        errors["file"] = [
            _("文件「%(name)s」的内容不是真正的 %(kind)s 文件(扩展名与内容不符),已拒绝。")
            % {"name": name, "kind": ALLOWED_KINDS[EXTENSION_KIND[ext]].label}
        ]
    if errors:
        raise DomainError(errors)
    return name, ext


@transaction.atomic
def attachment_add(
    *,
    actor: User | None,
    event: Event | int,
    file: File | None,
    kind: str = PlanAttachment.Kind.OTHER,
    system: bool = False,
) -> PlanAttachment:
    """Store an uploaded file as an attachment of the plan; refuses bad uploads, writing nothing."""
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    name, ext = _check(file, kind)
    assert file is not None  # _check refused a missing file
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    sha256 = digest.hexdigest()
    att = PlanAttachment(
        plan=plan,
        kind=kind,
        original_name=name,
        size=int(getattr(file, "size", 0) or 0),
        content_type=ALLOWED_KINDS[EXTENSION_KIND[ext]].content_type,
        sha256=sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    att.file.save(f"{sha256[:16]}.{ext}", file, save=False)
    stored = att.file.name
    try:
        att.save()
        audit_record(
            actor=actor, action="plan.attachment.add", target=att, event_id=locked.pk, after=snapshot(att)
        )
        touch(event=locked, actor=actor, what="attachment")
    except BaseException:
        att.file.storage.delete(stored)
        raise
    return att


@transaction.atomic
def attachment_remove(
    *,
    actor: User | None,
    event: Event | int,
    attachment_id: int,
    seen: int | None,
    system: bool = False,
) -> None:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    attachment = row_locked(PlanAttachment, plan=plan, pk=attachment_id, missing=_missing(attachment_id))
    revision_require(
        attachment,
        seen,
        label=_("附件「%(name)s」") % {"name": attachment.original_name},
        system=system,
        fields=("kind", "original_name", "size", "sha256"),
    )
    storage, name = attachment.file.storage, attachment.file.name
    audit_record(
        actor=actor,
        action="plan.attachment.remove",
        target=attachment,
        event_id=locked.pk,
        before=snapshot(attachment),
    )
    attachment.delete()
    touch(event=locked, actor=actor, what="attachment")
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name) if name else None)
