"""Phone numbers: normalised with phonenumbers to E.164 plus a digits-only key."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from ..errors import DomainError
from ..i18n import _
from .text import digits_only


@dataclass(frozen=True)
class Phone:
    e164: str  # "+351912345678"
    digits: str  # "351912345678": what search compares fragments against

    def display(self) -> str:
        parsed = phonenumbers.parse(self.e164, None)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise(raw: str, region: str = "PT") -> Phone:
    text = (raw or "").strip()
    if not text:
        raise DomainError(_("Enter a phone number."))
    if len(text) > 40:
        raise DomainError(_("That is not a phone number."))
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise DomainError(_("That is not a phone number.")) from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise DomainError(_("That is not a valid phone number."))
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, digits=digits_only(e164))


def display(e164: str) -> str:
    try:
        return Phone(e164, digits_only(e164)).display()
    except phonenumbers.NumberParseException:
        return e164


def looks_like_phone(query: str) -> bool:
    """A search that is only digits and phone punctuation, with at least 3 digits."""
    stripped = query.strip()
    return (
        bool(stripped)
        and all(ch.isdigit() or ch in "+-() ./" for ch in stripped)
        and len(digits_only(stripped)) >= 3
    )


def search_digits(query: str) -> str:
    """The digits a phone search looks for ("00351 912" and "+351 912" -> "351912")."""
    digits = digits_only(query)
    if query.strip().startswith("00"):
        digits = digits[2:]
    return digits
