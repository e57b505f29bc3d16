"""What each document says and in which order (DOC-1, DOC-2, DOC-3), independent of Word or PDF.

A layout is a list of sections made of a few kinds of block (text, key/value pairs, tables). The Word
renderer and the HTML print templates both walk the same layout, so the two formats always carry the
same content. Every string is translated here (Chinese msgids), inside the caller's language.
Missing data reads 未填写 instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from huodong.core.models import User
from huodong.core.money import format_money
from huodong.events.models import Event
from huodong.planning.models import (
    DepartmentReview,
    Goal,
    NeedsInput,
    PlanVersion,
    Risk,
    RunOfShowSegment,
    Signature,
)
from huodong.planning.selectors_plan import local

from .selectors import ApprovalFormData, DocumentBudget, NeedsReportData, PlanData, generation_date

BLANK_LINE = "＿＿＿＿＿＿＿＿"  # a line to write on by hand (DOC-3 signature fields)

# Column widths: a header never breaks inside a short word ("可能性", "Likelihood"). Sizes in mm for
# A4 with the print margins (PDF: 210 − 2×18; Word: 210 − 2×20); table text is 9 pt (1 em = 3.175 mm).
TABLE_EM_MM = 3.175
CELL_PADDING_MM = 4.0
SHORT_CJK_HEADER = 6  # CJK headers up to this many characters are kept on one line


def placeholder() -> str:
    return _("未填写")


def page_label_parts() -> tuple[str, str, str]:
    """The footer's 第 N 页 / 共 M 页 split around the two numbers (Word fields, CSS counters)."""
    label = _("第 %(page)s 页 / 共 %(pages)s 页")
    before, _sep, rest = label.partition("%(page)s")
    middle, _sep, after = rest.partition("%(pages)s")
    return before, middle, after


# ---------------------------------------------------------------- blocks
@dataclass
class Cell:
    text: str
    span: int = 1
    bold: bool = False
    align: str = ""  # set by ``table()`` from the column
    role: str = ""  # "handwrite" (lines to sign on) | "seal" (盖章处 box) | ""

    @property
    def lines(self) -> list[str]:
        return str(self.text).split("\n")


LONG_ROW_CHARS = 400


@dataclass
class Row:
    cells: list[Cell]
    kind: str = "body"  # body | subtotal | total | sign | signature | empty

    @property
    def long(self) -> bool:
        """A row with a long text may split across pages (a row kept whole would overflow the page)."""
        return sum(len(str(c.text)) for c in self.cells) > LONG_ROW_CHARS


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    widths: list[int]  # relative column widths
    align: list[str]  # per column: left | right | center
    key: str = ""  # names the table for tests and CSS (data-table)
    kind: str = "table"

    @property
    def percent_widths(self) -> list[str]:
        return [f"{f * 100:.2f}" for f in self.fitted(174.0)]

    def fitted(self, total_mm: float) -> list[float]:
        """Column shares of the width: the relative widths, but no column narrower than its header or
        its lines to sign on and seal box, and, as far as the width allows, than its short values (a date
        such as 2027年2月2日, a status)."""
        base = [header_min_mm(h) for h in self.headers]
        values = list(base)
        for row in self.rows:
            col = 0
            for cell in row.cells:
                if cell.span == 1 and col < len(values):
                    need = value_min_mm(cell.text, cell.role)
                    values[col] = max(values[col], need)
                    if cell.role:
                        base[col] = max(base[col], need)
                col += max(1, cell.span)
        room = total_mm * 0.95 - sum(base)
        extra = [v - b for v, b in zip(values, base, strict=True)]
        scale = min(1.0, max(0.0, room) / sum(extra)) if sum(extra) > 0 else 0.0
        minimum = [b + e * scale for b, e in zip(base, extra, strict=True)]
        return fitted_widths(self.widths, minimum, total_mm)


@dataclass
class KeyValues:
    pairs: list[tuple[str, str]]
    key: str = ""
    kind: str = "kv"


@dataclass
class Text:
    text: str
    muted: bool = False
    kind: str = "text"

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.splitlines() if p.strip()] or [self.text]


@dataclass
class Subheading:
    text: str
    kind: str = "subheading"


Block = Table | KeyValues | Text | Subheading


@dataclass
class Section:
    heading: str
    blocks: list[Block]


@dataclass
class Layout:
    slug: str
    title: str
    organisation: str
    event_name: str
    generated_on: str
    intro: KeyValues
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    number: str = ""  # HD-FA-2026-0007, set by render.py (documents.numbers)

    @property
    def generated_label(self) -> str:
        return _("生成日期:%(date)s") % {"date": self.generated_on}

    @property
    def number_label(self) -> str:
        return _("文档编号:%(number)s") % {"number": self.number} if self.number else ""


def _char_em(ch: str) -> float:
    return 1.0 if ord(ch) > 0x2E7F else 0.58


def header_min_mm(header: str) -> float:
    """The width a bold 9 pt header needs so that its words (or a short CJK header) stay on one line."""
    text = str(header)
    cjk = any(ord(ch) > 0x2E7F for ch in text)
    if cjk and len(text) <= SHORT_CJK_HEADER:
        words = [text]
    elif cjk:
        words = [text[: SHORT_CJK_HEADER // 2 + 1]]
    else:
        words = text.split() or [""]
    em = max(sum(_char_em(ch) for ch in w) for w in words)
    return em * TABLE_EM_MM + CELL_PADDING_MM


SHORT_VALUE = 11  # values (or their space-separated words) up to this many characters stay whole


SHORT_VALUE_EM = 7.5  # 2027年12月31日 is 7.3 em; a name with a title or a sentence may wrap
SEAL_MIN_MM = 30.0  # room for a company seal


AUTOSPACE_EM = 0.25  # the gap LibreOffice puts between Chinese and digits (it ignores w:autoSpaceDE)


def _script_changes(word: str) -> int:
    kinds = [ord(ch) > 0x2E7F for ch in word if not ch.isspace()]
    return sum(1 for a, b in zip(kinds, kinds[1:], strict=False) if a != b)


def value_min_mm(text: str, role: str = "") -> float:
    """The width a short 9 pt value needs on one line (longer words wrap anyway, so they ask for none).

    The lines to sign on are kept whole, and a seal box is wide enough for a seal."""
    if role == "seal":
        return SEAL_MIN_MM
    if role == "handwrite":
        words = str(text).split("\n")
    else:
        words = [w for w in str(text).split() if len(w) <= SHORT_VALUE]
    ems = [sum(_char_em(ch) for ch in w) for w in words]
    ems = [
        em + AUTOSPACE_EM * _script_changes(w)
        for em, w in zip(ems, words, strict=True)
        if role or em <= SHORT_VALUE_EM
    ]
    return max(ems) * TABLE_EM_MM + CELL_PADDING_MM if ems else 0.0


def fitted_widths(weights: list[int], minimum_mm: list[float], total_mm: float) -> list[float]:
    """Shares (summing to 1) close to ``weights`` where every column gets at least its minimum."""
    total_w = sum(weights) or 1
    want = [total_mm * w / total_w for w in weights]
    fixed: dict[int, float] = {}
    for _round in range(len(weights)):
        free = [i for i in range(len(weights)) if i not in fixed]
        room = total_mm - sum(fixed.values())
        free_w = sum(want[i] for i in free) or 1
        grown = False
        for i in free:
            if room * want[i] / free_w < minimum_mm[i]:
                fixed[i] = minimum_mm[i]
                grown = True
        if not grown:
            break
    room = total_mm - sum(fixed.values())
    free_w = sum(want[i] for i in range(len(weights)) if i not in fixed) or 1
    mm = [fixed[i] if i in fixed else room * want[i] / free_w for i in range(len(weights))]
    total = sum(mm) or 1
    return [m / total for m in mm]


# ---------------------------------------------------------------- formatting
def english() -> bool:
    return (get_language() or "").startswith("en")


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def day_text(value: dt.date) -> str:
    """2026年12月1日 in Chinese documents, 1 December 2026 in English ones."""
    if english():
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def month_day_text(value: dt.date) -> str:
    """12月1日 / 1 Dec: the day of a run-of-show segment in a multi-day event."""
    if english():
        return f"{value.day} {_MONTHS[value.month - 1][:3]}"
    return f"{value.month}月{value.day}日"


def moment_text(value: dt.datetime) -> str:
    """2026年12月1日 14:30 / 1 December 2026 14:30 (already in the right time zone)."""
    return f"{day_text(value.date())} {value:%H:%M}"


def text_or_placeholder(value: Any) -> str:
    text = str(value or "").strip()
    return text if text else placeholder()


def fmt_date(value: dt.date | dt.datetime | None, tz: Any = None) -> str:
    if value is None:
        return placeholder()
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, tz) if tz else value
        return day_text(value.date())
    return day_text(value)


def fmt_datetime(value: dt.datetime | None, tz: Any) -> str:
    if value is None:
        return placeholder()
    return moment_text(timezone.localtime(value, tz))


def fmt_number(value: Decimal | None) -> str:
    if value is None:
        return placeholder()
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def fmt_percent(share: Decimal | None) -> str:
    if share is None:
        return placeholder()
    return f"{(share * 100).quantize(Decimal('0.1'))}%"


def person_label(user: User | None, *, with_title: bool = True) -> str:
    if user is None:
        return placeholder()
    if with_title and user.title:
        return _("%(name)s(%(title)s)") % {"name": user.name, "title": user.title}
    return user.name


def event_time(event: Event) -> str:
    start, end = event.local_start(), event.local_end()
    if start.date() == end.date():
        span = f"{moment_text(start)}–{end:%H:%M}"
    else:
        span = f"{moment_text(start)} – {moment_text(end)}"
    return f"{span} ({event.time_zone})"


def table(
    headers: list[str], rows: list[Row], *, widths: list[int], align: list[str] | None = None, key: str = ""
) -> Table:
    """A table; with no rows it gets one full-width 未填写 row so an empty register still prints."""
    align = align or ["left"] * len(headers)
    if not rows:
        rows = [Row([Cell(placeholder(), span=len(headers), align="center")], kind="empty")]
    for row in rows:
        col = 0
        for cell in row.cells:
            if not cell.align:
                if row.kind in ("subtotal", "total"):
                    cell.align = "right"
                else:
                    cell.align = align[col] if col < len(align) else "left"
            col += max(1, cell.span)
    return Table(headers=headers, rows=rows, widths=widths, align=align, key=key)


def _header_pairs(event: Event) -> list[tuple[str, str]]:
    return [
        (_("活动名称"), event.name),
        (_("活动类型"), event.event_type.display_name),
        (_("活动时间"), event_time(event)),
        (_("活动地点"), text_or_placeholder(event.venue)),
    ]


def event_header_pairs(event: Event) -> list[tuple[str, str]]:
    """The event's name, type, time and place: the first lines of every document's header table."""
    return _header_pairs(event)


def _layout(
    slug: str, title: str, data: Any, intro: list[tuple[str, str]], sections: list[Section]
) -> Layout:
    return Layout(
        slug=slug,
        title=title,
        organisation=data.organisation.name,
        event_name=data.event.name,
        generated_on=day_text(generation_date(data.event)),
        intro=KeyValues(intro, key="intro"),
        sections=sections,
    )


def _numbered(headings: list[str]) -> list[str]:
    """Chinese documents number sections 一、二、…; English ones 1. 2. …"""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en"):
        return [f"{i + 1}. {h}" for i, h in enumerate(headings)]
    numerals = "一二三四五六七八九十"
    return [f"{numerals[i] if i < len(numerals) else i + 1}、{h}" for i, h in enumerate(headings)]


def numbered_headings(headings: list[str]) -> list[str]:
    """Section headings numbered 一、二、… (Chinese) or 1. 2. … (English), as every document does."""
    return _numbered(headings)


def document_layout_of(
    slug: str, title: str, data: Any, intro: list[tuple[str, str]], sections: list[Section]
) -> Layout:
    """A layout with the house header (organisation, title, generation date); ``data`` carries
    ``organisation`` and ``event``. For the documents other apps lay out (preparation's)."""
    return _layout(slug, title, data, intro, sections)


# ---------------------------------------------------------------- DOC-1 活动需求调研报告
def needs_report_layout(data: NeedsReportData) -> Layout:
    event, report = data.event, data.report
    requesters = "、".join(person_label(u) for u in data.requesters) or placeholder()
    intro = _header_pairs(event) + [
        (_("需求提出部门"), data.department.display_name if data.department else placeholder()),
        (_("需求提出人"), requesters),
        (_("提出日期"), fmt_date(data.requested_on)),
    ]
    kinds = dict(NeedsInput.Kind.choices)
    inputs = table(
        [_("类别"), _("内容"), _("来源")],
        [
            Row([Cell(str(kinds.get(i.kind, i.kind))), Cell(i.content), Cell(i.source or "—")])
            for i in data.inputs
        ],
        widths=[2, 6, 2],
        key="inputs",
    )
    methods = table(
        [_("方法"), _("日期"), _("参与对象"), _("发现")],
        [
            Row(
                [
                    Cell(m.get_method_display()),
                    Cell(fmt_date(m.conducted_on)),
                    Cell(m.participants or "—"),
                    Cell(m.findings),
                ]
            )
            for m in data.methods
        ],
        widths=[2, 2, 2, 5],
        key="methods",
    )
    people = table(
        [_("姓名"), _("职务"), _("部门")],
        [
            Row(
                [Cell(u.name), Cell(u.title or "—"), Cell(u.department.display_name if u.department else "—")]
            )
            for u in data.requesters
        ],
        widths=[3, 4, 3],
        key="requesters",
    )
    history = table(
        [_("历史活动"), _("活动类型"), _("时间"), _("地点")],
        [
            Row(
                [
                    Cell(h.name),
                    Cell(h.event_type.display_name),
                    Cell(fmt_date(h.starts_at, h.tz)),
                    Cell(h.venue or "—"),
                ]
            )
            for h in data.history
        ],
        widths=[4, 2, 2, 3],
        key="history",
    )
    headings = _numbered(
        [
            _("需求背景"),
            _("需求输入"),
            _("调研方法与发现"),
            _("目标受众画像"),
            _("核心需求"),
            _("初步目标设定"),
            _("参考的历史活动"),
            _("需求提出部门及人员"),
        ]
    )
    sections = [
        Section(headings[0], [Text(text_or_placeholder(report.background if report else ""))]),
        Section(headings[1], [inputs]),
        Section(headings[2], [methods]),
        Section(headings[3], [Text(text_or_placeholder(report.audience_persona if report else ""))]),
        Section(headings[4], [Text(text_or_placeholder(report.core_needs if report else ""))]),
        Section(headings[5], [Text(text_or_placeholder(report.initial_goals if report else ""))]),
        Section(headings[6], [history]),
        Section(
            headings[7],
            [
                KeyValues(
                    [
                        (
                            _("需求提出部门"),
                            data.department.display_name if data.department else placeholder(),
                        ),
                        (_("提出日期"), fmt_date(data.requested_on)),
                    ],
                    key="requesting",
                ),
                people,
            ],
        ),
    ]
    return _layout("needs-report", _("活动需求调研报告"), data, intro, sections)


# ---------------------------------------------------------------- DOC-2 活动策划方案
def budget_table(budget: DocumentBudget) -> Table:
    cur = budget.currency
    rows: list[Row] = []
    for group in budget.groups:
        for line in group.lines:
            rows.append(
                Row(
                    [
                        Cell(group.name),
                        Cell(line.item),
                        Cell(fmt_number(line.quantity)),
                        Cell(line.unit or "—"),
                        Cell(format_money(line.unit_price, cur)),
                        Cell(format_money(line.amount, cur)),
                        Cell(line.note or ""),
                    ]
                )
            )
        rows.append(
            Row(
                [
                    Cell(_("%(category)s 小计") % {"category": group.name}, span=5, bold=True),
                    Cell(format_money(group.subtotal, cur), bold=True),
                    Cell(""),
                ],
                kind="subtotal",
            )
        )
    if budget.groups:
        rows.append(
            Row(
                [
                    Cell(_("合计"), span=5, bold=True),
                    Cell(format_money(budget.figures.total, cur), bold=True),
                    Cell(""),
                ],
                kind="total",
            )
        )
    return table(
        [_("科目"), _("项目"), _("数量"), _("单位"), _("单价"), _("金额"), _("备注")],
        rows,
        widths=[2, 4, 1, 1, 2, 2, 2],
        align=["left", "left", "right", "center", "right", "right", "left"],
        key="budget",
    )


def budget_pairs(budget: DocumentBudget) -> list[tuple[str, str]]:
    """The PL-3 figures as planning judges them: reserve share against the band, the approved amount."""
    figures, cur = budget.figures, budget.currency
    # Printed to one decimal from the exact ratio (planning keeps the share to four places for its
    # check, and rounding that again could print 7.8% for 7.746%); in the band or not is planning's call.
    exact = figures.contingency / figures.total if figures.contingency_share is not None else None
    share = fmt_percent(exact)
    band = _("%(low)s–%(high)s") % {
        "low": fmt_percent(figures.reserve_min),
        "high": fmt_percent(figures.reserve_max),
    }
    if figures.contingency_share is not None:
        state = (
            _("在规定区间 %(band)s 内") % {"band": band}
            if figures.reserve_in_band
            else _("不在规定区间 %(band)s 内") % {"band": band}
        )
        share = f"{share}({state})"
    approved = format_money(figures.approved, cur) if figures.approved is not None else placeholder()
    pairs = [
        (_("预算总额"), format_money(figures.total, cur)),
        (_("应急备用金"), format_money(figures.contingency, cur)),
        (_("应急备用金占比"), share),
        (_("需求部门审批额度"), approved),
    ]
    if figures.remaining is not None:
        if figures.over_budget:
            pairs.append((_("超出审批额度"), format_money(-figures.remaining, cur)))
        else:
            pairs.append((_("额度余量"), format_money(figures.remaining, cur)))
    return pairs


def _plan_intro(data: PlanData) -> list[tuple[str, str]]:
    event, version = data.event, data.latest_version
    version_text = (
        _("第 %(n)s 版(%(status)s)") % {"n": version.number, "status": version.get_status_display()}
        if version
        else _("未提交评审")
    )
    return _header_pairs(event) + [
        (
            _("需求部门"),
            event.requesting_department.display_name if event.requesting_department else placeholder(),
        ),
        (_("活动负责人"), person_label(event.owner)),
        (_("方案版本"), version_text),
    ]


def _plan_background(data: PlanData) -> list[Block]:
    plan = data.plan
    blocks: list[Block] = [Text(text_or_placeholder(plan.background if plan else ""))]
    if plan and plan.positioning.strip():
        blocks += [Subheading(_("定位说明")), Text(plan.positioning)]
    return blocks


def _goal_row(g: Goal) -> Row:
    target = f"{fmt_number(g.target_value)} {g.unit}".strip() if g.target_value is not None else placeholder()
    baseline = f"{fmt_number(g.baseline)} {g.unit}".strip() if g.baseline is not None else "—"
    return Row(
        [
            Cell(g.metric_label),
            Cell(g.description or "—"),
            Cell(target),
            Cell(baseline),
            Cell(fmt_date(g.due_date)),
            Cell(g.owner.name if g.owner else placeholder()),
            Cell(g.objective or "—"),
        ]
    )


def _plan_goals(data: PlanData) -> list[Block]:
    return [
        table(
            [
                _("指标"),
                _("具体描述"),
                _("目标值"),
                _("基线"),
                _("截止日期"),
                _("负责人"),
                _("服务的业务目标"),
            ],
            [_goal_row(g) for g in data.goals],
            widths=[2, 3, 2, 2, 2, 2, 3],
            align=["left", "left", "right", "right", "center", "left", "left"],
            key="goals",
        )
    ]


def _plan_theme(data: PlanData) -> list[Block]:
    event = data.event
    pairs = [(_("主题"), text_or_placeholder(event.theme)), (_("调性"), text_or_placeholder(event.tone))]
    return [KeyValues(pairs, key="theme")]


def _plan_time_place(data: PlanData) -> list[Block]:
    event = data.event
    attendance = str(event.expected_attendance) if event.expected_attendance else placeholder()
    pairs = [
        (_("活动时间"), event_time(event)),
        (_("活动地点"), text_or_placeholder(event.venue)),
        (_("预计人数"), attendance),
    ]
    return [KeyValues(pairs, key="time_place")]


def _segment_row(event: Event, number: int, seg: RunOfShowSegment, multi_day: bool) -> Row:
    start, end = local(event, seg.starts_at), local(event, seg.ends_at)
    day = f"{month_day_text(start.date())} " if multi_day else ""
    return Row(
        [
            Cell(str(number)),
            Cell(f"{day}{start:%H:%M}–{end:%H:%M}"),
            Cell(seg.title + (_("(并行)") if seg.parallel else "")),
            Cell(str(seg.duration_minutes)),
            Cell(seg.owner.name if seg.owner else placeholder()),
            Cell(seg.key_actions or "—"),
        ]
    )


def _plan_run_of_show(data: PlanData) -> list[Block]:
    event = data.event
    multi_day = event.local_start().date() != event.local_end().date()
    return [
        table(
            [_("序号"), _("时间"), _("环节"), _("时长(分钟)"), _("负责人"), _("关键动作")],
            [_segment_row(event, i, s, multi_day) for i, s in enumerate(data.segments, start=1)],
            widths=[1, 3, 3, 2, 2, 5],
            align=["center", "center", "left", "right", "left", "left"],
            key="run_of_show",
        )
    ]


def _plan_budget(data: PlanData) -> list[Block]:
    return [budget_table(data.budget), KeyValues(budget_pairs(data.budget), key="budget_summary")]


def _risk_row(risk: Risk) -> Row:
    levels = {"low": _("低"), "medium": _("中"), "high": _("高")}
    return Row(
        [
            Cell(risk.risk),
            Cell(levels.get(risk.likelihood, risk.likelihood)),
            Cell(levels.get(risk.impact, risk.impact)),
            Cell(risk.owner.name if risk.owner else placeholder()),
            Cell(risk.response),
            Cell(risk.backup_resource or "—"),
        ]
    )


def _plan_risks(data: PlanData) -> list[Block]:
    return [
        table(
            [_("风险"), _("可能性"), _("影响"), _("负责人"), _("应对预案"), _("备用资源")],
            [_risk_row(r) for r in data.risks],
            widths=[3, 1, 1, 2, 4, 3],
            align=["left", "center", "center", "left", "left", "left"],
            key="risks",
        )
    ]


def _plan_attachments(data: PlanData) -> list[Block]:
    return [
        table(
            [_("序号"), _("类别"), _("文件名"), _("大小")],
            [
                Row(
                    [
                        Cell(str(i)),
                        Cell(a.get_kind_display()),
                        Cell(a.original_name),
                        Cell(_file_size(a.size)),
                    ]
                )
                for i, a in enumerate(data.attachments, start=1)
            ],
            widths=[1, 2, 6, 2],
            align=["center", "left", "left", "right"],
            key="attachments",
        )
    ]


def plan_layout(data: PlanData) -> Layout:
    parts = [
        (_("活动背景"), _plan_background),
        (_("活动目标"), _plan_goals),
        (_("主题与调性"), _plan_theme),
        (_("时间与地点"), _plan_time_place),
        (_("活动流程"), _plan_run_of_show),
        (_("活动预算"), _plan_budget),
        (_("风险预案"), _plan_risks),
        (_("附件"), _plan_attachments),
    ]
    headings = _numbered([heading for heading, _build in parts])
    sections = [Section(h, build(data)) for h, (_heading, build) in zip(headings, parts, strict=True)]
    return _layout("plan", _("活动策划方案"), data, _plan_intro(data), sections)


def _file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


# ---------------------------------------------------------------- DOC-3 活动策划方案审批表
def _review_opinions(review: DepartmentReview | None) -> str:
    if review is None:
        return "\n".join(
            f"{label}:{BLANK_LINE}" for label in (_("可行性意见"), _("预算合理性意见"), _("风险控制意见"))
        )
    parts = [
        (_("可行性意见"), review.feasibility_opinion),
        (_("预算合理性意见"), review.budget_opinion),
        (_("风险控制意见"), review.risk_opinion),
    ]
    # An opinion the reviewer left empty is left blank, not printed as 未填写 (only what was said).
    lines = [f"{label}:{(text or '').strip()}" for label, text in parts if (text or "").strip()]
    if review.conditions.strip():
        lines.append(_("附加条件:%(conditions)s") % {"conditions": review.conditions.strip()})
    return "\n".join(lines)


def _decision_label(review: DepartmentReview | None) -> str:
    if review is None:
        return BLANK_LINE
    return str(review.get_decision_display())


def handwrite_text() -> str:
    """Lines for a handwritten signature and its date beside a recorded (or missing) signature."""
    return _("签名:＿＿＿＿＿＿\n日期:＿＿年＿＿月＿＿日")


def _signature_cells(label: str, sig: Signature | None, tz: Any) -> list[Cell]:
    paper = [Cell(handwrite_text(), role="handwrite"), Cell(_("盖章处"), role="seal", align="center")]
    if sig is None:
        return [
            Cell(label, bold=True),
            Cell(BLANK_LINE),
            Cell(BLANK_LINE),
            Cell(BLANK_LINE),
            Cell(BLANK_LINE),
            *paper,
        ]
    return [
        Cell(label, bold=True),
        Cell(person_label(sig.approver)),
        Cell(str(sig.get_decision_display())),
        Cell(sig.comment.strip()),
        Cell(fmt_datetime(sig.signed_at, tz)),
        *paper,
    ]


def approval_form_layout(data: ApprovalFormData) -> Layout:
    event, version = data.event, data.version
    tz = event.tz
    budget, cur = data.budget.figures, data.budget.currency
    intro = _header_pairs(event) + [
        (
            _("需求部门"),
            event.requesting_department.display_name if event.requesting_department else placeholder(),
        ),
        (_("活动负责人"), person_label(event.owner)),
        (_("预算总额"), format_money(budget.total, cur) if budget.line_count else placeholder()),
        (
            _("需求部门审批额度"),
            format_money(budget.approved, cur) if budget.approved is not None else placeholder(),
        ),
    ]
    if version is not None:
        version_pairs = [
            (_("方案版本号"), _("第 %(n)s 版") % {"n": version.number}),
            (_("版本状态"), str(version.get_status_display())),
            (_("提交人"), person_label(version.submitted_by, with_title=False)),
            (_("提交评审时间"), fmt_datetime(version.submitted_at, tz)),
            (_("内容哈希(SHA-256)"), version.content_hash or placeholder()),
        ]
    else:
        version_pairs = [(_("方案版本号"), _("尚未提交评审"))]
    reviews = table(
        [_("评审部门"), _("评审人"), _("结论"), _("评审意见"), _("评审日期")],
        [
            Row(
                [
                    Cell(r.department.display_name, bold=True),
                    Cell(person_label(r.review.reviewer) if r.review and r.review.reviewer else BLANK_LINE),
                    Cell(_decision_label(r.review)),
                    Cell(_review_opinions(r.review)),
                    Cell(
                        fmt_date(r.review.decided_at, tz)
                        if r.review and r.review.decided_at
                        else (
                            BLANK_LINE
                            if r.review is None or r.review.decision == DepartmentReview.Decision.PENDING
                            else ""
                        )
                    ),
                ],
                kind="sign"
                if r.review is None or r.review.decision == DepartmentReview.Decision.PENDING
                else "body",
            )
            for r in data.reviews
        ],
        widths=[2, 2, 2, 7, 2],
        align=["left", "left", "center", "left", "center"],
        key="reviews",
    )
    signatures = table(
        [_("审批层级"), _("审批人"), _("决定"), _("意见"), _("签署时间"), _("手写签名及日期"), _("盖章处")],
        [Row(_signature_cells(s.label, s.signature, tz), kind="signature") for s in data.signatures],
        widths=[2, 3, 2, 5, 3, 4, 4],
        align=["left", "left", "center", "left", "center", "left", "center"],
        key="signatures",
    )
    dates = [
        (
            _("评审完成日期"),
            fmt_date(data.reviews_completed_at, tz) if data.reviews_completed_at else BLANK_LINE,
        ),
    ]
    for s in data.signatures:
        dates.append(
            (
                _("%(level)s审批日期") % {"level": s.label},
                fmt_date(s.signature.signed_at, tz) if s.signature else BLANK_LINE,
            )
        )
    dates.append((_("定稿日期"), fmt_date(data.approved_at, tz) if data.approved_at else BLANK_LINE))
    headings = _numbered([_("方案版本"), _("部门评审意见"), _("领导审批签字"), _("审批日期")])
    sections = [
        Section(headings[0], [KeyValues(version_pairs, key="version")]),
        Section(headings[1], [reviews]),
        Section(headings[2], [signatures]),
        Section(headings[3], [KeyValues(dates, key="dates")]),
    ]
    layout = _layout("approval-form", _("活动策划方案审批表"), data, intro, sections)
    if version is not None:
        layout.notes.append(
            _("本表依据方案第 %(n)s 版生成;电子签字均针对内容哈希 %(hash)s,方案修改后签字作废,须重新审批。")
            % {"n": version.number, "hash": version.content_hash[:12] or placeholder()}
        )
        if version.status == PlanVersion.Status.SUPERSEDED:
            layout.notes.append(_("注意:该版本已因方案修改而作废。"))
    if data.voided_count:
        layout.notes.append(_("该版本有 %(n)s 条签字已作废,未列入本表。") % {"n": data.voided_count})
    return layout
