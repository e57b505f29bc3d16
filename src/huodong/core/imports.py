"""What every spreadsheet import reports (the materials list of MT-1, the guest list of NT-2): a refused
row by its Excel row number (0 for the file itself), the column and the reason, said in the reader's
language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


@dataclass
class RowProblem:
    """One thing wrong with an imported file: a row (Excel's number, 0 for the file itself), a column, the
    reason."""

    row: int
    column: str
    reason: Any

    @property
    def message(self) -> str:
        if self.row == 0:
            return force_str(self.reason)
        if self.column:
            return force_str(
                _("第 %(row)s 行「%(col)s」:%(reason)s")
                % {"row": self.row, "col": self.column, "reason": self.reason}
            )
        return force_str(_("第 %(row)s 行:%(reason)s") % {"row": self.row, "reason": self.reason})

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}
