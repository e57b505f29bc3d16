"""``{% load money %}``: the one way a page writes an amount (issue 7, point 5).

``{{ amount|money }}`` → "165,000.00" (a table cell), ``{{ amount|money:"CNY" }}`` → "¥165,000.00";
a negative amount keeps a leading minus before the symbol ("-¥1,200.00"), as Chinese finance writes it.
"""

from __future__ import annotations

from typing import Any

from django import template

from huodong.core.money import format_amount, format_money

register = template.Library()


@register.filter(name="money")
def money(value: Any, currency: str = "") -> str:
    if currency:
        try:
            return format_money(value, currency) if value is not None else "—"
        except (ValueError, TypeError, ArithmeticError):
            return "—"
    return format_amount(value)
