"""Outside text never reaches the terminal as control or escape sequences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remtui.safetext import clean_input, safe_text

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
