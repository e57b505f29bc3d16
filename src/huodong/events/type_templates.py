"""The rules of an event type's template (SC-2; PL-2 run of show, PL-3 budget shares, the risk register):
each row checked, each message naming its row and field. The type form and ``event_type_save`` both use them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from huodong.core.text import text_clean

from .seed import CONTINGENCY, OWNER_ROLES

TEMPLATE_ROWS_MAX = 50
DURATION_MAX = 600
_LEVELS = ("low", "medium", "high")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SHARE_STEP = Decimal("0.1")


def row_message(row: int, message: Any) -> str:
    return str(_("第 %(row)s 行:%(message)s") % {"row": row, "message": message})


def role_choices() -> list[tuple[str, Any]]:
    return [("", _("(不预填负责人)")), *OWNER_ROLES.items()]


def level_choices() -> list[tuple[str, Any]]:
    return [("", "—"), ("low", _("低")), ("medium", _("中")), ("high", _("高"))]


# Each column of a template section: key, label, length limit, required, one line.
_SEGMENT_TEXT = (
    ("title", _("环节名称"), 200, True, True),
    ("title_en", _("英文名称"), 200, False, True),
    ("key_actions", _("关键动作"), 2000, False, False),
)
_RISK_TEXT = (
    ("risk", _("风险"), 300, True, True),
    ("response", _("应对预案"), 2000, True, False),
    ("backup", _("备用资源"), 300, False, True),
)
_CATEGORY_TEXT = (
    ("code", _("代码"), 40, True, True),
    ("name", _("科目名称"), 100, True, True),
    ("name_en", _("英文名称"), 100, False, True),
)
_GROUP_TEXT = (
    ("code", _("代码"), 40, True, True),
    ("name", _("组名"), 100, True, True),
    ("name_en", _("英文名称"), 100, False, True),
    ("duties", _("职责"), 2000, False, False),
)
_KIT_TEXT = (
    ("code", _("代码"), 40, True, True),
    ("name", _("物料名称"), 60, True, True),
    ("name_en", _("英文名称"), 60, False, True),
)
KIT_MAX = 12  # EX-2: the kit a staff member ticks at the door fits on a phone's screen
SECTION_LABELS: dict[str, Any] = {
    "run_of_show": _("默认流程"),
    "risks": _("风险预案"),
    "budget_categories": _("预算科目"),
    "team_groups": _("项目组"),
    "kit": _("签到物料"),
}


def _blank(row: Mapping[str, Any]) -> bool:
    return all(str(v if v is not None else "").strip() == "" for v in row.values())


def _texts(row: Mapping[str, Any], number: int, columns: tuple, out: dict[str, Any], errors: list) -> None:
    for key, label, limit, required, single in columns:
        found: dict[str, list[Any]] = {}
        out[key] = text_clean(
            row.get(key),
            field=key,
            label=label,
            limit=limit,
            errors=found,
            required=required,
            multiline=not single,
        )
        errors.extend((number, key, row_message(number, m)) for m in found.get(key, []))


def _role(row: Mapping[str, Any], number: int, out: dict[str, Any], errors: list) -> None:
    role = str(row.get("owner_role") or "").strip()
    if role and role not in OWNER_ROLES:
        allowed = "、".join(f"{k}({v})" for k, v in OWNER_ROLES.items())
        errors.append(
            (
                number,
                "owner_role",
                row_message(number, _("负责角色须为以下之一:%(roles)s。") % {"roles": allowed}),
            )
        )
    if role:
        out["owner_role"] = role


def template_section_clean(
    section: str, rows: Any, *, band: tuple[Decimal, Decimal] | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int | None, str, str]]]:
    """One section of a type's template as stored rows, and its problems as (row number, field, message).

    Blank rows are left out; row numbers count the rows as given (1-based). The rules: run of show — a
    title and a duration of 1–600 whole minutes; risks — the risk, likelihood and impact (低/中/高) and a
    response; budget categories — a unique code, a name and a typical share in percent (0–100, one
    decimal), the shares adding up to 100 with the contingency reserve present and its share inside the
    organisation's PL-3 band; project groups (TM-2) — a unique code and a name; the kit handed out at
    check-in (EX-2) — a unique code and a name, at most ``KIT_MAX`` items. Every row of the run of show
    and the risks may name an owner role of ``OWNER_ROLES``.
    """
    errors: list[tuple[int | None, str, str]] = []
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        return [], [(None, section, str(_("%(what)s须为行的列表。") % {"what": SECTION_LABELS[section]}))]
    kept = [(n, r) for n, r in enumerate(rows, start=1) if not _blank(r)]
    if len(kept) > TEMPLATE_ROWS_MAX:
        errors.append(
            (
                None,
                section,
                str(_("最多 %(n)s 行(现为 %(len)s 行)。") % {"n": TEMPLATE_ROWS_MAX, "len": len(kept)}),
            )
        )
    if section == "kit" and len(kept) > KIT_MAX:
        errors.append(
            (
                None,
                section,
                str(_("签到物料最多 %(n)s 项(现为 %(len)s 项)。") % {"n": KIT_MAX, "len": len(kept)}),
            )
        )
    clean: list[dict[str, Any]] = []
    codes: dict[str, int] = {}
    for number, row in kept:
        out: dict[str, Any] = {}
        if section == "run_of_show":
            _texts(row, number, _SEGMENT_TEXT, out, errors)
            raw = str(row.get("duration_minutes") if row.get("duration_minutes") is not None else "").strip()
            if not raw.isdigit() or not 1 <= int(raw) <= DURATION_MAX:
                errors.append(
                    (number, "duration_minutes", row_message(number, _("时长须为 1–600 的整数(分钟)。")))
                )
            else:
                out["duration_minutes"] = int(raw)
            if row.get("parallel") in (True, "on", "true", "1"):
                out["parallel"] = True
            _role(row, number, out, errors)
        elif section == "risks":
            _texts(row, number, _RISK_TEXT, out, errors)
            for key, label in (("likelihood", _("可能性")), ("impact", _("影响"))):
                value = str(row.get(key) or "").strip()
                if value not in _LEVELS:
                    errors.append(
                        (
                            number,
                            key,
                            row_message(number, _("%(label)s须为 低、中 或 高。") % {"label": label}),
                        )
                    )
                out[key] = value
            _role(row, number, out, errors)
            # The stored key order of a risk row.
            out = {
                k: out[k]
                for k in ("risk", "likelihood", "impact", "response", "backup", "owner_role")
                if k in out
            }
        elif section == "kit":
            # EX-2: what the door hands out; a unique code and a name (the scanner shows the name).
            _texts(row, number, _KIT_TEXT, out, errors)
            _code_check(out.get("code", ""), number, codes, errors)
        elif section == "team_groups":
            # TM-2: a group has a unique code and a name; its duties are what the team page shows.
            _texts(row, number, _GROUP_TEXT, out, errors)
            _code_check(out.get("code", ""), number, codes, errors)
        else:
            _texts(row, number, _CATEGORY_TEXT, out, errors)
            _code_check(out.get("code", ""), number, codes, errors)
            raw = str(row.get("share") if row.get("share") is not None else "").strip().rstrip("%").strip()
            try:
                share = Decimal(raw)
            except InvalidOperation:
                share = None
            if (
                share is None
                or not share.is_finite()
                or not 0 <= share <= 100
                or share != share.quantize(_SHARE_STEP)
            ):
                errors.append(
                    (number, "share", row_message(number, _("典型占比须为 0–100 之间的数,最多一位小数。")))
                )
            else:
                out["share"] = _share_text(share)
        clean.append(out)
    if section == "budget_categories" and not errors:
        _shares_check(clean, band, errors)
    return clean, errors


def _code_check(code: str, number: int, codes: dict[str, int], errors: list) -> None:
    """A row's code: lower-case letters, digits, hyphens and underscores, not used by an earlier row."""
    if code and not _CODE.match(code):
        errors.append(
            (number, "code", row_message(number, _("代码只能由小写字母、数字、连字符和下划线组成。")))
        )
    elif code in codes:
        errors.append(
            (
                number,
                "code",
                row_message(
                    number,
                    _("代码「%(code)s」与第 %(other)s 行重复。") % {"code": code, "other": codes[code]},
                ),
            )
        )
    elif code:
        codes[code] = number


def _share_text(share: Decimal) -> str:
    text = format(share.quantize(_SHARE_STEP), "f")
    return text[:-2] if text.endswith(".0") else text


def _shares_check(clean: list[dict[str, Any]], band: tuple[Decimal, Decimal] | None, errors: list) -> None:
    if not clean:
        return
    total = sum((Decimal(c["share"]) for c in clean), Decimal(0))
    if total != 100:
        errors.append(
            (
                None,
                "share",
                str(_("各科目的典型占比合计须为 100%%,现为 %(total)s%%。") % {"total": _share_text(total)}),
            )
        )
    reserve = next((c for c in clean if c["code"] == CONTINGENCY), None)
    if reserve is None:
        errors.append(
            (None, "code", str(_("预算科目须包含应急备用金(代码 %(code)s)。") % {"code": CONTINGENCY}))
        )
    elif band is not None:
        lo, hi = (b * 100 for b in band)
        share = Decimal(reserve["share"])
        if not lo <= share <= hi:
            errors.append(
                (
                    None,
                    "share",
                    str(
                        _("应急备用金的典型占比 %(share)s%% 须在 %(lo)s%%–%(hi)s%% 之间(PL-3)。")
                        % {"share": reserve["share"], "lo": _share_text(lo), "hi": _share_text(hi)}
                    ),
                )
            )


def type_template_clean(
    template: Mapping[str, Any], *, band: tuple[Decimal, Decimal] | None = None
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """The edited sections of a type's template, cleaned, and the errors per section (for ``DomainError``).

    Each message names its row and field ("第 3 行:时长须为 1–600 的整数(分钟)。").
    """
    clean: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, list[str]] = {}
    for section in SECTION_LABELS:
        if section not in template:
            continue
        rows, problems = template_section_clean(section, template[section], band=band)
        clean[section] = rows
        if problems:
            errors[section] = [m for _n, _f, m in problems]
    return clean, errors
