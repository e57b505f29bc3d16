"""Forms of the guest list: one guest, its status, a bulk action, an import, a department's quota and an
accepted shortfall. They only parse; ``services.guests`` / ``services.quotas`` / ``excel_guests`` decide
(a malformed phone, a duplicate, a status the registration sets)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, User
from huodong.core.pageflow import RevisionField
from huodong.planning.forms.plan import PeopleChoiceField
from huodong.preparation.forms.resources import DepartmentChoiceField, people

from ..excel_guests import INLINE_ROWS, MAX_IMPORT_BYTES, OnDuplicate
from ..models import GuestCategory, GuestStatus, MessageKind
from ..services.guests import (
    COMPANY_MAX,
    MANUAL_STATUSES,
    NAME_MAX,
    NOTE_MAX,
    OPENID_MAX,
    TITLE_MAX,
    BulkAction,
)
from ..services.messaging import GUEST_KINDS
from ..services.quotas import QUOTA_MAX, REASON_MAX

LANGUAGE_CHOICES = [("zh-hans", _("中文")), ("en", _("英文"))]
STATUS_CHOICES = [(s.value, s.label) for s in GuestStatus if s in MANUAL_STATUSES]
CHANNEL_CHOICES = [("email", _("邮件")), ("sms", _("短信")), ("wechat", _("微信服务号"))]


def departments() -> Any:
    return Department.objects.filter(is_active=True).order_by("sort_order", "id")


class GuestForm(forms.Form):
    """A guest: new, or edited (with its revision)."""

    name = forms.CharField(label=_("姓名"), max_length=NAME_MAX)
    company = forms.CharField(label=_("公司"), max_length=COMPANY_MAX, required=False)
    title = forms.CharField(label=_("职务"), max_length=TITLE_MAX, required=False)
    phone = forms.CharField(
        label=_("手机"),
        max_length=30,
        required=False,
        help_text=_("中国大陆手机号,或以 + 和国家代码开头的国际号码"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=GuestCategory.choices, initial=GuestCategory.CUSTOMER
    )
    department = DepartmentChoiceField(
        label=_("邀请部门"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("未知部门,请从列表中选择。")},
    )
    invited_by = PeopleChoiceField(
        label=_("邀请人"),
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )
    language = forms.ChoiceField(label=_("语言"), choices=LANGUAGE_CHOICES, initial="zh-hans")
    wechat_openid = forms.CharField(label=_("微信 OpenID"), max_length=OPENID_MAX, required=False)
    note = forms.CharField(
        label=_("备注"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]
        self.fields["invited_by"].queryset = people()  # type: ignore[attr-defined]
        if edit:
            self.fields["revision"] = RevisionField()
            self.order_fields(["revision"])

    @property
    def fields_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class StatusForm(forms.Form):
    revision = RevisionField()
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


class GuestImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 或 CSV 文件"), allow_empty_file=True)
    on_duplicate = forms.ChoiceField(
        label=_("手机号或邮箱重复时"),
        choices=[
            (OnDuplicate.MERGE, _("合并:补全已有嘉宾的空白信息,保留已有内容")),
            (OnDuplicate.REPORT, _("报告:不导入重复的行,在报告中列出")),
        ],
        initial=OnDuplicate.MERGE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "最大 %(mb)s MB;第 1 行为表头(中文或英文),须有「姓名」列。超过 %(rows)s 行时在后台导入并显示进度。"
        ) % {"mb": MAX_IMPORT_BYTES // (1024 * 1024), "rows": f"{INLINE_ROWS:,}"}
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xlsm,.xls,.csv"


class BulkForm(forms.Form):
    """A bulk action on the checked guests (``scope`` selected) or on every guest of the filter (``scope``
    filter, the filter's fields carried in hidden inputs)."""

    action = forms.ChoiceField(
        label=_("批量操作"),
        choices=[
            (BulkAction.CATEGORY, _("设置类别")),
            (BulkAction.DEPARTMENT, _("设置邀请部门")),
            (BulkAction.STATUS, _("设置状态")),
            (BulkAction.SEND, _("发送消息")),
            (BulkAction.REMOVE, _("删除")),
        ],
    )
    scope = forms.ChoiceField(
        label=_("范围"),
        choices=[("selected", _("勾选的嘉宾")), ("filter", _("当前筛选的全部嘉宾"))],
        initial="selected",
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("类别"), choices=GuestCategory.choices, required=False)
    department = DepartmentChoiceField(
        label=_("邀请部门"), queryset=Department.objects.none(), required=False,
        error_messages={"invalid_choice": _("未知部门,请从列表中选择。")},
    )  # fmt: skip
    status = forms.ChoiceField(label=_("状态"), choices=[("", "—"), *STATUS_CHOICES], required=False)
    kind = forms.ChoiceField(
        label=_("消息"),
        choices=[("", "—"), *[(k, MessageKind(k).label) for k in GUEST_KINDS]],
        required=False,
    )
    channels = forms.MultipleChoiceField(
        label=_("渠道"), choices=CHANNEL_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        need = {
            BulkAction.CATEGORY: "category",
            BulkAction.STATUS: "status",
            BulkAction.SEND: "kind",
        }.get(action or "")
        if need and not data.get(need):
            self.add_error(need, _("请选择%(what)s。") % {"what": self.fields[need].label})
        return data


class QuotaForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("部门"), queryset=Department.objects.none(),
        error_messages={"invalid_choice": _("未知部门,请从列表中选择。"), "required": _("请选择部门。")},
    )  # fmt: skip
    quota = forms.IntegerField(
        label=_("邀约名额"), min_value=0, max_value=QUOTA_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("请输入整数,如 20。")},
    )  # fmt: skip
    contact = PeopleChoiceField(
        label=_("对接人"), queryset=User.objects.none(), required=False,
        error_messages={"invalid_choice": _("未知人员,请从列表中选择。")},
    )  # fmt: skip

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]
        self.fields["contact"].queryset = people()  # type: ignore[attr-defined]
        if edit:
            del self.fields["department"]
            self.fields["revision"] = RevisionField()
            self.order_fields(["revision"])


class ShortfallForm(forms.Form):
    revision = RevisionField()
    reason = forms.CharField(
        label=_("缺口说明"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明接受缺口的原因。")},
    )  # fmt: skip
