"""Forms of review (RV-1) and approval (AP-1); the rules themselves live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huodong.core.models import Department, User
from huodong.events.models import Event

from ..models import DepartmentReview, Signature
from ..selectors_approval import required_review_departments, review_departments_offered
from ..services.department_review import EXCEPTION_REASON_MAX_LENGTH


class SubmitForReviewForm(forms.Form):
    """The departments to ask (the organisation's required ones checked), and for an administrator the
    reason for leaving a required one out. ``content_hash`` is the plan the submitter was shown."""

    departments = forms.ModelMultipleChoiceField(
        label=_("评审部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一个评审部门。"),
            "invalid_choice": _("所选部门不存在、已停用或没有可评审本方案的评审人。"),
            "invalid_pk_value": _("所选部门不存在、已停用或没有可评审本方案的评审人。"),
        },
    )
    exception_reason = forms.CharField(
        label=_("免评审原因(仅管理员)"),
        required=False,
        max_length=EXCEPTION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不选必须参与评审的部门时必填;该原因记入方案版本和审计日志。"),
    )
    content_hash = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        actor: User | None = None,
        event: Event | None = None,
        current_hash: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        required = required_review_departments()
        self.required_departments = required
        # Only departments with a reviewer who may review this plan are offered (issue 7, point 5); the
        # others are named under the list, so the submitter knows whom to ask rather than being refused.
        if event is not None and actor is not None:
            offered, unable = review_departments_offered(event, actor)
        else:
            offered, unable = list(Department.objects.filter(is_active=True).order_by("sort_order", "id")), []
        self.unable_departments = unable
        field = self.fields["departments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Department.objects.filter(pk__in=[d.pk for d in offered]).order_by(
            "sort_order", "id"
        )
        field.label_from_instance = lambda d: d.display_name  # type: ignore[method-assign,assignment]
        help_parts = [
            _("必须参与评审:%(depts)s(RV-1);可另选其他部门。")
            % {"depts": str(_("、")).join(d.display_name for d in required) or "—"}
        ]
        if unable:
            help_parts.append(
                _(
                    "%(depts)s目前没有可评审本方案的评审人(须在职且不是活动负责人或提交人),请管理员在人员管理中指定。"
                )
                % {"depts": str(_("、")).join(d.display_name for d in unable)}
            )
        field.help_text = " ".join(str(h) for h in help_parts)
        if actor is None or not actor.is_admin:
            del self.fields["exception_reason"]
        if not self.is_bound:
            offered_ids = {d.pk for d in offered}
            self.initial.setdefault("departments", [d.pk for d in required if d.pk in offered_ids])
            self.initial.setdefault("content_hash", current_hash)


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
