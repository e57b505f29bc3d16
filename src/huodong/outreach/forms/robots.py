"""The form of the robot register (administrators): add or edit a group robot. It only parses; the
service (``services.robots``) decides. The secret is a password field that is never filled back: left
empty on an edit it keeps the secret set; "清除签名密钥" removes it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department
from huodong.core.pageflow import RevisionField

from ..models import Robot
from ..services.robots import NAME_MAX, SECRET_MAX, TOKEN_MAX


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Robot.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX, help_text=_("如「销售部钉钉群」"))
    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("未知的部门,请从列表中选择。")},
    )
    token = forms.CharField(
        label=_("Key / Token"),
        max_length=TOKEN_MAX,
        help_text=_("webhook 地址中的 key(企业微信)、access_token(钉钉)或 hook 后的一段(飞书)"),
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        max_length=SECRET_MAX,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("钉钉「加签」或飞书「签名校验」的密钥;企业微信不需要。保存后不再显示。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, edit: bool = False, has_secret: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if edit:
            self.fields["revision"] = RevisionField()
            self.fields["clear_secret"] = forms.BooleanField(label=_("清除签名密钥"), required=False)
            if has_secret:
                self.fields["secret"].help_text = _("已设置签名密钥;留空则保持不变。")
