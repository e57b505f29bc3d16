"""Forms of review (RV-1) and approval (AP-1); the rules themselves live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department
from huodong.core.seed import DEFAULT_REVIEW_DEPARTMENTS

from ..models import DepartmentReview, Signature


class SubmitForReviewForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("评审部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("默认:销售部、产品部、法务部、财务部(RV-1)"),
        error_messages={
            "required": _("请至少选择一个评审部门。"),
            "invalid_choice": _("所选部门不存在或已停用。"),
            "invalid_pk_value": _("所选部门不存在或已停用。"),
        },
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        qs = Department.objects.filter(is_active=True).order_by("sort_order", "id")
        self.fields["departments"].queryset = qs  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("departments", [d.pk for d in qs if d.code in DEFAULT_REVIEW_DEPARTMENTS])


REVIEW_DECISIONS = [
    (DepartmentReview.Decision.APPROVE, DepartmentReview.Decision.APPROVE.label),
    (
        DepartmentReview.Decision.APPROVE_WITH_CONDITIONS,
        DepartmentReview.Decision.APPROVE_WITH_CONDITIONS.label,
    ),
    (DepartmentReview.Decision.REJECT, DepartmentReview.Decision.REJECT.label),
]


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("评审结论"),
        choices=REVIEW_DECISIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择评审结论。"),
            "invalid_choice": _("请选择通过、有条件通过或驳回。"),
        },
    )
    feasibility_opinion = forms.CharField(
        label=_("可行性意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget_opinion = forms.CharField(
        label=_("预算合理性意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_opinion = forms.CharField(
        label=_("风险控制意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        label=_("附加条件"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("有条件通过时必填"),
    )


class SignForm(forms.Form):
    """The decision comes from the button pressed (批准 / 驳回); the hash is what the approver saw."""

    decision = forms.ChoiceField(
        label=_("决定"),
        choices=Signature.Decision.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("请选择「批准」或「驳回」。"),
            "invalid_choice": _("请选择「批准」或「驳回」。"),
        },
    )
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必填"),
    )
    content_hash = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _("页面缺少方案内容哈希,请刷新页面后重试。"),
            "max_length": _("方案内容哈希无效,请刷新页面后重试。"),
        },
    )
