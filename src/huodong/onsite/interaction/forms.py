"""The guest's forms (the services check the values again and say what is wrong field by field) and the
stage manager's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX, NAME_MAX, QUESTION_MAX, REASON_MAX, TITLE_MAX, WINNERS_MAX


class AskForm(forms.Form):
    text = forms.CharField(
        label=_("您的问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX, "data-testid": "ask-text"}),
        help_text=_("最多 %(n)d 个字;审核通过后显示在大屏上。") % {"n": QUESTION_MAX},
    )
    name = forms.CharField(
        label=_("署名(可不填)"),
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": NAME_MAX, "autocomplete": "off", "data-testid": "ask-name"}
        ),
    )


def _scale(low: int, high: int) -> list[tuple[str, str]]:
    return [(str(i), str(i)) for i in range(low, high + 1)]


def _radios(low: int, high: int) -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": "scale"}, choices=_scale(low, high))


class SurveyForm(forms.Form):
    # Plain text fields with radio buttons: the service checks the range and says what is wrong.
    rating = forms.CharField(label=_("总体满意度(1–5 分)"), required=False, widget=_radios(1, 5))
    rating_content = forms.CharField(label=_("活动内容(1–5 分)"), required=False, widget=_radios(1, 5))
    rating_organisation = forms.CharField(label=_("组织安排(1–5 分)"), required=False, widget=_radios(1, 5))
    nps = forms.CharField(
        label=_("您有多大可能向朋友或同事推荐本活动?(0–10 分)"), required=False, widget=_radios(0, 10)
    )
    comment = forms.CharField(
        label=_("意见和建议(可不填)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
    )


class SettingsForm(forms.Form):
    qa_open = forms.BooleanField(label=_("开放提问"), required=False)
    survey_open = forms.BooleanField(label=_("开放满意度调查"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class DrawForm(forms.Form):
    title = forms.CharField(
        label=_("奖项"), max_length=TITLE_MAX, widget=forms.TextInput(attrs={"data-testid": "draw-title"})
    )
    winners_count = forms.IntegerField(
        label=_("中奖人数"),
        min_value=1,
        max_value=WINNERS_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"data-testid": "draw-count"}),
    )


class ExclusionForm(forms.Form):
    code = forms.CharField(label=_("票号"), max_length=20)
    reason = forms.CharField(label=_("原因"), max_length=REASON_MAX)
