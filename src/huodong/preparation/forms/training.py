"""Forms of trainings (TR-1): a training, its expected people, that it was held, and who came.

They only parse; ``services.training`` decides (a time after the event starts, a duration out of range,
the meeting's minutes missing, someone not marked). Times are read in the event's time zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.core.widgets import PersonMultipleChoiceField, PersonPicker
from huodong.planning.forms.plan import PeopleChoiceField

from ..models import Training, TrainingAttendance
from ..services.training import DURATION_MAX, LOCATION_MAX, MINUTES_MAX, NOTE_MAX, TEXT_MAX, TITLE_MAX
from .resources import InEventZone, moment_field, people


def _text(label: Any, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class TrainingForm(InEventZone):
    """A training: new (``edit=False``, with the people expected) or edited (with its revision)."""

    kind = forms.ChoiceField(label=_("类别"), choices=Training.Kind.choices, initial=Training.Kind.ETIQUETTE)
    title = forms.CharField(
        label=_("名称"), max_length=TITLE_MAX, required=False, help_text=_("留空则用类别名称")
    )
    starts_at = moment_field(_("培训时间"), help_text=_("须早于活动开始"))
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"),
        min_value=1,
        max_value=DURATION_MAX,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("请输入整数分钟数,如 60。")},
    )
    location = forms.CharField(label=_("地点"), max_length=LOCATION_MAX, required=False)
    trainer = PeopleChoiceField(
        label=_("主持/讲师"),
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )
    agenda = _text(_("议程"))
    roles_covered = _text(_("岗位职责说明"), _("本次讲解的各岗位职责"))
    scripts_covered = _text(_("应急话术"), _("本次演练的应急预案与话术"))
    attendees = PersonMultipleChoiceField(
        label=_("应到人员"),
        queryset=User.objects.none(),
        required=False,
        widget=PersonPicker,
        help_text=_("默认为项目团队成员;可增减"),
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = people()
        self.fields["trainer"].queryset = everyone  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = everyone  # type: ignore[attr-defined]
        if edit:
            self.fields["revision"] = RevisionField()
            self.order_fields(["revision"])

    @property
    def fields_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "revision"}
        if "attendees" in data:
            data["attendees"] = list(data["attendees"])
        return data


class MeetingForm(InEventZone):
    """Create the execution meeting; its time defaults to T-3 days before the event starts (TR-1)."""

    starts_at = moment_field(_("会议时间"), help_text=_("默认为活动开始前 3 天(T-3)"))


class HeldForm(InEventZone):
    revision = RevisionField()
    held_at = moment_field(_("实际召开时间"))
    minutes = forms.CharField(
        label=_("会议纪要"),
        max_length=MINUTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("执行会议必填"),
    )


class AttendanceForm(forms.Form):
    """One yes/no and a note per expected person (``a_<id>``, ``n_<id>``), and the revision."""

    YES, NO = "yes", "no"

    revision = RevisionField()

    def __init__(self, *args: Any, attendance: list[TrainingAttendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = attendance
        for a in attendance:
            self.fields[f"a_{a.person_id}"] = forms.ChoiceField(
                label=a.person.name,
                choices=[(self.YES, _("出席")), (self.NO, _("缺席"))],
                widget=forms.RadioSelect,
                required=False,
                initial={True: self.YES, False: self.NO}.get(a.attended),  # type: ignore[arg-type]
            )
            self.fields[f"n_{a.person_id}"] = forms.CharField(
                label=_("备注"),
                max_length=NOTE_MAX,
                required=False,
                initial=a.note,
                # The table shows no label beside each note: the box names itself, with whose note it is.
                widget=forms.TextInput(attrs={"aria-label": _("%(name)s 的备注") % {"name": a.person.name}}),
            )

    @property
    def people_rows(self) -> list[dict[str, Any]]:
        return [
            {"person": a.person, "mark": self[f"a_{a.person_id}"], "note": self[f"n_{a.person_id}"]}
            for a in self.rows
        ]

    def marks(self) -> list[dict[str, Any]]:
        """The rows for ``attendance_record``: an unanswered person is sent unmarked, so the service
        names them."""
        out = []
        for a in self.rows:
            value = self.cleaned_data.get(f"a_{a.person_id}")
            attended = True if value == self.YES else False if value == self.NO else None
            out.append(
                {
                    "person": a.person,
                    "attended": attended,
                    "note": self.cleaned_data.get(f"n_{a.person_id}", ""),
                }
            )
        return out
