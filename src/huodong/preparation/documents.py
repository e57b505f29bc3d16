"""The Word/PDF documents of preparation (issue 8, point 9) as layouts for the ``documents`` app.

- 《供应商比选表》 (VD-1, VD-2): per vendor need, the quotes side by side — amount, what is included,
  delivery, the scores and the weighted total, each vendor's qualifications with the expired ones marked —
  then the choice with its reason (and the approved exception when fewer quotes than the minimum were
  taken) and the contract summary.
- 《执行会议纪要》 (TR-1): time, place, agenda, the roles and emergency scripts covered, attendance
  (attended / missed / not recorded) and the minutes, plus the special trainings with who missed them.

``documents.render`` registers both (slugs ``vendor-comparison`` and ``meeting-minutes``), numbers them and
writes Word or PDF from the same layout, as for the planning documents. Every string is translated here
(Chinese msgids) in the caller's language; missing data reads 未填写.

Scores (VD-1) are the vendors page's own (``services.vendors.comparison``): the evaluator's
qualification, cases and delivery scores, the price score computed from the amounts (the lowest scores
100), the weighted total with the organisation's weights and the rank; the quotes are printed best first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from huodong.core.models import Organisation, User
from huodong.core.money import format_money
from huodong.core.services import organisation_get
from huodong.documents.layouts import (
    Block,
    Cell,
    KeyValues,
    Layout,
    Row,
    Section,
    Subheading,
    Text,
    document_layout_of,
    event_header_pairs,
    fmt_date,
    fmt_datetime,
    numbered_headings,
    person_label,
    placeholder,
    table,
    text_or_placeholder,
)
from huodong.documents.numbers import version_key
from huodong.documents.selectors import generation_date
from huodong.events.models import Event

from .models import (
    Contract,
    Quote,
    ScoringWeights,
    TeamMember,
    Training,
    TrainingAttendance,
    VendorNeed,
    VendorQualification,
)
from .selectors import scoring_weights
from .services.vendors import Comparison, ScoredQuote, comparison


# ---------------------------------------------------------------- 《供应商比选表》 data
@dataclass
class NeedComparison:
    need: VendorNeed
    comparison: Comparison  # the vendors page's own scoring and ranking (``services.vendors``)
    qualifications: dict[int, list[VendorQualification]]  # vendor id → all its qualifications
    contract: Contract | None

    @property
    def rows(self) -> list[ScoredQuote]:
        return self.comparison.rows


@dataclass
class VendorComparisonData:
    organisation: Organisation
    event: Event
    weights: ScoringWeights
    needs: list[NeedComparison]
    on: dt.date  # the day the document is generated: qualifications expired on it are marked

    def content_key(self) -> str:
        """What the numbered version of this document depends on (not the language, not the day)."""
        parts: list[Any] = [
            "w",
            self.weights.qualification,
            self.weights.price,
            self.weights.cases,
            self.weights.delivery,
            self.weights.min_quotes,
        ]
        for n in self.needs:
            need = n.need
            parts += [
                "n",
                need.pk,
                need.title,
                need.category,
                need.description,
                need.status,
                need.chosen_quote_id,
                need.choice_reason,
                need.exception_reason,
                need.exception_at,
                need.needed_by,
                need.budget_line_id,
            ]
            for q in n.rows:
                quote = q.quote
                parts += [
                    "q",
                    quote.pk,
                    quote.vendor.name,
                    quote.amount,
                    quote.includes,
                    quote.delivery_on,
                    quote.qualification_score,
                    quote.cases_score,
                    quote.delivery_score,
                    *((v.name, v.expires_on) for v in n.qualifications.get(quote.vendor_id, [])),
                ]
            if n.contract is not None:
                c = n.contract
                parts += [
                    "c",
                    c.pk,
                    c.number,
                    c.service_content,
                    c.delivery_at,
                    c.liability,
                    c.amount,
                    c.signed_on,
                    c.signed_file_name,
                ]
        return version_key(*parts)


def vendor_comparison_data(event: Event) -> VendorComparisonData:
    """The event's vendor needs (not cancelled) with their quotes scored and ranked as the vendors page
    does, the vendors' qualifications and the contract, in a handful of queries."""
    on = generation_date(event)
    needs = list(
        VendorNeed.objects.filter(event=event)
        .exclude(status=VendorNeed.Status.CANCELLED)
        .select_related("budget_line", "owner", "chosen_by", "exception_by", "contract__vendor")
        .prefetch_related(
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("vendor")
                .prefetch_related(
                    Prefetch("vendor__qualifications", queryset=VendorQualification.objects.order_by("id"))
                )
                .order_by("amount", "id"),
            )
        )
    )
    rows: list[NeedComparison] = []
    for need in needs:
        quotes = list(need.quotes.all())
        rows.append(
            NeedComparison(
                need=need,
                comparison=comparison(need, quotes=quotes, on=on),
                qualifications={q.vendor_id: list(q.vendor.qualifications.all()) for q in quotes},
                contract=getattr(need, "contract", None),
            )
        )
    return VendorComparisonData(
        organisation=organisation_get(), event=event, weights=scoring_weights(), needs=rows, on=on
    )


# ---------------------------------------------------------------- 《供应商比选表》 layout
def _score(value: Decimal | int | None) -> str:
    if value is None:
        return _("未评分")
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return f"{number:.2f}"


def _qualification_text(qualifications: list[VendorQualification], on: dt.date) -> str:
    if not qualifications:
        return placeholder()
    lines = []
    for q in qualifications:
        until = fmt_date(q.expires_on) if q.expires_on else _("长期有效")
        if q.is_expired(on):
            lines.append(_("【已过期】%(name)s(有效期至 %(date)s)") % {"name": q.name, "date": until})
        else:
            lines.append(_("%(name)s(有效期至 %(date)s)") % {"name": q.name, "date": until})
    return "\n".join(lines)


def _comparison_table(n: NeedComparison, on: dt.date, currency: str) -> Block:
    quotes = n.rows
    if not quotes:
        return Text(_("尚无报价。"), muted=True)

    def row(label: str, values: list[str], *, kind: str = "body") -> Row:
        return Row([Cell(label, bold=True), *(Cell(v, bold=kind == "total") for v in values)], kind=kind)

    def total(q: ScoredQuote) -> str:
        text = _("%(score)s(第 %(rank)s 名)") % {"score": _score(q.weighted), "rank": q.rank}
        if q.unscored:
            text += "\n" + _("%(items)s未评分,按 0 分计") % {"items": "、".join(q.unscored)}
        return text

    rows = [
        row(_("报价金额"), [format_money(q.quote.amount, currency) for q in quotes]),
        row(_("报价包含"), [text_or_placeholder(q.quote.includes) for q in quotes]),
        row(_("交付日期"), [fmt_date(q.quote.delivery_on) for q in quotes]),
        row(
            _("资质"), [_qualification_text(n.qualifications.get(q.quote.vendor_id, []), on) for q in quotes]
        ),
        row(_("过往案例"), [text_or_placeholder(q.quote.vendor.cases) for q in quotes]),
        row(_("资质得分"), [_score(q.quote.qualification_score) for q in quotes]),
        row(_("价格得分"), [_score(q.price_score) for q in quotes]),
        row(_("案例得分"), [_score(q.quote.cases_score) for q in quotes]),
        row(_("交付得分"), [_score(q.quote.delivery_score) for q in quotes]),
        row(_("加权总分"), [total(q) for q in quotes], kind="total"),
        row(_("选定"), [_("选定") if n.need.chosen_quote_id == q.quote.pk else "—" for q in quotes]),
    ]
    return table(
        [_("比较项"), *(q.quote.vendor.name for q in quotes)],
        rows,
        widths=[2, *([3] * len(quotes))],
        align=["left"] * (len(quotes) + 1),
        key="comparison",
    )


def _need_pairs(n: NeedComparison, data: VendorComparisonData, currency: str) -> list[tuple[str, str]]:
    need = n.need
    line = need.budget_line
    budget = (
        _("%(item)s(预算 %(amount)s)") % {"item": line.item, "amount": format_money(line.amount, currency)}
        if line is not None
        else placeholder()
    )
    minimum = data.weights.min_quotes
    count = _("%(n)s 家") % {"n": len(n.rows)}
    if len(n.rows) < minimum:
        count += _("(少于规定的 %(min)s 家)") % {"min": minimum}
    return [
        (_("类别"), str(need.get_category_display())),
        (_("需求说明"), text_or_placeholder(need.description)),
        (_("预算科目"), budget),
        (_("需交付日期"), fmt_date(need.needed_by)),
        (_("负责人"), person_label(need.owner)),
        (_("状态"), str(need.get_status_display())),
        (_("报价数量"), count),
    ]


def _choice_pairs(n: NeedComparison, on: dt.date, tz: Any, currency: str) -> list[tuple[str, str]]:
    need = n.need
    chosen = next((q for q in n.rows if q.quote.pk == need.chosen_quote_id), None)
    pairs = [
        (_("选定供应商"), chosen.quote.vendor.name if chosen else _("尚未选定")),
        (_("选定金额"), format_money(chosen.quote.amount, currency) if chosen else placeholder()),
        (_("选择理由"), text_or_placeholder(need.choice_reason)),
        (_("选定人"), person_label(need.chosen_by, with_title=False) if need.chosen_by else placeholder()),
        (_("选定时间"), fmt_datetime(need.chosen_at, tz)),
    ]
    if chosen is not None and chosen.expired:
        pairs.append(
            (
                _("资质提示"),
                _("选定供应商的资质已过期:%(names)s") % {"names": "、".join(chosen.expired)},
            )
        )
    if need.exception_at is not None:
        pairs += [
            (_("少于规定报价数的例外原因"), text_or_placeholder(need.exception_reason)),
            (_("例外批准人"), person_label(need.exception_by) if need.exception_by else placeholder()),
            (_("例外批准时间"), fmt_datetime(need.exception_at, tz)),
        ]
    return pairs


def _contract_block(contract: Contract | None, tz: Any, currency: str) -> Block:
    if contract is None:
        return Text(_("尚未签订合同。"), muted=True)
    return KeyValues(
        [
            (_("合同编号"), text_or_placeholder(contract.number)),
            (_("供应商"), contract.vendor.name),
            (_("服务内容"), text_or_placeholder(contract.service_content)),
            (_("交付时间"), fmt_datetime(contract.delivery_at, tz)),
            (_("违约责任"), text_or_placeholder(contract.liability)),
            (_("合同金额"), format_money(contract.amount, currency)),
            (_("签订日期"), fmt_date(contract.signed_on)),
            (_("已签合同文件"), contract.signed_file_name or _("未上传")),
        ],
        key="contract",
    )


def vendor_comparison_layout(data: VendorComparisonData) -> Layout:
    event, weights = data.event, data.weights
    tz, currency = event.tz, data.organisation.currency
    intro = event_header_pairs(event) + [
        (
            _("比价权重"),
            _("资质 %(q)s%% · 价格 %(p)s%% · 案例 %(c)s%% · 交付 %(d)s%%")
            % {"q": weights.qualification, "p": weights.price, "c": weights.cases, "d": weights.delivery},
        ),
        (_("最少报价数"), _("%(n)s 家") % {"n": weights.min_quotes}),
        (_("采购需求数"), str(len(data.needs))),
    ]
    headings = numbered_headings(
        [f"{n.need.title}({n.need.get_category_display()})" for n in data.needs] or [_("采购需求")]
    )
    sections: list[Section] = []
    for heading, n in zip(headings, data.needs, strict=False):
        sections.append(
            Section(
                heading,
                [
                    KeyValues(_need_pairs(n, data, currency), key="need"),
                    Subheading(_("报价比较")),
                    _comparison_table(n, data.on, currency),
                    Subheading(_("选择结果")),
                    KeyValues(_choice_pairs(n, data.on, tz, currency), key="choice"),
                    Subheading(_("合同摘要")),
                    _contract_block(n.contract, tz, currency),
                ],
            )
        )
    if not data.needs:
        sections.append(Section(headings[0], [Text(_("本活动尚无采购需求。"), muted=True)]))
    layout = document_layout_of("vendor-comparison", _("供应商比选表"), data, intro, sections)
    layout.notes.append(
        _(
            "价格得分:最低报价得 100 分,其余按「最低报价 ÷ 报价 × 100」计算;加权总分 = Σ(得分 × 权重)÷ 100,未评分项按 0 分计;报价按加权总分排列。"
        )
    )
    layout.notes.append(
        _("标注【已过期】的资质在生成日(%(date)s)已超过有效期,签约前须更新。") % {"date": fmt_date(data.on)}
    )
    return layout


# ---------------------------------------------------------------- 《执行会议纪要》 data
@dataclass
class AttendanceLine:
    person: User
    group: str
    attended: bool | None
    note: str


@dataclass
class TrainingSummary:
    training: Training
    attended: list[User]
    missed: list[User]
    unrecorded: list[User]


@dataclass
class MeetingMinutesData:
    organisation: Organisation
    event: Event
    meeting: Training | None
    attendance: list[AttendanceLine]
    other_meetings: int
    trainings: list[TrainingSummary] = field(default_factory=list)

    def content_key(self) -> str:
        parts: list[Any] = []
        m = self.meeting
        if m is not None:
            parts += [
                "m",
                m.pk,
                m.title,
                m.starts_at,
                m.duration_minutes,
                m.location,
                m.agenda,
                m.roles_covered,
                m.scripts_covered,
                m.minutes,
                m.held_at,
                m.attendance_recorded_at,
                m.trainer_id,
            ]
        parts += [("a", a.person.pk, a.group, a.attended, a.note) for a in self.attendance]
        for t in self.trainings:
            parts += [
                "t",
                t.training.pk,
                t.training.title,
                t.training.kind,
                t.training.starts_at,
                t.training.trainer_id,
                *(u.pk for u in t.attended),
                "x",
                *(u.pk for u in t.missed),
            ]
        return version_key(*parts) if parts else "none"


def _split(rows: list[TrainingAttendance]) -> tuple[list[User], list[User], list[User]]:
    return (
        [r.person for r in rows if r.attended is True],
        [r.person for r in rows if r.attended is False],
        [r.person for r in rows if r.attended is None],
    )


def meeting_minutes_data(event: Event) -> MeetingMinutesData:
    """The execution meeting (the last one held, else the first scheduled) with its attendance and the
    event's special trainings."""
    trainings = list(
        Training.objects.filter(event=event)
        .select_related("trainer")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=TrainingAttendance.objects.select_related("person__department").order_by("id"),
            )
        )
        .order_by("starts_at", "id")
    )
    meetings = [t for t in trainings if t.kind == Training.Kind.EXECUTION_MEETING]
    held = [m for m in meetings if m.held_at is not None]
    meeting = held[-1] if held else (meetings[0] if meetings else None)
    groups = {
        tm.person_id: tm.group.display_name if tm.group else ""
        for tm in TeamMember.objects.filter(event=event).select_related("group")
    }
    attendance = (
        [
            AttendanceLine(
                person=r.person, group=groups.get(r.person_id, ""), attended=r.attended, note=r.note
            )
            for r in meeting.attendance.all()
        ]
        if meeting is not None
        else []
    )
    specials = [
        TrainingSummary(t, *_split(list(t.attendance.all())))
        for t in trainings
        if t.kind != Training.Kind.EXECUTION_MEETING
    ]
    return MeetingMinutesData(
        organisation=organisation_get(),
        event=event,
        meeting=meeting,
        attendance=attendance,
        other_meetings=max(0, len(meetings) - 1),
        trainings=specials,
    )


# ---------------------------------------------------------------- 《执行会议纪要》 layout
def _attended_label(value: bool | None) -> str:
    if value is True:
        return _("已出席")
    if value is False:
        return _("缺席")
    return _("未登记")


def _attendance_table(lines: list[AttendanceLine]) -> Block:
    return table(
        [_("序号"), _("姓名"), _("部门"), _("所在组"), _("出席情况"), _("备注")],
        [
            Row(
                [
                    Cell(str(i)),
                    Cell(person_label(a.person)),
                    Cell(a.person.department.display_name if a.person.department else "—"),
                    Cell(a.group or "—"),
                    Cell(_attended_label(a.attended), bold=a.attended is False),
                    Cell(a.note or ""),
                ]
            )
            for i, a in enumerate(lines, start=1)
        ],
        widths=[1, 3, 2, 2, 2, 3],
        align=["center", "left", "left", "left", "center", "left"],
        key="attendance",
    )


def _attendance_summary(lines: list[AttendanceLine]) -> str:
    attended = sum(1 for a in lines if a.attended is True)
    missed = [a for a in lines if a.attended is False]
    text = _("应到 %(expected)s 人,实到 %(attended)s 人,缺席 %(missed)s 人") % {
        "expected": len(lines),
        "attended": attended,
        "missed": len(missed),
    }
    unrecorded = sum(1 for a in lines if a.attended is None)
    if unrecorded:
        text += _(",未登记 %(n)s 人") % {"n": unrecorded}
    if missed:
        text += _("。缺席:%(names)s") % {"names": "、".join(a.person.name for a in missed)}
    return text


def _names(people: list[User]) -> str:
    return "、".join(u.name for u in people) or "—"


def _trainings_table(trainings: list[TrainingSummary], tz: Any) -> Block:
    return table(
        [_("培训"), _("类别"), _("时间"), _("讲师"), _("出席"), _("缺席")],
        [
            Row(
                [
                    Cell(t.training.title),
                    Cell(str(t.training.get_kind_display())),
                    Cell(fmt_datetime(t.training.starts_at, tz)),
                    Cell(t.training.trainer.name if t.training.trainer else placeholder()),
                    Cell(_names(t.attended)),
                    Cell(_names(t.missed)),
                ]
            )
            for t in trainings
        ],
        widths=[3, 2, 3, 2, 3, 3],
        key="trainings",
    )


def meeting_minutes_layout(data: MeetingMinutesData) -> Layout:
    event, m = data.event, data.meeting
    tz = event.tz
    if m is not None:
        status = _("已召开") if m.held_at is not None else _("尚未召开")
        meeting_pairs = [
            (_("会议名称"), m.title),
            (_("会议时间"), fmt_datetime(m.held_at or m.starts_at, tz)),
            (_("时长"), _("%(n)s 分钟") % {"n": m.duration_minutes}),
            (_("会议地点"), text_or_placeholder(m.location)),
            (_("主持人"), person_label(m.trainer)),
            (_("会议状态"), status),
            (_("出席情况"), _attendance_summary(data.attendance) if data.attendance else placeholder()),
        ]
    else:
        meeting_pairs = [(_("会议名称"), _("尚未安排执行会议"))]
    intro = event_header_pairs(event) + meeting_pairs
    parts: list[tuple[str, list[Block]]] = [
        (_("会议议程"), [Text(text_or_placeholder(m.agenda if m else ""))]),
        (_("岗位职责说明"), [Text(text_or_placeholder(m.roles_covered if m else ""))]),
        (_("应急话术"), [Text(text_or_placeholder(m.scripts_covered if m else ""))]),
        (
            _("出席情况"),
            [_attendance_table(data.attendance)]
            + ([Text(_attendance_summary(data.attendance))] if data.attendance else []),
        ),
        (_("会议纪要"), [Text(text_or_placeholder(m.minutes if m else ""))]),
        (_("专项培训"), [_trainings_table(data.trainings, tz)]),
    ]
    headings = numbered_headings([heading for heading, _blocks in parts])
    sections = [Section(h, blocks) for h, (_heading, blocks) in zip(headings, parts, strict=True)]
    layout = document_layout_of("meeting-minutes", _("执行会议纪要"), data, intro, sections)
    if m is not None and m.held_at is None:
        layout.notes.append(_("会议尚未召开:本纪要为会前议程稿,召开后请登记实际时间、出席情况和纪要。"))
    if data.other_meetings:
        layout.notes.append(
            _("本活动另有 %(n)s 次执行会议记录,本纪要为最近一次召开的会议。") % {"n": data.other_meetings}
        )
    return layout
