"""The budget (PL-3): lines by category, amount = quantity × unit price (Decimal, two places).

Categories are the event type's (venue, materials, equipment, labour, promotion, contingency) plus custom
ones. Negative or non-numeric figures are refused naming the field. The PL-3 limits — total within the
requesting department's approved amount, a contingency reserve of 5%–10% (``core.models.DEFAULT_RESERVE_BAND``,
configurable per organisation) — are gate criteria and page warnings, not edit refusals: nobody can reach
5% while entering lines one by one, and a line that takes the total over the approved amount is still
recorded, then flagged. Every write locks first (``plan.plan_lock``) and an update or removal says which
revision of the line it saw.
"""

from __future__ import annotations

import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotFound
from huodong.core.models import User
from huodong.core.money import CENT, money_parse, to_money
from huodong.core.text import text_clean
from huodong.events.models import Event
from huodong.planning.models import BudgetLine, Plan
from huodong.planning.selectors_plan import CUSTOM_PREFIX, budget_categories

from .plan import next_position, plan_lock, row_locked, touch, unknown_fields

CUSTOM = "custom"  # the form's "自定义科目" choice: the code is derived from the name
MAX_QUANTITY = Decimal("9999999999.99")  # BudgetLine.quantity: 12 digits, 2 places
MAX_AMOUNT = Decimal("99999999999999.99")  # BudgetLine.amount: 16 digits, 2 places
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
BUDGET_FIELDS = ("category", "category_name", "item", "quantity", "unit", "unit_price", "note")
WHAT = _("预算")


def custom_category_code(name: str) -> str:
    """A stable code for a custom category: the same name always gives the same code."""
    return CUSTOM_PREFIX + hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:8]


def _quantity(value: Any, errors: dict[str, list[Any]]) -> Decimal | None:
    if isinstance(value, bool):
        value = "bad"
    try:
        q = to_money(value)
    except ArithmeticError:  # too many digits to hold with two places (1e30)
        q = MAX_QUANTITY + 1
    except (ValueError, TypeError):
        errors["quantity"] = [
            _("数量须为大于 0 的数字,不能是「%(v)s」。")
            % {"v": "".join(ch if ch.isprintable() else "?" for ch in str(value)[:40])}
        ]
        return None
    if q <= 0:
        errors["quantity"] = [_("数量须大于 0。")]
        return None
    if q > MAX_QUANTITY:
        errors["quantity"] = [_("数量过大,最多 9999999999.99。")]
        return None
    return q


def _validate(
    *, event: Event, plan: Plan, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    cats = {c["code"]: c for c in budget_categories(event, plan)}
    code = text_clean(
        data.get("category"), field="category", label=_("科目"), limit=100, errors=errors, multiline=False
    )
    name = text_clean(
        data.get("category_name"),
        field="category_name",
        label=_("科目名称"),
        limit=100,
        errors=errors,
        multiline=False,
    )
    if errors:
        return {}, errors
    if not code:
        errors["category"] = [_("请选择预算科目。")]
    elif code in cats:
        name = cats[code]["name"]  # a known category keeps its one name
    elif code == CUSTOM:
        if not name:
            errors["category_name"] = [_("自定义科目须填写科目名称。")]
        else:
            code = custom_category_code(name)
    elif not CODE_RE.match(code):
        errors["category"] = [
            _(
                "未知的预算科目「%(c)s」;可选:%(known)s,或自定义科目(代码为小写字母、数字、-、_,并填写科目名称)。"
            )
            % {
                "c": code[:40],
                "known": "、".join(f"{c['code']}({c['name']})" for c in cats.values() if not c["custom"]),
            }
        ]
    elif not name:
        errors["category_name"] = [_("自定义科目须填写科目名称。")]
    clean["category"], clean["category_name"] = code, name
    clean["item"] = text_clean(
        data.get("item"),
        field="item",
        label=_("项目"),
        limit=200,
        required=True,
        errors=errors,
        multiline=False,
    )
    clean["quantity"] = _quantity(data.get("quantity"), errors)
    clean["unit"] = text_clean(
        data.get("unit"), field="unit", label=_("单位"), limit=20, errors=errors, multiline=False
    )
    clean["unit_price"] = money_parse(
        data.get("unit_price"), field="unit_price", label=_("单价"), errors=errors
    )
    clean["note"] = text_clean(
        data.get("note"), field="note", label=_("备注"), limit=300, errors=errors, multiline=False
    )
    if clean["quantity"] is not None and clean["unit_price"] is not None:
        amount = (clean["quantity"] * clean["unit_price"]).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount > MAX_AMOUNT:
            errors["unit_price"] = [_("金额(数量 × 单价)过大。")]
        clean["amount"] = amount
    return clean, errors


def budget_line_get(*, event: Event, line_id: int) -> BudgetLine:
    line = BudgetLine.objects.filter(pk=line_id, plan__event=event).select_related("plan").first()
    if line is None:
        raise NotFound(_missing(line_id))
    return line


def _missing(line_id: int) -> Any:
    return _("预算明细 %(id)s 不存在。") % {"id": line_id}


def _label(line: BudgetLine) -> Any:
    return _("预算明细「%(item)s」") % {"item": line.item}


@transaction.atomic
def budget_line_add(
    *,
    actor: User | None,
    event: Event | int,
    category: str,
    item: str,
    quantity: Any,
    unit_price: Any,
    category_name: str = "",
    unit: str = "",
    note: str = "",
    system: bool = False,
) -> BudgetLine:
    """Add a budget line; the service computes amount = quantity × unit price."""
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    data = dict(
        category=category,
        category_name=category_name,
        item=item,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        note=note,
    )
    clean, errors = _validate(event=locked, plan=plan, data=data)
    if errors:
        raise DomainError(errors)
    line = BudgetLine.objects.create(plan=plan, position=next_position(plan.budget_lines), **clean)
    audit_record(actor=actor, action="plan.budget.add", target=line, event_id=locked.pk, after=snapshot(line))
    touch(event=locked, actor=actor, what="budget")
    return line


@transaction.atomic
def budget_line_update(
    *,
    actor: User | None,
    event: Event | int,
    line_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> BudgetLine:
    """Change some fields of a line seen at revision ``seen``; the amount is computed again."""
    unknown_fields(changes, BUDGET_FIELDS)
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    line = row_locked(BudgetLine, plan=plan, pk=line_id, missing=_missing(line_id))
    revision_require(line, seen, label=_label(line), system=system, fields=(*BUDGET_FIELDS, "amount"))
    data = {f: getattr(line, f) for f in BUDGET_FIELDS}
    if "category" in changes and "category_name" not in changes:
        data["category_name"] = ""
    data.update(changes)
    clean, errors = _validate(event=locked, plan=plan, data=data)
    if errors:
        raise DomainError(errors)
    written = row_update(
        line,
        changes=clean,
        seen=line.revision,
        actor=actor,
        action="plan.budget.update",
        label=_label(line),
        event_id=locked.pk,
    )
    if written:
        touch(event=locked, actor=actor, what="budget")
    return line


@transaction.atomic
def budget_line_remove(
    *, actor: User | None, event: Event | int, line_id: int, seen: int | None, system: bool = False
) -> None:
    locked, plan, _created = plan_lock(actor=actor, event=event, what=WHAT, system=system)
    line = row_locked(BudgetLine, plan=plan, pk=line_id, missing=_missing(line_id))
    revision_require(line, seen, label=_label(line), system=system, fields=(*BUDGET_FIELDS, "amount"))
    audit_record(
        actor=actor, action="plan.budget.remove", target=line, event_id=locked.pk, before=snapshot(line)
    )
    line.delete()
    touch(event=locked, actor=actor, what="budget")
