"""Uploaded files, checked one way for every phase (plan attachments, quotes, contracts, materials…).

An upload is refused when it has no name, is empty, is larger than ``settings.HUODONG_MAX_UPLOAD_BYTES``
(10 MB by default), or is not one of the kinds the caller allows. The kind is decided by the file's
extension *and* its leading bytes (for Office files, the parts of the zip), so an .exe renamed .pdf is
refused. ``upload_check`` returns the clean name and extension, or raises ``DomainError`` on the field,
naming what is wrong; ``file_sha256`` is what the records keep beside the size and the original name.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    content_type: str
    label: str


# PDF, images, Office documents, AutoCAD drawings: what event files come as.
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


def max_upload_bytes() -> int:
    return int(getattr(settings, "HUODONG_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def allowed_label(kinds: Iterable[str] | None = None) -> str:
    """The extensions of ``kinds`` (all kinds when None) as the refusal and the form's help list them."""
    wanted = set(ALLOWED_KINDS if kinds is None else kinds)
    return ", ".join(f".{ext}" for ext, kind in EXTENSION_KIND.items() if kind in wanted)


def size_label(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def content_type_of(ext: str) -> str:
    return ALLOWED_KINDS[EXTENSION_KIND[ext]].content_type


def sniff(kind: str, fileobj: Any) -> bool:
    """True when the leading bytes (and, for Office files, the zip's parts) match ``kind``."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if kind == "pdf":
        return bool(head.startswith(b"%PDF-"))
    if kind == "png":
        return bool(head.startswith(b"\x89PNG\r\n\x1a\n"))
    if kind == "jpeg":
        return bool(head.startswith(b"\xff\xd8\xff"))
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


def clean_name(name: str) -> str:
    """The file's own name: no folders, no control characters or lone surrogates (PostgreSQL and the Word
    export cannot store them), at most 200 characters with its extension kept."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = "".join(ch if ch.isprintable() else (" " if ch.isspace() else "") for ch in name).strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name


def upload_problem(file: Any, *, kinds: Iterable[str] | None = None) -> tuple[str, str, Any]:
    """``(clean name, extension, problem)``: the problem is None when the upload may be stored."""
    if file is None:
        return "", "", _("请选择要上传的文件。")
    wanted = set(ALLOWED_KINDS if kinds is None else kinds)
    name = clean_name(getattr(file, "name", "") or "")
    size = int(getattr(file, "size", 0) or 0)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    limit = max_upload_bytes()
    if not name:
        return name, ext, _("文件缺少文件名。")
    if size <= 0:
        return name, ext, _("文件「%(name)s」是空的。") % {"name": name}
    if size > limit:
        return (
            name,
            ext,
            _("文件「%(name)s」大小为 %(size)s,超过上限 %(limit)s。")
            % {"name": name, "size": size_label(size), "limit": size_label(limit)},
        )
    if EXTENSION_KIND.get(ext) not in wanted:
        return (
            name,
            ext,
            _("不允许上传「.%(ext)s」类型的文件;允许的类型:%(allowed)s。")
            % {"ext": ext[:20] or "?", "allowed": allowed_label(wanted)},
        )
    if not sniff(EXTENSION_KIND[ext], file):
        return (
            name,
            ext,
            _("文件「%(name)s」的内容不是真正的 %(kind)s 文件(扩展名与内容不符),已拒绝。")
            % {"name": name, "kind": ALLOWED_KINDS[EXTENSION_KIND[ext]].label},
        )
    return name, ext, None


def upload_check(file: Any, *, field: str = "file", kinds: Iterable[str] | None = None) -> tuple[str, str]:
    """The upload's clean name and extension, or ``DomainError`` on ``field`` naming what is wrong."""
    name, ext, problem = upload_problem(file, kinds=kinds)
    if problem is not None:
        raise DomainError({field: [problem]})
    return name, ext


def file_sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
