"""Money: what a clerk types, parsed exactly; formatting and parsing are inverses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remtui import i18n
from remtui.errors import DomainError
from remtui.money import (
    MAX_UNITS,
    currency_digits,
    excel_number_format,
    format_money,
    format_plain,
    parse_amount,
    to_decimal,
)

LOCALES = ("en_GB", "pt_PT")
CURRENCIES = ("EUR", "JPY")


def _largest(currency: str) -> int:
    return MAX_UNITS * 10 ** currency_digits(currency) - 1


@st.composite
def amounts(draw: st.DrawFn, *, negative: bool) -> tuple[str, str, int]:
    locale = draw(st.sampled_from(LOCALES))
    currency = draw(st.sampled_from(CURRENCIES))
    top = _largest(currency)
    low = -top if negative else 1
    value = draw(
        st.one_of(
            st.integers(low, top),
            st.sampled_from([low, top, 1, 99, 100, 101, 1000, 123456]),
            st.integers(-(top // 100) if negative else 1, top // 100).map(lambda u: u * 100 or 100),
        )
    )
    return locale, currency, value


@given(amounts(negative=True))
@settings(max_examples=400)
def test_plain_format_parses_back(case: tuple[str, str, int]) -> None:
    locale, currency, value = case
    text = format_plain(value, currency, locale)
    assert parse_amount(text, currency, locale, allow_zero=True, allow_negative=True) == value


@given(amounts(negative=True))
@settings(max_examples=400)
def test_money_format_parses_back(case: tuple[str, str, int]) -> None:
    locale, currency, value = case
    text = format_money(value, currency, locale)
    assert parse_amount(text, currency, locale, allow_zero=True, allow_negative=True) == value


@given(amounts(negative=False))
@settings(max_examples=200)
def test_positive_amounts_parse_back_without_allowances(case: tuple[str, str, int]) -> None:
    locale, currency, value = case
    assert parse_amount(format_plain(value, currency, locale), currency, locale) == value
    assert parse_amount(format_money(value, currency, locale), currency, locale) == value


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("currency", CURRENCIES)
def test_zero_round_trips_when_allowed(locale: str, currency: str) -> None:
    for text in (format_plain(0, currency, locale), format_money(0, currency, locale)):
        assert parse_amount(text, currency, locale, allow_zero=True) == 0
        with pytest.raises(DomainError):
            parse_amount(text, currency, locale)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("12,50", "pt_PT", 1250),
        ("12.50", "pt_PT", 1250),
        ("1 234,50", "pt_PT", 123450),
        ("1.234,50", "pt_PT", 123450),
        ("1\u00a0234,5", "pt_PT", 123450),
        ("12,5 €", "pt_PT", 1250),
        ("€12.50", "en_GB", 1250),
        ("1,234.50", "en_GB", 123450),
        ("1,234,567", "en_GB", 123456700),
        ("1.000.000", "pt_PT", 100000000),
        ("12", "en_GB", 1200),
        (",50", "pt_PT", 50),
        (".5", "en_GB", 50),
        ("999 999 999,99", "pt_PT", 99_999_999_999),
        ("0" * 5000 + "1", "en_GB", 100),
    ],
)
def test_what_clerks_type(text: str, locale: str, expected: int) -> None:
    assert parse_amount(text, "EUR", locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "message"),
    [
        ("abc", "en_GB", "digits"),
        ("12a", "pt_PT", "digits"),
        ("1O0", "en_GB", "digits"),
        ("12,345", "pt_PT", "thousands or cents"),
        ("12.345", "en_GB", "thousands or cents"),
        ("12,345", "en_GB", "thousands or cents"),
        ("1.234", "pt_PT", "thousands or cents"),
        ("1,234", "en_GB", "Write 1234 without a separator"),
        ("1 234,567", "pt_PT", "decimal places"),
        ("0,0012", "pt_PT", "decimal places"),
        # A zero before the separator is no exception: 1.00 or a tenth of a cent.
        ("0,001", "en_GB", "Write 1 without a separator"),
        ("0.001", "pt_PT", "Write 1 without a separator"),
        ("0,001", "pt_PT", "thousands or cents"),
        ("0.001", "en_GB", "thousands or cents"),
        ("00,500", "en_GB", "Write 500 without a separator"),
        ("", "en_GB", "Enter an amount"),
        ("   ", "pt_PT", "Enter an amount"),
        ("0", "en_GB", "more than zero"),
        ("0,00", "pt_PT", "more than zero"),
        ("-0", "en_GB", "more than zero"),
        ("1000000000", "en_GB", "too large"),
        ("1 000 000 000,00", "pt_PT", "too large"),
        ("1.000.000.000", "pt_PT", "too large"),
        ("9" * 5000, "en_GB", "too large"),
        ("[/]", "en_GB", "digits"),
        ("💶", "pt_PT", "digits"),
        ("12💶", "pt_PT", "digits"),
        ("1,2,3", "en_GB", "digits"),
        ("12 34", "pt_PT", "digits"),
        ("12,", "pt_PT", "digits"),
        ("--5", "en_GB", "digits"),
        ("\u0663", "en_GB", "digits"),  # an Arabic-Indic digit three
        ("１２", "en_GB", "digits"),  # full-width digits
        ("-5", "en_GB", "without a sign"),
        ("5-", "pt_PT", "without a sign"),
    ],
)
def test_bad_input_is_refused_clearly(text: str, locale: str, message: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_amount(text, "EUR", locale)
    assert message in info.value.message


def test_currency_without_cents() -> None:
    assert parse_amount("1 234", "JPY", "pt_PT") == 1234
    with pytest.raises(DomainError, match="no cents"):
        parse_amount("12,5", "JPY", "pt_PT")


def test_messages_are_translated() -> None:
    i18n.set_language("pt_PT")
    with pytest.raises(DomainError) as info:
        parse_amount("abc", "EUR", "pt_PT")
    assert info.value.message != "Amounts are digits, with a comma or a point for the cents."
    with pytest.raises(DomainError) as info:
        parse_amount("0,0012", "EUR", "pt_PT")
    assert info.value.message == "No máximo 2 casas decimais."
    with pytest.raises(DomainError) as info:
        parse_amount("1.234", "EUR", "pt_PT")
    assert info.value.message.startswith("São milhares ou cêntimos? Escreva 1234")


@given(st.text())
@settings(max_examples=500)
def test_any_text_parses_or_is_refused_with_a_domain_error(text: str) -> None:
    for locale in LOCALES:
        try:
            value = parse_amount(text, "EUR", locale, allow_zero=True, allow_negative=True)
        except DomainError:
            continue
        assert isinstance(value, int)
        assert abs(value) <= _largest("EUR")


@given(st.text(alphabet="0123456789.,-+ €\u00a0\u202f'$E", max_size=30))
@settings(max_examples=800)
def test_number_like_text_parses_or_is_refused_with_a_domain_error(text: str) -> None:
    for locale in LOCALES:
        for currency in CURRENCIES:
            for negative in (False, True):
                try:
                    value = parse_amount(
                        text, currency, locale, allow_zero=negative, allow_negative=negative
                    )
                except DomainError:
                    continue
                assert isinstance(value, int)
                assert abs(value) <= _largest(currency)
                if not negative:
                    assert value > 0


@given(st.integers(-_largest("EUR"), _largest("EUR")))
def test_to_decimal_is_exact(value: int) -> None:
    dec = to_decimal(value, "EUR")
    assert isinstance(dec, Decimal)
    assert dec * 100 == value
    assert to_decimal(value, "JPY") == value


def test_excel_number_format() -> None:
    assert excel_number_format("EUR", "pt_PT") == '#,##0.00 "€";-#,##0.00 "€";0.00 "€"'
    assert excel_number_format("EUR", "en_GB") == '"€"#,##0.00;-"€"#,##0.00;"€"0.00'
    jpy = excel_number_format("JPY", "en_GB")
    assert ".0" not in jpy and "#,##0" in jpy


def test_formatting_examples() -> None:
    assert format_money(123456, "EUR", "en_GB") == "€1,234.56"
    assert format_money(-123456, "EUR", "pt_PT").replace("\u00a0", " ") == "-1 234,56 €"
    assert format_plain(-5, "EUR", "pt_PT") == "-0,05"
    assert format_plain(1234, "JPY", "en_GB") == "1234"
