"""Every message a clerk can see has its Portuguese (Portugal) translation, compiled."""

from __future__ import annotations

import gettext

from remtui import i18n
from remtui.i18n.missing import code_messages, translated


def test_every_message_in_the_code_is_translated():
    done = translated("pt_PT")
    missing = {m: where for m, where in code_messages().items() if m not in done}
    assert not missing, f"untranslated: {missing}"


def test_placeholders_survive_translation():
    import re

    done = translated("pt_PT")
    for msgid, where in code_messages().items():
        wanted = set(re.findall(r"\{(\w+)\}", msgid))
        got = set(re.findall(r"\{(\w+)\}", done.get(msgid, msgid)))
        assert wanted == got, f"{where}: {msgid!r} -> {done.get(msgid)!r}"


def test_compiled_catalogs_match_their_sources():
    """Run `uv run python -m remtui.i18n.build` after editing a .po."""
    from babel.messages.pofile import read_po

    folder = i18n.LOCALE_DIR / "pt_PT" / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing"
        with mo.open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and isinstance(message.id, str):
                    assert compiled.gettext(message.id) == message.string, (po.name, message.id)


def test_switching_language():
    i18n.set_language("pt_PT")
    try:
        assert i18n._("Wrong login or password.") == "Utilizador ou palavra-passe errados."
    finally:
        i18n.set_language("en")
    assert i18n._("Wrong login or password.") == "Wrong login or password."
