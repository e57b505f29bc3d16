"""Reads of the guest list: filters, search, counts by status and category, and a guest as a reader may
see it (phones and e-mails masked for everybody but the editors — PIPL)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from huodong.core.errors import DomainError
from huodong.core.models import Department
from huodong.events.models import Event

from . import contact
from .models import Guest, GuestCategory, GuestStatus

SEARCH_MAX = 100
_DIGITS = re.compile(r"^\+?\d{3,15}$")


@dataclass(frozen=True)
class GuestFilter:
    status: str = ""
    category: str = ""
    department: int | None = None  # a department's id; 0: no department
    q: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.as_dict())


def guest_filter(data: Any) -> GuestFilter:
    """Filters from a query string or a JSON object; an unknown value is a 400 naming the field."""
    if isinstance(data, GuestFilter):
        return data
    data = data or {}
    get = data.get
    errors: dict[str, list[Any]] = {}
    status = str(get("status") or "").strip()
    if status and status not in GuestStatus.values:
        errors["status"] = [_("状态须为以下之一:%(a)s。") % {"a": "、".join(GuestStatus.values)}]
    category = str(get("category") or "").strip()
    if category and category not in GuestCategory.values:
        errors["category"] = [_("类别须为以下之一:%(a)s。") % {"a": "、".join(GuestCategory.values)}]
    raw = get("department")
    department: int | None = None
    if raw not in (None, ""):
        text = str(raw).strip()
        if text.isdigit() and len(text) < 10:
            department = int(text)
        else:
            found = Department.objects.filter(code=text).values_list("id", flat=True).first()
            if found is None:
                errors["department"] = [_("未知的部门「%(v)s」。") % {"v": text[:40]}]
            department = found
    q = str(get("q") or "").strip()
    if len(q) > SEARCH_MAX or "\x00" in q:
        errors["q"] = [_("搜索词最多 %(n)s 个字。") % {"n": SEARCH_MAX}]
    if errors:
        raise DomainError(errors)
    return GuestFilter(status=status, category=category, department=department, q=q)


def guests_of(event: Event) -> QuerySet[Guest]:
    return Guest.objects.filter(event=event).select_related("department", "invited_by")


def guests_filtered(event: Event, filters: Any) -> QuerySet[Guest]:
    """The guests of ``event`` matching ``filters``: status, category, department and a search by name,
    pinyin (``wxm``, ``wangxiaoming``), company, the last digits of a phone or the e-mail."""
    f = guest_filter(filters)
    qs = guests_of(event)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.department == 0:
        qs = qs.filter(department__isnull=True)
    elif f.department is not None:
        qs = qs.filter(department_id=f.department)
    if f.q:
        text = f.q
        match = Q(name__icontains=text) | Q(company__icontains=text) | Q(email__icontains=text)
        plain = text.replace(" ", "").lower()
        if plain.isascii() and plain.isalpha():
            match |= Q(sort_key__contains=plain)
        if _DIGITS.match(text.replace(" ", "")):
            match |= Q(phone__endswith=text.replace(" ", "").lstrip("+"))
        qs = qs.filter(match)
    return qs


def counts(event: Event) -> dict[str, Any]:
    """How many guests by status and by category (every status and category shown, zeros too)."""
    rows = Guest.objects.filter(event=event).values("status", "category").annotate(n=Count("id"))
    by_status = dict.fromkeys(GuestStatus.values, 0)
    by_category = dict.fromkeys(GuestCategory.values, 0)
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + r["n"]
        by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
    return {
        "total": sum(by_status.values()),
        "status": [{"code": c, "label": GuestStatus(c).label, "n": by_status[c]} for c in GuestStatus.values],
        "category": [
            {"code": c, "label": GuestCategory(c).label, "n": by_category[c]} for c in GuestCategory.values
        ],
    }


def shown_phone(guest: Guest, full: bool) -> str:
    return (
        contact.display_phone(guest.phone)
        if full
        else (contact.mask_phone(guest.phone) if guest.phone else "")
    )


def shown_email(guest: Guest, full: bool) -> str:
    return guest.email if full else contact.mask_email(guest.email)
