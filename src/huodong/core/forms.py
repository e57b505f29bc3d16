"""Forms of the core pages, and the bridge that shows a service's DomainError on a form.

Edit forms carry the revision they were shown with (``RevisionField``): the service refuses a stale one.
Forms only parse; the services check the text (``core.text.text_clean``) and the rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .models import Department, Role
from .services import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS


def apply_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Put each message of ``exc`` on its field (or on the form when the field is not on it)."""
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class LoginForm(AuthenticationForm):
    """Sign-in through the throttle (``services.login_authenticate``): a locked account or address is told
    when to try again, and ``locked`` holds the refusal (the page answers 429)."""

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.locked: Any = None

    def clean(self) -> dict[str, Any]:
        from .middleware import client_address
        from .services import LoginLocked, login_authenticate

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                user = login_authenticate(
                    request=self.request,
                    username=username,
                    password=password,
                    address=client_address(self.request) if self.request is not None else "",
                )
            except LoginLocked as exc:
                self.locked = exc
                raise ValidationError(exc.message, code="locked") from exc
            if user is None:
                raise self.get_invalid_login_error()
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data


class RevisionForm(forms.Form):
    """An edit form with a hidden ``revision``: an error on a hidden field is shown above the form."""

    def full_clean(self) -> None:
        super().full_clean()
        for field in self.hidden_fields():
            for message in field.errors:
                self.add_error(None, message)


def _revision_field(editing: bool) -> forms.IntegerField:
    from .pageflow import RevisionField

    return RevisionField(required=editing)


class OrganisationForm(RevisionForm):
    name = forms.CharField(label=_("名称"), max_length=200)
    time_zone = forms.CharField(label=_("时区"), max_length=64)
    currency = forms.CharField(label=_("币种"), max_length=3)
    reserve_min = forms.DecimalField(label=_("备用金下限 (%)"), min_value=0, max_value=100, decimal_places=1)
    reserve_max = forms.DecimalField(label=_("备用金上限 (%)"), min_value=0, max_value=100, decimal_places=1)
    required_review_departments = forms.ModelMultipleChoiceField(
        label=_("必须参与评审的部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("每份方案都须经这些部门评审;提交时略过其中任何一个,须由管理员登记例外(RV-1)。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"] = _revision_field(True)


class DepartmentForm(RevisionForm):
    name = forms.CharField(label=_("部门名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    code = forms.SlugField(label=_("代码"), max_length=40)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"] = _revision_field(editing)


class PersonForm(RevisionForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=100)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.all(), required=False)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    email = forms.EmailField(label=_("邮箱"), required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        strip=False,
        max_length=128,
        help_text=_("留空则不修改。设置新密码会吊销此人的全部 API 令牌。"),
    )
    is_active = forms.BooleanField(label=_("在职"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"] = _revision_field(editing)


class TokenForm(forms.Form):
    """A new personal API token: a name to recognise it by, and how many days it lives."""

    name = forms.CharField(
        label=_("名称"), max_length=100, required=False, help_text=_("用来识别此令牌,如「数据看板」。")
    )
    days = forms.IntegerField(
        label=_("有效天数"), min_value=1, max_value=TOKEN_MAX_DAYS, initial=TOKEN_DEFAULT_DAYS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = _("1 到 %(max)s 天;到期后令牌失效,需重新生成。") % {
            "max": TOKEN_MAX_DAYS
        }


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    action = forms.CharField(label=_("动作"), required=False, max_length=80)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    event = forms.IntegerField(label=_("活动编号"), required=False, min_value=1, max_value=2**63 - 1)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
