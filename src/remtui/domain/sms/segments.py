"""Segment counting: GSM-7 or UCS-2, how many SMS a text takes and how many characters
are left."""

from __future__ import annotations

from typing import NamedTuple

MAX_SEGMENTS = 10

# --- segment counting -----------------------------------------------------------------

# GSM 03.38 default alphabet (the escape 0x1B itself is not a character one can type).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these takes two septets (escape + character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


class SegmentCount(NamedTuple):
    """``encoding`` "GSM-7" or "UCS-2"; ``chars``: the units counted against the limits
    (GSM-7 septets, extension characters counting 2; UCS-2 UTF-16 code units, an emoji
    counting 2); ``segments``: how many SMS the text takes (0 for an empty text)."""

    encoding: str
    chars: int
    segments: int

    @property
    def per_segment(self) -> int:
        """The characters one segment holds at this length (160/153 or 70/67)."""
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.segments <= 1 else multi

    @property
    def max_chars(self) -> int:
        """The most units the text may have (``MAX_SEGMENTS`` segments)."""
        return MAX_SEGMENTS * (153 if self.encoding == "GSM-7" else 67)


def _units(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return "GSM-7", [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> SegmentCount:
    """How ``text`` travels as SMS: encoding, units, segments.

    One segment holds 160 GSM-7 characters (70 in UCS-2); a longer text is split into
    segments of 153 (67), and a two-unit character (GSM-7 extension, UCS-2 surrogate
    pair) is never split between two segments.
    """
    encoding, units = _units(text)
    total = sum(units)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if total == 0:
        return SegmentCount(encoding, 0, 0)
    if total <= single:
        return SegmentCount(encoding, total, 1)
    count, used = 1, 0
    for size in units:
        if used + size > multi:
            count += 1
            used = 0
        used += size
    return SegmentCount(encoding, total, count)
