"""The personal-information notice of a registration page (PIPL, DESIGN.md "Data protection").

A guest who registers is told who processes what, for which purposes, how long it is kept, what rights
they have and whom to contact, and consents to each purpose separately:

- ``operation``: running the event (registration, ticket, check-in, notices about the event) — required
  to register;
- ``marketing``: follow-up about later events and products — optional;
- ``cohost``: sharing name, company, title, phone and e-mail with the co-hosts named in the notice —
  optional, asked only when the event has co-hosts (PIPL art. 23: a separate consent before sharing).

The notice is written here in both languages (not through gettext) because its exact words are what the
guest agreed to: ``notice_version`` is a hash of the text as shown, stored on every ``Consent`` row, so a
later change of the wording (or of the co-hosts, the organiser, the retention) is a new version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

from .models import Consent

OPERATION, MARKETING, COHOST = (
    Consent.Purpose.OPERATION.value,
    Consent.Purpose.MARKETING.value,
    Consent.Purpose.COHOST.value,
)
PURPOSES = (OPERATION, MARKETING, COHOST)
REQUIRED_PURPOSES = (OPERATION,)
# How long guest data is kept after the event (then deleted or anonymised); a setting may change it.
RETENTION_DAYS = 180


def retention_days() -> int:
    return int(getattr(settings, "HUODONG_GUEST_RETENTION_DAYS", RETENTION_DAYS))


@dataclass(frozen=True)
class Notice:
    language: str  # "zh-hans" or "en"
    title: str
    sections: tuple[tuple[str, str], ...]  # (heading, text)
    purposes: dict[str, tuple[str, str]]  # purpose → (checkbox label, what it means)
    version: str

    @property
    def text(self) -> str:
        return notice_text(self)


def _is_en(language: str) -> bool:
    return (language or "").startswith("en")


def offered_purposes(cohosts: str) -> tuple[str, ...]:
    """The purposes a registration page asks about: sharing only when there are co-hosts."""
    return PURPOSES if (cohosts or "").strip() else (OPERATION, MARKETING)


def notice_for(
    *,
    language: str,
    organiser: str,
    event: str,
    cohosts: str = "",
    contact: str = "",
    days: int | None = None,
) -> Notice:
    """The notice in ``language`` for one event: ``organiser`` processes the data, ``cohosts`` may receive
    it with a separate consent, ``contact`` answers requests."""
    days = retention_days() if days is None else days
    cohosts = (cohosts or "").strip()
    if _is_en(language):
        title = "Personal information notice"
        sections = [
            ("Who processes your data", f"{organiser}, the organiser of “{event}”."),
            (
                "What we collect",
                "Your name, mobile phone number, e-mail address, company, job title and your answers "
                "to the questions of this page; the time and network address of your registration and "
                "of each consent.",
            ),
            (
                "Why",
                "For the purposes you tick below, each separately. Running the event is needed to "
                "register; the others are optional and you can withdraw them at any time.",
            ),
            (
                "How long",
                f"Until {days} days after the event; then your data is deleted or anonymised. The record "
                "of your consents is kept as long as the law requires.",
            ),
            (
                "Your rights",
                "You may see, correct, export or delete your data, withdraw a consent, or cancel your "
                "registration at any time from your ticket page (the link in your confirmation), or by "
                "asking the contact below. Withdrawing a consent does not affect what was done before.",
            ),
            ("Contact", contact or organiser),
        ]
        purposes = {
            OPERATION: (
                "I agree to the processing of my data to run this event (required)",
                "Registration, your ticket and check-in, and messages about this event (confirmation, "
                "reminder, changes) by e-mail, SMS or WeChat.",
            ),
            MARKETING: (
                "I agree to receive news about later events and products (optional)",
                "Occasional invitations and product news from the organiser.",
            ),
        }
        if cohosts:
            sections.insert(2, ("Co-hosts", f"This event is co-hosted by {cohosts}."))
            purposes[COHOST] = (
                f"I agree that my name, company, title, phone and e-mail are shared with {cohosts} (optional)",
                "The co-hosts use them for this event and their own follow-up, under their own notice.",
            )
    else:
        title = "个人信息处理告知"
        sections = [
            ("个人信息处理者", f"「{event}」的主办方:{organiser}。"),
            (
                "处理的个人信息",
                "您的姓名、手机号、邮箱、公司、职务及本页问题的回答;报名及每项同意的时间与网络地址。",
            ),
            (
                "处理目的",
                "仅限您在下方分别勾选同意的目的。「活动运营」为报名所必需;其余均为可选,可随时撤回。",
            ),
            (
                "保存期限",
                f"保存至活动结束后 {days} 天,届时删除或匿名化处理;同意记录按法律要求的期限保存。",
            ),
            (
                "您的权利",
                "您可随时在电子票页面(报名确认中的链接)查阅、更正、导出或删除您的信息,撤回同意或取消报名,"
                "也可联系下方联系人。撤回同意不影响撤回前基于同意已进行的处理。",
            ),
            ("联系方式", contact or organiser),
        ]
        purposes = {
            OPERATION: (
                "我同意为举办本次活动处理我的个人信息(必选)",
                "用于报名、电子票与签到,以及通过邮件、短信或微信发送与本次活动相关的通知(报名确认、活动提醒、变更)。",
            ),
            MARKETING: (
                "我同意接收后续活动与产品资讯(可选)",
                "主办方不定期发送的活动邀请与产品资讯。",
            ),
        }
        if cohosts:
            sections.insert(2, ("联合主办方", f"本次活动的联合主办方:{cohosts}。"))
            purposes[COHOST] = (
                f"我同意将我的姓名、公司、职务、手机号和邮箱提供给联合主办方({cohosts})(可选)",
                "联合主办方将其用于本次活动及其后续联系,并按其自身的个人信息处理规则处理。",
            )
    draft = Notice(
        language="en" if _is_en(language) else "zh-hans",
        title=title,
        sections=tuple(sections),
        purposes=purposes,
        version="",
    )
    return Notice(
        language=draft.language,
        title=title,
        sections=draft.sections,
        purposes=purposes,
        version=notice_version(notice_text(draft)),
    )


def notice_text(notice: Notice) -> str:
    """The notice as plain text: what the version hash is computed over."""
    lines = [notice.title]
    lines += [f"{heading}: {text}" for heading, text in notice.sections]
    lines += [f"[{p}] {label} — {meaning}" for p, (label, meaning) in notice.purposes.items()]
    return "\n".join(lines)


def notice_version(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the text shown (the language is part of the text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
