"""Outside text never reaches the terminal as control or escape sequences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remtui.safetext import clean_input, has_hidden, safe_text, unshow

HOSTILE = [
    "[/]",
    "[b]x",
    "[@click=app.quit]q[/]",
    "[link='http://x']y[/link]",
    "\x1b]0;title\x07",
    "\x1b[31mred",
    "\x9b31m",
    "\u202eevil",
    "x" * 10_000,
    "😀 emoji",
    "宽字符",
    "مرحبا",
    "\x00nul",
    "a\rb",
    "\u2028sep",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_have_no_controls(value):
    shown = safe_text(value, single_line=True)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown and "\u2028" not in shown


def test_controls_are_made_visible_not_dropped():
    assert safe_text("\x1b[31m") == "\u241b[31m"
    assert safe_text("a\u202eb") == "a<U+202E>b"
    assert safe_text("a\nb", single_line=True) == "a b"
    assert safe_text("x" * 50, limit=10) == "x" * 9 + "…"


def test_markup_is_left_as_literal_text():
    assert safe_text("[b]x[/b]") == "[b]x[/b]"


@given(st.text())
def test_any_text_is_safe(value):
    shown = safe_text(value, single_line=True)
    assert "\n" not in shown
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    cleaned = clean_input(value)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in cleaned)


def test_hidden_characters_are_found():
    assert has_hidden("a\x1b]0;x\x07") and has_hidden("\u202e") and has_hidden("\x9b")
    assert has_hidden("\ud800") and has_hidden("a\rb")
    assert not has_hidden("Zé 宽 😀 [b]x[/b]\n\tline") and not has_hidden("a\r\nb")


def test_unshow_takes_out_only_the_symbols_safe_text_put_in():
    raw = "a\x1b]0;T\x07b\u202ec\x9b2J\x00d"
    assert unshow(safe_text(raw)) == clean_input(raw) == "a]0;Tbc2Jd"
    assert unshow("<U+0041> <U+202E>x ␛") == "<U+0041> x "  # only what stands for a control


_PLAIN = st.text(
    alphabet=st.characters(blacklist_characters="\t\r<\ufffd", blacklist_categories=("Cs",)).filter(
        lambda c: not 0x2400 <= ord(c) <= 0x2421
    )
)


@given(_PLAIN)
def test_a_field_saves_what_clean_input_would_have_stored(value):
    """A field shows safe_text(value); reading it back with unshow gives the cleaned text
    (clean_input also trims the ends)."""
    assert unshow(safe_text(value)).strip() == clean_input(value)
