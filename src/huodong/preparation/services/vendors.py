"""Vendors (VD-1, VD-2): the shared register, the event's vendor needs with their quotes, the weighted
comparison, the choice with its reason, the approver's exception, the contract and the rating.

**The register** is not one event's: organisers and administrators change it, everyone signed in reads it.
A write locks the vendor row (``select_for_update``) and an update says which revision it saw.

**Per event** every write locks the event first (``rules.preparation_event_lock``, which checks the
actor's right and the step on the locked row), then the need, then its quotes. Rules:

- a quote: an active vendor of the register, one per vendor per need, an amount ≥ 0
  (``core.money.money_parse``), scores 0–100; none once the need is closed (chosen, contracted,
  cancelled);
- the choice: a reason, and at least the organisation's minimum number of quotes
  (``selectors.scoring_weights().min_quotes``, 3 by default) unless an approver (分管领导, 总经理) or an
  administrator recorded an exception with a reason on that need (VD-1);
- the chosen quote's amount (the contract's, once signed) is committed against its budget line
  (``selectors.committed_by_line``); when a choice or a contract makes a line's commitments exceed its
  planned amount, the event's owner, the need's owner and the finance department's reviewers are told
  once (the moment it goes over);
- the contract of the chosen quote states the service content, the delivery time and the liability for
  breach (all required, VD-2); recording it sets the need to 已签合同.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.audit import Message, audit_record, snapshot
from huodong.core.concurrency import revision_require, row_update
from huodong.core.errors import DomainError, NotAllowed, NotFound
from huodong.core.models import Role, User
from huodong.core.money import money_parse
from huodong.core.services import notify, owner_check
from huodong.core.text import text_clean
from huodong.core.uploads import (
    ALLOWED_KINDS,
    content_type_of,
    file_sha256,
    upload_check,
)
from huodong.events.access import Need, event_for
from huodong.events.models import Event

from ..models import (
    Contract,
    Quote,
    QuoteAttachment,
    ScoringWeights,
    Vendor,
    VendorCategory,
    VendorNeed,
    VendorQualification,
    VendorRating,
)
from ..rules import preparation_event_lock
from ..selectors import committed_by_line, scoring_weights

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
WHAT_NEED = _("采购需求")
WHAT_QUOTE = _("报价")
WHAT_CONTRACT = _("合同")
CLOSED = (VendorNeed.Status.CHOSEN, VendorNeed.Status.CONTRACTED, VendorNeed.Status.CANCELLED)
EXCEPTION_ROLES = (Role.APPROVER_EXEC, Role.APPROVER_GM)
MAX_MIN_QUOTES = 20
PHONE = re.compile(r"^[0-9+\-() ]*$")
# A quote's attachments: what planning accepts (PDF, images, Office, DWG); a signed contract: PDF or image.
QUOTE_FILE_KINDS = tuple(ALLOWED_KINDS)
CONTRACT_FILE_KINDS = ("pdf", "png", "jpeg")

VENDOR_FIELDS = (
    "name",
    "categories",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "cases",
    "note",
    "is_active",
)
QUALIFICATION_FIELDS = ("name", "number", "expires_on")
NEED_FIELDS = ("title", "category", "description", "budget_line", "needed_by", "owner")
QUOTE_FIELDS = (
    "vendor",
    "amount",
    "includes",
    "delivery_on",
    "valid_until",
    "qualification_score",
    "cases_score",
    "delivery_score",
    "note",
)
CONTRACT_FIELDS = ("number", "service_content", "delivery_at", "liability", "amount", "signed_on")
WEIGHT_FIELDS = ("qualification", "price", "cases", "delivery")


# ---------------------------------------------------------------- small checks
def _unknown(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(
            {f: [_("该字段不可修改;可修改:%(f)s。") % {"f": ", ".join(allowed)}] for f in sorted(unknown)}
        )


def _date(value: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault(field, []).append(_("%(label)s须为日期,格式如 2027-03-15。") % {"label": label})
            return None
    if not isinstance(value, dt.date):
        errors.setdefault(field, []).append(_("%(label)s须为日期,格式如 2027-03-15。") % {"label": label})
        return None
    if not dt.date(2000, 1, 1) <= value < dt.date(2100, 1, 1):
        errors.setdefault(field, []).append(_("%(label)s须在 2000 年至 2099 年之间。") % {"label": label})
        return None
    return value


def _score(value: Any, *, field: str, label: Any, errors: dict[str, list[Any]]) -> int | None:
    """An evaluator's score: a whole number 0–100, or none yet."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("%(label)s须为 0 到 100 的整数。") % {"label": label})
        return None
    if not 0 <= number <= 100:
        errors.setdefault(field, []).append(_("%(label)s须为 0 到 100 的整数。") % {"label": label})
        return None
    return number


def _event_last_day(event: Event) -> dt.date:
    return timezone.localtime(event.ends_at, event.tz).date()


def _not_after_event(
    day: dt.date | None, event: Event, *, field: str, label: Any, errors: dict[str, list[Any]]
) -> None:
    if day is not None and day > _event_last_day(event):
        errors.setdefault(field, []).append(
            _("%(label)s不能晚于活动日期(%(day)s)。") % {"label": label, "day": _event_last_day(event)}
        )


def _is_register_editor(actor: User | None) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and (actor.is_admin or actor.role == Role.ORGANISER)
    )


def register_editor_require(actor: User | None) -> None:
    if not _is_register_editor(actor):
        raise NotAllowed(_("只有活动策划人员或管理员可以修改供应商库。"))


def can_edit_register(actor: User | None) -> bool:
    return _is_register_editor(actor)


def can_record_exception(actor: User | None) -> bool:
    """VD-1: an approver (分管领导, 总经理) or an administrator records a quote exception."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and (actor.is_admin or actor.role in EXCEPTION_ROLES)
    )


def _actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


# ---------------------------------------------------------------- the register (VD-1)
def vendor_list(*, q: str = "", category: str = "", active_only: bool = False) -> list[Vendor]:
    """The register filtered by a name (or contact) fragment and a category, with each vendor's rating
    (``rating_avg``, ``rating_count``) and qualifications; expired ones are flagged by the pages."""
    qs: QuerySet[Vendor] = (
        Vendor.objects.annotate(
            rating_avg=Avg("ratings__score"), rating_count=Count("ratings", distinct=True)
        )
        .prefetch_related("qualifications")
        .order_by("name", "id")
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(contact_name__icontains=q) | Q(cases__icontains=q))
    if active_only:
        qs = qs.filter(is_active=True)
    vendors = list(qs)
    if category:
        vendors = [v for v in vendors if category in (v.categories or [])]
    return vendors


def vendor_get(vendor_id: int) -> Vendor:
    vendor = (
        Vendor.objects.annotate(
            rating_avg=Avg("ratings__score"), rating_count=Count("ratings", distinct=True)
        )
        .prefetch_related("qualifications")
        .filter(pk=vendor_id)
        .first()
    )
    if vendor is None:
        raise NotFound(_("供应商 %(id)s 不存在。") % {"id": vendor_id})
    return vendor


def category_labels(codes: list[str]) -> list[str]:
    labels = dict(VendorCategory.choices)
    return [str(labels.get(c, c)) for c in codes or []]


def expired_qualifications(vendor: Vendor, on: dt.date | None = None) -> list[VendorQualification]:
    """The vendor's qualifications past their expiry date (VD-1: flagged 已过期 wherever it appears)."""
    on = on or timezone.localdate()
    return [q for q in vendor.qualifications.all() if q.is_expired(on)]


def _vendor_validate(
    data: dict[str, Any], *, vendor_id: int | None
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    clean["name"] = text_clean(
        data.get("name"),
        field="name",
        label=_("供应商名称"),
        limit=200,
        required=True,
        errors=errors,
        multiline=False,
    )
    if "name" not in errors and (
        Vendor.objects.filter(name__iexact=clean["name"]).exclude(pk=vendor_id or 0).exists()
    ):
        errors["name"] = [_("供应商库中已有名为「%(name)s」的供应商。") % {"name": clean["name"]}]
    categories = data.get("categories")
    if isinstance(categories, str):
        categories = [categories]
    if not isinstance(categories, list | tuple) or not categories:
        errors["categories"] = [_("请至少选择一个类别。")]
        categories = []
    else:
        bad = [str(c)[:40] for c in categories if c not in VendorCategory.values]
        if bad:
            allowed = "、".join(f"{v}({label})" for v, label in VendorCategory.choices)
            errors["categories"] = [
                _("未知的类别「%(bad)s」;可选:%(allowed)s。") % {"bad": "、".join(bad), "allowed": allowed}
            ]
    clean["categories"] = [c for c in VendorCategory.values if c in categories]
    clean["contact_name"] = text_clean(
        data.get("contact_name"),
        field="contact_name",
        label=_("联系人"),
        limit=100,
        errors=errors,
        multiline=False,
    )
    phone = text_clean(
        data.get("contact_phone"),
        field="contact_phone",
        label=_("联系电话"),
        limit=40,
        errors=errors,
        multiline=False,
    )
    if "contact_phone" not in errors and not PHONE.match(phone):
        errors["contact_phone"] = [_("联系电话只能包含数字、空格、+、- 和括号。")]
    clean["contact_phone"] = phone
    email = text_clean(
        data.get("contact_email"),
        field="contact_email",
        label=_("联系邮箱"),
        limit=254,
        errors=errors,
        multiline=False,
    )
    if email and "contact_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("联系邮箱格式不正确,如 name@example.com。")]
    clean["contact_email"] = email
    clean["address"] = text_clean(
        data.get("address"), field="address", label=_("地址"), limit=300, errors=errors, multiline=False
    )
    clean["cases"] = text_clean(
        data.get("cases"), field="cases", label=_("过往案例"), limit=5000, errors=errors
    )
    clean["note"] = text_clean(data.get("note"), field="note", label=_("备注"), limit=5000, errors=errors)
    active = data.get("is_active", True)
    if not isinstance(active, bool):
        errors["is_active"] = [_("启用须为是或否。")]
    clean["is_active"] = bool(active)
    return clean, errors


@transaction.atomic
def vendor_add(*, actor: User | None, system: bool = False, **data: Any) -> Vendor:
    if not system:
        register_editor_require(actor)
    _unknown(data, VENDOR_FIELDS)
    clean, errors = _vendor_validate(data, vendor_id=None)
    if errors:
        raise DomainError(errors)
    vendor = Vendor.objects.create(**clean)
    audit_record(actor=actor, action="vendor.add", target=vendor, after=snapshot(vendor))
    return vendor


def _vendor_locked(vendor_id: int) -> Vendor:
    vendor = Vendor.objects.select_for_update().filter(pk=vendor_id).first()
    if vendor is None:
        raise NotFound(_("供应商 %(id)s 不存在。") % {"id": vendor_id})
    return vendor


@transaction.atomic
def vendor_update(
    *, actor: User | None, vendor_id: int, seen: int | None, system: bool = False, **changes: Any
) -> Vendor:
    if not system:
        register_editor_require(actor)
    _unknown(changes, VENDOR_FIELDS)
    vendor = _vendor_locked(vendor_id)
    label = _("供应商「%(name)s」") % {"name": vendor.name}
    revision_require(vendor, seen, label=label, system=system, fields=VENDOR_FIELDS)
    data = {f: getattr(vendor, f) for f in VENDOR_FIELDS}
    data.update(changes)
    clean, errors = _vendor_validate(data, vendor_id=vendor.pk)
    if errors:
        raise DomainError(errors)
    row_update(vendor, changes=clean, seen=vendor.revision, actor=actor, action="vendor.update", label=label)
    return vendor


def _qualification_validate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean = {
        "name": text_clean(
            data.get("name"),
            field="name",
            label=_("资质名称"),
            limit=200,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "number": text_clean(
            data.get("number"), field="number", label=_("证书编号"), limit=100, errors=errors, multiline=False
        ),
        "expires_on": _date(data.get("expires_on"), field="expires_on", label=_("有效期至"), errors=errors),
    }
    return clean, errors


@transaction.atomic
def qualification_add(
    *,
    actor: User | None,
    vendor_id: int,
    name: str,
    number: str = "",
    expires_on: dt.date | None = None,
    system: bool = False,
) -> VendorQualification:
    if not system:
        register_editor_require(actor)
    vendor = _vendor_locked(vendor_id)
    clean, errors = _qualification_validate({"name": name, "number": number, "expires_on": expires_on})
    if errors:
        raise DomainError(errors)
    row = VendorQualification.objects.create(vendor=vendor, **clean)
    audit_record(actor=actor, action="vendor.qualification.add", target=row, after=snapshot(row))
    return row


def _qualification_locked(vendor: Vendor, qualification_id: int) -> VendorQualification:
    row = VendorQualification.objects.select_for_update().filter(pk=qualification_id, vendor=vendor).first()
    if row is None:
        raise NotFound(_("资质 %(id)s 不存在。") % {"id": qualification_id})
    return row


@transaction.atomic
def qualification_update(
    *,
    actor: User | None,
    vendor_id: int,
    qualification_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> VendorQualification:
    if not system:
        register_editor_require(actor)
    _unknown(changes, QUALIFICATION_FIELDS)
    vendor = _vendor_locked(vendor_id)
    row = _qualification_locked(vendor, qualification_id)
    label = _("资质「%(name)s」") % {"name": row.name}
    revision_require(row, seen, label=label, system=system, fields=QUALIFICATION_FIELDS)
    data = {f: getattr(row, f) for f in QUALIFICATION_FIELDS}
    data.update(changes)
    clean, errors = _qualification_validate(data)
    if errors:
        raise DomainError(errors)
    row_update(
        row, changes=clean, seen=row.revision, actor=actor, action="vendor.qualification.update", label=label
    )
    return row


@transaction.atomic
def qualification_remove(
    *, actor: User | None, vendor_id: int, qualification_id: int, seen: int | None, system: bool = False
) -> None:
    if not system:
        register_editor_require(actor)
    vendor = _vendor_locked(vendor_id)
    row = _qualification_locked(vendor, qualification_id)
    revision_require(
        row,
        seen,
        label=_("资质「%(name)s」") % {"name": row.name},
        system=system,
        fields=QUALIFICATION_FIELDS,
    )
    audit_record(actor=actor, action="vendor.qualification.remove", target=row, before=snapshot(row))
    row.delete()


# ---------------------------------------------------------------- scoring weights (VD-1)
@transaction.atomic
def weights_update(
    *,
    actor: User | None,
    seen: int | None,
    qualification: Any,
    price: Any,
    cases: Any,
    delivery: Any,
    min_quotes: Any,
    system: bool = False,
) -> ScoringWeights:
    """The organisation's comparison weights: four whole percentages adding up to 100, and the minimum
    number of quotes per need (at least 1; VD-1 says 3)."""
    if not system and not (actor is not None and actor.is_authenticated and actor.is_admin):
        raise NotAllowed(_("只有管理员可以修改比价权重。"))
    weights = ScoringWeights.objects.select_for_update().get(pk=scoring_weights().pk)
    errors: dict[str, list[Any]] = {}
    labels = {
        "qualification": _("资质权重"),
        "price": _("价格权重"),
        "cases": _("案例权重"),
        "delivery": _("交付权重"),
    }
    values = {"qualification": qualification, "price": price, "cases": cases, "delivery": delivery}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        clean[name] = _score(value, field=name, label=labels[name], errors=errors)
        if clean[name] is None and name not in errors:
            errors[name] = [_("%(label)s须为 0 到 100 的整数。") % {"label": labels[name]}]
    if not errors and sum(clean.values()) != 100:
        errors["__all__"] = [_("四项权重之和须为 100(现为 %(sum)s)。") % {"sum": sum(clean.values())}]
    try:
        if isinstance(min_quotes, bool | float):
            raise ValueError
        minimum = int(str(min_quotes).strip())
    except (TypeError, ValueError):
        minimum = 0
    if not 1 <= minimum <= MAX_MIN_QUOTES:
        errors["min_quotes"] = [
            _("最少报价数须为 1 到 %(max)s 的整数(规定为 3 家)。") % {"max": MAX_MIN_QUOTES}
        ]
    clean["min_quotes"] = minimum
    if errors:
        raise DomainError(errors)
    row_update(
        weights,
        changes=clean,
        seen=seen,
        actor=actor,
        action="vendor.weights.update",
        label=_("比价权重"),
        system=system,
    )
    return weights


# ---------------------------------------------------------------- vendor needs (VD-1)
def needs_of(event: Event) -> QuerySet[VendorNeed]:
    return (
        VendorNeed.objects.filter(event=event)
        .select_related("owner", "budget_line", "chosen_quote__vendor", "exception_by", "chosen_by")
        .annotate(quote_total=Count("quotes", distinct=True))
        .order_by("position", "id")
    )


def need_get(*, event: Event, need_id: int) -> VendorNeed:
    need = (
        VendorNeed.objects.filter(pk=need_id, event=event)
        .select_related("owner", "budget_line", "chosen_quote__vendor", "exception_by", "chosen_by", "event")
        .first()
    )
    if need is None:
        raise NotFound(_("采购需求 %(id)s 不存在。") % {"id": need_id})
    return need


def quotes_of(need: VendorNeed) -> list[Quote]:
    return list(
        Quote.objects.filter(need=need)
        .select_related("vendor", "entered_by")
        .prefetch_related("vendor__qualifications", "attachments")
        .order_by("amount", "id")
    )


def contract_of(need: VendorNeed) -> Contract | None:
    return Contract.objects.filter(need=need).select_related("vendor", "recorded_by").first()


def budget_lines_of(event: Event) -> list[Any]:
    from huodong.planning.models import BudgetLine
    from huodong.planning.selectors_plan import label_budget_lines

    return label_budget_lines(
        event, list(BudgetLine.objects.filter(plan__event=event).order_by("position", "id"))
    )


def _need_missing(need_id: int) -> Any:
    return _("采购需求 %(id)s 不存在。") % {"id": need_id}


def _need_label(need: VendorNeed) -> Any:
    return _("采购需求「%(t)s」") % {"t": need.title}


def _need_locked(event: Event, need_id: int) -> VendorNeed:
    need = VendorNeed.objects.select_for_update().filter(pk=need_id, event=event).first()
    if need is None:
        raise NotFound(_need_missing(need_id))
    return need


def _need_open(need: VendorNeed, what: Any) -> None:
    """A quote is added, changed or removed only while the need is being quoted."""
    if need.status in CLOSED:
        raise DomainError(
            {
                "__all__": [
                    _("采购需求「%(t)s」已%(status)s,不能再%(what)s。")
                    % {"t": need.title, "status": need.get_status_display(), "what": what}
                ]
            },
            code="need_closed",
        )


def _need_validate(event: Event, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    from huodong.planning.models import BudgetLine

    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {
        "title": text_clean(
            data.get("title"),
            field="title",
            label=_("采购需求"),
            limit=200,
            required=True,
            errors=errors,
            multiline=False,
        ),
        "description": text_clean(
            data.get("description"), field="description", label=_("需求说明"), limit=5000, errors=errors
        ),
        "owner": owner_check(data.get("owner"), field="owner", errors=errors),
    }
    category = data.get("category")
    if category not in VendorCategory.values:
        allowed = "、".join(f"{v}({label})" for v, label in VendorCategory.choices)
        errors["category"] = [_("类别须为以下之一:%(allowed)s。") % {"allowed": allowed}]
    clean["category"] = category if isinstance(category, str) else ""
    line = data.get("budget_line")
    if line is None or line == "":
        clean["budget_line"] = None
    else:
        line_id = line.pk if isinstance(line, BudgetLine) else line
        found = (
            BudgetLine.objects.filter(pk=line_id, plan__event=event).first()
            if isinstance(line_id, int) and not isinstance(line_id, bool)
            else None
        )
        if found is None:
            errors["budget_line"] = [_("预算科目须为本活动策划方案中的预算明细。")]
        clean["budget_line"] = found
    needed_by = _date(data.get("needed_by"), field="needed_by", label=_("需交付日期"), errors=errors)
    _not_after_event(needed_by, event, field="needed_by", label=_("需交付日期"), errors=errors)
    clean["needed_by"] = needed_by
    return clean, errors


@transaction.atomic
def need_add(
    *,
    actor: User | None,
    event: Event | int,
    title: str,
    category: str,
    description: str = "",
    budget_line: Any = None,
    needed_by: dt.date | None = None,
    owner: User | None = None,
    system: bool = False,
) -> VendorNeed:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_NEED, system=system)
    clean, errors = _need_validate(
        locked,
        dict(
            title=title,
            category=category,
            description=description,
            budget_line=budget_line,
            needed_by=needed_by,
            owner=owner,
        ),
    )
    if errors:
        raise DomainError(errors)
    last = VendorNeed.objects.filter(event=locked).aggregate(last=models.Max("position"))["last"] or 0
    need = VendorNeed.objects.create(event=locked, position=last + 1, **clean)
    audit_record(actor=actor, action="vendor.need.add", target=need, event_id=locked.pk, after=snapshot(need))
    return need


@transaction.atomic
def need_update(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> VendorNeed:
    """Change a need while it is not contracted or cancelled (its budget line moves its commitment)."""
    _unknown(changes, NEED_FIELDS)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_NEED, system=system)
    need = _need_locked(locked, need_id)
    revision_require(need, seen, label=_need_label(need), system=system, fields=NEED_FIELDS)
    if need.status in (VendorNeed.Status.CONTRACTED, VendorNeed.Status.CANCELLED):
        raise DomainError(
            {
                "__all__": [
                    _("采购需求「%(t)s」已%(status)s,不能再修改。")
                    % {"t": need.title, "status": need.get_status_display()}
                ]
            },
            code="need_closed",
        )
    data = {f: getattr(need, f) for f in NEED_FIELDS}
    data.update(changes)
    clean, errors = _need_validate(locked, data)
    if errors:
        raise DomainError(errors)
    before = committed_by_line(locked)
    row_update(
        need,
        changes=clean,
        seen=need.revision,
        actor=actor,
        action="vendor.need.update",
        label=_need_label(need),
        event_id=locked.pk,
    )
    _overcommit_notify(locked, need, before)
    return need


@transaction.atomic
def need_cancel(
    *, actor: User | None, event: Event | int, need_id: int, seen: int | None, system: bool = False
) -> VendorNeed:
    """Cancel a need not yet contracted: it no longer needs quotes or a contract, nor commits money."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_NEED, system=system)
    need = _need_locked(locked, need_id)
    revision_require(need, seen, label=_need_label(need), system=system, fields=("status",))
    if need.status in (VendorNeed.Status.CONTRACTED, VendorNeed.Status.CANCELLED):
        raise DomainError(
            {
                "__all__": [
                    _("采购需求「%(t)s」已%(status)s,不能取消。")
                    % {"t": need.title, "status": need.get_status_display()}
                ]
            },
            code="need_closed",
        )
    row_update(
        need,
        changes={"status": VendorNeed.Status.CANCELLED},
        seen=need.revision,
        actor=actor,
        action="vendor.need.cancel",
        label=_need_label(need),
        event_id=locked.pk,
    )
    return need


# ---------------------------------------------------------------- quotes (VD-1)
def _quote_validate(
    event: Event, need: VendorNeed, data: dict[str, Any], *, quote_id: int | None
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    vendor = data.get("vendor")
    if isinstance(vendor, int) and not isinstance(vendor, bool):
        vendor = Vendor.objects.filter(pk=vendor).first()
    if not isinstance(vendor, Vendor):
        errors["vendor"] = [_("请从供应商库中选择供应商。")]
    elif not vendor.is_active:
        errors["vendor"] = [_("供应商「%(name)s」已停用,不能报价。") % {"name": vendor.name}]
    elif Quote.objects.filter(need=need, vendor=vendor).exclude(pk=quote_id or 0).exists():
        errors["vendor"] = [
            _("供应商「%(name)s」已为该需求报过价;每家供应商每项需求只能有一份报价,请修改原报价。")
            % {"name": vendor.name}
        ]
    clean["vendor"] = vendor
    clean["amount"] = money_parse(data.get("amount"), field="amount", label=_("报价金额"), errors=errors)
    clean["includes"] = text_clean(
        data.get("includes"), field="includes", label=_("报价包含"), limit=5000, errors=errors
    )
    delivery_on = _date(data.get("delivery_on"), field="delivery_on", label=_("交付日期"), errors=errors)
    _not_after_event(delivery_on, event, field="delivery_on", label=_("交付日期"), errors=errors)
    clean["delivery_on"] = delivery_on
    clean["valid_until"] = _date(
        data.get("valid_until"), field="valid_until", label=_("报价有效期至"), errors=errors
    )
    for name, label in (
        ("qualification_score", _("资质得分")),
        ("cases_score", _("案例得分")),
        ("delivery_score", _("交付得分")),
    ):
        clean[name] = _score(data.get(name), field=name, label=label, errors=errors)
    clean["note"] = text_clean(data.get("note"), field="note", label=_("备注"), limit=5000, errors=errors)
    return clean, errors


@transaction.atomic
def quote_add(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    vendor: Vendor | int | None,
    amount: Any,
    includes: str = "",
    delivery_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    qualification_score: Any = None,
    cases_score: Any = None,
    delivery_score: Any = None,
    note: str = "",
    files: list[Any] | None = None,
    system: bool = False,
) -> Quote:
    """A vendor's quote for the need (with its attachments, if any); refused once the need is closed."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_QUOTE, system=system)
    need = _need_locked(locked, need_id)
    _need_open(need, _("添加报价"))
    clean, errors = _quote_validate(
        locked,
        need,
        dict(
            vendor=vendor,
            amount=amount,
            includes=includes,
            delivery_on=delivery_on,
            valid_until=valid_until,
            qualification_score=qualification_score,
            cases_score=cases_score,
            delivery_score=delivery_score,
            note=note,
        ),
        quote_id=None,
    )
    checked = []
    for f in files or []:
        try:
            checked.append((f, *upload_check(f, field="files", kinds=QUOTE_FILE_KINDS)))
        except DomainError as exc:
            for k, v in exc.errors.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise DomainError(errors)
    quote = Quote.objects.create(need=need, entered_by=_actor_or_none(actor), **clean)
    audit_record(
        actor=actor, action="vendor.quote.add", target=quote, event_id=locked.pk, after=snapshot(quote)
    )
    for f, name, ext in checked:
        _attachment_store(actor, locked, quote, f, name, ext)
    return quote


def _quote_locked(event: Event, quote_id: int) -> tuple[VendorNeed, Quote]:
    """The quote's need, then the quote, each under its lock (after the event's)."""
    need_id = Quote.objects.filter(pk=quote_id, need__event=event).values_list("need_id", flat=True).first()
    if need_id is None:
        raise NotFound(_("报价 %(id)s 不存在。") % {"id": quote_id})
    need = _need_locked(event, need_id)
    quote = Quote.objects.select_for_update().filter(pk=quote_id, need=need).select_related("vendor").first()
    if quote is None:
        raise NotFound(_("报价 %(id)s 不存在。") % {"id": quote_id})
    return need, quote


def _quote_label(quote: Quote) -> Any:
    return _("「%(vendor)s」的报价") % {"vendor": quote.vendor.name}


def quote_get(*, event: Event, quote_id: int) -> Quote:
    quote = (
        Quote.objects.filter(pk=quote_id, need__event=event)
        .select_related("vendor", "need")
        .prefetch_related("vendor__qualifications", "attachments")
        .first()
    )
    if quote is None:
        raise NotFound(_("报价 %(id)s 不存在。") % {"id": quote_id})
    return quote


@transaction.atomic
def quote_update(
    *,
    actor: User | None,
    event: Event | int,
    quote_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Quote:
    _unknown(changes, QUOTE_FIELDS)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_QUOTE, system=system)
    need, quote = _quote_locked(locked, quote_id)
    revision_require(quote, seen, label=_quote_label(quote), system=system, fields=QUOTE_FIELDS)
    _need_open(need, _("修改报价"))
    data = {f: getattr(quote, f) for f in QUOTE_FIELDS}
    data.update(changes)
    clean, errors = _quote_validate(locked, need, data, quote_id=quote.pk)
    if errors:
        raise DomainError(errors)
    row_update(
        quote,
        changes=clean,
        seen=quote.revision,
        actor=actor,
        action="vendor.quote.update",
        label=_quote_label(quote),
        event_id=locked.pk,
    )
    return quote


@transaction.atomic
def quote_remove(
    *, actor: User | None, event: Event | int, quote_id: int, seen: int | None, system: bool = False
) -> None:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_QUOTE, system=system)
    need, quote = _quote_locked(locked, quote_id)
    revision_require(quote, seen, label=_quote_label(quote), system=system, fields=QUOTE_FIELDS)
    _need_open(need, _("删除报价"))
    files = [(a.file.storage, a.file.name) for a in quote.attachments.all()]
    audit_record(
        actor=actor, action="vendor.quote.remove", target=quote, event_id=locked.pk, before=snapshot(quote)
    )
    quote.delete()

    def delete_files() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(delete_files)


def _attachment_store(
    actor: User | None, event: Event, quote: Quote, file: Any, name: str, ext: str
) -> QuoteAttachment:
    sha = file_sha256(file)
    att = QuoteAttachment(
        quote=quote,
        event=event,
        original_name=name,
        size=int(getattr(file, "size", 0) or 0),
        content_type=content_type_of(ext),
        sha256=sha,
        uploaded_by=_actor_or_none(actor),
    )
    att.file.save(f"{sha[:16]}.{ext}", file, save=False)
    stored = att.file.name
    storage = att.file.storage
    try:
        att.save()
        audit_record(
            actor=actor,
            action="vendor.quote.attachment.add",
            target=att,
            event_id=event.pk,
            after=snapshot(att),
        )
    except BaseException:
        storage.delete(stored)
        raise
    return att


@transaction.atomic
def quote_attachment_add(
    *, actor: User | None, event: Event | int, quote_id: int, file: File | None, system: bool = False
) -> QuoteAttachment:
    """An attachment of a quote (the vendor's offer, a price list): refused once the need is closed."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_QUOTE, system=system)
    need, quote = _quote_locked(locked, quote_id)
    _need_open(need, _("上传报价附件"))
    name, ext = upload_check(file, field="file", kinds=QUOTE_FILE_KINDS)
    return _attachment_store(actor, locked, quote, file, name, ext)


def quote_attachment_get(*, event: Event, attachment_id: int) -> QuoteAttachment:
    att = QuoteAttachment.objects.filter(pk=attachment_id, event=event).select_related("quote").first()
    if att is None:
        raise NotFound(_("附件 %(id)s 不存在。") % {"id": attachment_id})
    return att


@transaction.atomic
def quote_attachment_remove(
    *, actor: User | None, event: Event | int, attachment_id: int, seen: int | None, system: bool = False
) -> None:
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_QUOTE, system=system)
    quote_id = (
        QuoteAttachment.objects.filter(pk=attachment_id, event=locked)
        .values_list("quote_id", flat=True)
        .first()
    )
    if quote_id is None:
        raise NotFound(_("附件 %(id)s 不存在。") % {"id": attachment_id})
    need, _quote = _quote_locked(locked, quote_id)
    att = QuoteAttachment.objects.select_for_update().get(pk=attachment_id)
    revision_require(
        att,
        seen,
        label=_("附件「%(name)s」") % {"name": att.original_name},
        system=system,
        fields=("original_name", "size", "sha256"),
    )
    _need_open(need, _("删除报价附件"))
    storage, name = att.file.storage, att.file.name
    audit_record(
        actor=actor,
        action="vendor.quote.attachment.remove",
        target=att,
        event_id=locked.pk,
        before=snapshot(att),
    )
    att.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# ---------------------------------------------------------------- comparison (VD-1)
@dataclass
class ScoredQuote:
    quote: Quote
    price_score: Decimal
    weighted: Decimal
    rank: int = 0
    expired: list[str] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    need: VendorNeed
    weights: ScoringWeights
    rows: list[ScoredQuote]
    min_quotes: int

    @property
    def enough(self) -> bool:
        return len(self.rows) >= self.min_quotes

    @property
    def lowest(self) -> Decimal | None:
        return min((r.quote.amount for r in self.rows), default=None)


def price_score(amount: Decimal, lowest: Decimal) -> Decimal:
    """The lowest amount scores 100, any other lowest ÷ amount × 100 (two places)."""
    if amount <= 0:
        return HUNDRED.quantize(CENT)
    return (lowest / amount * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_score(
    weights: ScoringWeights,
    *,
    qualification: int | None,
    price: Decimal,
    cases: int | None,
    delivery: int | None,
) -> Decimal:
    """Σ score × weight ÷ 100 over qualification, price, cases and delivery; a missing score counts 0."""
    total = (
        Decimal(qualification or 0) * weights.qualification
        + price * weights.price
        + Decimal(cases or 0) * weights.cases
        + Decimal(delivery or 0) * weights.delivery
    )
    return (total / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def comparison(need: VendorNeed, quotes: list[Quote] | None = None, on: dt.date | None = None) -> Comparison:
    """The need's quotes side by side, scored with the organisation's weights and ranked (1 = best);
    equal scores share a rank. Expired qualifications and missing scores are flagged."""
    weights = scoring_weights()
    quotes = quotes if quotes is not None else quotes_of(need)
    on = on or timezone.localdate()
    lowest = min((q.amount for q in quotes), default=ZERO)
    rows = []
    for q in quotes:
        p = price_score(q.amount, lowest)
        unscored = [
            str(label)
            for name, label in (
                ("qualification_score", _("资质")),
                ("cases_score", _("案例")),
                ("delivery_score", _("交付")),
            )
            if getattr(q, name) is None
        ]
        rows.append(
            ScoredQuote(
                quote=q,
                price_score=p,
                weighted=weighted_score(
                    weights,
                    qualification=q.qualification_score,
                    price=p,
                    cases=q.cases_score,
                    delivery=q.delivery_score,
                ),
                expired=[x.name for x in expired_qualifications(q.vendor, on)],
                unscored=unscored,
            )
        )
    rows.sort(key=lambda r: (-r.weighted, r.quote.amount, r.quote.pk))
    previous: ScoredQuote | None = None
    for i, row in enumerate(rows, start=1):
        row.rank = previous.rank if previous is not None and previous.weighted == row.weighted else i
        previous = row
    return Comparison(need=need, weights=weights, rows=rows, min_quotes=weights.min_quotes)


# ---------------------------------------------------------------- exception, choice (VD-1)
@transaction.atomic
def need_exception(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    seen: int | None,
    reason: str,
    system: bool = False,
) -> VendorNeed:
    """An approver (分管领导, 总经理) or an administrator allows this need to be chosen with fewer quotes
    than the minimum, giving the reason (VD-1)."""
    if not system and not can_record_exception(actor):
        raise NotAllowed(_("只有审批人(分管领导、总经理)或管理员可以登记报价不足的例外。"))
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_NEED, need=Need.VIEW, system=system)
    need = _need_locked(locked, need_id)
    revision_require(need, seen, label=_need_label(need), system=system, fields=("exception_reason",))
    if need.status in (VendorNeed.Status.CONTRACTED, VendorNeed.Status.CANCELLED):
        raise DomainError(
            {
                "__all__": [
                    _("采购需求「%(t)s」已%(status)s,无需登记例外。")
                    % {"t": need.title, "status": need.get_status_display()}
                ]
            },
            code="need_closed",
        )
    errors: dict[str, list[Any]] = {}
    reason = text_clean(reason, field="reason", label=_("例外原因"), limit=2000, required=True, errors=errors)
    if errors:
        raise DomainError(errors)
    row_update(
        need,
        changes={
            "exception_reason": reason,
            "exception_by": _actor_or_none(actor),
            "exception_at": timezone.now(),
        },
        seen=need.revision,
        actor=actor,
        action="vendor.need.exception",
        label=_need_label(need),
        event_id=locked.pk,
        summary=Message(_("登记报价不足例外:%(reason)s"), reason=reason),
    )
    return need


def _finance_reviewers() -> list[User]:
    return list(
        User.objects.filter(role=Role.REVIEWER, department__code="finance", is_active=True).order_by("id")
    )


def _overcommit_notify(event: Event, need: VendorNeed, before: dict[int, Decimal]) -> None:
    """Tell the owners and finance, once, about each budget line this change pushed over its plan."""
    from huodong.planning.models import BudgetLine

    after = committed_by_line(event)
    lines = BudgetLine.objects.filter(pk__in=list(after)).order_by("id")
    for line in lines:
        now, was = after.get(line.pk, ZERO), before.get(line.pk, ZERO)
        if now > line.amount and not was > line.amount:
            message = Message(
                _(
                    "活动「%(event)s」的预算项「%(item)s」已承诺 %(committed)s,超出预算 %(planned)s"
                    "(采购需求「%(need)s」)。"
                ),
                event=event.name,
                item=line.item,
                committed=f"{now:,.2f}",
                planned=f"{line.amount:,.2f}",
                need=need.title,
            )
            recipients = [p for p in (event.owner, need.owner) if p is not None] + _finance_reviewers()
            notify(
                recipients=recipients,
                kind="preparation.budget_overcommitted",
                message=message,
                url=reverse("preparation:vendor_needs", kwargs={"event_id": event.pk}),
                event_id=event.pk,
            )
            audit_record(
                actor=None,
                action="vendor.budget.overcommitted",
                target=line,
                event_id=event.pk,
                summary=message,
                after={"planned": line.amount, "committed": now},
            )


@transaction.atomic
def need_choose(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    seen: int | None,
    quote_id: Any,
    reason: str,
    system: bool = False,
) -> VendorNeed:
    """Choose one of the need's quotes with a reason (VD-1). With fewer quotes than the minimum only after
    an approver's exception. The quote's amount becomes the budget line's commitment."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_NEED, system=system)
    need = _need_locked(locked, need_id)
    revision_require(need, seen, label=_need_label(need), system=system, fields=("status", "chosen_quote"))
    if need.status in (VendorNeed.Status.CONTRACTED, VendorNeed.Status.CANCELLED):
        raise DomainError(
            {
                "__all__": [
                    _("采购需求「%(t)s」已%(status)s,不能再选定报价。")
                    % {"t": need.title, "status": need.get_status_display()}
                ]
            },
            code="need_closed",
        )
    errors: dict[str, list[Any]] = {}
    quotes = list(Quote.objects.select_for_update().filter(need=need).select_related("vendor").order_by("id"))
    chosen = next((q for q in quotes if isinstance(quote_id, int) and q.pk == quote_id), None)
    if chosen is None:
        errors["quote"] = [_("请选择该需求的一份报价。")]
    reason = text_clean(reason, field="reason", label=_("选择理由"), limit=2000, required=True, errors=errors)
    minimum = scoring_weights().min_quotes
    if len(quotes) < minimum and need.exception_at is None:
        errors.setdefault("__all__", []).append(
            _(
                "该需求只有 %(n)s 家报价,少于规定的 %(min)s 家(VD-1);须由审批人(分管领导、总经理)"
                "或管理员登记例外并说明原因后才能选定。"
            )
            % {"n": len(quotes), "min": minimum}
        )
    if errors:
        raise DomainError(errors, code="invalid")
    assert chosen is not None
    before = committed_by_line(locked)
    row_update(
        need,
        changes={
            "status": VendorNeed.Status.CHOSEN,
            "chosen_quote": chosen,
            "choice_reason": reason,
            "chosen_by": _actor_or_none(actor),
            "chosen_at": timezone.now(),
        },
        seen=need.revision,
        actor=actor,
        action="vendor.need.choose",
        label=_need_label(need),
        event_id=locked.pk,
        summary=Message(_("选定「%(vendor)s」:%(reason)s"), vendor=chosen.vendor.name, reason=reason),
    )
    _overcommit_notify(locked, need, before)
    return need


# ---------------------------------------------------------------- contract (VD-2)
def _moment(
    value: Any, event: Event, *, field: str, label: Any, errors: dict[str, list[Any]]
) -> dt.datetime | None:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("%(label)s不能为空。") % {"label": label})
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9, 0))
    if not isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(
            _("%(label)s须为日期时间,格式如 2027-03-15 09:00。") % {"label": label}
        )
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, event.tz)
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= value < dt.datetime(2100, 1, 1, tzinfo=dt.UTC):
        errors.setdefault(field, []).append(_("%(label)s须在 2000 年至 2099 年之间。") % {"label": label})
        return None
    if value > event.ends_at:
        errors.setdefault(field, []).append(
            _("%(label)s不能晚于活动结束(%(end)s)。")
            % {"label": label, "end": timezone.localtime(event.ends_at, event.tz).strftime("%Y-%m-%d %H:%M")}
        )
    return value


def _contract_validate(event: Event, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {
        "number": text_clean(
            data.get("number"), field="number", label=_("合同编号"), limit=60, errors=errors, multiline=False
        ),
        "service_content": text_clean(
            data.get("service_content"),
            field="service_content",
            label=_("服务内容"),
            limit=10000,
            required=True,
            errors=errors,
        ),
        "delivery_at": _moment(
            data.get("delivery_at"), event, field="delivery_at", label=_("交付时间"), errors=errors
        ),
        "liability": text_clean(
            data.get("liability"),
            field="liability",
            label=_("违约责任"),
            limit=5000,
            required=True,
            errors=errors,
        ),
        "amount": money_parse(data.get("amount"), field="amount", label=_("合同金额"), errors=errors),
        "signed_on": _date(data.get("signed_on"), field="signed_on", label=_("签订日期"), errors=errors),
    }
    if clean["signed_on"] is not None and clean["signed_on"] > timezone.localdate():
        errors.setdefault("signed_on", []).append(_("签订日期不能晚于今天。"))
    return clean, errors


@transaction.atomic
def contract_record(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    seen: int | None,
    service_content: str,
    delivery_at: Any,
    liability: str,
    amount: Any,
    number: str = "",
    signed_on: dt.date | None = None,
    signed_file: Any = None,
    system: bool = False,
) -> Contract:
    """The contract with the chosen vendor (VD-2): service content, delivery time and liability for
    breach are required. The need becomes 已签合同; the contract's amount is what the line commits."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_CONTRACT, system=system)
    need = _need_locked(locked, need_id)
    revision_require(need, seen, label=_need_label(need), system=system, fields=("status",))
    if need.status != VendorNeed.Status.CHOSEN or need.chosen_quote_id is None:
        message = (
            _("采购需求「%(t)s」已签订合同。")
            if need.status == VendorNeed.Status.CONTRACTED
            else _("采购需求「%(t)s」尚未选定报价,须先选定供应商再登记合同。")
        )
        raise DomainError({"__all__": [message % {"t": need.title}]}, code="wrong_status")
    clean, errors = _contract_validate(
        locked,
        dict(
            number=number,
            service_content=service_content,
            delivery_at=delivery_at,
            liability=liability,
            amount=amount,
            signed_on=signed_on,
        ),
    )
    file_meta = None
    if signed_file is not None:
        try:
            file_meta = upload_check(signed_file, field="signed_file", kinds=CONTRACT_FILE_KINDS)
        except DomainError as exc:
            errors.update(exc.errors)
    if errors:
        raise DomainError(errors)
    quote = Quote.objects.select_related("vendor").get(pk=need.chosen_quote_id)
    before = committed_by_line(locked)
    contract = Contract(
        need=need, event=locked, vendor=quote.vendor, recorded_by=_actor_or_none(actor), **clean
    )
    stored = ""
    if file_meta is not None:
        sha = file_sha256(signed_file)
        contract.signed_file.save(f"{sha[:16]}.{file_meta[1]}", signed_file, save=False)
        contract.signed_file_name = file_meta[0]
        stored = contract.signed_file.name
    try:
        contract.save()
        audit_record(
            actor=actor,
            action="vendor.contract.record",
            target=contract,
            event_id=locked.pk,
            after=snapshot(contract),
        )
        row_update(
            need,
            changes={"status": VendorNeed.Status.CONTRACTED},
            seen=need.revision,
            actor=actor,
            action="vendor.need.contracted",
            label=_need_label(need),
            event_id=locked.pk,
        )
        _overcommit_notify(locked, need, before)
    except BaseException:
        if stored:
            contract.signed_file.storage.delete(stored)
        raise
    return contract


def _contract_locked(event: Event, need_id: int) -> tuple[VendorNeed, Contract]:
    need = _need_locked(event, need_id)
    contract = Contract.objects.select_for_update().filter(need=need).first()
    if contract is None:
        raise NotFound(_("采购需求「%(t)s」尚无合同。") % {"t": need.title})
    return need, contract


@transaction.atomic
def contract_update(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    seen: int | None,
    system: bool = False,
    **changes: Any,
) -> Contract:
    """Correct a recorded contract (seen at revision ``seen``); the same rules as recording it."""
    _unknown(changes, CONTRACT_FIELDS)
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_CONTRACT, system=system)
    need, contract = _contract_locked(locked, need_id)
    label = _("「%(t)s」的合同") % {"t": need.title}
    revision_require(contract, seen, label=label, system=system, fields=CONTRACT_FIELDS)
    data = {f: getattr(contract, f) for f in CONTRACT_FIELDS}
    data.update(changes)
    clean, errors = _contract_validate(locked, data)
    if errors:
        raise DomainError(errors)
    before = committed_by_line(locked)
    row_update(
        contract,
        changes=clean,
        seen=contract.revision,
        actor=actor,
        action="vendor.contract.update",
        label=label,
        event_id=locked.pk,
    )
    _overcommit_notify(locked, need, before)
    return contract


@transaction.atomic
def contract_file_set(
    *, actor: User | None, event: Event | int, need_id: int, seen: int | None, file: Any, system: bool = False
) -> Contract:
    """Attach (or replace) the signed contract file: a PDF or an image."""
    locked = preparation_event_lock(actor=actor, event=event, what=WHAT_CONTRACT, system=system)
    need, contract = _contract_locked(locked, need_id)
    label = _("「%(t)s」的合同") % {"t": need.title}
    revision_require(contract, seen, label=label, system=system, fields=("signed_file_name",))
    name, ext = upload_check(file, field="signed_file", kinds=CONTRACT_FILE_KINDS)
    old_storage, old_name = contract.signed_file.storage, contract.signed_file.name
    sha = file_sha256(file)
    contract.signed_file.save(f"{sha[:16]}.{ext}", file, save=False)
    stored = contract.signed_file.name
    contract.signed_file.name = old_name  # the row still holds the old one until row_update writes
    try:
        row_update(
            contract,
            changes={"signed_file": stored, "signed_file_name": name},
            seen=contract.revision,
            actor=actor,
            action="vendor.contract.file",
            label=label,
            event_id=locked.pk,
        )
    except BaseException:
        contract.signed_file.storage.delete(stored)
        raise
    if old_name and old_name != stored:
        transaction.on_commit(lambda: old_storage.delete(old_name))
    return contract


# ---------------------------------------------------------------- rating (VD-1: a rating from past events)
def can_rate(event: Event, need: VendorNeed, now: dt.datetime | None = None) -> bool:
    return need.status == VendorNeed.Status.CONTRACTED and (now or timezone.now()) >= event.starts_at


@transaction.atomic
def rating_record(
    *,
    actor: User | None,
    event: Event | int,
    need_id: int,
    score: Any,
    comment: str = "",
    system: bool = False,
) -> VendorRating:
    """How the contracted vendor did at this event (1–5), once the event has started; a second rating of
    the same vendor at the same event replaces the first."""
    locked = event_for(actor, event, Need.EDIT, lock=True) if not system else _event_locked(event)
    need = _need_locked(locked, need_id)
    errors: dict[str, list[Any]] = {}
    if need.status != VendorNeed.Status.CONTRACTED:
        errors["__all__"] = [_("只能评价已签合同的供应商。")]
    elif not can_rate(locked, need):
        errors["__all__"] = [_("活动开始后才能评价供应商。")]
    try:
        if isinstance(score, bool | float):
            raise ValueError
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        errors["score"] = [_("评分须为 1 到 5 的整数。")]
    comment = text_clean(comment, field="comment", label=_("评价"), limit=2000, errors=errors)
    if errors:
        raise DomainError(errors)
    contract = Contract.objects.get(need=need)
    rating, _created = VendorRating.objects.update_or_create(
        vendor_id=contract.vendor_id,
        event=locked,
        defaults={
            "score": value,
            "comment": comment,
            "rated_by": _actor_or_none(actor),
            "rated_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor, action="vendor.rating", target=rating, event_id=locked.pk, after=snapshot(rating)
    )
    return rating


def _event_locked(event: Event | int) -> Event:
    from huodong.events.access import event_load

    return event_load(event, lock=True)


# ---------------------------------------------------------------- committed vs planned (VD-1)
@dataclass
class LineStatus:
    line: Any
    planned: Decimal
    committed: Decimal
    needs: list[VendorNeed]

    @property
    def over(self) -> bool:
        return self.committed > self.planned


def line_statuses(event: Event, needs: list[VendorNeed]) -> list[LineStatus]:
    """Each budget line a need of the event is linked to: planned, committed (chosen quotes, contracts)
    and whether it is over."""
    committed = committed_by_line(event)
    by_line: dict[int, LineStatus] = {}
    for need in needs:
        line = need.budget_line
        if line is None:
            continue
        status = by_line.setdefault(
            line.pk,
            LineStatus(line=line, planned=line.amount, committed=committed.get(line.pk, ZERO), needs=[]),
        )
        status.needs.append(need)
    from huodong.planning.selectors_plan import label_budget_lines

    label_budget_lines(event, [s.line for s in by_line.values()])
    return sorted(by_line.values(), key=lambda s: (s.line.position, s.line.pk))


def needs_with_flags(event: Event) -> list[VendorNeed]:
    """The event's needs, each with ``quote_total`` and ``expired_vendor_names`` of its quotes."""
    needs = list(
        needs_of(event).prefetch_related(
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("vendor").prefetch_related("vendor__qualifications"),
            )
        )
    )
    today = timezone.localdate()
    for need in needs:
        need.expired_vendor_names = sorted(  # type: ignore[attr-defined]
            {q.vendor.name for q in need.quotes.all() if expired_qualifications(q.vendor, today)}
        )
    return needs
