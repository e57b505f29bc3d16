"""Forms of the check-in setup (tab 签到): the settings, a gate, the staff. They only parse;
``services.setup`` decides (minutes out of range, a kit code used twice, a gate name taken …).

The kit is edited as text, one item a line::

    agenda | 议程 | Agenda

(code | Chinese name | English name); a line with more than three columns is refused naming its line.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.core.widgets import PersonMultipleChoiceField, PersonPicker

from ..models import Gate
from ..services.redeem import gate_label
from ..services.setup import GATE_NAME_MAX, MINUTES_MAX, POSITION_MAX

KIT_TEXT_MAX = 2000


def kit_text(kit: list[dict[str, str]]) -> str:
    return "\n".join(
        " | ".join(p for p in (k.get("code", ""), k.get("name", ""), k.get("name_en", "")) if p is not None)
        for k in kit or []
    )


def kit_parse(text: str) -> tuple[list[dict[str, str]], list[Any]]:
    """The kit of the text box, and the lines that cannot be read (by line number)."""
    rows: list[dict[str, str]] = []
    problems: list[Any] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", "|").split("|")]
        if len(parts) > 3:
            problems.append(_("第 %(n)s 行:最多 3 栏(代码 | 中文名称 | 英文名称)。") % {"n": n})
            continue
        parts += [""] * (3 - len(parts))
        rows.append({"code": parts[0], "name": parts[1], "name_en": parts[2]})
    return rows, problems


class GateChoiceField(forms.ModelChoiceField):
    """A gate, named in the reader's language (入口 A / Gate A)."""

    def label_from_instance(self, obj: Gate) -> str:  # type: ignore[override]
        return gate_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        extra = " · ".join(str(x) for x in (obj.department, obj.title) if x)
        return f"{obj.name}({extra})" if extra else obj.name


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("display_name", "username", "id")
    )


class SettingsForm(forms.Form):
    revision = RevisionField()
    opens_minutes_before = forms.IntegerField(
        label=_("开始前多少分钟开放签到"),
        min_value=0,
        max_value=MINUTES_MAX,
        help_text=_("0–1440 分钟;如 120 表示活动开始前两小时起可以签到"),
        error_messages={"invalid": _("请输入 0–1440 的整数(分钟)。")},
    )
    closes_minutes_after = forms.IntegerField(
        label=_("结束后多少分钟关闭签到"),
        min_value=0,
        max_value=MINUTES_MAX,
        help_text=_("0–1440 分钟;0 表示活动结束即关闭"),
        error_messages={"invalid": _("请输入 0–1440 的整数(分钟)。")},
    )
    kit = forms.CharField(
        label=_("签到物料"),
        max_length=KIT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一项:代码 | 中文名称 | 英文名称,如「agenda | 议程 | Agenda」;1–12 项,代码不能重复"),
    )
    stage_manager = PersonChoiceField(
        label=_("现场总控"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("环节负责人迟到时通知此人;留空则通知活动负责人"),
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage_manager"].queryset = _people()  # type: ignore[attr-defined]

    def clean_kit(self) -> list[dict[str, str]]:
        rows, problems = kit_parse(self.cleaned_data.get("kit") or "")
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def settings_data(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("opens_minutes_before", "closes_minutes_after", "kit", "stage_manager")
        }


class GateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=GATE_NAME_MAX, help_text=_("如「入口 A」「VIP 通道」"))
    name_en = forms.CharField(label=_("英文名称"), max_length=GATE_NAME_MAX, required=False)
    is_vip = forms.BooleanField(label=_("VIP 通道"), required=False)
    position = forms.IntegerField(
        label=_("顺序"),
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        help_text=_("小的在前;留空则排在最后"),
    )


class GateEditForm(GateForm):
    """One gate's row on the tab (its inputs name the row's form: ``form_id``)."""

    revision = RevisionField()
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args: Any, form_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if form_id:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class StaffForm(forms.Form):
    people = PersonMultipleChoiceField(
        label=_("人员"),
        queryset=User.objects.none(),
        widget=PersonPicker,
        error_messages={
            "required": _("请选择至少一位签到人员。"),
            "invalid_choice": _("未知人员,请从列表中选择。"),
            "invalid_pk_value": _("未知人员,请从列表中选择。"),
        },
    )
    gate = GateChoiceField(
        label=_("签到口"),
        queryset=Gate.objects.none(),
        required=False,
        empty_label=_("任意签到口"),
        error_messages={"invalid_choice": _("签到口不存在或已停用,请从列表中选择。")},
    )
    is_supervisor = forms.BooleanField(
        label=_("签到主管"), required=False, help_text=_("主管可查看签到统计与冲突,并可撤销签到")
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["gate"].queryset = Gate.objects.filter(event=event, is_active=True)  # type: ignore[attr-defined]
