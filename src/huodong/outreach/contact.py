"""Phone numbers and e-mail addresses of guests: normalised, validated and masked (PIPL).

Phone numbers are parsed with ``phonenumbers`` (Google's libphonenumber): a number without a country
code is read as a mainland China number; ``+44 20 7946 0958`` or ``0044…`` as international. Stored in
E.164. E-mail syntax is checked with ``email-validator`` without a DNS lookup (an intranet may have none).
Each function returns the normalised value or raises ``ValueError`` with a message for the person.
"""

from __future__ import annotations

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "CN"


def _invalid(key: str | Promise, raw: str) -> ValueError:
    """The ValueError for ``raw``: its text in the active language, and ``said`` (the msgid with its
    value) for a report read later in another language (an import's refused rows)."""
    from huodong.core.audit import Message

    said = Message(key, value=raw)
    exc = ValueError(_(said.key) % {"value": raw})
    exc.said = said  # type: ignore[attr-defined]
    return exc


def normalise_phone(raw: str) -> str:
    """``raw`` as E.164 (``+8613812345678``); '' for an empty value. Raises ValueError when not a valid
    mobile or fixed number."""
    text = (raw or "").strip()
    if not text:
        return ""
    text = text.replace("(", " ").replace(")", " ").replace("-", " ")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise _invalid(
            gettext_lazy(
                "手机号「%(value)s」无法识别:请填写 11 位中国大陆手机号,或以 + 和国家代码开头的国际号码。"
            ),
            raw,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise _invalid(
            gettext_lazy(
                "手机号「%(value)s」不是有效号码:请填写 11 位中国大陆手机号,或以 + 和国家代码开头的国际号码。"
            ),
            raw,
        )
    if number.country_code == 86 and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise _invalid(gettext_lazy("手机号「%(value)s」不是手机号码:短信与签到需要手机号。"), raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """``raw`` checked for syntax and lower-cased; '' for an empty value. Raises ValueError otherwise."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise _invalid(gettext_lazy("邮箱「%(value)s」格式不正确,应形如 name@example.com。"), raw) from None
    return result.normalized.lower()


def display_phone(e164: str) -> str:
    """A stored number as people write it: ``138 1234 5678`` for mainland, international format otherwise."""
    if not e164:
        return ""
    if e164.startswith("+86") and e164[3:].isdigit() and e164[3:4] != "0":
        return e164[3:]  # a stored mainland number: its national number, as parsing it would give
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        return str(number.national_number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """What on-site staff see (DESIGN.md, PIPL): ``138****5678``; the last four digits stay for search."""
    digits = display_phone(e164).replace(" ", "").replace("+", "")
    if len(digits) < 7:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str) -> str:
    """``z***@example.com``."""
    if "@" not in (email or ""):
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def phone_tail(e164: str) -> str:
    """The last four digits, by which a guest is found at the door."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    return digits[-4:]
