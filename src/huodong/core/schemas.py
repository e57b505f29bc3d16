"""Schemas shared by every router: the error shapes, and the bounded input types every input uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, Field

from .money import MAX_MONEY
from .text import text_problem


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]


class CriterionOut(Schema):
    code: str
    label: str
    met: bool
    detail: str = ""


class GateErrorOut(ErrorOut):
    step: str
    unmet: list[CriterionOut]


class StaleErrorOut(ErrorOut):
    """409 for a write based on an old revision: ``current`` is the record as it is now."""

    current: dict = {}
    changed_by: str = ""
    changed_at: str = ""


# ---------------------------------------------------------------- bounded input types
# Every input of the API is bounded by its schema, so that bad input is a 400 naming the field and never
# reaches the database (PostgreSQL refuses a NUL byte, a lone surrogate or a value longer than its column).
MAX_ID = 2**31 - 1  # ids, positions and counts fit a 32-bit integer column on every database
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _clean_multiline(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem is not None:
        raise ValueError(str(problem))
    return value


def _clean_line(value: str) -> str:
    problem = text_problem(value, multiline=False)
    if problem is not None:
        raise ValueError(str(problem))
    return value


def Text(max_length: int) -> Any:  # noqa: N802  (a type, used as ``note: Text(5000) = ""``)
    """Free text of at most ``max_length`` characters; line breaks allowed, NUL and other controls not."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_clean_multiline)]


def Line(max_length: int) -> Any:  # noqa: N802
    """One line of at most ``max_length`` characters (names, titles, codes): no line breaks or controls."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_clean_line)]


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if not EARLIEST <= aware < LATEST:
        raise ValueError(str(_("时间须在 2000 年至 2099 年之间。")))
    return value


def _day_in_range(value: dt.date) -> dt.date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError(str(_("日期须在 2000 年至 2099 年之间。")))
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Revision = Annotated[
    int, Field(ge=1, le=MAX_ID, description="the revision the client saw (or send If-Match)")
]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=14, decimal_places=2)]
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range)]
Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=500)]
