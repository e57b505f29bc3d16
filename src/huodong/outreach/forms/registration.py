"""Forms of registration: the organiser's settings, the public registration page, and the guest's
self-service (details, cancel, withdraw a consent).

They only parse; ``services.registration`` decides (a phone or e-mail that is not one, a duplicate, a
required answer missing, the operation consent not given, a question row that is wrong). The questions
are edited as text, one question a line::

    industry | 所属行业 | Industry | choice | 制造/金融/零售 | 必填

(code | Chinese label | English label | kind: text, choice, multi or yesno | choices separated by "/" |
必填 or required); a line that cannot be read is refused naming its line number.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from huodong.core.pageflow import RevisionField
from huodong.preparation.forms.resources import InEventZone, moment_field

from ..pipl import COHOST, MARKETING, OPERATION, Notice
from ..services.registration import (
    ANSWER_MAX,
    CAPACITY_MAX,
    COHOSTS_MAX,
    COMPANY_MAX,
    NAME_MAX,
    NO,
    TEXT_MAX,
    TITLE_MAX,
    YES,
    question_label,
)

REQUIRED_WORDS = {"必填", "必答", "required", "yes", "y", "是", "1", "true", "*"}
OPTIONAL_WORDS = {"", "选填", "可选", "optional", "no", "n", "否", "0", "false"}
QUESTIONS_TEXT_MAX = 20_000


def _split_choices(text: str) -> list[str]:
    for sep in ("/", "/", ";", ";", "、"):
        text = text.replace(sep, "\n")
    return [c.strip() for c in text.split("\n") if c.strip()]


def questions_parse(text: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """The questions of the text box, and the lines that cannot be read (by line number)."""
    questions: list[dict[str, Any]] = []
    problems: list[Any] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.replace("|", "|").split("|")]
        if len(parts) > 6:
            problems.append(
                _("第 %(n)s 行:最多 6 栏(代码 | 中文标题 | 英文标题 | 类型 | 选项 | 必填)。") % {"n": n}
            )
            continue
        parts += [""] * (6 - len(parts))
        code, label, label_en, kind, choices, required = parts
        word = required.lower()
        if word not in REQUIRED_WORDS | OPTIONAL_WORDS:
            problems.append(_("第 %(n)s 行:「必填」一栏请写 必填 或留空。") % {"n": n})
            continue
        questions.append(
            {
                "code": code,
                "label": label,
                "label_en": label_en,
                "kind": kind.lower() or "text",
                "choices": _split_choices(choices),
                "required": word in REQUIRED_WORDS,
                "line": n,
            }
        )
    return questions, problems


def questions_text(questions: list[dict[str, Any]]) -> str:
    """The stored questions as the text box shows them (the required word in the reader's language)."""
    required = "required" if (translation.get_language() or "").startswith("en") else "必填"
    lines = []
    for q in questions or []:
        lines.append(
            " | ".join(
                [
                    q.get("code", ""),
                    q.get("label", ""),
                    q.get("label_en", ""),
                    q.get("kind", "text"),
                    "/".join(q.get("choices") or []),
                    required if q.get("required") else "",
                ]
            ).rstrip(" |")
        )
    return "\n".join(lines)


def _text(label: Any, help_text: Any = "", rows: int = 3, limit: int = TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class SettingsForm(InEventZone):
    revision = RevisionField()
    is_open = forms.BooleanField(label=_("开放报名"), required=False)
    deadline = moment_field(_("报名截止时间"), required=False, help_text=_("留空则到活动结束前都可报名"))
    capacity = forms.IntegerField(
        label=_("名额"),
        min_value=0,
        max_value=CAPACITY_MAX,
        initial=0,
        help_text=_("0 表示不限名额;报满后新报名进入候补名单"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("请输入整数,如 200;0 表示不限。")},
    )
    questions = forms.CharField(
        label=_("报名问题"),
        max_length=QUESTIONS_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "每行一个问题:代码 | 中文标题 | 英文标题 | 类型(text 填空、choice 单选、multi 多选、yesno 是/否)"
            " | 选项(用 / 分隔) | 必填。例:industry | 所属行业 | Industry | choice | 制造/金融/零售 | 必填"
        ),
    )
    highlights = _text(_("活动亮点"), _("显示在报名页,并用于邀请函的 {highlights}"))
    how_to_register = _text(_("报名方式"), _("用于邀请函的 {how_to_register}"))
    notes = _text(_("注意事项"), _("显示在报名页与电子票,并用于通知的 {notes}"))
    cohosts = forms.CharField(
        label=_("联合主办方"),
        max_length=COHOSTS_MAX,
        required=False,
        help_text=_("填写后,报名页的个人信息告知会写明联合主办方,并单独征求向其共享信息的同意"),
    )

    def clean_questions(self) -> list[dict[str, Any]]:
        parsed, problems = questions_parse(self.cleaned_data.get("questions") or "")
        if problems:
            raise forms.ValidationError(problems)
        return parsed

    def settings_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "revision"}
        data["questions"] = [{k: v for k, v in q.items() if k != "line"} for q in data.get("questions") or []]
        return data


class RegisterForm(forms.Form):
    """The public registration page: contact, the questions (``q_<code>``) and a checkbox per purpose."""

    lang = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("姓名"),
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=40,
        required=False,
        help_text=_("中国大陆手机号可直接填写;其他地区请以 + 和国家代码开头"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("邮箱"),
        max_length=254,
        required=False,
        help_text=_("选填;填写后可收到带电子票和日历的确认邮件"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    company = forms.CharField(
        label=_("公司"),
        max_length=COMPANY_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    title = forms.CharField(
        label=_("职务"),
        max_length=TITLE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )

    def __init__(
        self, *args: Any, questions: list[dict[str, Any]], notice: Notice, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.notice = notice
        self.fields["name"].gate_required = True  # type: ignore[attr-defined]
        self.fields["phone"].gate_required = True  # type: ignore[attr-defined]
        for q in questions:
            label = question_label(q, language)
            name = f"q_{q['code']}"
            if q["kind"] == "choice":
                field: forms.Field = forms.ChoiceField(
                    label=label,
                    choices=[(c, c) for c in q["choices"]],
                    widget=forms.RadioSelect,
                    required=False,
                )
            elif q["kind"] == "multi":
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=[(c, c) for c in q["choices"]],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            elif q["kind"] == "yesno":
                field = forms.ChoiceField(
                    label=label,
                    choices=[(YES, _("是")), (NO, _("否"))],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                field = forms.CharField(label=label, max_length=ANSWER_MAX, required=False)
            field.error_messages["invalid_choice"] = _("只能从给出的选项中选择。")
            field.gate_required = q["required"]  # type: ignore[attr-defined]
            self.fields[name] = field
        for purpose in notice.purposes:
            self.fields[f"consent_{purpose}"] = forms.BooleanField(
                label=notice.purposes[purpose][0], required=False, help_text=notice.purposes[purpose][1]
            )

    @property
    def contact_fields(self) -> list[Any]:
        return [self[n] for n in ("name", "phone", "email", "company", "title")]

    @property
    def question_fields(self) -> list[Any]:
        return [self[f"q_{q['code']}"] for q in self.questions]

    @property
    def consent_fields(self) -> list[Any]:
        return [self[f"consent_{p}"] for p in self.notice.purposes]

    def answers(self) -> dict[str, Any]:
        return {q["code"]: self.cleaned_data.get(f"q_{q['code']}") for q in self.questions}

    def consents(self) -> dict[str, bool]:
        return {p: bool(self.cleaned_data.get(f"consent_{p}")) for p in (OPERATION, MARKETING, COHOST)}

    def contact(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in ("name", "phone", "email", "company", "title")}


class DetailsForm(forms.Form):
    """The guest corrects their own details (from the ticket page)."""

    revision = RevisionField()
    name = RegisterForm.base_fields["name"]
    phone = RegisterForm.base_fields["phone"]
    email = forms.CharField(
        label=_("邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    company = RegisterForm.base_fields["company"]
    title = RegisterForm.base_fields["title"]

    def details(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in ("name", "phone", "email", "company", "title")}


class CancelForm(forms.Form):
    revision = RevisionField(required=False)


class WithdrawForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=[(OPERATION, OPERATION), (MARKETING, MARKETING), (COHOST, COHOST)],
        error_messages={"invalid_choice": _("未知的目的。"), "required": _("请选择要撤回的同意。")},
    )
