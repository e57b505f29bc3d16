"""Forms of the core pages, and the bridge that shows a service's DomainError on a form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .models import Department, Role


def apply_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Put each message of ``exc`` on its field (or on the form when the field is not on it)."""
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    time_zone = forms.CharField(label=_("时区"), max_length=64)
    currency = forms.CharField(label=_("币种"), max_length=3)
    reserve_min = forms.DecimalField(label=_("备用金下限 (%)"), min_value=0, max_value=100, decimal_places=1)
    reserve_max = forms.DecimalField(label=_("备用金上限 (%)"), min_value=0, max_value=100, decimal_places=1)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    code = forms.SlugField(label=_("代码"), max_length=40)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class PersonForm(forms.Form):
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
        help_text=_("留空则不修改"),
    )
    is_active = forms.BooleanField(label=_("在职"), required=False, initial=True)


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    action = forms.CharField(label=_("动作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False)
    event = forms.IntegerField(label=_("活动编号"), required=False, min_value=1)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
