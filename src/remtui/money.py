"""Money: integer minor units (cents) everywhere; parsed and formatted per locale.

Parsing rule: digits with at most one decimal separator. Either "," or "." may be the
decimal separator, whatever the locale: the last of them is decimal unless exactly three
digits follow it and it is not the locale's decimal sign and the other sign is absent
("1.234,50" and "1 234.50" are 1234.50 anywhere). A lone separator before exactly three
digits ("12,345", "1.234") is refused: it is thousands in one locale and a slip of the
cents in the other, 1,000 times apart. Grouping may use ".", ",", spaces or the locale's
group sign, and each group after the first must have exactly 3 digits. A missing whole
part is zero (",50" is fifty cents).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from .errors import DomainError
from .i18n import _

MAX_UNITS = 10**9  # the largest amount (in whole currency units) anyone may type
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")


@lru_cache(maxsize=16)
def currency_digits(currency: str) -> int:
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[str, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(locale), get_group_symbol(locale)


@lru_cache(maxsize=16)
def _currency_marks(currency: str, locale: str) -> tuple[str, ...]:
    from babel.numbers import get_currency_symbol

    return tuple(
        sorted({currency, get_currency_symbol(currency, locale), "€", "$"}, key=len, reverse=True)
    )


def parse_amount(
    text: str,
    currency: str = "EUR",
    locale: str = "en_GB",
    *,
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> int:
    """What a clerk typed, as minor units. Raises DomainError with a readable message."""
    raw = (text or "").strip()
    if not raw:
        raise DomainError(_("Enter an amount."))
    for mark in _currency_marks(currency, locale):
        raw = raw.replace(mark, "")
    raw = raw.strip()
    negative = False
    if raw[:1] in "-−" and raw[1:2] != "":
        negative, raw = True, raw[1:].strip()
    elif raw[:1] == "+":
        raw = raw[1:].strip()
    elif raw.endswith("-"):
        negative, raw = True, raw[:-1].strip()
    raw = _SPACES.sub(" ", raw)
    if not raw or not re.fullmatch(r"[0-9 .,]+", raw) or not re.search(r"[0-9]", raw):
        raise DomainError(_("Amounts are digits, with a comma or a point for the cents."))
    digits = currency_digits(currency)
    decimal_sign, _group = _symbols(locale)
    integer_part, fraction = raw, ""
    last = max(raw.rfind(","), raw.rfind("."))
    if last >= 0:
        tail = raw[last + 1 :]
        sep = raw[last]
        other = "," if sep == "." else "."
        head = raw[:last]
        if (
            # no cents (JPY): "1,000" can only be thousands; three decimals (BHD): the
            # locale's decimal sign decides, as three digits of cents are valid there
            0 < digits < 3
            and tail.isdigit()
            and len(tail) == 3
            and head
            and not re.search(r"[ .,]", head)
        ):
            # "12,345" or "1.234": thousands in one locale, a slip of the cents in the other;
            # a clerk of either could type it, and one reading is 1,000 times the other.
            # "0,001" too: 1.00 read as thousands, a tenth of a cent read as decimals.
            raise DomainError(
                _(
                    "Is that thousands or cents? Write {number} without a separator, or the "
                    "cents with two digits."
                ).format(number=(head + tail).lstrip("0") or "0")
            )
        if tail.isdigit() and (len(tail) != 3 or sep == decimal_sign or other in raw):
            integer_part, fraction = raw[:last], tail
        elif not tail:
            raise DomainError(_("Amounts are digits, with a comma or a point for the cents."))
    if not integer_part and fraction:
        integer_part = "0"  # ",50" is fifty cents
    groups = re.split(r"[ .,]", integer_part)
    if any(not g.isdigit() for g in groups) or any(len(g) != 3 for g in groups[1:]):
        raise DomainError(_("Amounts are digits, with a comma or a point for the cents."))
    if len(fraction) > digits:
        if digits == 0:
            raise DomainError(_("This currency has no cents."))
        raise DomainError(_("At most {digits} decimal places.").format(digits=digits))
    whole_digits = "".join(groups).lstrip("0") or "0"
    # Compare lengths first: int() refuses very long digit strings with a ValueError.
    if len(whole_digits) > len(str(MAX_UNITS)) or int(whole_digits) >= MAX_UNITS:
        raise DomainError(_("That amount is too large."))
    whole = int(whole_digits)
    minor: int = whole * 10**digits + (int(fraction.ljust(digits, "0")) if fraction else 0)
    if minor == 0 and not allow_zero:
        raise DomainError(_("The amount must be more than zero."))
    if negative:
        if not allow_negative:
            raise DomainError(_("Enter the amount without a sign."))
        minor = -minor
    return minor


def to_decimal(minor: int, currency: str = "EUR") -> Decimal:
    return Decimal(minor).scaleb(-currency_digits(currency))


def format_money(minor: int, currency: str = "EUR", locale: str = "en_GB") -> str:
    """The amount as the locale writes money, with the currency sign."""
    from babel.numbers import format_currency

    return str(format_currency(to_decimal(minor, currency), currency, locale=locale))


def format_plain(minor: int, currency: str = "EUR", locale: str = "en_GB") -> str:
    """The amount as a clerk would type it (no sign of currency, no grouping)."""
    digits = currency_digits(currency)
    decimal_sign, _group = _symbols(locale)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    if digits == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}{decimal_sign}{frac:0{digits}d}"


@lru_cache(maxsize=16)
def _symbol_first(locale: str) -> bool:
    """Whether the locale writes the currency sign before the number (en_GB: "€12.50")."""
    from babel import Locale

    pattern: str = Locale.parse(locale).currency_formats["standard"].pattern
    positive = pattern.split(";")[0]
    return positive.strip().startswith("¤")


def excel_number_format(currency: str = "EUR", locale: str = "en_GB") -> str:
    """An Excel number format that shows the currency with its decimals, the sign of the
    currency on the side the locale writes it (Excel itself picks the separators)."""
    from babel.numbers import get_currency_symbol

    digits = currency_digits(currency)
    symbol = get_currency_symbol(currency, locale).replace('"', "")
    zeros = "0." + "0" * digits if digits else "0"
    body = f"#,##{zeros}"
    if _symbol_first(locale):
        return f'"{symbol}"{body};-"{symbol}"{body};"{symbol}"{zeros}'
    return f'{body} "{symbol}";-{body} "{symbol}";{zeros} "{symbol}"'
