"""Forms of internal resources (IR-1): a request to a department, and the department's answer.

They only parse; ``services.resources`` decides (a department that does not exist or is inactive, a time
in the past or after the event, a decline without a comment). The time is read in the event's time zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, User
from huodong.core.pageflow import RevisionField
from huodong.planning.forms.plan import DATETIME_FORMATS, PeopleChoiceField

from ..services.resources import RESPONSE_MAX, WHAT_MAX, Decision


def people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__sort_order", "display_name", "id")
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:  # type: ignore[override]
        return obj.display_name


class InEventZone(forms.Form):
    """A form whose times are wall-clock times of the event's time zone."""

    def __init__(self, *args: Any, tz: Any = None, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        if self.tz is not None:
            with timezone.override(self.tz):
                super().full_clean()
        else:
            super().full_clean()


def moment_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("请填写时间。"),
            "invalid": _("请输入日期和时间,如 2027-03-17 09:00。"),
        },
        **kwargs,
    )


class ResourceRequestForm(InEventZone):
    """Ask a department for something (IR-1); ``edit=True`` carries the revision it was shown with."""

    department = DepartmentChoiceField(
        label=_("协作部门"),
        queryset=Department.objects.filter(is_active=True),
        error_messages={
            "required": _("请选择协作部门。"),
            "invalid_choice": _("该部门不存在或已停用,请从列表中选择。"),
        },
        help_text=_("如:技术部(现场网络)、产品部(演示资料)、行政部(车辆)"),
    )
    what = forms.CharField(
        label=_("需要什么"),
        max_length=WHAT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如:现场网络保障,100 人同时上网,下午 1 点前调试完毕"),
    )
    needed_at = moment_field(_("需要时间"), help_text=_("不能早于现在,也不能晚于活动结束"))
    contact = PeopleChoiceField(
        label=_("我方联系人"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("请指定我方联系人。"),
            "invalid_choice": _("未知人员,请从列表中选择。"),
        },
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = people()  # type: ignore[attr-defined]
        if edit:
            self.fields["revision"] = RevisionField()

    @property
    def fields_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class AnswerForm(forms.Form):
    """The department's answer: confirm, or decline with a comment; the revision it was shown with."""

    revision = RevisionField()
    decision = forms.ChoiceField(
        label=_("答复"),
        choices=Decision.CHOICES,
        error_messages={
            "required": _("请选择确认或拒绝。"),
            "invalid_choice": _("答复须为确认或拒绝。"),
        },
    )
    comment = forms.CharField(
        label=_("答复意见"),
        max_length=RESPONSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("拒绝时必填:说明原因或替代方案"),
    )
