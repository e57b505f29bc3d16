"""Forms of the plan page (PL-1, PL-2, PL-3, DOC-2). They only parse; the services decide.

Money fields are text so the service's message (naming the field, what is allowed) is the one shown.
Planned starts are read in the event's time zone. An edit form (``edit=True``, and the basics form) carries
the revision it was shown with (``core.pageflow.RevisionField``), so a save over someone else's is a 409
with their change beside yours.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.planning.models import PlanAttachment, Risk
from huodong.planning.services.attachments import allowed_extensions_label

from ..services.budget import CUSTOM

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__sort_order", "display_name", "id")
    )


class PeopleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        dept = f"({obj.department})" if obj.department_id else ""
        return f"{obj.name}{dept}"


GATE_HELP = _("提交评审前须填写,可先保存。")


def gate_required(field: forms.Field) -> forms.Field:
    """Mark a field the gate of 方案设计 requires (PL-1, PL-2, PL-3, DOC-2) with the form's ``*``, while it
    may still be saved empty as the plan is being written: the field says ``required`` (so the label
    gets its ``*``), but neither the form nor the browser refuses it empty — the gate does, and the
    checklist says which rows miss it (issue 7, point 5)."""
    field.required = True
    field.gate_required = True  # type: ignore[attr-defined]
    field.validate = _validate_unless_empty(field)  # type: ignore[method-assign]
    field.widget.use_required_attribute = lambda initial: False  # type: ignore[method-assign]
    if not field.help_text:
        field.help_text = GATE_HELP
    return field


def _validate_unless_empty(field: forms.Field) -> Any:
    validate = field.validate

    def check(value: Any) -> None:
        if value in field.empty_values:
            return
        validate(value)

    return check


class _GateMarked(forms.Form):
    """A form whose ``gate_fields`` the gate of 方案设计 requires: marked ``*``, saved even when empty."""

    gate_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.gate_fields:
            gate_required(self.fields[name])


class _Editable(_GateMarked):
    """A form that adds a row, or (``edit=True``) edits one and then carries its hidden revision."""

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            self.fields["revision"] = RevisionField()


class PlanBasicsForm(_GateMarked):
    gate_fields = ("theme", "tone", "background", "approved_budget")  # PL-1, DOC-2, PL-3
    revision = RevisionField()
    theme = forms.CharField(
        label=_("活动主题"), max_length=200, required=False, help_text=_("如:智启未来·2026新品发布会")
    )
    tone = forms.CharField(
        label=_("调性"), max_length=100, required=False, help_text=_("如:高端专业 / 年轻活力")
    )
    background = forms.CharField(
        label=_("活动背景"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    positioning = forms.CharField(
        label=_("定位说明"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_budget = forms.CharField(
        label=_("需求部门审批额度(元)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("预算总额不得超过此额度(PL-3)"),
    )


class SegmentForm(_Editable):
    gate_fields = ("owner", "key_actions")  # PL-2
    title = forms.CharField(label=_("环节"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("计划开始"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    owner = PeopleChoiceField(label=_("负责人"), queryset=User.objects.none(), required=False)
    key_actions = forms.CharField(
        label=_("关键动作"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parallel = forms.BooleanField(label=_("可与其他环节并行"), required=False)

    def __init__(self, *args: Any, tz: Any = None, edit: bool = False, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        # The planned start is a wall-clock time of the event's time zone.
        if self.tz is not None:
            with timezone.override(self.tz):
                super().full_clean()
        else:
            super().full_clean()


class BudgetLineForm(_Editable):
    category = forms.ChoiceField(label=_("科目"))
    category_name = forms.CharField(
        label=_("自定义科目名称"), max_length=100, required=False, help_text=_("科目选择“自定义科目”时填写")
    )
    item = forms.CharField(label=_("项目"), max_length=200)
    quantity = forms.CharField(
        label=_("数量"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    unit_price = forms.CharField(
        label=_("单价(元)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(
        self, *args: Any, categories: list[dict[str, str]] | None = None, edit: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, edit=edit, **kwargs)
        choices = [(c["code"], c.get("label") or c["name"]) for c in categories or []]
        choices.append((CUSTOM, str(_("自定义科目…"))))
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class RiskForm(_Editable):
    gate_fields = ("owner", "response")  # DOC-2
    risk = forms.CharField(label=_("风险"), max_length=300)
    likelihood = forms.ChoiceField(label=_("可能性"), choices=Risk.Level.choices, initial=Risk.Level.MEDIUM)
    impact = forms.ChoiceField(label=_("影响"), choices=Risk.Level.choices, initial=Risk.Level.MEDIUM)
    owner = PeopleChoiceField(label=_("负责人"), queryset=User.objects.none(), required=False)
    response = forms.CharField(
        label=_("应对预案"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    backup_resource = forms.CharField(
        label=_("备用资源"), max_length=300, required=False, help_text=_("如:备用投影仪、备用主持人")
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), choices=PlanAttachment.Kind.choices, initial=PlanAttachment.Kind.FLOOR_PLAN
    )
    file = forms.FileField(label=_("文件"), allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("允许的类型:%(types)s") % {"types": allowed_extensions_label()}
        self.fields["file"].widget.attrs["accept"] = allowed_extensions_label().replace(" ", "")
