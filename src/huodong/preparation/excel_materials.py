"""《活动物料明细表》 as Excel (MT-1): export with openpyxl, import with python-calamine, the SAME columns.

One sheet, 物料明细, whose first row is the header::

    类别 | 物料名称 | 数量 | 规格 | 负责人 | 截止日期 | 供应商 | 状态 | 备注

Category and status are written as their Chinese labels and read as labels (Chinese or English) or codes;
负责人 is read as a username or a person's name (written as the name, or the username when two active
people share it); 供应商 by its name in the vendor register; 截止日期 as an Excel date (or text such as
2027-03-10).

**Import** (``materials_import``): the whole file is read and EVERY row checked before anything is
written; a single bad row refuses the whole import (``ImportRefused``, every bad row listed with its row
number as Excel shows it — the header is row 1 — the column and the reason). A file that is not Excel,
has no sheet with these headers, lacks a column, is larger than ``MAX_IMPORT_BYTES`` or has more than
``MAX_IMPORT_ROWS`` rows is refused with a message saying so. Rows are matched to the event's items by
(类别, 物料名称): a match is updated, anything else created, all in one transaction. An empty 状态 keeps
a matched item's status (a new one starts 待下单); every other empty cell empties its field. A row with
状态 不再需要 takes its reason from 备注, unless the item was already 不再需要 with a reason.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record
from huodong.core.errors import DomainError
from huodong.core.imports import RowProblem
from huodong.core.models import User
from huodong.core.text import text_problem
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from .models import MaterialItem, Vendor
from .rules import preparation_event_lock
from .services.materials import (
    NAME_MAX,
    NOTE_MAX,
    SPEC_MAX,
    WHAT,
    due_problem,
    materials_of,
    next_position,
    quantity_problem,
)

SHEET = "物料明细"
HEADERS: tuple[str, ...] = (
    "类别",
    "物料名称",
    "数量",
    "规格",
    "负责人",
    "截止日期",
    "供应商",
    "状态",
    "备注",
)
# The same columns in English: an English reader exports with these, and either set is read back.
SHEET_EN = "Materials"
HEADERS_EN: tuple[str, ...] = (
    "Category",
    "Item",
    "Quantity",
    "Specification",
    "Owner",
    "Deadline",
    "Vendor",
    "Status",
    "Note",
)
HEADER_ALIASES: dict[str, str] = {en.lower(): zh for en, zh in zip(HEADERS_EN, HEADERS, strict=True)}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def headers() -> tuple[str, ...]:
    """The column headers in the active language (the import reads both)."""
    return HEADERS_EN if _english() else HEADERS


def sheet_title() -> str:
    return SHEET_EN if _english() else SHEET


def _canonical(header: Any) -> str:
    text = str(header).strip() if header is not None else ""
    return HEADER_ALIASES.get(text.lower(), text)


FIELDS: tuple[str, ...] = ("kind", "name", "quantity", "spec", "owner", "due_on", "vendor", "status", "note")
WIDTHS: tuple[int, ...] = (12, 28, 8, 24, 14, 13, 24, 10, 40)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_COLUMNS = 100  # the nine columns, and room for a few of one's own (ignored)
EXCEL_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .xlsb, .ods
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")


def _zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return force_str(label)


def _en(label: Any) -> str:
    with translation.override("en"):
        return force_str(label)


def _lookup(choices: Any) -> dict[str, str]:
    """Label (Chinese, English) or code, case-folded → code."""
    table: dict[str, str] = {}
    for code, label in choices.choices:
        for key in (code, _zh(label), _en(label)):
            table[key.strip().casefold()] = code
    return table


# ---------------------------------------------------------------- export
def owner_labels(users: list[User]) -> dict[int, str]:
    """How each person is written in 负责人: their name, or their username when the name is shared."""
    names = [u.display_name for u in users if u.display_name]
    counts: dict[str, int] = {}
    for name in User.objects.filter(is_active=True, display_name__in=names).values_list(
        "display_name", flat=True
    ):
        counts[name] = counts.get(name, 0) + 1
    # A name that is also somebody's username would be read back as that person: write the username.
    taken = {n.casefold() for n in User.objects.filter(username__in=names).values_list("username", flat=True)}
    return {
        u.pk: u.display_name
        if u.display_name and counts.get(u.display_name, 0) <= 1 and u.display_name.casefold() not in taken
        else u.username
        for u in users
    }


def materials_workbook(event: Event) -> bytes:
    """《活动物料明细表》 of ``event`` as an .xlsx file: one sheet 物料明细, a bold frozen header, set widths,
    dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    items = materials_of(event)
    owners = owner_labels([m.owner for m in items if m.owner is not None])
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title()
    ws.append(list(headers()))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F4")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
    for item in items:
        ws.append(
            [
                str(MaterialItem.Kind(item.kind).label),
                item.name,
                item.quantity,
                item.spec,
                owners.get(item.owner_id, "") if item.owner_id else "",
                item.due_on,
                item.vendor.name if item.vendor is not None else "",
                str(MaterialItem.Status(item.status).label),
                item.note,
            ]
        )
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(1, len(items) + 1)}"
    title = str(_("活动物料明细表"))
    wb.properties.title = f"{title} · {event.name}"[:255]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook_filename(event: Event) -> str:
    return f"活动物料明细表-{event.name}.xlsx".replace("/", "-").replace("\\", "-")


# ---------------------------------------------------------------- import: reading the file
class Problem(RowProblem):
    """One thing wrong with the materials file (``core.imports.RowProblem``)."""


class ImportRefused(DomainError):
    """The import was refused as a whole; ``problems`` lists every bad row (and file-level problems)."""

    code = "import_refused"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        bad_rows = sorted({p.row for p in problems if p.row})
        if bad_rows:
            head = _("导入被拒绝,未写入任何数据:%(n)s 行有错误,请改正后重新导入。") % {"n": len(bad_rows)}
            messages: list[Any] = [head, *[p.message for p in problems]]
        else:
            messages = [p.message for p in problems]
        super().__init__({"file": messages})

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})


def _file_refused(reason: Any) -> ImportRefused:
    return ImportRefused([Problem(0, "", reason)])


@dataclass
class Sheet:
    name: str
    columns: dict[str, int]  # header → column index
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (Excel row number, cells)


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def read_sheet(data: bytes, filename: str = "") -> Sheet:
    """The materials sheet of an Excel file, or ``ImportRefused`` saying why it cannot be read."""
    from python_calamine import CalamineWorkbook

    if not data:
        raise _file_refused(_("文件是空的。"))
    if len(data) > MAX_IMPORT_BYTES:
        raise _file_refused(
            _("文件大小为 %(size)s,超过导入上限 %(limit)s。")
            % {"size": _size_text(len(data)), "limit": _size_text(MAX_IMPORT_BYTES)}
        )
    not_excel = _("「%(name)s」不是 Excel 文件;请上传由本系统导出或用 Excel 编辑的 .xlsx 文件。") % {
        "name": filename or _("该文件")
    }
    if not (data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC)):
        raise _file_refused(not_excel)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        headers: dict[str, list[Any]] = {}
        for name in sorted(names, key=lambda n: n.strip() not in (SHEET, SHEET_EN)):
            first = wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=1)
            headers[name] = first[0] if first else []
        chosen, columns = _choose_sheet(names, headers)
        sheet = wb.get_sheet_by_name(chosen)
        end = sheet.end
        last_row, last_col = (end[0] + 1, end[1] + 1) if end else (0, 0)
        if last_row - 1 > MAX_IMPORT_ROWS:
            raise _file_refused(
                _(
                    "工作表「%(sheet)s」的数据一直到第 %(last)s 行,超过 %(max)s 行的上限;请删除多余的行或分批导入。"
                )
                % {"sheet": chosen, "last": f"{last_row:,}", "max": f"{MAX_IMPORT_ROWS:,}"}
            )
        if last_col > MAX_IMPORT_COLUMNS:
            raise _file_refused(
                _("工作表「%(sheet)s」的第 %(last)s 列还有数据,超过 %(max)s 列的上限;请删除多余的列。")
                % {"sheet": chosen, "last": last_col, "max": MAX_IMPORT_COLUMNS}
            )
        cells = sheet.to_python(skip_empty_area=False)
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — calamine raises its own errors (zip, xml, password, …)
        if type(exc).__name__ == "PasswordError":
            raise _file_refused(_("该 Excel 文件有密码保护;请取消密码后再导入。")) from exc
        raise _file_refused(not_excel) from exc
    used = sorted(columns.values())
    rows = [
        (i + 1, r)
        for i, r in enumerate(cells)
        if i > 0 and any(r[c] not in ("", None) for c in used if c < len(r))
    ]
    if not rows:
        raise _file_refused(_("工作表「%(sheet)s」除表头外没有数据。") % {"sheet": chosen})
    return Sheet(name=chosen, columns=columns, rows=rows)


def _choose_sheet(names: list[str], headers_of: dict[str, list[Any]]) -> tuple[str, dict[str, int]]:
    """The sheet whose first row holds the headers (物料明细 first); a missing column is named."""
    shown = dict(zip(HEADERS, headers(), strict=True))  # canonical header → as the reader reads it
    expected = "、".join(headers())
    for name in sorted(names, key=lambda n: n.strip() not in (SHEET, SHEET_EN)):
        found: dict[str, int] = {}
        for i, value in enumerate(headers_of.get(name, [])):
            text = _canonical(value)
            if text in HEADERS and text not in found:
                found[text] = i
        if len(found) >= 2 or (name.strip() in (SHEET, SHEET_EN) and found):
            missing = [shown[h] for h in HEADERS if h not in found]
            if missing:
                raise _file_refused(
                    _("工作表「%(sheet)s」缺少列:%(missing)s。第 1 行须为表头:%(expected)s。")
                    % {"sheet": name, "missing": "、".join(missing), "expected": expected}
                )
            return name, found
    raise _file_refused(
        _(
            "找不到物料明细表:工作表 %(sheets)s 的第 1 行都不是表头「%(expected)s」。请使用导出的文件作为模板。"
        )
        % {"sheets": "、".join(f"「{n}」" for n in names) or "—", "expected": expected}
    )


# ---------------------------------------------------------------- import: checking every row
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> tuple[dt.date | None, Any]:
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date(), None
            except ValueError:
                continue
    return None, _("须为日期,如 2027-03-10(现为「%(v)s」)。") % {"v": _text(value)[:30]}


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    item: MaterialItem | None = None


class _Context:
    """What the rows are checked against: the event, its items, people and vendors, read once."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.kinds = _lookup(MaterialItem.Kind)
        self.statuses = _lookup(MaterialItem.Status)
        self.items: dict[tuple[str, str], MaterialItem] = {}
        for item in MaterialItem.objects.filter(event=event).order_by("-id"):
            self.items[(item.kind, item.name)] = item  # the oldest wins when (kind, name) repeats
        self.by_username: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = {}
        for user in User.objects.filter(is_active=True).only(
            "id", "username", "display_name", "first_name", "last_name"
        ):
            self.by_username[user.username.casefold()] = user
            if user.display_name:
                self.by_name.setdefault(user.display_name.strip(), []).append(user)
        self.vendors: dict[str, Vendor] = {}
        for vendor in Vendor.objects.all().only("id", "name", "is_active"):
            self.vendors[vendor.name.strip().casefold()] = vendor

    def person(self, text: str) -> tuple[User | None, Any]:
        if not text:
            return None, None
        user = self.by_username.get(text.casefold())
        if user is not None:
            return user, None
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            return None, _("有 %(n)s 位在职人员名为「%(v)s」,请改填其用户名。") % {"n": len(named), "v": text}
        return None, _("找不到在职人员「%(v)s」;请填写用户名或姓名。") % {"v": text[:50]}

    def vendor(self, text: str) -> tuple[Vendor | None, Any]:
        if not text:
            return None, None
        vendor = self.vendors.get(text.casefold())
        if vendor is None:
            return None, _("供应商「%(v)s」不在供应商名录中;请先在名录中登记,或留空。") % {"v": text[:100]}
        if not vendor.is_active:
            return None, _("供应商「%(v)s」已停用。") % {"v": vendor.name}
        return vendor, None


def _line(value: Any, limit: int, *, required: bool = False, multiline: bool = False) -> tuple[str, Any]:
    text = _text(value)
    problem = text_problem(text, multiline=multiline)
    if problem is not None:
        return text, problem
    if required and not text:
        return text, _("不能为空。")
    if len(text) > limit:
        return text, _("最多 %(n)s 个字(现为 %(len)s 个)。") % {"n": limit, "len": len(text)}
    return text, None


def check_rows(sheet: Sheet, ctx: _Context) -> tuple[list[Row], list[Problem]]:
    """Every row of ``sheet`` checked: the rows ready to write, or every problem of every bad row."""
    problems: list[Problem] = []
    ready: list[Row] = []
    seen: dict[tuple[str, str], int] = {}
    col = sheet.columns
    kinds_allowed = str(_("、")).join(str(label) for _c, label in MaterialItem.Kind.choices)
    statuses_allowed = str(_("、")).join(str(label) for _c, label in MaterialItem.Status.choices)
    for number, cells in sheet.rows:

        def cell(header: str, cells: list[Any] = cells) -> Any:
            i = col[header]
            return cells[i] if i < len(cells) else None

        bad: list[Problem] = []

        def refuse(header: str, reason: Any, number: int = number, bad: list[Problem] = bad) -> None:
            bad.append(Problem(number, header, reason))

        values: dict[str, Any] = {}
        kind_text = _text(cell("类别"))
        values["kind"] = ctx.kinds.get(kind_text.casefold())
        if values["kind"] is None:
            refuse(
                "类别",
                _("须为以下之一:%(allowed)s(现为「%(v)s」)。")
                % {"allowed": kinds_allowed, "v": kind_text[:30]}
                if kind_text
                else _("不能为空;须为以下之一:%(allowed)s。") % {"allowed": kinds_allowed},
            )
        values["name"], problem = _line(cell("物料名称"), NAME_MAX, required=True)
        if problem:
            refuse("物料名称", problem)
        values["quantity"], problem = quantity_problem(cell("数量") if cell("数量") not in (None, "") else "")
        if problem:
            refuse("数量", problem)
        values["spec"], problem = _line(cell("规格"), SPEC_MAX)
        if problem:
            refuse("规格", problem)
        values["owner"], problem = ctx.person(_text(cell("负责人")))
        if problem:
            refuse("负责人", problem)
        due, problem = _date(cell("截止日期"))
        if problem is None:
            due, problem = due_problem(due, ctx.event)
        values["due_on"] = due
        if problem:
            refuse("截止日期", problem)
        values["vendor"], problem = ctx.vendor(_text(cell("供应商")))
        if problem:
            refuse("供应商", problem)
        values["note"], problem = _line(cell("备注"), NOTE_MAX, multiline=True)
        if problem:
            refuse("备注", problem)
        status_text = _text(cell("状态"))
        item = ctx.items.get((values["kind"], values["name"])) if values["kind"] else None
        if status_text:
            values["status"] = ctx.statuses.get(status_text.casefold())
            if values["status"] is None:
                refuse(
                    "状态",
                    _("须为以下之一:%(allowed)s(现为「%(v)s」)。")
                    % {"allowed": statuses_allowed, "v": status_text[:30]},
                )
        else:
            values["status"] = item.status if item is not None else MaterialItem.Status.TO_ORDER
        values["waive_reason"] = ""
        if values["status"] == MaterialItem.Status.WAIVED:
            if item is not None and item.status == MaterialItem.Status.WAIVED and item.waive_reason:
                values["waive_reason"] = item.waive_reason
            elif values["note"]:
                values["waive_reason"] = values["note"]
            else:
                refuse("备注", _("状态为「不再需要」时须在备注中写明原因。"))
        if values["kind"] and values["name"]:
            key = (values["kind"], values["name"])
            if key in seen:
                refuse(
                    "物料名称",
                    _("与第 %(row)s 行的类别和物料名称相同;同一类别下物料名称不能重复。")
                    % {"row": seen[key]},
                )
            else:
                seen[key] = number
        if bad:
            problems.extend(bad)
        else:
            ready.append(Row(number=number, values=values, item=item))
    return ready, problems


# ---------------------------------------------------------------- import: writing
@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    sheet: str
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "sheet": self.sheet,
            "rows": self.rows,
        }


WRITTEN = ("quantity", "spec", "owner", "due_on", "vendor", "status", "waive_reason", "note")


def _current(item: MaterialItem, name: str) -> Any:
    """A field's value without loading a related record (the owner and vendor by id)."""
    return getattr(item, f"{name}_id") if name in ("owner", "vendor") else getattr(item, name)


def _current_of(value: Any) -> Any:
    return value.pk if isinstance(value, User | Vendor) else value


def _update_rows(items: list[MaterialItem]) -> None:
    """Write the changed fields and the new revision of ``items`` with one prepared UPDATE run for every row
    (``bulk_update``'s CASE expressions grow with the batch: 5,000 rows took seconds). The caller holds the
    event's lock, which every write of a material takes first."""
    if not items:
        return
    meta = MaterialItem._meta
    fields: list[Any] = [meta.get_field(name) for name in (*WRITTEN, "revision")]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in fields), qn(str(meta.pk.column))
    )
    params = [
        [*(f.get_db_prep_save(getattr(item, f.attname), connection) for f in fields), item.pk]
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _read_upload(file: Any) -> tuple[bytes, str]:
    if file is None:
        raise DomainError({"file": [_("请选择要导入的 Excel 文件。")]})
    name = str(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > MAX_IMPORT_BYTES:
        raise _file_refused(
            _("文件大小为 %(size)s,超过导入上限 %(limit)s。")
            % {"size": _size_text(size), "limit": _size_text(MAX_IMPORT_BYTES)}
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_IMPORT_BYTES + 1)
    return (data if isinstance(data, bytes) else bytes(data or b"")), name.rsplit("/", 1)[-1][:200]


def materials_import(
    *,
    actor: User | None,
    event: Event | int,
    file: Any = None,
    data: bytes | None = None,
    system: bool = False,
) -> ImportResult:
    """Import 《活动物料明细表》 into ``event``: every row checked first, then all written or nothing."""
    if not system:  # somebody who may not edit is told so before the file is read
        event_for(actor, event, Need.EDIT)
    if data is None:
        data, filename = _read_upload(file)
    else:
        filename = ""
    sheet = read_sheet(data, filename)
    return _import_sheet(actor=actor, event=event, sheet=sheet, filename=filename, system=system)


@transaction.atomic
def _import_sheet(
    *, actor: User | None, event: Event | int, sheet: Sheet, filename: str, system: bool
) -> ImportResult:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT, system=system)
    ctx = _Context(locked)
    rows, problems = check_rows(sheet, ctx)
    if problems:
        raise ImportRefused(problems)
    position = next_position(locked)
    new: list[MaterialItem] = []
    changed: list[MaterialItem] = []
    unchanged = 0
    for row in rows:
        v = row.values
        if row.item is None:
            new.append(
                MaterialItem(
                    event=locked,
                    kind=v["kind"],
                    name=v["name"],
                    position=position,
                    **{f: v[f] for f in WRITTEN},
                )
            )
            position += 1
            continue
        item = row.item
        diff = [f for f in WRITTEN if _current(item, f) != _current_of(v[f])]
        if not diff:
            unchanged += 1
            continue
        for f in diff:
            setattr(item, f, v[f])
        item.revision += 1
        changed.append(item)
    MaterialItem.objects.bulk_create(new, batch_size=500)
    _update_rows(changed)
    result = ImportResult(
        created=len(new), updated=len(changed), unchanged=unchanged, sheet=sheet.name, rows=len(rows)
    )
    audit_record(
        actor=actor,
        action="preparation.material.import",
        target=locked,
        event_id=locked.pk,
        summary=f"{filename} +{result.created} ~{result.updated}"[:200],
        after={**result.as_dict(), "file": filename, "updated_items": [m.pk for m in changed][:1000]},
    )
    return result
