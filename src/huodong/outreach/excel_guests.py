"""The guest list in and out of Excel (issue 9, point 1): import from .xlsx (python-calamine) or CSV (UTF-8
with or without BOM, or GB18030 — what Chinese Excel saves), export to .xlsx (openpyxl, write-only), and
the empty template.

Columns (first row; Chinese or English headers, in any order; only 姓名 is required)::

    姓名 | 公司 | 职务 | 手机 | 邮箱 | 类别 | 邀请部门 | 备注
    Name | Company | Title | Mobile | E-mail | Category | Department | Note

类别 is read as a label (Chinese or English) or a code (客户 / Customer / customer); 邀请部门 as a
department's name (Chinese or English) or code.

**Import** (``guests_import``): a file that cannot be read (not Excel or CSV, no header row with 姓名, too
large) is refused as a whole and nothing is written (``ImportRefused``, 400). Otherwise EVERY row is checked
first (``check_rows``: the name, the phone — mainland or international, E.164 — the e-mail's syntax, the
category, the department), then, in one transaction under the event's lock, duplicates by phone or e-mail —
within the file and against the list — are merged (empty fields filled, existing values kept) or reported,
as the user chose (``on_duplicate``). Good rows are written; bad rows are refused and reported by row
number (as Excel shows it: the header is row 1) with the column and the reason. The report says how many
rows were imported, merged and refused. A file of more than ``INLINE_ROWS`` rows is imported in the worker
(``jobs``), with progress.

Speed (``bench/bench_guest_import.py``: 100,000 rows): phone numbers of the common shape (11-digit mainland
mobiles) are checked by pattern and their 7-digit prefix by ``phonenumbers`` once; e-mail domains by
``email-validator`` once each; the pinyin sort key per character once.

**Export** (``guests_workbook``): the filtered list, every export written to the audit log (PIPL: who
exported whose data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Joined, audit_record, message_render
from huodong.core.audit import Message as AuditMessage
from huodong.core.errors import DomainError
from huodong.core.imports import RowProblem
from huodong.core.models import Department, User
from huodong.core.text import text_problem
from huodong.events.access import Need, event_for, step_require
from huodong.events.models import Event

from . import contact
from .models import Guest, GuestCategory, GuestStatus
from .rules import OUTREACH_STEPS, outreach_event_lock
from .services.guests import COMPANY_MAX, NAME_MAX, NOTE_MAX, TITLE_MAX, WHAT, sort_key

FIELDS = ("name", "company", "title", "phone", "email", "category", "department", "note")
HEADERS = ("姓名", "公司", "职务", "手机", "邮箱", "类别", "邀请部门", "备注")
HEADERS_EN = ("Name", "Company", "Title", "Mobile", "E-mail", "Category", "Department", "Note")
ALIASES: dict[str, str] = {
    **{h.casefold(): f for h, f in zip(HEADERS, FIELDS, strict=True)},
    **{h.casefold(): f for h, f in zip(HEADERS_EN, FIELDS, strict=True)},
    **{
        a.casefold(): f
        for f, names in {
            "name": ("名字", "嘉宾姓名", "full name"),
            "company": ("单位", "公司名称", "工作单位", "organisation", "organization"),
            "title": ("职位", "岗位", "position", "job title"),
            "phone": (
                "手机号",
                "手机号码",
                "电话",
                "联系电话",
                "phone",
                "mobile phone",
                "phone number",
                "tel",
            ),
            "email": ("邮件", "电子邮箱", "电子邮件", "email", "mail", "email address"),
            "category": ("嘉宾类别", "类型", "type"),
            "department": ("部门", "邀约部门", "inviting department", "dept"),
            "note": ("说明", "备注说明", "notes", "remark", "remarks"),
        }.items()
        for a in names
    },
}
SHEET, SHEET_EN = "嘉宾名单", "Guests"
INLINE_ROWS = 2000  # more rows: the import runs in the worker with a progress bar
MAX_IMPORT_BYTES = 40 * 1024 * 1024
MAX_IMPORT_ROWS = 200_000
MAX_IMPORT_COLUMNS = 100
PROGRESS_EVERY = 500
PROBLEMS_KEPT = 2000  # problems kept in a report (the count is always exact)
EXCEL_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class OnDuplicate:
    MERGE = "merge"  # fill the empty fields of the guest already there, keep its values
    REPORT = "report"  # refuse the row, naming the guest already there
    ALL = (MERGE, REPORT)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def headers() -> tuple[str, ...]:
    return HEADERS_EN if _english() else HEADERS


def _zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return force_str(label)


def _en(label: Any) -> str:
    with translation.override("en"):
        return force_str(label)


# ---------------------------------------------------------------- problems
class Problem(RowProblem):
    """One refused row of a guest file (``core.imports.RowProblem``); the reason is kept as a message code
    too, so a report read later shows it in the reader's language (``problem_reason``)."""

    def as_dict(self) -> dict[str, Any]:
        out = {**super().as_dict(), "reason": force_str(self.reason)}
        if isinstance(self.reason, AuditMessage):
            out["said"] = {"key": self.reason.key, "params": self.reason.params}
        return out


def problem_reason(problem: dict[str, Any]) -> str:
    """The reason of a stored problem in the active language (the stored text for an older report)."""
    said = problem.get("said") or {}
    return message_render(str(said.get("key") or ""), said.get("params"), str(problem.get("reason") or ""))


class ImportRefused(DomainError):
    """The file itself cannot be imported (nothing was written)."""

    code = "import_refused"

    def __init__(self, reason: Any) -> None:
        self.problems = [Problem(0, "", reason)]
        super().__init__({"file": [reason]})


# ---------------------------------------------------------------- reading the file
@dataclass
class Table:
    name: str  # the sheet's name, or "CSV"
    columns: dict[str, int]  # field → column index
    headers: dict[str, str]  # field → the header as written
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _columns(first: list[Any]) -> tuple[dict[str, int], dict[str, str]]:
    columns: dict[str, int] = {}
    shown: dict[str, str] = {}
    for i, value in enumerate(first):
        text = str(value).strip().casefold() if value is not None else ""
        key = ALIASES.get(text)
        if key and key not in columns:
            columns[key] = i
            shown[key] = str(value).strip()
    return columns, shown


def _missing_header(where: str) -> ImportRefused:
    return ImportRefused(
        _("%(where)s的第 1 行不是表头:须有「姓名」列(可选:%(others)s)。请下载模板填写。")
        % {"where": where, "others": "、".join(headers()[1:])}
    )


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (Chinese Excel's "CSV" is GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportRefused(
            _("无法识别 CSV 文件的编码:请另存为 UTF-8 或 GBK 编码的 CSV,或上传 Excel 文件。")
        ) from None


def read_table(data: bytes, filename: str = "") -> Table:
    """The guest rows of an .xlsx or CSV file, or ``ImportRefused`` saying why it cannot be read."""
    if not data:
        raise ImportRefused(_("文件是空的。"))
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            _("文件大小为 %(size)s,超过导入上限 %(limit)s。")
            % {"size": _size_text(len(data)), "limit": _size_text(MAX_IMPORT_BYTES)}
        )
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return _read_excel(data, filename)
    if b"\x00" in data[:4096]:
        raise ImportRefused(
            _("「%(name)s」既不是 Excel 文件也不是 CSV 文件;请上传 .xlsx 或 .csv 文件。")
            % {"name": filename or _("该文件")}
        )
    return _read_csv(data)


def _read_excel(data: bytes, filename: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        chosen = None
        for name in sorted(wb.sheet_names, key=lambda n: n.strip() not in (SHEET, SHEET_EN)):
            sheet = wb.get_sheet_by_name(name)
            first = sheet.to_python(skip_empty_area=False, nrows=1)
            columns, shown = _columns(first[0] if first else [])
            if "name" in columns:
                chosen = (name, sheet, columns, shown)
                break
        if chosen is None:
            raise _missing_header("、".join(f"「{n}」" for n in wb.sheet_names) or str(_("工作表")))
        name, sheet, columns, shown = chosen
        end = sheet.end
        last_row, last_col = (end[0] + 1, end[1] + 1) if end else (0, 0)
        if last_row - 1 > MAX_IMPORT_ROWS:
            raise ImportRefused(
                _("工作表「%(sheet)s」有 %(n)s 行数据,超过 %(max)s 行的上限;请分批导入。")
                % {"sheet": name, "n": f"{last_row - 1:,}", "max": f"{MAX_IMPORT_ROWS:,}"}
            )
        if last_col > MAX_IMPORT_COLUMNS:
            raise ImportRefused(
                _("工作表「%(sheet)s」的第 %(last)s 列还有数据,超过 %(max)s 列的上限;请删除多余的列。")
                % {"sheet": name, "last": last_col, "max": MAX_IMPORT_COLUMNS}
            )
        cells = sheet.to_python(skip_empty_area=False)
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — calamine raises its own errors (zip, xml, password, …)
        if type(exc).__name__ == "PasswordError":
            raise ImportRefused(_("该 Excel 文件有密码保护;请取消密码后再导入。")) from exc
        raise ImportRefused(
            _("无法读取「%(name)s」:请上传 .xlsx 或 .csv 文件(可先下载模板)。")
            % {"name": filename or _("该文件")}
        ) from exc
    return Table(name=name, columns=columns, headers=shown, rows=_data_rows(cells, columns))


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    try:
        sample = text[:4096]
        dialect: Any = csv.excel
        if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
            dialect = csv.excel_tab
        elif sample.count(";") > sample.count(","):
            dialect = type("semicolon", (csv.excel,), {"delimiter": ";"})
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        cells = []
        for i, row in enumerate(reader):
            if i > MAX_IMPORT_ROWS:
                raise ImportRefused(
                    _("CSV 文件超过 %(max)s 行的上限;请分批导入。") % {"max": f"{MAX_IMPORT_ROWS:,}"}
                )
            cells.append(row[:MAX_IMPORT_COLUMNS])
    except csv.Error as exc:
        raise ImportRefused(_("CSV 文件格式有误:%(e)s。") % {"e": str(exc)[:100]}) from exc
    if not cells:
        raise ImportRefused(_("文件是空的。"))
    columns, shown = _columns(cells[0])
    if "name" not in columns:
        raise _missing_header(str(_("CSV 文件")))
    return Table(name="CSV", columns=columns, headers=shown, rows=_data_rows(cells, columns))


def _data_rows(cells: list[list[Any]], columns: dict[str, int]) -> list[tuple[int, list[Any]]]:
    used = sorted(columns.values())
    rows = [
        (i + 1, r)
        for i, r in enumerate(cells)
        if i > 0 and any(r[c] not in ("", None) for c in used if c < len(r))
    ]
    if not rows:
        raise ImportRefused(_("文件除表头外没有数据。"))
    return rows


# ---------------------------------------------------------------- checking rows (fast paths, same rules)
_MAINLAND = re.compile(r"^(?:\+86|0086)?(1\d{10})$")
_STRIP = str.maketrans("", "", " -()\u00a0")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


class Checker:
    """Phone and e-mail checks with memos: the result is exactly ``contact.normalise_phone`` /
    ``normalise_email``'s, computed once per mainland prefix and per e-mail domain."""

    def __init__(self) -> None:
        self.prefixes: dict[str, bool] = {}
        self.domains: dict[str, str | None] = {}

    def phone(self, raw: str) -> str:
        m = _MAINLAND.match(raw.translate(_STRIP))
        if m is None:
            return contact.normalise_phone(raw)
        digits = m.group(1)
        prefix = digits[:7]  # validity of a mainland mobile depends on its first digits (号段) only
        ok = self.prefixes.get(prefix)
        if ok is None:
            try:
                contact.normalise_phone(digits)
                ok = True
            except ValueError:
                ok = False
            self.prefixes[prefix] = ok
        if not ok:
            return contact.normalise_phone(raw)  # raises with the message
        return "+86" + digits

    def email(self, raw: str) -> str:
        text = raw.strip()
        local, at, domain = text.rpartition("@")
        if not at or not text.isascii() or len(text) > 254 or len(local) > 64 or not _LOCAL.match(local):
            return contact.normalise_email(raw)
        key = domain.lower()
        if key not in self.domains:
            try:
                self.domains[key] = contact.normalise_email("x@" + domain).split("@", 1)[1]
            except ValueError:
                self.domains[key] = None
        normal = self.domains[key]
        if normal is None:
            return contact.normalise_email(raw)  # raises with the message
        return f"{local}@{normal}".lower()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _lookup(choices: Any) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in choices.choices:
        for key in (code, _zh(label), _en(label)):
            table[key.strip().casefold()] = code
    return table


def _departments() -> dict[str, Department]:
    table: dict[str, Department] = {}
    for d in Department.objects.filter(is_active=True):
        for key in (d.code, d.name, d.name_en):
            if key:
                table.setdefault(key.strip().casefold(), d)
    return table


@dataclass
class Candidate:
    number: int
    values: dict[str, Any]  # the FIELDS; category None when the cell was empty
    merged_rows: list[int] = field(default_factory=list)


def check_rows(
    table: Table, *, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Candidate], list[Problem]]:
    """Every row checked on its own (before any duplicate is looked at): the rows that are good, and every
    problem of every bad row."""
    checker = Checker()
    categories = _lookup(GuestCategory)
    departments = _departments()
    limits = {"name": NAME_MAX, "company": COMPANY_MAX, "title": TITLE_MAX, "note": NOTE_MAX}
    col = table.columns
    shown = table.headers
    items = [(f, col[f]) for f in FIELDS if f in col]
    good: list[Candidate] = []
    problems: list[Problem] = []
    total = len(table.rows)
    for n, (number, cells) in enumerate(table.rows, start=1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n, total)
        width = len(cells)
        values: dict[str, Any] = dict.fromkeys(FIELDS, "")
        values["category"] = None
        values["department"] = None
        bad: list[Problem] = []
        for f, i in items:
            text = _text(cells[i]) if i < width else ""
            if not text:
                continue
            if f in limits:
                problem = text_problem(text, multiline=f == "note")
                problem = AuditMessage(problem) if problem is not None else None
                if problem is None and len(text) > limits[f]:
                    problem = AuditMessage(
                        _("最多 %(n)s 个字(现为 %(len)s 个)。"), n=limits[f], len=len(text)
                    )
                if problem is not None:
                    bad.append(Problem(number, shown[f], problem))
                    continue
                values[f] = text
            elif f == "phone":
                try:
                    values[f] = checker.phone(text)
                except ValueError as exc:
                    bad.append(Problem(number, shown[f], getattr(exc, "said", None) or str(exc)))
            elif f == "email":
                try:
                    values[f] = checker.email(text)
                except ValueError as exc:
                    bad.append(Problem(number, shown[f], getattr(exc, "said", None) or str(exc)))
            elif f == "category":
                code = categories.get(text.casefold())
                if code is None:
                    bad.append(
                        Problem(
                            number,
                            shown[f],
                            AuditMessage(
                                _("须为以下之一:%(allowed)s(现为「%(v)s」)。"),
                                allowed=Joined([label for _c, label in GuestCategory.choices]),
                                v=text[:30],
                            ),
                        )
                    )
                values[f] = code
            elif f == "department":
                dept = departments.get(text.casefold())
                if dept is None:
                    bad.append(
                        Problem(
                            number,
                            shown[f],
                            AuditMessage(
                                _("找不到启用中的部门「%(v)s」;请填写部门名称或代码。"), v=text[:40]
                            ),
                        )
                    )
                values[f] = dept
        if not values["name"] and not any(p.column == shown.get("name") for p in bad):
            bad.append(Problem(number, shown["name"], AuditMessage(_("不能为空。"))))
        if bad:
            problems.extend(bad)
        else:
            good.append(Candidate(number=number, values=values))
    if progress is not None:
        progress(total, total)
    return good, problems


# ---------------------------------------------------------------- duplicates and writing
MERGED_FIELDS = ("company", "title", "phone", "email", "category", "department", "note")


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    merged: int = 0
    refused: int = 0
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""
    file: str = ""
    on_duplicate: str = OnDuplicate.MERGE

    def as_dict(self) -> dict[str, Any]:
        refused_rows = sorted({p.row for p in self.problems if p.row})
        return {
            "rows": self.rows,
            "imported": self.imported,
            "merged": self.merged,
            "refused": self.refused,
            "refused_rows": refused_rows[:PROBLEMS_KEPT],
            "problems": [p.as_dict() for p in self.problems[:PROBLEMS_KEPT]],
            "problems_total": len(self.problems),
            "sheet": self.sheet,
            "file": self.file,
            "on_duplicate": self.on_duplicate,
        }


def _fill(target: dict[str, Any], source: dict[str, Any]) -> list[str]:
    """Fill ``target``'s empty fields from ``source``; the fields filled."""
    filled = []
    for f in MERGED_FIELDS:
        if target.get(f) in ("", None) and source.get(f) not in ("", None):
            target[f] = source[f]
            filled.append(f)
    return filled


def _dup_problem(number: int, column: str, text: Any) -> Problem:
    return Problem(number, column, text)


@transaction.atomic
def write_rows(
    *,
    actor: User | None,
    event: Event | int,
    candidates: list[Candidate],
    problems: list[Problem],
    table: Table,
    on_duplicate: str,
    filename: str,
    system: bool = False,
) -> ImportReport:
    """Under the event's lock: duplicates within the file and against the list merged or reported, the
    new guests written, the merged guests' empty fields filled; one audit row."""
    locked = outreach_event_lock(actor=actor, event=event, what=WHAT, system=system)
    merge = on_duplicate == OnDuplicate.MERGE
    phone_col, email_col = table.headers.get("phone", "手机"), table.headers.get("email", "邮箱")
    problems = list(problems)
    merged = 0
    # 1. within the file: the first row with a phone or e-mail wins, later ones merge into it (or are refused)
    kept: list[Candidate] = []
    by_phone: dict[str, Candidate] = {}
    by_email: dict[str, Candidate] = {}
    for c in candidates:
        v = c.values
        a = by_phone.get(v["phone"]) if v["phone"] else None
        b = by_email.get(v["email"]) if v["email"] else None
        if a is not None and b is not None and a is not b:
            problems.append(
                _dup_problem(
                    c.number,
                    "",
                    AuditMessage(
                        _("手机号与第 %(a)s 行相同,邮箱与第 %(b)s 行相同,无法合并。"), a=a.number, b=b.number
                    ),
                )
            )
            continue
        first = a or b
        if first is None:
            kept.append(c)
            if v["phone"]:
                by_phone[v["phone"]] = c
            if v["email"]:
                by_email[v["email"]] = c
            continue
        column = phone_col if a is not None else email_col
        if not merge:
            problems.append(
                _dup_problem(c.number, column, AuditMessage(_("与第 %(row)s 行重复。"), row=first.number))
            )
            continue
        # merging must not give the first row a phone or e-mail that another row holds
        if v["phone"] and not first.values["phone"] and v["phone"] in by_phone:
            problems.append(
                _dup_problem(
                    c.number,
                    phone_col,
                    AuditMessage(_("与第 %(row)s 行重复。"), row=by_phone[v["phone"]].number),
                )
            )
            continue
        if v["email"] and not first.values["email"] and v["email"] in by_email:
            problems.append(
                _dup_problem(
                    c.number,
                    email_col,
                    AuditMessage(_("与第 %(row)s 行重复。"), row=by_email[v["email"]].number),
                )
            )
            continue
        _fill(first.values, v)
        if first.values["phone"]:
            by_phone[first.values["phone"]] = first
        if first.values["email"]:
            by_email[first.values["email"]] = first
        first.merged_rows.append(c.number)
        merged += 1
    # 2. against the list
    existing_phone: dict[str, int] = {}
    existing_email: dict[str, int] = {}
    names: dict[int, str] = {}
    for pk, name, phone, email in (
        Guest.objects.filter(event=locked)
        .values_list("id", "name", "phone", "email")
        .iterator(chunk_size=5000)
    ):
        if phone:
            existing_phone[phone] = pk
        if email:
            existing_email[email] = pk
        names[pk] = name
    new: list[Candidate] = []
    into: dict[int, list[Candidate]] = {}
    for c in kept:
        v = c.values
        pa = existing_phone.get(v["phone"]) if v["phone"] else None
        pb = existing_email.get(v["email"]) if v["email"] else None
        if pa is not None and pb is not None and pa != pb:
            problems.append(
                _dup_problem(
                    c.number,
                    "",
                    AuditMessage(
                        _("手机号属于嘉宾「%(a)s」,邮箱属于嘉宾「%(b)s」,无法合并。"),
                        a=names[pa],
                        b=names[pb],
                    ),
                )
            )
            continue
        target = pa or pb
        if target is None:
            new.append(c)
            continue
        if not merge:
            problems.append(
                _dup_problem(
                    c.number,
                    phone_col if pa is not None else email_col,
                    AuditMessage(
                        _("已在名单中:嘉宾「%(name)s」(编号 %(id)s)。"), name=names[target], id=target
                    ),
                )
            )
            continue
        into.setdefault(target, []).append(c)
    # 3. write: the new guests, then the merged guests' empty fields
    _insert_guests(locked, new)
    updated = _merge_existing(locked, into, existing_phone, existing_email, problems, phone_col, email_col)
    merged += sum(len(cs) for cs in into.values())
    refused_rows = {p.row for p in problems if p.row}
    report = ImportReport(
        rows=len(table.rows),
        imported=len(new),
        merged=merged - _refused_among(into, refused_rows),
        refused=len(refused_rows),
        problems=sorted(problems, key=lambda p: (p.row, p.column)),
        sheet=table.name,
        file=filename,
        on_duplicate=on_duplicate,
    )
    audit_record(
        actor=actor,
        action="outreach.guest.import",
        target=locked,
        event_id=locked.pk,
        summary=AuditMessage(
            _("导入嘉宾「%(file)s」:新增 %(i)s,合并 %(m)s,拒绝 %(r)s"),
            file=filename or table.name,
            i=report.imported,
            m=report.merged,
            r=report.refused,
        ),  # fmt: skip
        after={k: v for k, v in report.as_dict().items() if k not in ("problems", "refused_rows")}
        | {"updated_guests": updated[:1000]},
    )
    return report


def _insert_guests(event: Event, new: list[Candidate]) -> None:
    """Insert the new guests with one prepared INSERT run for every row (``bulk_create`` builds a model
    and a statement per 40 rows on SQLite: 100,000 guests took 9 s of the 10). The columns are the
    model's, each value prepared by its field, so the rows are what ``Guest.objects.create`` writes. The
    caller holds the event's lock."""
    if not new:
        return
    from .models import new_access_key

    meta = Guest._meta
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    varying = {
        "name",
        "company",
        "title",
        "phone",
        "email",
        "category",
        "department",
        "note",
        "sort_key",
        "access_key",
    }
    constant = {
        "event": event.pk,
        "status": GuestStatus.INVITED.value,
        "source": Guest.Source.IMPORT.value,
        "created_at": now,
    }
    fixed: dict[str, Any] = {}
    for f in fields:
        if f.name in varying:
            continue
        value = constant[f.name] if f.name in constant else f.get_default()
        fixed[f.name] = f.get_db_prep_save(value, connection)
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    names = [f.name for f in fields]
    params = []
    for c in new:
        v = c.values
        row = {
            **v,
            "category": v["category"] or GuestCategory.CUSTOMER.value,
            "department": v["department"].pk if v["department"] is not None else None,
            "sort_key": sort_key(v["name"]),
            "access_key": new_access_key(),
        }
        params.append([row[n] if n in varying else fixed[n] for n in names])
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


def _refused_among(into: dict[int, list[Candidate]], refused: set[int]) -> int:
    return sum(1 for cs in into.values() for c in cs if c.number in refused)


def _merge_existing(
    event: Event,
    into: dict[int, list[Candidate]],
    existing_phone: dict[str, int],
    existing_email: dict[str, int],
    problems: list[Problem],
    phone_col: str,
    email_col: str,
) -> list[int]:
    """Fill the empty fields of the guests already on the list from the rows that match them (the guests
    locked by id); one prepared UPDATE run for every changed guest."""
    ids = sorted(into)
    changed: list[Guest] = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for guest in Guest.objects.select_for_update().filter(pk__in=chunk).order_by("id"):
            current = {
                f: getattr(guest, f) if f != "department" else guest.department_id for f in MERGED_FIELDS
            }
            dirty = False
            for c in into[guest.pk]:
                v = dict(c.values)
                if v["department"] is not None:
                    v["department"] = v["department"].pk
                # a phone or e-mail the guest lacks but another guest of the list holds is not taken
                if (
                    v["phone"]
                    and not current["phone"]
                    and existing_phone.get(v["phone"], guest.pk) != guest.pk
                ):
                    problems.append(
                        Problem(c.number, phone_col, AuditMessage(_("该手机号已属于名单中的另一位嘉宾。")))
                    )
                    continue
                if (
                    v["email"]
                    and not current["email"]
                    and existing_email.get(v["email"], guest.pk) != guest.pk
                ):
                    problems.append(
                        Problem(c.number, email_col, AuditMessage(_("该邮箱已属于名单中的另一位嘉宾。")))
                    )
                    continue
                if _fill(current, v):
                    dirty = True
                    if current["phone"]:
                        existing_phone[str(current["phone"])] = guest.pk
                    if current["email"]:
                        existing_email[str(current["email"])] = guest.pk
            if dirty:
                for f in MERGED_FIELDS:
                    setattr(guest, f if f != "department" else "department_id", current[f])
                guest.revision += 1
                changed.append(guest)
    if changed:
        meta = Guest._meta
        fields: list[Any] = [meta.get_field(f) for f in (*MERGED_FIELDS, "revision")]
        qn = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in fields), qn(str(meta.pk.column))
        )
        params = [
            [*(f.get_db_prep_save(getattr(g, f.attname), connection) for f in fields), g.pk] for g in changed
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return [g.pk for g in changed]


# ---------------------------------------------------------------- the import as a whole
def read_upload(file: Any) -> tuple[bytes, str]:
    if file is None:
        raise DomainError({"file": [_("请选择要导入的 Excel 或 CSV 文件。")]})
    name = str(getattr(file, "name", "") or "").rsplit("/", 1)[-1][:200]
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > MAX_IMPORT_BYTES:
        raise ImportRefused(
            _("文件大小为 %(size)s,超过导入上限 %(limit)s。")
            % {"size": _size_text(size), "limit": _size_text(MAX_IMPORT_BYTES)}
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_IMPORT_BYTES + 1)
    return (data if isinstance(data, bytes) else bytes(data or b"")), name


def import_data(
    *,
    actor: User | None,
    event: Event | int,
    data: bytes,
    filename: str = "",
    on_duplicate: str = OnDuplicate.MERGE,
    progress: Callable[[int, int], None] | None = None,
    system: bool = False,
    table: Table | None = None,
) -> ImportReport:
    """Read, check every row, then write (the worker's import and the inline one)."""
    table = table or read_table(data, filename)
    candidates, problems = check_rows(table, progress=progress)
    return write_rows(
        actor=actor,
        event=event,
        candidates=candidates,
        problems=problems,
        table=table,
        on_duplicate=on_duplicate,
        filename=filename,
        system=system,
    )


def guests_import(
    *,
    actor: User | None,
    event: Event | int,
    file: Any = None,
    data: bytes | None = None,
    filename: str = "",
    on_duplicate: str = OnDuplicate.MERGE,
) -> Any:
    """Import a guest list (editors only). The file is read first: unreadable → ``ImportRefused``, nothing
    written. Up to ``INLINE_ROWS`` rows: imported now, returns the finished Job with its report. More: a
    Job queued for the worker (the page shows its progress)."""
    from .jobs import job_run_inline, job_start
    from .models import Job

    if on_duplicate not in OnDuplicate.ALL:
        raise DomainError({"on_duplicate": [_("重复处理方式须为 merge(合并)或 report(报告)。")]})
    seen = event_for(actor, event, Need.EDIT)
    step_require(seen, OUTREACH_STEPS, WHAT)  # checked again on the locked event when the rows are written
    if data is None:
        data, filename = read_upload(file)
    table = read_table(data, filename)
    params = {"on_duplicate": on_duplicate, "filename": filename, "rows": len(table.rows)}
    if len(table.rows) > INLINE_ROWS:
        with transaction.atomic():
            return job_start(
                event=seen,
                kind=Job.Kind.IMPORT,
                actor=actor,
                params=params,
                upload=(filename or "guests", data),
            )
    return job_run_inline(
        event=seen, kind=Job.Kind.IMPORT, actor=actor, params=params, data=data, table=table
    )


# ---------------------------------------------------------------- export and template
def _workbook_bytes(rows: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, width in enumerate((14, 28, 16, 18, 28, 12, 14, 40, 10, 12, 18), start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    first = True
    bold = Font(bold=True)
    for row in rows:
        if first:
            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=value)
                cell.font = bold
                cells.append(cell)
            ws.append(cells)
            first = False
        else:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """The empty guest list: the header row in the reader's language (the import reads both)."""
    return _workbook_bytes([list(headers())], SHEET_EN if _english() else SHEET)


def export_headers() -> list[str]:
    extra = ("Status", "Source", "Registered at") if _english() else ("状态", "来源", "报名时间")
    return [*headers(), *extra]


def guests_workbook(
    *, actor: User | None, event: Event, guests: Iterable[Guest], filters: dict[str, Any]
) -> bytes:
    """The guests as .xlsx (the same columns the import reads, plus status, source and registration
    time), written row by row; the export is written to the audit log with its filters and count."""
    english = _english()
    cats = {c: (_en(lbl) if english else _zh(lbl)) for c, lbl in GuestCategory.choices}
    statuses = {c: (_en(lbl) if english else _zh(lbl)) for c, lbl in GuestStatus.choices}
    sources = {c: (_en(lbl) if english else _zh(lbl)) for c, lbl in Guest.Source.choices}
    depts = {d.pk: (d.name_en or d.name) if english else d.name for d in Department.objects.all()}
    count = 0

    def rows() -> Iterable[list[Any]]:
        nonlocal count
        yield export_headers()
        for g in guests:
            count += 1
            yield [
                g.name,
                g.company,
                g.title,
                contact.display_phone(g.phone),
                g.email,
                cats.get(g.category, g.category),
                depts.get(g.department_id, "") if g.department_id else "",
                g.note,
                statuses.get(g.status, g.status),
                sources.get(g.source, g.source),
                timezone.localtime(g.registered_at, event.tz).strftime("%Y-%m-%d %H:%M")
                if g.registered_at
                else "",
            ]

    content = _workbook_bytes(rows(), SHEET_EN if english else SHEET)
    audit_record(
        actor=actor,
        action="outreach.guest.export",
        target=event,
        event_id=event.pk,
        summary=AuditMessage(_("导出嘉宾名单 %(n)s 人"), n=count),
        after={"count": count, "filters": filters},
    )
    return content


def export_filename(event: Event) -> str:
    return f"嘉宾名单-{event.name}.xlsx".replace("/", "-").replace("\\", "-")
