"""Forms of the team page (TM-1, TM-2), the RACI matrix and 我的任务. They only parse; the services decide.

An edit form (``edit=True``) carries the revision it was shown with (``core.pageflow.RevisionField``), so a
save over someone else's is a 409 with their change beside yours. A deadline is typed in the T-minus
notation ("T-7d", "T-1d2h", "T-30min") or, pinned, as a moment in the event's time zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.events.models import Event

from ..models import Raci, Task, TeamGroup
from ..services.tasks import offset_label, offset_parse

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__sort_order", "display_name", "id")
    )


class PersonChoiceField(forms.ModelChoiceField):
    """One person, labelled with department and title (people of any department may be members, TM-1)."""

    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        department = getattr(obj, "department", None)
        extra = " · ".join(str(x) for x in (getattr(department, "display_name", ""), obj.title) if x)
        return f"{obj.name}({extra})" if extra else obj.name


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TeamGroup) -> str:  # type: ignore[override]
        return obj.display_name


class _Editable(forms.Form):
    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            self.fields["revision"] = RevisionField()


class GroupForm(_Editable):
    name = forms.CharField(label=_("组名"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    duties = forms.CharField(
        label=_("职责"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MemberForm(_Editable):
    person = PersonChoiceField(
        label=_("成员"), queryset=User.objects.none(), help_text=_("可选择任何部门的人员。")
    )
    group = GroupChoiceField(label=_("所在组"), queryset=TeamGroup.objects.none(), required=False)
    duties = forms.CharField(
        label=_("职责"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_leader = forms.BooleanField(
        label=_("项目负责人"),
        required=False,
        help_text=_("每个活动只有一位负责人,须为市场部的活动策划/负责人或管理员(TM-1)。"),
    )

    def __init__(self, *args: Any, event: Event, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["group"].queryset = TeamGroup.objects.filter(event=event)  # type: ignore[attr-defined]
        if edit:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people()  # type: ignore[attr-defined]


class TaskForm(_Editable):
    title = forms.CharField(label=_("任务"), max_length=200)
    group = GroupChoiceField(label=_("所在组"), queryset=TeamGroup.objects.none(), required=False)
    pinned = forms.TypedChoiceField(
        label=_("截止方式"),
        choices=[("0", _("相对活动开始")), ("1", _("固定日期"))],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
    )
    offset = forms.CharField(
        label=_("相对活动开始"),
        max_length=30,
        required=False,
        help_text=_("如 T-7d(活动前 7 天)、T-1d2h、T-30min;活动改期时随之移动。"),
    )
    due_at = forms.DateTimeField(
        label=_("固定截止时间"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("选择“固定日期”时填写;活动改期时不变。"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=Task.Status.choices, initial=Task.Status.TODO)
    note = forms.CharField(
        label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, event: Event, edit: bool = False, **kwargs: Any) -> None:
        self.event = event
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["group"].queryset = TeamGroup.objects.filter(event=event)  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        with timezone.override(self.event.tz):  # a pinned moment is wall-clock time of the event's zone
            super().full_clean()

    def clean_offset(self) -> int | None:
        text = self.cleaned_data.get("offset") or ""
        if not text.strip():
            return None
        minutes = offset_parse(text)
        if minutes is None:
            raise forms.ValidationError(
                _("无法识别「%(v)s」;请写成 T-7d、T-1d2h 或 T-30min。") % {"v": text[:30]}
            )
        return minutes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pinned"):
            if data.get("due_at") is None and "due_at" not in self.errors:
                self.add_error("due_at", _("固定日期的任务须填写截止时间。"))
        elif data.get("offset") is None and "offset" not in self.errors:
            self.add_error("offset", _("请填写相对活动开始的时间,如 T-7d。"))
        return data

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        fields: dict[str, Any] = {
            "title": d["title"],
            "group": d.get("group"),
            "pinned": bool(d.get("pinned")),
            "status": d["status"],
            "note": d.get("note", ""),
        }
        if fields["pinned"]:
            fields["due_at"] = d["due_at"]
        else:
            fields["offset_minutes"] = d["offset"]
        return fields


def task_initial(event: Event, task: Task) -> dict[str, Any]:
    return {
        "revision": task.revision,
        "title": task.title,
        "group": task.group_id,
        "pinned": "1" if task.pinned else "0",
        "offset": offset_label(task.offset_minutes),
        "due_at": timezone.localtime(task.due_at, event.tz).strftime("%Y-%m-%dT%H:%M"),
        "status": task.status,
        "note": task.note,
    }


LETTER_CHOICES = [("", "—"), *((letter.value, letter.value) for letter in Raci)]


class RaciRowForm(forms.Form):
    """One row of the RACI matrix: a letter (or none) per person, and the task's revision (TM-1)."""

    revision = RevisionField()

    def __init__(self, *args: Any, person_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk in person_ids:
            # Any text: the service says which letters are allowed (R, A, C, I), naming the wrong one.
            self.fields[f"p{pk}"] = forms.CharField(
                label=str(pk), max_length=5, required=False, widget=forms.Select(choices=LETTER_CHOICES)
            )
        self.person_ids = person_ids

    def letters(self) -> dict[int, str]:
        return {
            pk: self.cleaned_data.get(f"p{pk}", "")
            for pk in self.person_ids
            if self.cleaned_data.get(f"p{pk}")
        }


class StatusForm(forms.Form):
    revision = RevisionField()
    status = forms.ChoiceField(label=_("状态"), choices=Task.Status.choices)
