"""Dates a clerk or the command line gives are within the range remtui computes with."""

from __future__ import annotations

from datetime import date

import pytest

from remtui import i18n
from remtui.dates import check_date_range, parse_date
from remtui.errors import DomainError


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "3000-01-01", "31/12/9999"])
def test_typed_dates_out_of_range_are_a_clear_error(text: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_date(text, "en_GB")
    assert "Traceback" not in info.value.message
    assert "out of range" in info.value.message or "Not a date" in info.value.message


def test_iso_dates_are_checked_like_the_locale_s() -> None:
    with pytest.raises(DomainError, match="9999-12-31 is out of range: use a date from"):
        parse_date("9999-12-31", "pt_PT")
    assert parse_date("2999-12-31") == date(2999, 12, 31)
    assert parse_date("1900-01-01") == date(1900, 1, 1)


def test_check_date_range() -> None:
    assert check_date_range(date(2026, 12, 2)) == date(2026, 12, 2)
    with pytest.raises(DomainError) as info:
        check_date_range(date.max, "en_GB")
    assert info.value.message == (
        "9999-12-31 is out of range: use a date from 01/01/1900 to 31/12/2999."
    )
    i18n.set_language("pt_PT")
    with pytest.raises(DomainError) as info:
        check_date_range(date.min, "pt_PT")
    assert info.value.message.startswith("0001-01-01 está fora do intervalo")
