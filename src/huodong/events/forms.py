"""Forms of the event pages: they parse; ``events.services`` checks the text and the rules."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, Role, User
from huodong.core.pageflow import RevisionField
from huodong.core.widgets import PersonMultipleChoiceField, PersonPicker

from .models import EventType
from .services import column_length
from .steps import Phase, Step
from .type_templates import (
    SECTION_LABELS,
    TEMPLATE_ROWS_MAX,
    level_choices,
    role_choices,
    row_message,
    template_section_clean,
)

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
    expected_attendance = forms.IntegerField(  # no default: 0 people is a guess nobody made (issue 7)
        label=_("预计人数"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("请填写预计人数(0 到 1000000 之间的整数)。")},
    )
    requesting_department = forms.ModelChoiceField(
        label=_("需求部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("负责人"),
        queryset=User.objects.none(),
        help_text=_("策划人员或管理员"),
        error_messages={"invalid_choice": _("负责人须为在职的策划人员或管理员。")},
    )
    team_members = PersonMultipleChoiceField(
        label=_("团队成员"),
        queryset=User.objects.filter(is_active=True).select_related("department"),
        required=False,
        widget=PersonPicker,
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
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

    def clean(self) -> dict[str, Any]:
        """Say every problem at once (issue 7, point 5): when another field is missing the service is not
        reached, so the order of the times — the service's rule, which still decides — is said here too."""
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if self.errors and starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        return cleaned


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


# ---------------------------------------------------------------- event types and their templates (SC-2)
class _RowText(forms.Field):
    """A cell of a template row as typed: ``template_section_clean`` checks it (length, controls, NUL), so
    each problem is told once, in the same words, with its row number."""

    def __init__(self, *, widget: Any = None, **kwargs: Any) -> None:
        super().__init__(widget=widget or forms.TextInput, **kwargs)

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)


class SegmentRowForm(forms.Form):
    """One run-of-show row of a type's template; ``template_section_clean`` checks it."""

    title = _RowText(label=_("环节名称"), required=False)
    title_en = _RowText(label=_("英文名称"), required=False)
    duration_minutes = _RowText(
        label=_("时长(分钟)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
    )
    key_actions = _RowText(
        label=_("关键动作"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 24})
    )
    owner_role = _RowText(label=_("负责角色"), required=False, widget=forms.Select(choices=role_choices()))


class RiskRowForm(forms.Form):
    risk = _RowText(label=_("风险"), required=False)
    likelihood = _RowText(label=_("可能性"), required=False, widget=forms.Select(choices=level_choices()))
    impact = _RowText(label=_("影响"), required=False, widget=forms.Select(choices=level_choices()))
    response = _RowText(
        label=_("应对预案"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 24})
    )
    backup = _RowText(label=_("备用资源"), required=False)
    owner_role = _RowText(label=_("负责角色"), required=False, widget=forms.Select(choices=role_choices()))


class CategoryRowForm(forms.Form):
    code = _RowText(label=_("代码"), required=False, widget=forms.TextInput(attrs={"size": 12}))
    name = _RowText(label=_("科目名称"), required=False)
    name_en = _RowText(label=_("英文名称"), required=False)
    share = _RowText(
        label=_("典型占比(%)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
    )


class GroupRowForm(forms.Form):
    """One project group of a type's template (TM-2)."""

    code = _RowText(label=_("代码"), required=False, widget=forms.TextInput(attrs={"size": 12}))
    name = _RowText(label=_("组名"), required=False)
    name_en = _RowText(label=_("英文名称"), required=False)
    duties = _RowText(label=_("职责"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 24}))


class KitRowForm(forms.Form):
    """One item of the kit handed out at check-in (EX-2)."""

    code = _RowText(label=_("代码"), required=False, widget=forms.TextInput(attrs={"size": 12}))
    name = _RowText(label=_("物料名称"), required=False)
    name_en = _RowText(label=_("英文名称"), required=False)


class _RowFormSet(forms.BaseFormSet):
    """Rows of one template section; blank rows may stay blank, "删除" drops a row."""

    def rows(self) -> list[dict[str, Any]]:
        """The rows as typed (deleted ones left out, blank ones kept blank so row numbers match the page)."""
        out: list[dict[str, Any]] = []
        for form in self.forms:
            data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
            if data.get("DELETE"):
                out.append({})
                continue
            out.append({k: v for k, v in data.items() if k != "DELETE"})
        return out


def _formset(form: type[forms.Form]) -> Any:
    return forms.formset_factory(
        form,
        formset=_RowFormSet,
        extra=2,
        can_delete=True,
        max_num=TEMPLATE_ROWS_MAX,
        validate_max=True,
        absolute_max=TEMPLATE_ROWS_MAX + 10,
    )


SegmentFormSet = _formset(SegmentRowForm)
RiskFormSet = _formset(RiskRowForm)
CategoryFormSet = _formset(CategoryRowForm)
GroupFormSet = _formset(GroupRowForm)
KitFormSet = _formset(KitRowForm)
SECTION_FORMSETS: dict[str, Any] = {
    "run_of_show": SegmentFormSet,
    "risks": RiskFormSet,
    "budget_categories": CategoryFormSet,
    "team_groups": GroupFormSet,
    "kit": KitFormSet,
}


class EventTypeForm(forms.Form):
    """An event type and the structured editor of its template: run of show, risks, budget categories,
    the project team's groups, the kit handed out at check-in.

    The rows are formsets (``form.sections``); each row is checked by ``template_section_clean`` and its
    problems are shown on the row ("第 3 行:…"). Materials and the relative schedule are kept as they are.
    """

    name = forms.CharField(label=_("类型名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    code = forms.SlugField(
        label=_("代码"), max_length=40, required=False, help_text=_("留空则由英文名称生成")
    )
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(
        self,
        data: Any = None,
        *,
        editing: bool = False,
        template: Mapping[str, Any] | None = None,
        band: tuple[Decimal, Decimal] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.band = band
        if editing:
            self.fields["revision"] = RevisionField()
        template = template or {}
        # A post without a section's rows (no management form) leaves that section as it is.
        self.sections: dict[str, Any] = {}
        for key, formset in SECTION_FORMSETS.items():
            prefix = key.replace("_", "-")
            if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
                continue
            self.sections[key] = formset(
                data,
                prefix=prefix,
                initial=None if data is not None else _initial_rows(key, template.get(key) or []),
            )
        self.row_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        template: dict[str, Any] = {}
        for key, formset in self.sections.items():
            if not formset.is_valid():
                for message in formset.non_form_errors():
                    self.row_errors.append(f"{SECTION_LABELS[key]}:{message}")
                for row_no, form in enumerate(formset.forms, start=1):
                    for field, messages in list(form.errors.items()):
                        label = form.fields[field].label if field in form.fields else field
                        texts = [row_message(row_no, f"{label}{m}") for m in messages]
                        form.errors[field] = form.error_class(texts)
                        self.row_errors.extend(f"{SECTION_LABELS[key]} {t}" for t in texts)
                continue
            rows, problems = template_section_clean(key, formset.rows(), band=self.band)
            template[key] = rows
            for where, field, message in problems:
                if where is not None:
                    form = formset.forms[where - 1]
                    form.errors.setdefault(field, form.error_class()).append(message)
                else:
                    formset._non_form_errors = formset.non_form_errors() + [message]
                self.row_errors.append(f"{SECTION_LABELS[key]} {message}")
        if self.row_errors:
            summary = _("模板有 %(n)s 处需要修改,见标红的行。") % {"n": len(self.row_errors)}
            raise forms.ValidationError([summary, *self.row_errors])
        cleaned["template"] = template
        return cleaned

    def typed_rows(self, key: str) -> list[dict[str, Any]]:
        """What the administrator typed in a section (for the stale notice)."""
        formset = self.sections.get(key)
        if formset is None:
            return []
        return formset.rows() if formset.is_bound and hasattr(formset, "cleaned_data") else []


def _initial_rows(key: str, rows: list[Any]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        item = {k: ("" if v is None else v) for k, v in row.items()}
        if key == "risks" and "backup" not in item and "backup_resource" in item:
            item["backup"] = item["backup_resource"]
        out.append(item)
    return out
