"""Attachments of the plan (DOC-2: venue floor plan, materials list), stored through Django storage.

An upload is checked by ``core.uploads`` (empty, over the size limit, not an allowed kind, or content that
does not match its extension: an .exe renamed .pdf is refused). The size, SHA-256 and original name are stored; the file is
served only through a permission-checked view, never a public URL. Uploading and removing lock first
(``plan.plan_lock``); a removal says which revision of the attachment it saw.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.uploads import (  # noqa: F401  (re-exported: the pages list the kinds)
    ALLOWED_KINDS,
    EXTENSION_KIND,
    allowed_label,
    content_type_of,
    file_sha256,
    max_upload_bytes,
    upload_problem,
)
from huodong.events.models import Event
from huodong.planning.models import PlanAttachment

from .plan import plan_lock, row_locked, touch

WHAT = _("附件")


def allowed_extensions_label() -> str:
    return allowed_label()


def attachment_get(*, event: Event, attachment_id: int) -> PlanAttachment:
    att = PlanAttachment.objects.filter(pk=attachment_id, plan__event=event).select_related("plan").first()
    if att is None:
        raise NotFound(_missing(attachment_id))
    return att


def _missing(attachment_id: int) -> Any:
    return _("附件 %(id)s 不存在。") % {"id": attachment_id}


def _check(file: File | None, kind: Any) -> tuple[str, str]:
    """The upload's clean name and extension, or a refusal naming what is wrong with it (``core.uploads``)."""
    errors: dict[str, list[Any]] = {}
    if not isinstance(kind, str) or kind not in PlanAttachment.Kind.values:
        allowed = "、".join(f"{v}({label})" for v, label in PlanAttachment.Kind.choices)
        errors["kind"] = [_("附件类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    name, ext, problem = upload_problem(file)
    if problem is not None:
        errors["file"] = [problem]
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
    sha256 = file_sha256(file)
    att = PlanAttachment(
        plan=plan,
        kind=kind,
        original_name=name,
        size=int(getattr(file, "size", 0) or 0),
        content_type=content_type_of(ext),
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
