"""Forms of the incident pages (EX-5). They only parse; ``services.incidents`` decides (a category missing,
a risk of another event, a link that is not a web address, a statement changed without the right …)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.pageflow import RevisionField

from ..models import Category, Move, Platform, Severity
from ..services.incidents import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    POST_TEXT_MAX,
    RESOLUTION_MAX,
    STATEMENT_TEXT_MAX,
    STATEMENT_TITLE_MAX,
    TITLE_MAX,
    URL_MAX,
)


class ReportForm(forms.Form):
    """Report an incident from a phone in a few taps: a category, a severity, a title."""

    category = forms.ChoiceField(
        label=_("类别"),
        choices=Category.choices,
        widget=forms.RadioSelect(attrs={"class": "incident-choice"}),
        error_messages={
            "required": _("请选择类别。"),
            "invalid_choice": _("请选择类别:设备、人员、舆情、安全或其他。"),
        },
    )
    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.RadioSelect(attrs={"class": "incident-choice"}),
        error_messages={"required": _("请选择严重程度。")},
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=TITLE_MAX,
        help_text=_("一句话说明发生了什么,如「主会场投影无信号」"),
        error_messages={"required": _("请填写标题。")},
    )
    description = forms.CharField(
        label=_("情况说明"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risk = forms.TypedChoiceField(
        label=_("对应风险预案"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("可不选:系统按类别自动匹配方案中的风险预案"),
    )

    def __init__(self, *args: Any, risks: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = [("", _("自动匹配"))] + [(r.pk, r.risk) for r in risks or []]  # type: ignore[attr-defined]


class EditForm(forms.Form):
    revision = RevisionField()
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("情况说明"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risk = forms.TypedChoiceField(label=_("对应风险预案"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, risks: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = [("", _("(无)"))] + [(r.pk, r.risk) for r in risks or []]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    revision = RevisionField()
    move = forms.ChoiceField(choices=Move.choices, widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=_("处理结果"),
        max_length=RESOLUTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("处理记录"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写处理记录。")},
    )


class AssignForm(forms.Form):
    revision = RevisionField()
    people = forms.TypedMultipleChoiceField(
        label=_("处理人"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.pk, p.name) for p in people or []]  # type: ignore[attr-defined]


class StatementChoiceForm(forms.Form):
    revision = RevisionField()
    statement = forms.TypedChoiceField(
        label=_("统一口径"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择统一口径。")},
    )

    def __init__(self, *args: Any, statements: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statement"].choices = [(s.pk, s.title) for s in statements or []]  # type: ignore[attr-defined]


class PostForm(forms.Form):
    url = forms.URLField(
        label=_("帖子链接"),
        max_length=URL_MAX,
        assume_scheme="https",
        error_messages={
            "required": _("请填写帖子链接。"),
            "invalid": _("链接须为以 http:// 或 https:// 开头的网址。"),
        },
    )
    platform = forms.ChoiceField(
        label=_("平台"), choices=Platform.choices, error_messages={"required": _("请选择平台。")}
    )
    text = forms.CharField(
        label=_("内容摘录"),
        max_length=POST_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatementForm(forms.Form):
    title = forms.CharField(
        label=_("标题"), max_length=STATEMENT_TITLE_MAX, error_messages={"required": _("请填写标题。")}
    )
    text = forms.CharField(
        label=_("口径内容"),
        max_length=STATEMENT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写口径内容。")},
    )
