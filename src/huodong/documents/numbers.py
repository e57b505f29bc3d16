"""Document numbers: HD-FA-2026-0007 on every generated Word/PDF document (DOC-1, DOC-2, DOC-3 and the
preparation phase's).

- Prefix: the setting ``HUODONG_DOCUMENT_PREFIX`` (a short organisation code), default ``HD``.
- Kind code: XQ 活动需求调研报告 (需求), FA 活动策划方案 (方案), SP 活动策划方案审批表 (审批),
  BX 供应商比选表 (比选), JY 执行会议纪要 (纪要).
- Year: the year (event time zone) the number was first issued; the sequence counts per prefix, kind
  and year from 0001.
- The same document of the same content version keeps its number when exported again, in either
  language: the assignment is stored per kind, event and version key (the plan's content hash for the
  plan, the plan version number and hash for the approval form, the revisions of the needs report and
  its rows for the needs report, the compared needs, quotes, qualifications and contracts for the vendor
  comparison, the meeting, its attendance and the trainings for the minutes). A new version gets the next number.
- Concurrency: two exports that need a new number at the same time both read the highest sequence; the
  unique constraint on (prefix, code, year, sequence) lets one insert win and the other retries with
  the next sequence (or takes the winner's number when it was for the same version).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from huodong.events.models import Event

from .models import DocumentNumber

DEFAULT_PREFIX = "HD"
KIND_CODES = {
    "needs-report": "XQ",
    "plan": "FA",
    "approval-form": "SP",
    "vendor-comparison": "BX",
    "meeting-minutes": "JY",
    "collaboration-letter": "XZ",  # 协作函 (NT-1)
}
ATTEMPTS = 20


def document_prefix() -> str:
    prefix = str(getattr(settings, "HUODONG_DOCUMENT_PREFIX", DEFAULT_PREFIX) or DEFAULT_PREFIX)
    return "".join(ch for ch in prefix.upper() if ch.isalnum())[:16] or DEFAULT_PREFIX


def version_key(*parts: object) -> str:
    """A short, stable key for the content version a number belongs to."""
    text = "|".join(str(p) for p in parts)
    return text if len(text) <= 100 else "h:" + hashlib.sha256(text.encode()).hexdigest()


def document_number(*, event: Event, kind: str, key: str, on: dt.date) -> str:
    """The number of this document version, issuing the next one of the year when it has none."""
    found = DocumentNumber.objects.filter(kind=kind, event=event, version_key=key).first()
    if found is not None:
        return found.number
    prefix, code = document_prefix(), KIND_CODES.get(kind, kind[:2].upper())
    for _attempt in range(ATTEMPTS):
        last = DocumentNumber.objects.filter(prefix=prefix, code=code, year=on.year).aggregate(
            m=Max("sequence")
        )
        try:
            with transaction.atomic():
                made = DocumentNumber.objects.create(
                    kind=kind,
                    event=event,
                    version_key=key,
                    prefix=prefix,
                    code=code,
                    year=on.year,
                    sequence=(last["m"] or 0) + 1,
                )
            return made.number
        except IntegrityError:
            # Someone took this sequence (retry with the next) or numbered this very version (use theirs).
            found = DocumentNumber.objects.filter(kind=kind, event=event, version_key=key).first()
            if found is not None:
                return found.number
    raise RuntimeError("could not issue a document number")  # pragma: no cover
