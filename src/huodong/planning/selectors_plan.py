"""Reads of the plan (PL-1, PL-2, PL-3, DOC-2): budget categories and summary, run-of-show problems,
attachment downloads.

The same checks serve the page (warnings while editing), the API and the gate of 方案设计, so a
planner sees exactly what the gate will say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from huodong.core.errors import NotFound
from huodong.core.models import DEFAULT_RESERVE_BAND, Organisation
from huodong.core.money import format_money
from huodong.events.models import Event
from huodong.events.seed import BUDGET_CATEGORIES

from .models import CONTINGENCY, BudgetLine, Plan, PlanAttachment, RunOfShowSegment

ZERO = Decimal("0.00")
SHARE_PLACES = Decimal("0.0001")
CUSTOM_PREFIX = "custom-"  # PL-3: "plus custom" categories get codes custom-<hash of the name>


def plan_of(event: Event) -> Plan | None:
    """The event's plan, or None when nobody has started it."""
    return Plan.objects.filter(event=event).first()


# ---------------------------------------------------------------- time helpers
def local(event: Event, moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, event.tz)


def local_label(event: Event, moment: dt.datetime) -> str:
    """``13:30`` on the event's first day, ``2027-03-19 09:00`` on another day (event time zone)."""
    value = local(event, moment)
    if value.date() == event.local_start().date():
        return value.strftime("%H:%M")
    return value.strftime("%Y-%m-%d %H:%M")


def event_window_label(event: Event) -> str:
    start, end = event.local_start(), event.local_end()
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def event_minutes(event: Event) -> int:
    return int((event.ends_at - event.starts_at).total_seconds() // 60)


# ---------------------------------------------------------------- run of show (PL-2)
def segments_of(plan: Plan | None) -> list[RunOfShowSegment]:
    if plan is None or plan.pk is None:
        return []
    return list(plan.segments.select_related("owner").order_by("starts_at", "position", "id"))


def segment_window_problem(event: Event, title: str, starts_at: dt.datetime, duration: int) -> dict[str, str]:
    """Field → message when a segment does not fit inside the event's time; empty when it fits."""
    ends_at = starts_at + dt.timedelta(minutes=duration)
    allowed = _("允许的时间段为 %(window)s(%(tz)s)") % {
        "window": event_window_label(event),
        "tz": event.time_zone,
    }
    if starts_at < event.starts_at:
        return {
            "starts_at": _("环节「%(title)s」开始于 %(start)s,早于活动开始 %(event_start)s;%(allowed)s。")
            % {
                "title": title,
                "start": local_label(event, starts_at),
                "event_start": local_label(event, event.starts_at),
                "allowed": allowed,
            }
        }
    if ends_at > event.ends_at:
        return {
            "duration_minutes": _("环节「%(title)s」结束于 %(end)s,晚于活动结束 %(event_end)s;%(allowed)s。")
            % {
                "title": title,
                "end": local_label(event, ends_at),
                "event_end": local_label(event, event.ends_at),
                "allowed": allowed,
            }
        }
    return {}


def segments_overlap(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    return a_start < b_end and b_start < a_end


def segment_overlap_message(event: Event, title: str, other: RunOfShowSegment) -> str:
    return _(
        "环节「%(title)s」与环节「%(other)s」(%(start)s–%(end)s)时间重叠;如需同时进行,请勾选“可并行”。"
    ) % {
        "title": title,
        "other": other.title,
        "start": local_label(event, other.starts_at),
        "end": local_label(event, other.ends_at),
    }


@dataclass
class SegmentProblems:
    """What the gate of 方案设计 says about the run of show, one message per problem (PL-2)."""

    window: list[str] = field(default_factory=list)
    overlap: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)
    key_actions: list[str] = field(default_factory=list)
    by_segment: dict[int, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.window) + len(self.overlap) + len(self.owner) + len(self.key_actions)


def segment_problems(event: Event, segments: list[RunOfShowSegment]) -> SegmentProblems:
    problems = SegmentProblems()

    def add(bucket: list[str], seg: RunOfShowSegment, message: str) -> None:
        bucket.append(message)
        problems.by_segment.setdefault(seg.pk, []).append(message)

    for seg in segments:
        for message in segment_window_problem(event, seg.title, seg.starts_at, seg.duration_minutes).values():
            add(problems.window, seg, message)
        if seg.owner_id is None:
            add(problems.owner, seg, _("环节「%(title)s」未指定负责人。") % {"title": seg.title})
        if not seg.key_actions.strip():
            add(problems.key_actions, seg, _("环节「%(title)s」未填写关键动作。") % {"title": seg.title})
    for i, a in enumerate(segments):
        for b in segments[i + 1 :]:
            if a.parallel or b.parallel:
                continue
            if segments_overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
                message = _(
                    "环节「%(a)s」(%(a_start)s–%(a_end)s)与环节「%(b)s」(%(b_start)s–%(b_end)s)时间重叠,且均未标记为可并行。"
                ) % {
                    "a": a.title,
                    "a_start": local_label(event, a.starts_at),
                    "a_end": local_label(event, a.ends_at),
                    "b": b.title,
                    "b_start": local_label(event, b.starts_at),
                    "b_end": local_label(event, b.ends_at),
                }
                problems.overlap.append(message)
                problems.by_segment.setdefault(a.pk, []).append(message)
                problems.by_segment.setdefault(b.pk, []).append(message)
    return problems


# ---------------------------------------------------------------- budget (PL-3)
def budget_categories(event: Event, plan: Plan | None = None) -> list[dict[str, str]]:
    """Categories offered for the budget, in the one order the page, the API and the documents use
    (issue 7, point 8): the event type's own categories in the type's order, then the custom categories
    this plan already uses (in the order they were first used), then the contingency reserve, always
    present and always last.

    ``share`` is the template's typical share of the budget total in percent ("30", "7.5"; "" when the
    template gives none or the category is custom), to guide the planner (PL-3). ``label`` is the name
    in the reader's language (issue 7, point 4): a built-in category's English name when the reader
    reads English and the template has one; a custom category's name is what the planner typed."""
    template = [
        c for c in (event.event_type.budget_categories or []) if isinstance(c, dict) and c.get("code")
    ]
    if not template:
        template = BUDGET_CATEGORIES
    cats: list[dict[str, str]] = []
    reserve: dict[str, str] | None = None
    for c in template:
        name = str(c.get("name") or c["code"])
        row = {
            "code": str(c["code"]),
            "name": name,
            "label": _in_reader_language(name, c.get("name_en")),
            "custom": "",
            "share": _typical_share(c.get("share")),
        }
        if row["code"] == CONTINGENCY:
            reserve = reserve or row
        elif all(row["code"] != other["code"] for other in cats):
            cats.append(row)
    if reserve is None:
        default = next(c for c in BUDGET_CATEGORIES if c["code"] == CONTINGENCY)
        reserve = {
            "code": CONTINGENCY,
            "name": str(default["name"]),
            "label": _in_reader_language(str(default["name"]), default.get("name_en")),
            "custom": "",
            "share": "",
        }
    known = {c["code"] for c in cats} | {CONTINGENCY}
    if plan is not None and plan.pk is not None:
        seen: set[str] = set()
        for code, name in plan.budget_lines.values_list("category", "category_name").order_by(
            "position", "id"
        ):
            if code not in known and code not in seen:
                seen.add(code)
                cats.append({"code": code, "name": name, "label": name, "custom": "1", "share": ""})
    cats.append(reserve)
    return cats


def _in_reader_language(name: str, name_en: Any) -> str:
    """A built-in name as the reader reads it: the English one in English when there is one."""
    if name_en and (get_language() or "").startswith("en"):
        return str(name_en)
    return name


def category_labels(event: Event | None, plan: Plan | None = None) -> dict[str, str]:
    """``code → label`` of the event's budget categories in the reader's language."""
    return {c["code"]: c["label"] for c in budget_categories(event, plan)} if event is not None else {}


def label_budget_lines(event: Event, lines: list[BudgetLine]) -> list[BudgetLine]:
    """Fill each line's ``category_label`` from one reading of the event's categories (no query per line)."""
    labels = category_labels(event)
    for line in lines:
        line.__dict__["category_label"] = labels.get(line.category) or line.category_name or line.category
    return lines


def _typical_share(value: Any) -> str:
    """A template category's typical share as percent text, or "" when it is missing or not a number."""
    try:
        share = Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return ""
    if share is None or not share.is_finite() or not 0 <= share <= 100:
        return ""
    text = format(share.quantize(Decimal("0.1")), "f")
    return text[:-2] if text.endswith(".0") else text


def reserve_band(org: Organisation | None = None) -> tuple[Decimal, Decimal]:
    """The organisation's contingency band (PL-3; defaults DEFAULT_RESERVE_BAND = 5%–10%)."""
    if org is None:
        from huodong.core.services import organisation_get

        org = organisation_get()
    lo = org.reserve_min if org.reserve_min is not None else DEFAULT_RESERVE_BAND[0]  # PL-3
    hi = org.reserve_max if org.reserve_max is not None else DEFAULT_RESERVE_BAND[1]  # PL-3
    return Decimal(lo), Decimal(hi)


def shares_of(amounts: list[Decimal], places: int = 1) -> list[Decimal]:
    """Each amount's share of their sum as a fraction, rounded to ``places`` decimals of a percent so
    that the shares add up to exactly 100% (largest-remainder method: everyone gets the rounded-down
    share, the units left over go to the largest remainders, ties to the earlier amount)."""
    total = sum(amounts, ZERO)
    if not amounts or total <= 0:
        return [Decimal(0) for _a in amounts]
    units = 100 * 10**places  # 1000 units of 0.1%
    exact = [a * units / total for a in amounts]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += 1
    step = Decimal(1).scaleb(-(places + 2))  # 0.001 for places=1
    return [(Decimal(f) * step).quantize(step) for f in floors]


def share_label(share: Decimal | None, places: int = 1) -> str:
    """A share as percent with one precision everywhere ("30.0%", "7.5%"); "—" when there is none."""
    if share is None:
        return "—"
    value = (share * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value}%"


def percent(share: Decimal | None) -> str:
    if share is None:
        return "—"
    value = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"


@dataclass
class CategoryTotal:
    code: str
    name: str
    subtotal: Decimal
    lines: list[BudgetLine]
    share: Decimal | None = None

    @property
    def share_label(self) -> str:
        return share_label(self.share)


@dataclass
class BudgetSummary:
    """Totals per category, grand total, contingency share against the band, approved amount, remaining."""

    currency: str
    categories: list[CategoryTotal]
    total: Decimal
    contingency: Decimal
    contingency_share: Decimal | None
    reserve_min: Decimal
    reserve_max: Decimal
    approved: Decimal | None
    remaining: Decimal | None
    line_count: int
    warnings: list[str] = field(default_factory=list)

    @property
    def over_budget(self) -> bool:
        return self.approved is not None and self.total > self.approved

    @property
    def reserve_in_band(self) -> bool:
        return (
            self.contingency_share is not None
            and self.reserve_min <= self.contingency_share <= self.reserve_max
        )

    @property
    def share_label(self) -> str:
        return percent(self.contingency_share)

    @property
    def band_label(self) -> str:
        return f"{percent(self.reserve_min)}–{percent(self.reserve_max)}"

    def money(self, amount: Decimal | None) -> str:
        return format_money(amount, self.currency)

    @property
    def labels(self) -> dict[str, str]:
        """The figures formatted for a page (¥551,400.00)."""
        return {
            "total": self.money(self.total),
            "contingency": self.money(self.contingency),
            "approved": self.money(self.approved),
            "remaining": self.money(self.remaining),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "categories": [
                {
                    "code": c.code,
                    "name": c.name,
                    "subtotal": str(c.subtotal),
                    "share": str(c.share) if c.share is not None else None,
                    "share_label": c.share_label,
                }
                for c in self.categories
            ],
            "total": str(self.total),
            "contingency": str(self.contingency),
            "contingency_share": str(self.contingency_share) if self.contingency_share is not None else None,
            "reserve_min": str(self.reserve_min),
            "reserve_max": str(self.reserve_max),
            "approved": str(self.approved) if self.approved is not None else None,
            "remaining": str(self.remaining) if self.remaining is not None else None,
            "over_budget": self.over_budget,
            "reserve_in_band": self.reserve_in_band,
            "warnings": list(self.warnings),
        }


def budget_summary(
    plan: Plan | None, *, event: Event | None = None, org: Organisation | None = None
) -> BudgetSummary:
    """The budget's figures and the PL-3 warnings (shown while editing; the gate refuses on them)."""
    lo, hi = reserve_band(org)
    lines: list[BudgetLine] = []
    if plan is not None and plan.pk is not None:
        lines = list(plan.budget_lines.order_by("position", "id"))
        event = event or plan.event
    names = category_labels(event, plan)
    order = list(names)
    groups: dict[str, CategoryTotal] = {}
    for line in lines:
        group = groups.get(line.category)
        if group is None:
            group = groups[line.category] = CategoryTotal(
                code=line.category, name=names.get(line.category, line.category_name), subtotal=ZERO, lines=[]
            )
        group.subtotal += line.amount
        group.lines.append(line)
    categories = sorted(groups.values(), key=lambda g: order.index(g.code) if g.code in order else len(order))
    total = sum((g.subtotal for g in categories), ZERO)
    # One precision (0.1%) that adds up to 100% (largest remainder), on the page, the API and documents.
    if total > 0:
        for g, part in zip(categories, shares_of([g.subtotal for g in categories]), strict=True):
            g.share = part
    contingency = groups[CONTINGENCY].subtotal if CONTINGENCY in groups else ZERO
    # Truncated, not rounded: the page rounds once more for display, and rounding twice can be off by 0.1%.
    share = (contingency / total).quantize(SHARE_PLACES, rounding=ROUND_DOWN) if total else None
    approved = plan.approved_budget if plan is not None else None
    currency = plan.currency if plan is not None else "CNY"
    summary = BudgetSummary(
        currency=currency,
        categories=categories,
        total=total,
        contingency=contingency,
        contingency_share=share,
        reserve_min=lo,
        reserve_max=hi,
        approved=approved,
        remaining=(approved - total) if approved is not None else None,
        line_count=len(lines),
    )
    summary.warnings = budget_problems(summary)
    return summary


def budget_problems(s: BudgetSummary) -> list[str]:
    """The PL-3 rules as messages: approved amount set, total within it, reserve present and in the band."""
    problems: list[str] = []
    if s.approved is None or s.approved <= 0:
        problems.append(_("尚未填写需求部门审批额度。"))
    elif s.over_budget:
        problems.append(
            _("预算总额 %(total)s 超出审批额度 %(approved)s,超出 %(over)s。")
            % {
                "total": s.money(s.total),
                "approved": s.money(s.approved),
                "over": s.money(s.total - s.approved),
            }
        )
    if s.line_count and s.contingency <= 0:
        problems.append(_("预算中没有应急备用金(须占总额 %(band)s)。") % {"band": s.band_label})
    elif s.contingency_share is not None and not s.reserve_in_band:
        problems.append(
            _("应急备用金 %(amount)s 占预算总额 %(share)s,须在 %(band)s 之间。")
            % {"amount": s.money(s.contingency), "share": s.share_label, "band": s.band_label}
        )
    return problems


# ---------------------------------------------------------------- the whole plan, for the API and documents
def plan_data(event: Event, plan: Plan | None = None) -> dict[str, Any]:
    """Everything of the plan as plain data (API ``GET /{event_id}/plan``)."""
    plan = plan if plan is not None else plan_of(event)
    summary = budget_summary(plan, event=event)
    segments = segments_of(plan)
    problems = segment_problems(event, segments)
    return {
        "event_id": event.pk,
        "exists": plan is not None,
        "revision": plan.revision if plan else None,
        "theme": event.theme,
        "tone": event.tone,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "time_zone": event.time_zone,
        "venue": event.venue,
        "background": plan.background if plan else "",
        "positioning": plan.positioning if plan else "",
        "approved_budget": plan.approved_budget if plan else None,
        "currency": plan.currency if plan else summary.currency,
        "segments": [
            {
                "id": s.pk,
                "revision": s.revision,
                "position": s.position,
                "title": s.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "local_start": local(event, s.starts_at).strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": s.duration_minutes,
                "owner": s.owner.username if s.owner else None,
                "owner_name": s.owner.name if s.owner else None,
                "key_actions": s.key_actions,
                "parallel": s.parallel,
                "problems": problems.by_segment.get(s.pk, []),
            }
            for s in segments
        ],
        "budget_lines": [
            {
                "id": b.pk,
                "revision": b.revision,
                "position": b.position,
                "category": b.category,
                "category_name": b.category_name,
                "item": b.item,
                "quantity": b.quantity,
                "unit": b.unit,
                "unit_price": b.unit_price,
                "amount": b.amount,
                "note": b.note,
            }
            for c in summary.categories
            for b in c.lines
        ],
        "budget_categories": budget_categories(event, plan),
        "budget_summary": summary.as_dict(),
        "risks": [
            {
                "id": r.pk,
                "revision": r.revision,
                "position": r.position,
                "risk": r.risk,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "owner": r.owner.username if r.owner else None,
                "owner_name": r.owner.name if r.owner else None,
                "response": r.response,
                "backup_resource": r.backup_resource,
            }
            for r in (plan.risks.select_related("owner") if plan else [])
        ],
        "attachments": [
            {
                "id": a.pk,
                "revision": a.revision,
                "kind": a.kind,
                "original_name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "sha256": a.sha256,
                "uploaded_by": a.uploaded_by.username if a.uploaded_by else None,
                "uploaded_at": a.uploaded_at,
            }
            for a in (plan.attachments.select_related("uploaded_by") if plan else [])
        ],
    }


def attachment_file_response(attachment: PlanAttachment) -> FileResponse:
    """The attachment's file as a download, never shown inline (page and API); NotFound when it is gone."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("附件文件已丢失。")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
