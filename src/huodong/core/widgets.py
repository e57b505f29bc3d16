"""Widgets and fields shared by every phase's forms.

``PersonPicker`` chooses several people without Ctrl-click (issue 7, point 5): a list of checkboxes, each
person with department and title, and (with huodong.js) a search box that filters the list by name,
pinyin (full or initials: "wangcehua", "wch"), username, department or title; the people chosen stay
visible whatever the filter, and a count says how many are chosen. Without JavaScript it is a plain
checkbox list, which still needs no modifier key on a phone or a desktop.
"""

from __future__ import annotations

from typing import Any

from django import forms
from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> str:
    """``"王策划"`` → ``"wangcehua wch"``: what a person types to find a Chinese name."""
    if not name:
        return ""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return f"{''.join(syllables)} {''.join(initials)}".lower()


class PersonPicker(forms.CheckboxSelectMultiple):
    template_name = "core/widgets/person_picker.html"

    def create_option(
        self, name: Any, value: Any, label: Any, selected: Any, index: Any, *args: Any, **kwargs: Any
    ) -> Any:  # type: ignore[override]
        option = super().create_option(name, value, label, selected, index, *args, **kwargs)
        person = getattr(value, "instance", None)
        words = [str(label)]
        if person is not None:
            department = getattr(person, "department", None)
            words += [
                getattr(person, "username", ""),
                pinyin_keys(getattr(person, "name", "")),
                getattr(department, "code", "") if department else "",
            ]
        option["search"] = " ".join(w for w in words if w).lower()
        return option


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several people, each labelled with department and title, in a ``PersonPicker``."""

    widget = PersonPicker

    def label_from_instance(self, obj: Any) -> str:
        department = getattr(obj, "department", None)
        extra = " · ".join(
            str(x) for x in (getattr(department, "display_name", ""), getattr(obj, "title", "")) if x
        )
        return f"{obj.name}({extra})" if extra else str(obj.name)
