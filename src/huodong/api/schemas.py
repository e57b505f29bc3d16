"""Schemas shared by every router."""

from __future__ import annotations

from ninja import Schema


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
