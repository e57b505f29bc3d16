"""The departments every organisation starts with, and those that review every plan by default (RV-1).

Core data: the migrations of ``core`` seed them; the planning phase reads
``DEFAULT_REVIEW_DEPARTMENTS`` through ``Organisation.required_review_departments``.
"""

from __future__ import annotations

from typing import Any

DEPARTMENTS: list[dict[str, Any]] = [
    {"code": "marketing", "name": "市场部", "name_en": "Marketing"},
    {"code": "sales", "name": "销售部", "name_en": "Sales"},
    {"code": "product", "name": "产品部", "name_en": "Product"},
    {"code": "legal", "name": "法务部", "name_en": "Legal"},
    {"code": "finance", "name": "财务部", "name_en": "Finance"},
    {"code": "tech", "name": "技术部", "name_en": "Technology"},
    {"code": "admin", "name": "行政部", "name_en": "Administration"},
]

# RV-1: marketing leads; sales, product, legal and finance take part by default.
DEFAULT_REVIEW_DEPARTMENTS = ("sales", "product", "legal", "finance")


def seed_departments(Department: Any) -> None:  # noqa: N803  (a historical model in a migration)
    for i, spec in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "name_en": spec["name_en"], "sort_order": (i + 1) * 10},
        )


def seed_required_review_departments(Organisation: Any, Department: Any) -> None:  # noqa: N803
    """Give every organisation that has none the default reviewing departments (RV-1)."""
    depts = list(Department.objects.filter(code__in=DEFAULT_REVIEW_DEPARTMENTS))
    for org in Organisation.objects.all():
        if not org.required_review_departments.exists():
            org.required_review_departments.set(depts)
