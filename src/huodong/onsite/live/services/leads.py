"""Leads captured on the day (EX-6): a salesperson scans a guest's badge (the ticket's QR), types the
ticket code or finds the guest by name, and records how interested the guest is (A 高 / B 中 / C 低) with
notes. Who and when are recorded.

One lead per guest per person recording it (a unique constraint): recording the same guest a second time
is refused with 409 and names the lead to edit instead (``lead_update``, with the revision it saw); two
colleagues who both talk to the same guest each keep their own lead. A lead is changed by the person who
recorded it, or by the event's editors.

The badge's QR is verified exactly as at the door: ``checkin.services.redeem.claim_for`` (the event's
Ed25519 key; another event's ticket, a forged or malformed one are refused with the door's own words). A
superseded ticket (the guest was issued a new one) still names the guest: a lead is not an admission.

Who: the team on the day (``Need.ONSITE``), in the steps ``rules.LEAD_STEPS``. Lock order: the event row,
then the lead row.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.checkin.services import redeem
from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.concurrency import row_update
from huodong.core.errors import Conflict, DomainError, NotAllowed, NotFound
from huodong.core.models import User
from huodong.core.text import text_clean
from huodong.events.access import Need, can, event_for
from huodong.events.models import Event
from huodong.outreach import tickets
from huodong.outreach.models import Guest

from ..models import NOTES_MAX, Found, Interest, Lead
from ..rules import LEAD_STEPS, WHAT_LEADS

TOKEN_MAX = 600  # a ticket token is about 120 characters
QUERY_MAX = 50
SEARCH_LIMIT = 20
LEAD_REFUSAL = _("只有此活动的现场团队、签到人员、策划人员或管理员可以记录销售线索。")


def _pk(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**31 else 0


# ---------------------------------------------------------------- finding the guest
def guest_identify(
    event: Event, *, token: str = "", code: str = "", guest_id: Any = None
) -> tuple[Guest, str]:
    """The guest a badge QR (``token``), a ticket code or a picked guest id names, and how it was found
    (``Found``). Refused with the field named: the scanner's own sentence for a bad ticket."""
    if isinstance(token, str) and len(token) > TOKEN_MAX:
        raise DomainError({"token": [_("无法识别此二维码:它不是本系统的电子票。")]})
    if token:
        field, found = "token", Found.QR
        claim = redeem.claim_token(event.pk, str(token))
    elif code:
        field, found = "code", Found.CODE
        claim = redeem.claim_code(event.pk, str(code))
    elif guest_id not in (None, ""):
        field, found = "guest_id", Found.SEARCH
        claim = redeem.Claim(guest_id=_pk(guest_id) or None, reason="" if _pk(guest_id) else "unknown")
    else:
        raise DomainError({"token": [_("请扫描嘉宾胸牌上的二维码,或输入票号、查找嘉宾姓名。")]})
    if claim.reason:
        outcome = redeem.Outcome(result="refused", reason=claim.reason)
        raise DomainError({field: [redeem.outcome_message(outcome)]})
    guest = (
        Guest.objects.filter(pk=claim.guest_id, event_id=event.pk, anonymised_at__isnull=True).first()
        if claim.guest_id
        else None
    )
    if guest is None:
        raise DomainError({field: [_("查无此嘉宾或票号。")]})
    return guest, found


def guests_search(event: Event, query: str, *, limit: int = SEARCH_LIMIT) -> tuple[list[Guest], int]:
    """Guests of ``event`` whose name contains ``query``, whose pinyin starts with it, whose ticket code
    it is, or whose phone ends with it (4+ digits): at most ``limit`` (pinyin order) and how many in all."""
    text = (query or "").strip()[:QUERY_MAX]
    if not text:
        return [], 0
    match = Q(name__icontains=text) | Q(sort_key__startswith=text.lower().replace(" ", ""))
    if text.isdigit() and len(text) >= 4:
        match |= Q(phone__endswith=text)
    code = tickets.normalise_code(text)
    if code and code.isascii() and len(code) <= 12:
        match |= Q(ticket__code=code)
    rows = Guest.objects.filter(match, event_id=event.pk, anonymised_at__isnull=True).distinct()
    total = rows.count()
    return list(rows.order_by("sort_key", "pk")[:limit]), total


def lead_mine(event: Event, guest: Guest, person: User) -> Lead | None:
    return Lead.objects.filter(event_id=event.pk, guest=guest, recorded_by=person).first()


# ---------------------------------------------------------------- inputs
def _interest(value: Any, errors: dict[str, list[Any]]) -> str:
    if not isinstance(value, str) or value not in Interest.values:
        allowed = "、".join(f"{c.value}({c.label})" for c in Interest)
        errors.setdefault("interest", []).append(_("请选择意向等级:%(allowed)s。") % {"allowed": allowed})
        return ""
    return value


def _notes(value: Any, errors: dict[str, list[Any]]) -> str:
    return text_clean(value, field="notes", label=_("备注"), limit=NOTES_MAX, errors=errors)


# ---------------------------------------------------------------- writes
@transaction.atomic
def lead_record(
    *,
    actor: User,
    event: Event | int,
    interest: Any,
    notes: Any = "",
    token: str = "",
    code: str = "",
    guest_id: Any = None,
) -> Lead:
    """Record a lead on the guest named by a badge QR, a ticket code or a picked guest. A second lead of
    the same person on the same guest is refused (409): edit the first one (``lead_update``)."""
    locked = event_for(
        actor, event, Need.ONSITE, lock=True, steps=LEAD_STEPS, what=WHAT_LEADS, message=LEAD_REFUSAL
    )
    errors: dict[str, list[Any]] = {}
    level = _interest(interest, errors)
    text = _notes(notes, errors)
    try:
        guest, found = guest_identify(locked, token=token, code=code, guest_id=guest_id)
    except DomainError as exc:
        for k, v in exc.errors.items():
            errors.setdefault(k, []).extend(v)
        guest, found = None, ""
    if errors:
        raise DomainError(errors)
    assert guest is not None
    existing = lead_mine(locked, guest, actor)
    if existing is not None:
        raise _already(existing, guest)
    try:
        with transaction.atomic():
            lead = Lead.objects.create(
                event=locked, guest=guest, recorded_by=actor, interest=level, notes=text, found_by=found
            )
    except IntegrityError:  # the same person on two phones at once: the first one stands
        existing = lead_mine(locked, guest, actor)
        raise _already(existing, guest) from None
    audit_record(
        actor=actor,
        action="onsite.lead.record",
        target=lead,
        event_id=locked.pk,
        summary=Said(
            _("记录「%(guest)s」的销售线索(意向 %(level)s)"), guest=guest.name, level=lead.interest.upper()
        ),
        after={"guest_id": guest.pk, "interest": level, "notes": text, "found_by": found},
    )
    return lead


def _already(existing: Lead | None, guest: Guest) -> Conflict:
    error = Conflict(
        {
            "guest_id": [
                _("您已记录过「%(guest)s」的线索(%(when)s),请修改那条线索。")
                % {
                    "guest": guest.name,
                    "when": timezone.localtime(existing.created_at).strftime("%H:%M") if existing else "",
                }
            ]
        },
        code="lead_exists",
    )
    error.lead_id = existing.pk if existing else None  # type: ignore[attr-defined]
    return error


def lead_get(event: Event, lead_id: Any) -> Lead:
    lead = (
        Lead.objects.select_related("guest", "recorded_by").filter(pk=_pk(lead_id), event_id=event.pk).first()
    )
    if lead is None:
        raise NotFound(_("线索不存在。"))
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    event: Event | int,
    lead_id: Any,
    seen: int | None,
    interest: Any = None,
    notes: Any = None,
) -> Lead:
    """Change a lead's interest or notes (only the fields given), with the revision the caller saw. The
    person who recorded it may, and the event's editors."""
    locked = event_for(
        actor, event, Need.ONSITE, lock=True, steps=LEAD_STEPS, what=WHAT_LEADS, message=LEAD_REFUSAL
    )
    found = lead_get(locked, lead_id)
    lead = Lead.objects.select_for_update().get(pk=found.pk)
    if lead.recorded_by_id != actor.pk and not can(actor, locked, Need.EDIT):
        raise NotAllowed(_("只有记录人、活动负责人或策划人员可以修改这条线索。"))
    errors: dict[str, list[Any]] = {}
    changes: dict[str, Any] = {}
    if interest is not None:
        changes["interest"] = _interest(interest, errors)
    if notes is not None:
        changes["notes"] = _notes(notes, errors)
    if errors:
        raise DomainError(errors)
    row_update(
        lead,
        changes=changes,
        seen=seen,
        actor=actor,
        action="onsite.lead.update",
        label=WHAT_LEADS,
        event_id=locked.pk,
        summary=Said(_("修改「%(guest)s」的销售线索"), guest=found.guest.name),
    )
    lead.guest = found.guest
    lead.recorded_by = found.recorded_by
    return lead
