"""What the scanner reads: the offline pack (the event's public key, gates, kit, the doors' hours and the
guest list with masked phones) and the guest's state at the door."""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from huodong.events.models import Event
from huodong.outreach import contact
from huodong.outreach.models import Guest, GuestCategory, GuestStatus

from .models import Gate, Result, Scan
from .rules import doors
from .services.redeem import public_key, settings_for

# Guests a scanner needs: anyone who may still come or already came.
PACK_STATUSES = (
    GuestStatus.INVITED,
    GuestStatus.REGISTERED,
    GuestStatus.CHECKED_IN,
    GuestStatus.WAITLISTED,
    GuestStatus.CANCELLED,
)


_CATEGORY_LABELS: dict[str, Any] = dict(GuestCategory.choices)  # lazy: translated when read


def category_label(code: str) -> str:
    """A guest category's name in the reader's language (the code itself for an unknown one)."""
    return str(_CATEGORY_LABELS.get(code, code))


def kit_labels(kit: list[dict[str, str]]) -> list[dict[str, str]]:
    english = (get_language() or "").startswith("en")
    return [
        {
            "code": k.get("code", ""),
            "label": str((k.get("name_en") if english and k.get("name_en") else k.get("name", "")) or ""),
        }
        for k in kit
    ]


def gates_of(event: Event) -> list[Gate]:
    return list(Gate.objects.filter(event_id=event.pk, is_active=True))


def offline_pack(event: Event) -> dict[str, Any]:
    """Everything a scanner needs to keep checking guests in without the network (DESIGN.md "Check-in"):
    phones masked (PIPL: on-site staff see 138****5678), tickets as (code, version, revoked)."""
    from huodong.outreach import tickets

    tickets.event_key(event.pk)  # a pack always carries a key, even before the first ticket
    key = public_key(event.pk, fresh=True)  # read afresh: a phone must never carry a stale key
    assert key is not None
    conf = settings_for(event)
    opens, closes = doors(event, conf)
    checked: dict[int, tuple[Any, Any]] = {
        gid: (at, gate)
        for gid, at, gate in Scan.objects.filter(event_id=event.pk, result=Result.ACCEPTED).values_list(
            "guest_id", "scanned_at", "gate__name"
        )
    }
    guests = []
    labels = {code: category_label(code) for code in GuestCategory.values}  # once per pack, not per guest
    rows = (
        Guest.objects.filter(event_id=event.pk, status__in=PACK_STATUSES, anonymised_at__isnull=True)
        .values_list(
            "pk",
            "name",
            "sort_key",
            "company",
            "title",
            "category",
            "phone",
            "status",
            "ticket__code",
            "ticket__version",
            "ticket__revoked_at",
        )
        .order_by("sort_key", "pk")
    )
    for pk, name, sort_key, company, title, category, phone, status, code, version, revoked in rows:
        seen = checked.get(pk)
        guests.append(
            {
                "id": pk,
                "name": name,
                "pinyin": sort_key,
                "company": company,
                "title": title,
                "category": category,
                "category_label": labels.get(category) or category_label(category),
                "phone": contact.mask_phone(phone) if phone else "",
                "tail": contact.phone_tail(phone) if phone else "",
                "status": status,
                "code": code or "",
                "version": version if code and revoked is None else None,
                "checked_in_at": seen[0] if seen else None,
                "checked_in_gate": (seen[1] or "") if seen else "",
            }
        )
    return {
        "event_id": event.pk,
        "event_name": event.name,
        "time_zone": event.time_zone,
        "opens_at": opens,
        "closes_at": closes,
        "key_id": key[0],
        "public_key": base64.urlsafe_b64encode(key[1]).rstrip(b"=").decode("ascii"),
        "gates": [
            {"id": g.pk, "name": g.name, "name_en": g.name_en, "is_vip": g.is_vip} for g in gates_of(event)
        ],
        "kit": kit_labels(conf.kit or []),
        "guests": guests,
        "generated_at": timezone.now(),
    }
