"""Forms of the template editor (issue 9, point 5): the text of one kind, channel and language, and the
preview with a guest. They only parse; ``services.templates`` checks the placeholders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.templates import BODY_MAX, EVENT, ORGANISATION, SUBJECT_MAX


class TemplateForm(forms.Form):
    """The subject and body; ``revision`` is the row's when one is being changed (none for a new one)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)
    subject = forms.CharField(label=_("标题"), max_length=SUBJECT_MAX, required=False)
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("正文不能为空。")},
    )
    scope = forms.ChoiceField(
        label=_("保存为"),
        choices=[(EVENT, _("本活动模板")), (ORGANISATION, _("组织默认模板(管理员)"))],
        initial=EVENT,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("保存范围须为本活动或组织默认。")},
    )

    def __init__(self, *args: Any, admin: bool = False, sms: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not admin:
            self.fields["scope"].widget = forms.HiddenInput()
        if sms:
            self.fields["subject"].widget = forms.HiddenInput()
            self.fields["body"].help_text = _("短信中文每条 70 字(超过时每条 67 字拆分发送)")


class PreviewForm(forms.Form):
    """Render the draft (or the text in force) for one guest of the event."""

    guest = forms.TypedChoiceField(
        label=_("预览嘉宾"), coerce=int, choices=[], required=False, empty_value=None
    )
    subject = forms.CharField(max_length=SUBJECT_MAX, required=False, widget=forms.HiddenInput)
    body = forms.CharField(max_length=BODY_MAX, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, guests: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guest"].choices = [  # type: ignore[attr-defined]
            (g.pk, f"{g.name}{'(' + g.company + ')' if g.company else ''}") for g in guests
        ]
        self.fields["guest"].error_messages["invalid_choice"] = _("请从本活动的嘉宾中选择。")
