"""Forms of the event pages: they parse; ``events.services`` checks the text and the rules."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, Role, User
from huodong.core.pageflow import RevisionField

from .models import EventType
from .services import column_length
from .steps import Phase, Step

COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "UTC",
]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):  # noqa: ANN003
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def possible_owners() -> Any:
    """Who may own an event: organisers and administrators (separation of duties)."""
    return User.objects.filter(is_active=True).filter(
        Q(role__in=[Role.ORGANISER, Role.ADMIN]) | Q(is_superuser=True)
    )


class EventForm(forms.Form):
    """Input of an event; times are read in the event's own time zone.

    Editing (``editing=True``) carries the revision the page showed; without ``may_manage`` the owner and
    the team are shown but not changed (only the owner or an administrator changes who runs the event).
    """

    name = forms.CharField(label=_("活动名称"), max_length=column_length("name"))
    event_type = forms.ModelChoiceField(
        label=_("活动类型"),
        queryset=EventType.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("未知的活动类型,请从列表中选择。")},
    )
    theme = forms.CharField(label=_("主题"), max_length=column_length("theme"), required=False)
    tone = forms.CharField(
        label=_("调性"),
        max_length=column_length("tone"),
        required=False,
        help_text=_("如:高端专业 / 年轻活力"),
    )
    time_zone = forms.ChoiceField(
        label=_("时区"), choices=[(z, z) for z in COMMON_TIME_ZONES], initial="Asia/Shanghai"
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    venue = forms.CharField(label=_("地点"), max_length=column_length("venue"), required=False)
    expected_attendance = forms.IntegerField(label=_("预计人数"), min_value=0, max_value=1_000_000, initial=0)
    requesting_department = forms.ModelChoiceField(
        label=_("需求部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("负责人"),
        queryset=User.objects.none(),
        help_text=_("策划人员或管理员"),
        error_messages={"invalid_choice": _("负责人须为在职的策划人员或管理员。")},
    )
    team_members = forms.ModelMultipleChoiceField(
        label=_("团队成员"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, editing: bool = False, may_manage: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()  # type: ignore[attr-defined]
        if editing:
            self.fields["revision"] = RevisionField()
        if not may_manage:
            for name in ("owner", "team_members"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("只有活动负责人或管理员可以更改负责人和团队。")

    def _clean_local(self, name: str):  # noqa: ANN202
        value = self.cleaned_data.get(name)
        tz = self.data.get("time_zone") or "Asia/Shanghai"
        if value is None:
            return value
        try:
            zone = zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return value
        try:
            return value.replace(tzinfo=None).replace(tzinfo=zone)
        except (OverflowError, ValueError):
            return value

    def clean_starts_at(self):  # noqa: ANN201
        return self._clean_local("starts_at")

    def clean_ends_at(self):  # noqa: ANN201
        return self._clean_local("ends_at")


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    phase = forms.ChoiceField(
        label=_("阶段"), choices=[("", _("全部阶段"))] + list(Phase.choices), required=False
    )
    step = forms.ChoiceField(
        label=_("步骤"), choices=[("", _("全部步骤"))] + list(Step.choices), required=False
    )
    event_type = forms.ModelChoiceField(
        label=_("类型"), queryset=EventType.objects.all(), required=False, empty_label=_("全部类型")
    )
    owner = forms.ModelChoiceField(
        label=_("负责人"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("全部负责人"),
    )


class MoveBackForm(forms.Form):
    to_step = forms.ChoiceField(label=_("退回到"), choices=Step.choices)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    from_step = forms.ChoiceField(
        label=_("当前步骤"),
        choices=Step.choices,
        widget=forms.HiddenInput,
        error_messages={"required": _("表单缺少当前步骤,请刷新页面后重试。")},
    )


class AdvanceForm(forms.Form):
    """The advance button: the step the page showed, so that two clicks move the event once."""

    from_step = forms.ChoiceField(
        label=_("当前步骤"),
        choices=Step.choices,
        widget=forms.HiddenInput,
        error_messages={"required": _("表单缺少当前步骤,请刷新页面后重试。")},
    )


class EventTypeForm(forms.Form):
    name = forms.CharField(label=_("类型名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    code = forms.SlugField(
        label=_("代码"), max_length=40, required=False, help_text=_("留空则由英文名称生成")
    )
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    template_json = forms.JSONField(
        label=_("模板 (JSON)"),
        required=False,
        help_text=_(
            "键:run_of_show(默认流程)、budget_categories(预算科目)、risks(风险预案)、materials(物料)、schedule(相对日程),值为列表。"
        ),
        widget=forms.Textarea(attrs={"rows": 10, "style": "font-family:monospace"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["revision"] = RevisionField()
