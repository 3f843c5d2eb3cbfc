"""Message catalogs (gettext .mo files compiled from the .po files beside them).

Each area of the app keeps its own catalog (``pt_PT/LC_MESSAGES/<area>.po``); all the
catalogs of a language are chained into one translation.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _load(language: str) -> gettext.NullTranslations:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    chain: gettext.NullTranslations = gettext.NullTranslations()
    if not folder.is_dir():
        return chain
    for mo in sorted(folder.glob("*.mo")):
        with mo.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)
        catalog.add_fallback(chain)
        chain = catalog
    return chain


def set_language(language: str) -> None:
    global _translation, _language
    _language = language
    _translation = _load(language) if language != "en" else gettext.NullTranslations()


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a message for translation where it is defined (e.g. key binding labels);
    it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
