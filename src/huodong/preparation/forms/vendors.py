"""Forms of the vendor pages (VD-1, VD-2). They only parse; the services decide.

Amounts and scores are text so that the service's message (naming the field and what is allowed) is the
one shown; dates are the browser's date inputs. An edit form carries the revision it was shown with
(``core.pageflow.RevisionField``), so a save over someone else's is a 409 with their change beside yours.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import User
from huodong.core.pageflow import RevisionField
from huodong.core.uploads import allowed_label

from ..models import Vendor, VendorCategory, VendorNeed
from ..services.vendors import CONTRACT_FILE_KINDS, QUOTE_FILE_KINDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number_text(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=30,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__sort_order", "display_name", "id")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        dept = f"({obj.department})" if obj.department_id else ""
        return f"{obj.name}{dept}"


class VendorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Vendor) -> str:  # type: ignore[override]
        return obj.name


class _Editable(forms.Form):
    """Adds a record, or (``edit=True``) edits one and then carries its hidden revision."""

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            self.fields["revision"] = RevisionField()


class VendorFilterForm(forms.Form):
    q = forms.CharField(label=_("名称"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *VendorCategory.choices], required=False
    )


class VendorForm(_Editable):
    name = forms.CharField(label=_("供应商名称"), max_length=200)
    categories = forms.MultipleChoiceField(
        label=_("类别"), choices=VendorCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=40, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    contact_email = forms.CharField(
        label=_("联系邮箱"), max_length=254, required=False, widget=forms.EmailInput()
    )
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    cases = forms.CharField(
        label=_("过往案例"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class QualificationForm(forms.Form):
    name = forms.CharField(label=_("资质名称"), max_length=200)
    number = forms.CharField(label=_("证书编号"), max_length=100, required=False)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=_date_input())


class WeightsForm(forms.Form):
    revision = RevisionField()
    qualification = _number_text(_("资质权重(%)"), required=True)
    price = _number_text(_("价格权重(%)"), required=True)
    cases = _number_text(_("案例权重(%)"), required=True)
    delivery = _number_text(_("交付权重(%)"), required=True)
    min_quotes = _number_text(
        _("最少报价数"), required=True, help_text=_("每项采购需求至少比较几家报价(VD-1 规定 3 家)。")
    )


class NeedForm(_Editable):
    title = forms.CharField(label=_("采购需求"), max_length=200, help_text=_("如:主会场舞台搭建"))
    category = forms.ChoiceField(label=_("类别"), choices=VendorCategory.choices)
    description = forms.CharField(
        label=_("需求说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    budget_line = forms.TypedChoiceField(label=_("预算科目"), coerce=int, required=False, empty_value=None)
    needed_by = forms.DateField(label=_("需交付日期"), required=False, widget=_date_input())
    owner = PersonChoiceField(label=_("负责人"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, lines: list[Any] | None = None, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["budget_line"].choices = [  # type: ignore[attr-defined]
            ("", _("(不关联预算)")),
            *[(line.pk, f"{line.category_label} · {line.item}") for line in lines or []],
        ]
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]


class QuoteForm(_Editable):
    vendor = VendorChoiceField(label=_("供应商"), queryset=Vendor.objects.none())
    amount = _number_text(_("报价金额(元)"), required=True)
    includes = forms.CharField(
        label=_("报价包含"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delivery_on = forms.DateField(label=_("交付日期"), required=False, widget=_date_input())
    valid_until = forms.DateField(label=_("报价有效期至"), required=False, widget=_date_input())
    qualification_score = _number_text(_("资质得分(0–100)"))
    cases_score = _number_text(_("案例得分(0–100)"))
    delivery_score = _number_text(_("交付得分(0–100)"))
    note = forms.CharField(
        label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, edit: bool = False, with_files: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, edit=edit, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        if with_files and not edit:
            self.fields["file"] = forms.FileField(
                label=_("附件"),
                required=False,
                allow_empty_file=True,
                help_text=_("可选;允许的类型:%(types)s") % {"types": allowed_label(QUOTE_FILE_KINDS)},
            )
            self.fields["file"].widget.attrs["accept"] = allowed_label(QUOTE_FILE_KINDS).replace(" ", "")


class QuoteAttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("允许的类型:%(types)s") % {"types": allowed_label(QUOTE_FILE_KINDS)}
        self.fields["file"].widget.attrs["accept"] = allowed_label(QUOTE_FILE_KINDS).replace(" ", "")


class ChooseForm(forms.Form):
    revision = RevisionField()
    quote = forms.TypedChoiceField(label=_("选定报价"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("选择理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, quotes: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quote"].choices = [  # type: ignore[attr-defined]
            (q.pk, f"{q.vendor.name} · {q.amount:,.2f}") for q in quotes or []
        ]


class ExceptionForm(forms.Form):
    revision = RevisionField()
    reason = forms.CharField(
        label=_("例外原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如:该类服务本地仅两家具备资质的供应商。"),
    )


class ContractForm(forms.Form):
    revision = RevisionField()
    number = forms.CharField(label=_("合同编号"), max_length=60, required=False)
    service_content = forms.CharField(
        label=_("服务内容"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    delivery_at = forms.DateTimeField(
        label=_("交付时间"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    liability = forms.CharField(
        label=_("违约责任"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = _number_text(_("合同金额(元)"), required=True)
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=_date_input())
    signed_file = forms.FileField(label=_("已签合同文件"), required=False, allow_empty_file=True)

    def __init__(self, *args: Any, tz: Any = None, with_file: bool = True, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)
        if with_file:
            self.fields["signed_file"].help_text = _("PDF 或图片:%(types)s") % {
                "types": allowed_label(CONTRACT_FILE_KINDS)
            }
            self.fields["signed_file"].widget.attrs["accept"] = allowed_label(CONTRACT_FILE_KINDS).replace(
                " ", ""
            )
        else:
            del self.fields["signed_file"]

    def full_clean(self) -> None:
        # The delivery time is a wall-clock time of the event's time zone.
        from django.utils import timezone

        if self.tz is not None:
            with timezone.override(self.tz):
                super().full_clean()
        else:
            super().full_clean()


class ContractFileForm(forms.Form):
    revision = RevisionField()
    signed_file = forms.FileField(label=_("已签合同文件"), allow_empty_file=True)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


NEED_STATUS_TAGS = {
    VendorNeed.Status.QUOTING: "warn",
    VendorNeed.Status.CHOSEN: "",
    VendorNeed.Status.CONTRACTED: "ok",
    VendorNeed.Status.CANCELLED: "",
}
