"""Outside text made safe to show: no control or escape sequence reaches the terminal,
and bidi overrides cannot reorder what the clerk reads. (Markup safety is the UI's job:
it always shows data as plain Text/Content, never as markup.)"""

from __future__ import annotations

import re
import unicodedata

# Explicit direction controls that can make text read differently from what it is.
_BIDI = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
}
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI)) + "]")
MAX_SHOWN = 2000


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ ␇ … the Control Pictures block
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def safe_text(value: object, *, single_line: bool = False, limit: int | None = None) -> str:
    """Text fit for a terminal cell: controls shown visibly, optionally one line."""
    text = "" if value is None else str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    text = _UNSAFE.sub(lambda m: _visible(m.group()), text)
    # Lone surrogates and other non-characters cannot be encoded for the terminal.
    text = "".join(ch if unicodedata.category(ch) != "Cs" else "\ufffd" for ch in text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def has_hidden(value: object) -> bool:
    """Whether ``value`` holds characters ``safe_text`` has to show as symbols (controls,
    bidi overrides, line separators, lone surrogates): text not written by our forms."""
    text = "" if value is None else str(value).replace("\r\n", "\n")
    return bool(_UNSAFE.search(text)) or any(unicodedata.category(ch) == "Cs" for ch in text)


# What safe_text shows in place of a hidden character: a Control Picture (U+2400-U+241F,
# U+2421), "<U+XXXX>" for the rest, U+FFFD for a lone surrogate.
_SHOWN = re.compile(
    "[\u2400-\u241f\u2421\ufffd]|<U\\+([0-9A-F]{4})>",
)


def unshow(value: str) -> str:
    """Text a field showed through ``safe_text``, with the symbols that stand for hidden
    characters taken out again: what a form stores of text that came in with controls
    (the same as ``clean_input`` of the original, whatever the clerk typed around them)."""

    def drop(match: re.Match[str]) -> str:
        code = match.group(1)
        if code is None:
            return ""
        return "" if _UNSAFE.match(chr(int(code, 16))) else match.group()

    return _SHOWN.sub(drop, value)


def clean_input(value: str) -> str:
    """What a clerk typed, as we store it: controls and bidi overrides removed, trimmed."""
    text = value.replace("\r\n", "\n")
    text = "".join(
        ch
        for ch in text
        if ch in "\n" or not (_UNSAFE.match(ch) or unicodedata.category(ch) == "Cs")
    )
    return text.strip()
