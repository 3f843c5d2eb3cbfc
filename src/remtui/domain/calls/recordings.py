"""A call's recording: an http(s) URL or an absolute server path is a link; anything
else (or anything with control or direction-changing characters) stays plain text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ...safetext import clean_input

MAX_RECORDING = 2000

_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# --- recordings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A recording reference as stored: ``is_link`` only for a safe http(s) URL or an
    absolute path on the server; anything else is plain text, never clickable."""

    text: str
    is_link: bool

    @property
    def href(self) -> str:
        """What a terminal hyperlink may point at ("" when not a link)."""
        return recording_href(self.text, self.is_link)


def _has_unsafe_char(value: str) -> bool:
    return any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") or ch in _BIDI for ch in value
    )


def _is_safe_url(value: str) -> bool:
    if not _URI_CHARS.match(value):  # no spaces, controls, quotes, <>, backslashes, non-ASCII
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        return False
    # No "user:password@host": a classic way to make a link read as another site.
    return bool(parts.hostname) and "@" not in parts.netloc


def _is_safe_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if _has_unsafe_char(value) or "\\" in value:
        return False
    return ".." not in PurePosixPath(value).parts and not value.endswith("/")


def check_recording(raw: str) -> Recording:
    """Classify a recording reference. Never raises: what is not a safe link is kept as
    (cleaned) plain text with ``is_link=False``."""
    value = (raw or "").strip(" \t\r\n")
    if not value:
        return Recording("", False)
    is_link = len(value) <= MAX_RECORDING and (_is_safe_url(value) or _is_safe_path(value))
    if is_link:
        return Recording(value, True)
    plain = clean_input(value).replace("\n", " ").replace("\t", " ")
    return Recording(plain[:MAX_RECORDING], False)


def recording_href(text: str, is_link: bool) -> str:
    if not is_link or not text:
        return ""
    if text.startswith("/"):
        return PurePosixPath(text).as_uri()
    return text
