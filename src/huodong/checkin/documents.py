"""Printed check-in documents (EX-2, issue 10 points 3 and 5), rendered to PDF with WeasyPrint from print
HTML (``documents.pdf_render``: the Noto CJK faces of fonts-noto-cjk embedded as subsets).

**Badges** (胸牌, ``badges_pdf``): name (large), title, company, a colour band for the guest's category and
the ticket QR (the token the scanner reads, so a badge also checks its wearer in) with the ticket code.
Two layouts: ``a4`` — sheets of 8 badges (2 × 4, 95 × 67.5 mm each, cut along the dashed lines), printed
in bulk before the day; ``label`` — one badge per 90 × 54 mm page for a label printer, printed at the
desk on check-in. Registered and checked-in guests get badges (they hold tickets; a guest without one
yet gets it issued); invited guests, who have no ticket, do not.

Category colours (the legend printed guides give the door staff)::

    VIP        gold     #B8860B        嘉宾/讲者   red     #C0392B
    媒体       purple   #7D3C98        合作伙伴    green   #1E8449
    客户       blue     #1F5FAD        员工        grey    #5D6D7E

**The paper sign-in sheet** (纸质签到表, ``sheet_pdf``): the fallback of last resort, printed beforehand.
Guests grouped by category (VIP first, ``selectors_live.CATEGORY_ORDER``), in pinyin order
(``Guest.sort_key``) within a group; columns №, name, company, masked phone, ticket code, a signature box
and a box per kit item; the event, its time and place at the top of every page, "第 x 页 / 共 y 页" at the
bottom. It lists everyone paper sign-in may check in: invited, registered and checked-in guests.

Both are exports of guest data: each is written to the audit log with its filters and count (PIPL).
Phones are masked on both (on-site staff see ``138****5678`` only).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from huodong.core.audit import Message, audit_record
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.documents.layouts import page_label_parts
from huodong.events.models import Event
from huodong.outreach import contact, tickets
from huodong.outreach.models import Guest, GuestCategory, GuestStatus, Ticket

from .selectors import kit_labels
from .selectors_live import CATEGORY_ORDER, category_label, category_rank
from .services.redeem import settings_for

LAYOUTS = ("a4", "label")
PER_A4_SHEET = 8  # 2 columns × 4 rows
BADGE_STATUSES = (GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)
SHEET_STATUSES = (GuestStatus.INVITED, GuestStatus.REGISTERED, GuestStatus.CHECKED_IN)
MAX_IDS = 2000

CATEGORY_COLOURS: dict[str, str] = {
    GuestCategory.VIP: "#B8860B",
    GuestCategory.SPEAKER: "#C0392B",
    GuestCategory.MEDIA: "#7D3C98",
    GuestCategory.PARTNER: "#1E8449",
    GuestCategory.CUSTOMER: "#1F5FAD",
    GuestCategory.EMPLOYEE: "#5D6D7E",
}


@dataclass
class Rendered:
    content: bytes
    filename: str
    count: int


# ---------------------------------------------------------------- what was asked for
@dataclass
class BadgeRequest:
    layout: str = "a4"
    categories: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    guest: int | None = None

    def as_filters(self) -> dict[str, Any]:
        out: dict[str, Any] = {"layout": self.layout}
        if self.categories:
            out["category"] = list(self.categories)
        if self.ids:
            out["ids"] = list(self.ids)[:100]
        if self.guest is not None:
            out["guest"] = self.guest
        return out


def _int_list(raw: str, field: str) -> tuple[int, ...]:
    values: list[int] = []
    for part in str(raw).replace(",", " ").replace(",", " ").split():
        if not part.isdigit() or not 0 < int(part) < 2**31:
            raise DomainError(
                {field: [gettext_lazy("嘉宾编号 %(field)s 须为正整数,以逗号分隔。") % {"field": field}]}
            )
        values.append(int(part))
    if len(values) > MAX_IDS:
        raise DomainError(
            {
                field: [
                    gettext_lazy("嘉宾编号 %(field)s 一次最多 %(max)d 个。")
                    % {"field": field, "max": MAX_IDS}
                ]
            }
        )
    return tuple(dict.fromkeys(values))


def categories_from(values: list[str]) -> tuple[str, ...]:
    """Category codes from ``?category=vip&category=media`` or ``?category=vip,media``."""
    codes = [c for v in values for c in str(v).replace(",", ",").split(",") if c.strip()]
    codes = [c.strip() for c in codes]
    unknown = [c for c in codes if c not in GuestCategory.values]
    if unknown:
        allowed = "、".join(f"{c.value}({c.label})" for c in GuestCategory)
        raise DomainError(
            {"category": [gettext_lazy("嘉宾类别 category 无效,可选:%(allowed)s。") % {"allowed": allowed}]}
        )
    return tuple(dict.fromkeys(codes))


def badge_request(query: Any) -> BadgeRequest:
    """Parse the badge PDF's query (``layout``, ``category``, ``ids``, ``guest``); a bad value is a
    ``DomainError`` naming the parameter."""
    guest_raw = (query.get("guest") or "").strip()
    guest: int | None = None
    if guest_raw:
        if not guest_raw.isdigit() or not 0 < int(guest_raw) < 2**31:
            raise DomainError({"guest": [gettext_lazy("guest 须为一位嘉宾的编号(正整数)。")]})
        guest = int(guest_raw)
    layout = (query.get("layout") or ("label" if guest is not None else "a4")).strip()
    if layout not in LAYOUTS:
        raise DomainError(
            {"layout": [gettext_lazy("版式 layout 须为 a4(每页 8 个)或 label(标签打印机,每页 1 个)。")]}
        )
    cats = categories_from(
        query.getlist("category") if hasattr(query, "getlist") else [query.get("category", "")]
    )
    ids = _int_list(query.get("ids") or "", "ids")
    return BadgeRequest(layout=layout, categories=cats, ids=ids, guest=guest)


# ---------------------------------------------------------------- shared
def _english() -> bool:
    return (get_language() or "").startswith("en")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_css() -> str:
    """``content:`` of the page footer: 第 counter(page) 页 / 共 counter(pages) 页 in the reader's language."""
    before, middle, after = page_label_parts()
    parts = [_css_string(before)] if before else []
    parts.append("counter(page)")
    if middle:
        parts.append(_css_string(middle))
    parts.append("counter(pages)")
    if after:
        parts.append(_css_string(after))
    return " ".join(parts)


def _when(event: Event) -> str:
    start = timezone.localtime(event.starts_at, event.tz)
    end = timezone.localtime(event.ends_at, event.tz)
    same_day = start.date() == end.date()
    return (
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        if same_day
        else f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    )


def _filename(kind: str, event: Event) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in event.name).strip() or str(event.pk)
    return f"{kind}-{safe[:60]}.pdf"


# ---------------------------------------------------------------- badges
def _badge_guests(event: Event, req: BadgeRequest) -> list[Guest]:
    qs = Guest.objects.filter(event_id=event.pk, anonymised_at__isnull=True)
    if req.guest is not None:
        guest = qs.filter(pk=req.guest).first()
        if guest is None:
            raise NotFound({"guest": [gettext_lazy("此活动没有这位嘉宾。")]})
        if guest.status not in BADGE_STATUSES:
            raise DomainError(
                {
                    "guest": [
                        gettext_lazy("%(name)s 尚未报名成功(当前状态:%(status)s),不能打印胸牌。")
                        % {"name": guest.name, "status": guest.get_status_display()}
                    ]
                }
            )
        return [guest]
    qs = qs.filter(status__in=BADGE_STATUSES)
    if req.categories:
        qs = qs.filter(category__in=req.categories)
    if req.ids:
        qs = qs.filter(pk__in=req.ids)
    guests: list[Guest] = list(qs.annotate(rank=category_rank()).order_by("rank", "sort_key", "pk"))
    if not guests:
        raise DomainError(
            {"category" if req.categories else "ids": [gettext_lazy("没有符合条件的已报名嘉宾。")]}
        )
    return guests


def _tokens(event: Event, guests: list[Guest]) -> dict[int, tuple[str, str]]:
    """``guest id → (token, ticket code)``: tickets issued to those without one; signed with the key read
    once (not once per badge)."""
    have = {t.guest_id: t for t in Ticket.objects.filter(guest_id__in=[g.pk for g in guests])}
    key = tickets.event_key(event.pk)
    out: dict[int, tuple[str, str]] = {}
    with transaction.atomic():
        for g in guests:
            ticket = have.get(g.pk)
            if ticket is None or ticket.revoked_at is not None:
                ticket = tickets.issue(g)
            claims = tickets.TokenClaims(
                key_id=key.key_id, event_id=event.pk, guest_id=g.pk, version=ticket.version
            )
            out[g.pk] = (tickets.sign(claims, key.private_key), ticket.code)
    return out


def _qr_data_uri(token: str) -> str:
    # One pixel a module, drawn unsmoothed (``image-rendering: pixelated``): as sharp as a larger image on
    # paper, and six times faster to render in bulk (WeasyPrint re-encodes every image it embeds).
    png = tickets.qr_png(token, scale=1)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def badges_html(event: Event, req: BadgeRequest) -> tuple[str, int]:
    guests = _badge_guests(event, req)
    tokens = _tokens(event, guests)
    badges = []
    for g in guests:
        token, code = tokens[g.pk]
        badges.append(
            {
                "id": g.pk,
                "name": g.name,
                "company": g.company,
                "title": g.title,
                "category": g.category,
                "category_label": category_label(g.category),
                "colour": CATEGORY_COLOURS.get(g.category, "#5D6D7E"),
                "qr": _qr_data_uri(token),
                "code": code,
            }
        )
    per = PER_A4_SHEET if req.layout == "a4" else 1
    pages = [badges[i : i + per] for i in range(0, len(badges), per)]
    html = render_to_string(
        "checkin/badges.html",
        {
            "event": event,
            "layout": req.layout,
            "pages": pages,
            "colours": CATEGORY_COLOURS,
            "lang": "en" if _english() else "zh-CN",
        },
    )
    return html, len(badges)


def badges_pdf(*, actor: User, event: Event, req: BadgeRequest) -> Rendered:
    """The badges asked for as one PDF; the export is audit-logged (PIPL)."""
    html, count = badges_html(event, req)
    from huodong.documents.pdf_render import render_pdf

    content = render_pdf(html)
    audit_record(
        actor=actor,
        action="checkin.badges.export",
        target=event,
        event_id=event.pk,
        summary=Message(gettext_lazy("打印嘉宾胸牌 %(n)s 人"), n=count),
        after={"count": count, "filters": req.as_filters()},
    )
    return Rendered(content=content, filename=_filename(_("胸牌"), event), count=count)


# ---------------------------------------------------------------- the paper sign-in sheet
def sheet_groups(event: Event) -> list[dict[str, Any]]:
    """The sheet's rows, grouped by category (``CATEGORY_ORDER``), pinyin order within; numbered
    continuously so a row is named by its number alone."""
    rows = (
        Guest.objects.filter(event_id=event.pk, status__in=SHEET_STATUSES, anonymised_at__isnull=True)
        .annotate(rank=category_rank())
        .order_by("rank", "sort_key", "pk")
        .values_list("pk", "name", "company", "phone", "category", "ticket__code")
    )
    groups: list[dict[str, Any]] = []
    for number, (pk, name, company, phone, category, code) in enumerate(rows, start=1):
        if not groups or groups[-1]["category"] != category:
            groups.append({"category": category, "label": category_label(category), "rows": []})
        groups[-1]["rows"].append(
            {
                "number": number,
                "id": pk,
                "name": name,
                "company": company,
                "phone": contact.mask_phone(phone) if phone else "",
                "code": code or "",
            }
        )
    for group in groups:
        group["count"] = len(group["rows"])
    return groups


def sheet_html(event: Event) -> tuple[str, int]:
    groups = sheet_groups(event)
    kit = kit_labels(settings_for(event).kit or [])
    html = render_to_string(
        "checkin/sheet.html",
        {
            "event": event,
            "when": _when(event),
            "groups": groups,
            "kit": kit,
            "count": sum(g["count"] for g in groups),
            "page_counter_css": page_counter_css(),
            "generated": timezone.localtime(timezone.now(), event.tz).strftime("%Y-%m-%d %H:%M"),
            "lang": "en" if _english() else "zh-CN",
            "category_order": CATEGORY_ORDER,
        },
    )
    return html, sum(g["count"] for g in groups)


def sheet_pdf(*, actor: User, event: Event) -> Rendered:
    """The paper sign-in sheet as PDF; the export is audit-logged (PIPL)."""
    html, count = sheet_html(event)
    from huodong.documents.pdf_render import render_pdf

    content = render_pdf(html)
    audit_record(
        actor=actor,
        action="checkin.sheet.export",
        target=event,
        event_id=event.pk,
        summary=Message(gettext_lazy("打印纸质签到表 %(n)s 人"), n=count),
        after={"count": count},
    )
    return Rendered(content=content, filename=_filename(_("签到表"), event), count=count)
