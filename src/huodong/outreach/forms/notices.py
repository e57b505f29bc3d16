"""Forms of the notices page (NT-1, NT-2): one notice's schedule, a letter's accepted failure, an
invitation send. They only parse; ``services.schedule`` and ``services.letters`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.pageflow import RevisionField

from ..models import Channel, GuestCategory, GuestStatus
from ..services.letters import REASON_MAX
from ..services.schedule import DAY, GUEST_CHANNELS, NOW, SCHEDULE_KINDS, SCHEDULED


class ScheduleForm(forms.Form):
    """When one notice goes out: days and hours before the event's start, its channels, on or off."""

    revision = RevisionField()
    days = forms.IntegerField(
        label=_("提前天数"),
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("请输入整数天数,如 7。")},
    )
    hours = forms.IntegerField(
        label=_("另加小时"),
        min_value=0,
        max_value=23,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("请输入 0 到 23 的整数小时数。")},
    )
    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("未知的渠道「%(value)s」。")},
    )
    enabled = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"s_{kind}_%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [(c, Channel(c).label) for c in SCHEDULE_KINDS[kind][1]]
        self.fields["channels"].choices = choices  # type: ignore[attr-defined]

    @property
    def offset_minutes(self) -> int:
        return -(self.cleaned_data["days"] * DAY + (self.cleaned_data.get("hours") or 0) * 60)


def schedule_initial(row: Any) -> dict[str, Any]:
    minutes = -row.offset_minutes
    days, rest = divmod(minutes, DAY)
    return {
        "revision": row.revision,
        "days": days,
        "hours": rest // 60,
        "channels": list(row.channels or []),
        "enabled": row.enabled,
    }


class AcknowledgeForm(forms.Form):
    """Accept that a department's letter could not be delivered, and why (NT-1)."""

    revision = RevisionField()
    reason = forms.CharField(
        label=_("说明"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如:已电话通知部门负责人并当面递交纸质协作函"),
        error_messages={"required": _("请说明未能送达的原因与已采取的措施。")},
    )


class InvitationForm(forms.Form):
    """Send the invitation (NT-2) to a part of the guest list on some channels, now or as scheduled."""

    statuses = forms.MultipleChoiceField(
        label=_("嘉宾状态"),
        choices=GuestStatus.choices,
        initial=[GuestStatus.INVITED],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一种嘉宾状态。"),
            "invalid_choice": _("未知的状态「%(value)s」。"),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("嘉宾类别"),
        choices=GuestCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为全部类别"),
        error_messages={"invalid_choice": _("未知的类别「%(value)s」。")},
    )
    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=[(c, Channel(c).label) for c in GUEST_CHANNELS],
        initial=[Channel.EMAIL],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一个渠道。"),
            "invalid_choice": _("未知的渠道「%(value)s」。"),
        },
    )
    when = forms.ChoiceField(
        label=_("发送时间"),
        choices=[(NOW, _("立即发送")), (SCHEDULED, _("按通知日程发送"))],
        initial=NOW,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("发送时间须为立即或按日程。")},
    )
    marketing = forms.BooleanField(
        label=_("作为营销邀约发送"),
        required=False,
        help_text=_("勾选后只发给已同意营销跟进的嘉宾;名单内嘉宾的活动邀请默认按活动运营发送"),
    )
