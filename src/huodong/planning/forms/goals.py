"""Form of a SMART goal (GO-1). Blank target, date, owner or objective pass the form so the service
can refuse them with the SMART reason; a non-number is refused here, naming the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User

from ..models import Goal
from .needs import DateInput, RevisionedForm


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        extra = " · ".join(str(x) for x in (obj.department, obj.title) if x)
        return f"{obj.name}({extra})" if extra else obj.name


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("指标"), choices=Goal.Metric.choices)
    custom_metric = forms.CharField(
        label=_("自定义指标名称"), max_length=100, required=False, help_text=_("指标选「自定义」时必填")
    )
    description = forms.CharField(
        label=_("具体描述"), max_length=300, required=False, help_text=_("如:吸引200+行业客户参与")
    )
    target_value = forms.DecimalField(
        label=_("目标值"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("请输入数字,如 150。")},
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False, help_text=_("如:人、条、次"))
    baseline = forms.DecimalField(
        label=_("基线"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("现状或上次活动的数值,可留空"),
        error_messages={"invalid": _("请输入数字,如 115。")},
    )
    due_date = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    owner = PersonChoiceField(
        label=_("负责人"),
        queryset=User.objects.filter(is_active=True).select_related("department"),
        required=False,
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )
    objective = forms.CharField(
        label=_("服务的业务目标"), max_length=300, required=False, help_text=_("如:新品上市,线索量提升30%")
    )


# GO-1: what a SMART goal needs. The form leaves them optional so that the service can say, letter by
# letter, what is missing (缺少时限(T)…); the label still carries the ``*`` (issue 7, point 5).
SMART_FIELDS = ("target_value", "due_date", "owner", "objective")
for _name in SMART_FIELDS:
    GoalForm.base_fields[_name].gate_required = True  # type: ignore[attr-defined]


class GoalEditForm(GoalForm, RevisionedForm):
    """A goal on its edit page, with the revision it was shown with."""
