"""The final figures of the day, confirmed by the organiser (定格; the gate of 现场监控, EX-6).

``final_confirm`` computes the dashboard afresh (never the cached snapshot) and stores it with who
confirmed it, when, and an optional note; confirming again replaces it, with the revision the caller saw
(428 without one, 409 when someone confirmed meanwhile). The figures are stored in the site's first
language (Chinese labels; codes beside them), so the review phase reads one record whatever the
language of the person who confirmed. The event's editors (``Need.EDIT``), in ``rules.FINAL_STEPS``.
Lock order: the event row, then the final figures row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.concurrency import revision_require
from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import FINAL_NOTE_MAX, FinalFigures
from ..rules import FINAL_STEPS, WHAT_FINAL
from ..selectors import snapshot, snapshot_forget, snapshot_jsonable

FINAL_REFUSAL = _("只有活动负责人、团队中的策划人员或管理员可以确认最终数据。")


@transaction.atomic
def final_confirm(
    *, actor: User, event: Event | int, note: Any = "", seen: int | None = None
) -> FinalFigures:
    """Store the dashboard as it is now as the event's final figures (who, when, note)."""
    locked = event_for(
        actor, event, Need.EDIT, lock=True, steps=FINAL_STEPS, what=WHAT_FINAL, message=FINAL_REFUSAL
    )
    errors: dict[str, list[Any]] = {}
    text = text_clean(
        note, field="note", label=_("说明"), limit=FINAL_NOTE_MAX, errors=errors, multiline=False
    )
    if errors:
        raise DomainError(errors)
    row = FinalFigures.objects.select_for_update().filter(event_id=locked.pk).first()
    if row is not None:
        revision_require(row, seen, label=WHAT_FINAL)
    with override(settings.LANGUAGE_CODE):
        figures = snapshot_jsonable(snapshot(locked))
    now = timezone.now()
    if row is None:
        row = FinalFigures.objects.create(
            event=locked, figures=figures, note=text, confirmed_by=actor, confirmed_at=now
        )
        before = None
    else:
        before = {"confirmed_at": row.confirmed_at.isoformat(), "note": row.note}
        FinalFigures.objects.filter(pk=row.pk).update(
            figures=figures, note=text, confirmed_by=actor, confirmed_at=now, revision=row.revision + 1
        )
        row.refresh_from_db()
    event_id = locked.pk
    transaction.on_commit(lambda: snapshot_forget(event_id))
    totals = figures.get("totals", {})
    audit_record(
        actor=actor,
        action="onsite.live.final",
        target=row,
        event_id=locked.pk,
        summary=Said(
            _("定格「%(event)s」的现场数据:签到 %(checked)s / 应到 %(expected)s"),
            event=locked.name,
            checked=str(totals.get("checked_in", 0)),
            expected=str(totals.get("expected", 0)),
        ),
        before=before,
        after={"confirmed_at": row.confirmed_at.isoformat(), "note": text, "totals": totals},
    )
    return row
