"""Forms of 《活动物料明细表》 (MT-1). They only parse; ``services.materials`` decides (positive quantity, a
deadline not after the event, a reason for 不再需要, …) and its messages land on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.pageflow import RevisionField
from huodong.planning.forms.plan import PeopleChoiceField, _people

from ..excel_materials import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from ..models import MaterialItem, Vendor
from ..services.materials import MAX_QUANTITY, allowed_file_types_label


class MaterialForm(forms.Form):
    """Adds an item, or (``edit=True``) edits one and carries the revision it was shown with."""

    kind = forms.ChoiceField(label=_("类别"), choices=MaterialItem.Kind.choices)
    name = forms.CharField(label=_("物料名称"), max_length=200)
    quantity = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    spec = forms.CharField(label=_("规格"), max_length=300, required=False, help_text=_("如:A1、80×200 cm"))
    owner = PeopleChoiceField(label=_("负责人"), queryset=_people().none(), required=False)
    due_on = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不得晚于活动日期"),
    )
    vendor = forms.ModelChoiceField(label=_("供应商"), queryset=Vendor.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=MaterialItem.Status.choices, initial=MaterialItem.Status.TO_ORDER
    )
    waive_reason = forms.CharField(
        label=_("不再需要的原因"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("状态为「不再需要」时必填"),
    )
    note = forms.CharField(
        label=_("备注"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()  # type: ignore[attr-defined]
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        if edit:
            self.fields["revision"] = RevisionField()


class MaterialStatusForm(forms.Form):
    """A quick status button (with the reason when it is 不再需要)."""

    revision = RevisionField()
    status = forms.ChoiceField(label=_("状态"), choices=MaterialItem.Status.choices)
    reason = forms.CharField(
        label=_("不再需要的原因"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MaterialImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"), allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("最大 %(mb)s MB、%(rows)s 行;第 1 行为表头。") % {
            "mb": MAX_IMPORT_BYTES // (1024 * 1024),
            "rows": f"{MAX_IMPORT_ROWS:,}",
        }
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xls,.xlsm"


class MaterialFileForm(forms.Form):
    file = forms.FileField(label=_("照片或文件"), allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("允许的类型:%(types)s") % {"types": allowed_file_types_label()}
        self.fields["file"].widget.attrs["accept"] = allowed_file_types_label().replace(" ", "")
