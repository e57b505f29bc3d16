"""Walk-ins (issue 10 point 3; EX-2): a guest without a registration arrives, the staff at the door register
them on the spot and check them in at once.

The guest's details are checked by the outreach rules (``outreach.services.guests.guest_clean``: phone
E.164, e-mail, company, title, category); the phone is required. The guest is shown the PIPL notice of the
event's registration page (``outreach.services.registration.notice_for_event``) and consents as a
registering guest does: running the event is required, marketing (and sharing with the co-hosts, when
there are any) optional; each purpose offered is a ``Consent`` row with the notice's version.

A phone (or e-mail) that already belongs to a guest of the event is that guest: no second row; a guest who
had cancelled or was on the waiting list is registered again (the door decides). A walk-in may exceed the
registration capacity (``over_capacity`` says so). The check-in itself is ``redeem.scan(...,
method="walkin")``; before the doors open or after they close nothing is written.

Who: the event's check-in staff and editors (``Need.CHECKIN``). Lock order: the event row, then the guest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message as Said
from huodong.core.audit import audit_record
from huodong.core.errors import DomainError
from huodong.core.models import User
from huodong.events.access import Need, event_for
from huodong.events.models import Event
from huodong.outreach import pipl, tickets
from huodong.outreach.models import Guest, GuestStatus
from huodong.outreach.services import guests as guest_services
from huodong.outreach.services import registration as registration_services

from ..models import Method, Result
from .redeem import Outcome, outcome_message, scan, settings_for, window_reason

# The statuses of a guest found by phone that the walk-in registers again.
REREGISTER = (GuestStatus.WAITLISTED, GuestStatus.CANCELLED, GuestStatus.DECLINED, GuestStatus.NO_SHOW)


@dataclass
class Walkin:
    guest: Guest
    outcome: Outcome
    created: bool  # a new guest (not one found by phone or e-mail)
    over_capacity: bool  # the registration was full before this guest


def capacity_state(event: Event) -> dict[str, Any]:
    """The registration's counts, and whether it is full (a walk-in then goes over the capacity)."""
    counts = registration_services.counts(event)
    counts["full"] = counts["left"] == 0
    return counts


def notice(event: Event, language: str) -> pipl.Notice:
    """The PIPL notice the walk-in guest is shown (the event's registration notice)."""
    reg = registration_services.settings_of(event)
    return registration_services.notice_for_event(event, reg, language)


def offered(event: Event) -> tuple[str, ...]:
    return pipl.offered_purposes(registration_services.settings_of(event).cohosts)


def _found(event: Event, phone: str, email: str, errors: dict[str, list[Any]]) -> Guest | None:
    by_phone = Guest.objects.select_for_update().filter(event=event, phone=phone).first() if phone else None
    by_email = Guest.objects.select_for_update().filter(event=event, email=email).first() if email else None
    if by_phone is not None and by_email is not None and by_phone.pk != by_email.pk:
        errors["email"] = [
            _("邮箱 %(email)s 已属于另一位嘉宾「%(name)s」;请核对,或不填邮箱。")
            % {"email": email, "name": by_email.name}
        ]
        return None
    return by_phone or by_email


def walkin(
    *,
    actor: User,
    event: Event | int,
    name: str,
    phone: str,
    email: str = "",
    company: str = "",
    title: str = "",
    category: str = "",
    consents: dict[str, bool] | None = None,
    language: str = "zh-hans",
    device: Any = None,
    gate_id: Any = None,
    kit: Any = None,
    address: str = "",
) -> Walkin:
    """Register a guest at the door and check them in (see the module's docstring)."""
    with transaction.atomic():
        ev = event_for(actor, event, Need.CHECKIN, lock=True)
        conf = settings_for(ev)
        now = timezone.now()
        reason, params = window_reason(ev, conf, now)
        if reason:
            text = outcome_message(Outcome(result=Result.REFUSED, reason=reason, params=params))
            raise DomainError({"__all__": [text]}, code=reason)
        language = "en" if (language or "").startswith("en") else "zh-hans"
        errors: dict[str, list[Any]] = {}
        clean = guest_services.guest_clean(
            {
                "name": name,
                "phone": phone,
                "email": email,
                "company": company,
                "title": title,
                "category": category or None,
                "language": language,
            },
            errors=errors,
        )
        if not clean["phone"] and "phone" not in errors:
            errors["phone"] = [_("请填写手机号:现场登记以手机号识别嘉宾。")]
        given = {p: bool((consents or {}).get(p)) for p in pipl.PURPOSES}
        if not given[pipl.OPERATION]:
            errors["consent_operation"] = [
                _("现场登记须嘉宾同意为举办本次活动处理其个人信息;请向嘉宾出示告知书并勾选。")
            ]
        if errors:
            raise DomainError(errors)
        found = _found(ev, clean["phone"], clean["email"], errors)
        if errors:
            raise DomainError(errors)
        state = capacity_state(ev)
        if found is None:
            guest = Guest.objects.create(
                event=ev,
                name=clean["name"],
                phone=clean["phone"],
                email=clean["email"],
                company=clean["company"],
                title=clean["title"],
                category=clean["category"],
                language=language,
                status=GuestStatus.REGISTERED,
                source=Guest.Source.REGISTRATION,
                registered_at=now,
                note=str(_("现场登记")),
                sort_key=guest_services.sort_key(clean["name"]),
            )
        else:
            guest = found
            if guest.status in REREGISTER:
                Guest.objects.filter(pk=guest.pk).update(
                    status=GuestStatus.REGISTERED,
                    registered_at=now,
                    waitlisted_at=None,
                    cancelled_at=None,
                    revision=F("revision") + 1,
                )
                guest.refresh_from_db()
        guest.event = ev
        reg = registration_services.settings_of(ev)
        version = registration_services.notice_for_event(ev, reg, language).version
        registration_services.consents_record(
            guest,
            offered=pipl.offered_purposes(reg.cohosts),
            given=given,
            version=version,
            address=address,
            now=now,
        )
        if guest.status != GuestStatus.CHECKED_IN:
            tickets.issue(guest)
        outcome = scan(
            actor=actor,
            event=ev,
            guest_id=guest.pk,
            method=Method.WALKIN,
            device=device,
            gate_id=gate_id,
            kit=kit,
            checked_event=ev,
        )
        over = bool(state["full"]) and found is None
        audit_record(
            actor=actor,
            action="checkin.walkin",
            target=guest,
            event_id=ev.pk,
            summary=Said(_("现场登记并签到:%(name)s"), name=guest.name),
            after={
                "created": found is None,
                "result": outcome.result,
                "consents": {p: given[p] for p in pipl.offered_purposes(reg.cohosts)},
                "notice_version": version,
                "over_capacity": over,
            },
        )
        return Walkin(guest=guest, outcome=outcome, created=found is None, over_capacity=over)
