"""The RACI matrix as an Excel workbook (TM-1; issue 8, point 9): one sheet, Chinese headers.

Columns: 任务, 所在组, 截止时间, 状态, then one per person (the team, then anyone else assigned) with the
letter R, A, C or I in the cell, and 问题 (what is wrong with the row's RACI, empty when it is complete).
Written with openpyxl (write-only mode, so 300 tasks × 40 people stays fast); the legend is on the last
rows.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from huodong.events.models import Event

from .models import Raci, Task, TeamMember
from .selectors import raci_problems, tasks_with_people

SHEET_TITLE = "RACI"
FILLS = {
    Raci.RESPONSIBLE: "DCEBFF",
    Raci.ACCOUNTABLE: "FFE2B8",
    Raci.CONSULTED: "E5F5E0",
    Raci.INFORMED: "EEEEEE",
}


def _safe(text: str) -> str:
    """A cell's text that a spreadsheet will not run as a formula (``=``, ``+``, ``-``, ``@``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def raci_workbook(event: Event) -> bytes:
    """The event's RACI matrix as .xlsx bytes: a row per task, a column per person."""
    tasks = list(tasks_with_people(event))
    people: dict[int, object] = {}
    for m in TeamMember.objects.filter(event=event).select_related("person"):
        people.setdefault(m.person_id, m.person)
    for t in tasks:
        for a in t.assignments.all():
            people.setdefault(a.person_id, a.person)
    persons = list(people.values())

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    ws.freeze_panes = "B3"
    bold = Font(bold=True)
    title = WriteOnlyCell(ws, value=_safe(_("%(name)s · RACI 分工矩阵") % {"name": event.name}))
    title.font = Font(bold=True, size=13)
    ws.append([title])
    header = [_("任务"), _("所在组"), _("截止时间"), _("状态")] + [p.name for p in persons] + [_("问题")]  # type: ignore[attr-defined]
    cells = []
    for text in header:
        cell = WriteOnlyCell(ws, value=_safe(str(text)))
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cells.append(cell)
    ws.append(cells)
    center = Alignment(horizontal="center")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in FILLS.items()}
    for t in tasks:
        letters = {a.person_id: a.role for a in t.assignments.all()}
        problems = raci_problems(list(letters.values())) if t.status != Task.Status.CANCELLED else []
        row: list[object] = [
            _safe(t.title),
            _safe(t.group.display_name) if t.group else "",
            timezone.localtime(t.due_at, event.tz).strftime("%Y-%m-%d %H:%M"),
            str(t.get_status_display()),
        ]
        for p in persons:
            letter = letters.get(p.pk, "")  # type: ignore[attr-defined]
            if not letter:
                row.append(None)
                continue
            cell = WriteOnlyCell(ws, value=letter)
            cell.alignment = center
            cell.fill = fills[Raci(letter)]
            row.append(cell)
        row.append("；".join(str(p) for p in problems))
        ws.append(row)
    ws.append([])
    ws.append([_("说明:R 执行,A 负责(每项任务有且只有一个),C 咨询,I 知会(TM-1)。")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
