"""The walk-in form (issue 10 point 3): the phone first, the guest's details, the PIPL consents of the
event's registration notice, the gate and the kit handed out. It only parses; ``services.walkins``
decides (a phone that is not one, the operation consent not given, the doors closed …)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.outreach.models import GuestCategory
from huodong.outreach.pipl import COHOST, MARKETING, OPERATION, Notice
from huodong.outreach.services.registration import COMPANY_MAX, NAME_MAX, TITLE_MAX

from ..models import Gate
from .setup import GateChoiceField


class WalkinForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=40,
        required=False,
        help_text=_("先填手机号:已在名单中的嘉宾会被找到,不会重复登记"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=NAME_MAX, required=False)
    email = forms.CharField(
        label=_("邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    company = forms.CharField(label=_("公司"), max_length=COMPANY_MAX, required=False)
    title = forms.CharField(label=_("职务"), max_length=TITLE_MAX, required=False)
    category = forms.ChoiceField(
        label=_("类别"),
        choices=GuestCategory.choices,
        initial=GuestCategory.CUSTOMER,
        error_messages={"invalid_choice": _("只能从给出的类别中选择。")},
    )
    gate = GateChoiceField(
        label=_("签到口"),
        queryset=Gate.objects.none(),
        required=False,
        empty_label=_("未指定签到口"),
        error_messages={"invalid_choice": _("签到口不存在或已停用,请从列表中选择。")},
    )
    kit = forms.MultipleChoiceField(
        label=_("已发放物料"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("只能从本活动的物料中选择。")},
    )

    def __init__(
        self, *args: Any, event: Any, notice: Notice, kit: list[dict[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.notice = notice
        self.fields["name"].gate_required = True  # type: ignore[attr-defined]
        self.fields["phone"].gate_required = True  # type: ignore[attr-defined]
        self.fields["gate"].queryset = Gate.objects.filter(event=event, is_active=True)  # type: ignore[attr-defined]
        self.fields["kit"].choices = [(k["code"], k["label"]) for k in kit]  # type: ignore[attr-defined]
        for purpose in notice.purposes:
            self.fields[f"consent_{purpose}"] = forms.BooleanField(
                label=notice.purposes[purpose][0], required=False, help_text=notice.purposes[purpose][1]
            )

    @property
    def guest_fields(self) -> list[Any]:
        return [self[n] for n in ("phone", "name", "email", "company", "title", "category")]

    @property
    def door_fields(self) -> list[Any]:
        return [self["gate"], self["kit"]]

    @property
    def consent_fields(self) -> list[Any]:
        return [self[f"consent_{p}"] for p in self.notice.purposes]

    def walkin_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        gate = d.get("gate")
        return {
            **{k: d.get(k) or "" for k in ("name", "phone", "email", "company", "title", "category")},
            "consents": {p: bool(d.get(f"consent_{p}")) for p in (OPERATION, MARKETING, COHOST)},
            "gate_id": gate.pk if gate else None,
            "kit": list(d.get("kit") or []),
        }
