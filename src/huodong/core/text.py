"""Text that people type, cleaned once for every service: trimmed, bounded, free of what breaks storage.

A NUL byte or a lone surrogate cannot be stored by PostgreSQL (and breaks a Word export), control
characters break the documents, and a value longer than its column is refused by PostgreSQL while SQLite
silently keeps it. Every service runs what people typed through ``text_clean`` (or the API's bounded
schema types, ``core.schemas``, which use the same rules) so the answer is a message naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

# C0 controls except tab, line feed and carriage return; DEL; C1 controls. NUL is among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = True) -> Any:
    """What is wrong with ``value`` as stored text (a lazy message), or None."""
    if _SURROGATE.search(value):
        return _("含有无效的 Unicode 字符(孤立代理项)。")
    if (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value):
        return (
            _("含有不允许的控制字符(如 NUL)。")
            if multiline
            else _("含有换行或控制字符;此处只能填写一行文字。")
        )
    return None


def text_clean(
    value: Any,
    *,
    field: str,
    label: Any,
    limit: int,
    errors: dict[str, list[Any]],
    required: bool = False,
    multiline: bool = True,
) -> str:
    """``value`` as stripped text, or an error on ``field`` naming ``label`` and what is allowed.

    ``None`` is the empty text. Returns the cleaned text even when it is refused, so a caller can show it.
    """
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool | int | float):
        text = str(value)
    else:
        errors.setdefault(field, []).append(_("%(label)s须为文字。") % {"label": label})
        return ""
    problem = text_problem(text, multiline=multiline)
    if problem is not None:
        errors.setdefault(field, []).append(_("%(label)s%(problem)s") % {"label": label, "problem": problem})
    elif required and not text:
        errors.setdefault(field, []).append(_("%(label)s不能为空。") % {"label": label})
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("%(label)s最多 %(n)s 个字(现为 %(len)s 个)。") % {"label": label, "n": limit, "len": len(text)}
        )
    return text
