"""Money is Decimal with two places and a currency, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


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


def format_money(amount: Decimal | None, currency: str = "CNY") -> str:
    if amount is None:
        return "—"
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€"}.get(currency, currency + " ")
    return f"{symbol}{amount.quantize(CENT):,.2f}"
