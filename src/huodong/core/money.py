"""Money is Decimal with two places and a currency, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def to_money(value: object) -> Decimal:
    """Parse ``value`` into a two-place Decimal; raises ``ValueError`` on anything not a finite number."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(str(value)) from exc
    if not amount.is_finite():
        raise ValueError(str(value))
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context holds (1e30 and up)
        raise ValueError(str(value)) from exc


SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€"}


def format_amount(amount: Decimal | int | str | None) -> str:
    """An amount as Chinese finance writes it: thousands separators, two places, a leading minus for a
    negative amount ("1,200.00", "-1,200.00"); "—" when there is none or it is not a number."""
    if amount is None or amount == "":
        return "—"
    try:
        value = to_money(amount)
    except (ValueError, TypeError):
        return "—"
    if value == 0:
        value = abs(value)  # never "-0.00"
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,.2f}"


def format_money(amount: Decimal | None, currency: str = "CNY") -> str:
    """An amount with its currency: "¥165,000.00"; a negative one "-¥1,200.00" — the minus before the
    symbol, as Chinese financial statements and accounting software print it (not the Anglo-American
    parentheses)."""
    text = format_amount(amount)
    if text == "—":
        return text
    symbol = SYMBOLS.get(currency, currency + " ")
    if text.startswith("-"):
        return f"-{symbol}{text[1:]}"
    return f"{symbol}{text}"


def money_parse(
    value: Any, *, field: str, label: Any, errors: dict[str, list[Any]], allow_zero: bool = True
) -> Decimal | None:
    """A non-negative two-place Decimal, or an error on ``field`` naming it and what is allowed."""
    if isinstance(value, bool):
        value = "bad"
    try:
        amount = to_money(value)
    except (ValueError, TypeError):
        if _is_huge(value):  # 1e30: a number, only far too large to hold with two places
            errors.setdefault(field, []).append(_("%(label)s过大,最多 999999999999.99。") % {"label": label})
            return None
        errors.setdefault(field, []).append(
            _("%(label)s须为数字(如 1200 或 1200.50),不能是「%(value)s」。")
            % {"label": label, "value": _quote(value)}
        )
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        errors.setdefault(field, []).append(
            (_("%(label)s不能为负数。") if amount < 0 else _("%(label)s须大于 0。")) % {"label": label}
        )
        return None
    if amount > MAX_MONEY:
        errors.setdefault(field, []).append(_("%(label)s过大,最多 999999999999.99。") % {"label": label})
        return None
    return amount


def _is_huge(value: Any) -> bool:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return False
    return number.is_finite() and abs(number) > MAX_MONEY


def _quote(value: Any) -> str:
    """A short, printable echo of what was typed, for a message."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value)[:40])
