"""Folding text for search and sorting: case- and accent-insensitive."""

from __future__ import annotations

import unicodedata


def fold(value: str) -> str:
    """ "João" -> "joao", "ÇÃO" -> "cao": what search compares."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() and ch.isascii())
