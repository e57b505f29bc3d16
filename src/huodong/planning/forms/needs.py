"""Forms of the needs research page (NI-1, NI-2, DOC-1); the service does the rules, these parse input.

A form that edits a saved record carries the revision it was shown with (``RevisionField``), so that the
service can tell a stale edit ("已被某某修改") from a current one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, User
from huodong.core.pageflow import RevisionField
from huodong.core.widgets import PersonMultipleChoiceField, PersonPicker

from ..models import NeedsInput, NeedsMethod
from ..services.needs import PARTICIPANTS_MAX, SOURCE_MAX, TEXT_MAX


class RevisionedForm(forms.Form):
    """An edit form: the hidden ``revision`` it was shown with; a problem with it is shown above the fields."""

    revision = RevisionField()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        for message in self.errors.get("revision", []):  # a hidden field shows no errors of its own
            self.add_error(None, message)
        return cleaned

    @property
    def fields_data(self) -> dict[str, Any]:
        """The cleaned values of the record's fields, without the revision."""
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _text(label: Any, *, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NeedsReportForm(RevisionedForm):
    """The prose of the report (DOC-1)."""

    background = _text(_("需求背景"), help_text=_("为什么做这次活动:业务背景与要解决的问题"))
    audience_persona = _text(_("目标受众画像"), help_text=_("行业、职位、规模、关注点等"))
    core_needs = _text(_("核心需求描述"))
    initial_goals = _text(_("初步目标设定"), rows=3, help_text=_("文字说明;可衡量的目标在「目标」页设定"))


class NeedsRequestForm(RevisionedForm):
    """Who asked for the event, and when (DOC-1)."""

    requesting_department = forms.ModelChoiceField(
        label=_("需求提出部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        error_messages={"invalid_choice": _("未知部门,请从列表中选择。")},
    )
    requesters = PersonMultipleChoiceField(
        label=_("需求提出人"),
        queryset=User.objects.filter(is_active=True).select_related("department"),
        required=False,
        widget=PersonPicker,
        help_text=_("如市场部经理、销售部总监;可多选"),
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )
    requested_on = forms.DateField(label=_("提出日期"), required=False, widget=DateInput())


class NeedsInputForm(forms.Form):
    """One input of the needs (NI-1)."""

    kind = forms.ChoiceField(label=_("类别"), choices=NeedsInput.Kind.choices)
    content = forms.CharField(
        label=_("内容"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如:新品上市需提升30%线索量"),
    )
    source = forms.CharField(label=_("来源"), max_length=SOURCE_MAX, required=False, help_text=_("如:销售部"))


class NeedsMethodForm(forms.Form):
    """One research method and what it found (NI-2)."""

    method = forms.ChoiceField(label=_("方法"), choices=NeedsMethod.Method.choices)
    findings = forms.CharField(label=_("发现"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    conducted_on = forms.DateField(label=_("日期"), required=False, widget=DateInput())
    participants = forms.CharField(label=_("参与对象"), max_length=PARTICIPANTS_MAX, required=False)


class NeedsInputEditForm(NeedsInputForm, RevisionedForm):
    """An input on its own edit page, with the revision it was shown with."""


class NeedsMethodEditForm(NeedsMethodForm, RevisionedForm):
    """A method on its own edit page, with the revision it was shown with."""


class NeedsHistoryForm(RevisionedForm):
    """Which archived events of the same type the historical review compares with (LC-3)."""

    history_events = forms.TypedMultipleChoiceField(
        label=_("参考的历史活动"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("只能选择列表中的同类型已归档活动。")},
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["history_events"].choices = [  # type: ignore[attr-defined]
            (c.event_id, f"{c.name}({c.date.isoformat()})") for c in candidates
        ]
