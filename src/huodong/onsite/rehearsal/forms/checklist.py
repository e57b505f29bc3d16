"""Forms of the tab 彩排 (EX-1): an item, a check (result, note, photos, the follow-up's owner and due time),
a follow-up. They only parse; ``services.checklist`` decides (a failure without a note, a photo that is not
an image, an owner who is not on the team on the day, a due time in the past …)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.events.models import Event

from ..models import NOTE_MAX, TITLE_MAX, Result, Section
from ..services.checklist import POSITION_MAX

MOMENT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


class LocalMomentField(forms.CharField):
    """A moment on the event's clock (``datetime-local``), returned naive: the service reads it in the
    event's time zone, whatever the server's is."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError(_("请按 年-月-日 时:分 填写时间,如 2026-12-01 18:00。"))
        for fmt in MOMENT_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise forms.ValidationError(_("请按 年-月-日 时:分 填写时间,如 2026-12-01 18:00。"))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once (the phone's camera or gallery); each is checked by the service."""

    widget = MultiplePhotoInput(attrs={"accept": "image/png,image/jpeg"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


def team_people(event: Event) -> Any:
    """The people of the team on the day, who may own a follow-up: the owner, the team, the check-in
    staff and the stage manager."""
    from huodong.checkin.models import CheckinSettings
    from huodong.checkin.services.setup import staff_all

    ids = event.__dict__.get("_rehearsal_team")  # once per page, not once per item's form
    if ids is None:
        ids = {event.owner_id, *event.team_members.values_list("pk", flat=True)}
        ids |= {row.person_id for row in staff_all(event)}
        ids |= set(
            CheckinSettings.objects.filter(event_id=event.pk, stage_manager__isnull=False).values_list(
                "stage_manager_id", flat=True
            )
        )
        event.__dict__["_rehearsal_team"] = ids
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username", "id")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.name


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("分类"), choices=Section.choices)
    title = forms.CharField(label=_("检查项"), max_length=TITLE_MAX)
    title_en = forms.CharField(label=_("英文名称"), max_length=TITLE_MAX, required=False)
    position = forms.IntegerField(
        label=_("顺序"), min_value=0, max_value=POSITION_MAX, required=False, help_text=_("留空则排在最后")
    )

    def item_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {"section": d["section"], "title": d["title"], "title_en": d.get("title_en") or ""}
        if d.get("position") is not None:
            data["position"] = d["position"]
        return data


class ItemEditForm(ItemForm):
    revision = RevisionField()


class CheckForm(forms.Form):
    revision = RevisionField()
    result = forms.ChoiceField(
        label=_("检查结果"),
        choices=[(Result.OK.value, Result.OK.label), (Result.FAILED.value, Result.FAILED.label)],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("未通过时必填:说明问题"),
    )
    photos = PhotosField(
        label=_("照片"),
        help_text=_("PNG 或 JPEG,每次最多 5 张"),  # services.checklist.PHOTOS_PER_CHECK
    )
    owner = PersonField(
        label=_("整改负责人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(我自己)"),
        help_text=_("未通过时:谁来整改"),
    )
    due_at = LocalMomentField(
        label=_("整改截止时间"), required=False, help_text=_("留空则为 2 小时内(不晚于活动开始)")
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_people(event)  # type: ignore[attr-defined]

    def check_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "result": d["result"],
            "note": d.get("note") or "",
            "photos": d.get("photos") or [],
            "owner": d.get("owner"),
            "due_at": d.get("due_at"),
        }


class FollowUpForm(forms.Form):
    revision = RevisionField()
    owner = PersonField(label=_("整改负责人"), queryset=User.objects.none())
    due_at = LocalMomentField(label=_("截止时间"))
    note = forms.CharField(
        label=_("整改说明"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=_("已完成"), required=False)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_people(event)  # type: ignore[attr-defined]
