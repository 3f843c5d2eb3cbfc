"""List the messages in the code that no pt_PT catalog translates yet, as .po entries:

uv run python -m remtui.i18n.missing [path/under/src ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import LOCALE_DIR

SRC = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def code_messages(paths: list[Path] | None = None) -> dict[str, str]:
    """msgid -> first place it is used, for every message in the code."""
    from babel.messages.extract import extract_from_file

    found: dict[str, str] = {}
    files = (
        sorted(SRC.rglob("*.py"))
        if not paths
        else [f for p in paths for f in (sorted(p.rglob("*.py")) if p.is_dir() else [p])]
    )
    for file in files:
        for lineno, message, _comments, _ctx in extract_from_file(
            "python", str(file), keywords=KEYWORDS
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, f"{file.relative_to(SRC)}:{lineno}")
    return found


def translated(language: str = "pt_PT") -> dict[str, str]:
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for po in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
                strs = (
                    message.string
                    if isinstance(message.string, (tuple, list))
                    else [message.string]
                )
                for msgid, msgstr in zip(ids, strs, strict=False):
                    if msgstr:
                        out[str(msgid)] = str(msgstr)
    return out


def main() -> None:
    paths = [Path(a).resolve() for a in sys.argv[1:]] or None
    done = translated()
    for msgid, where in code_messages(paths).items():
        if msgid not in done:
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
            print(f'#: {where}\nmsgid "{escaped}"\nmsgstr ""\n')


if __name__ == "__main__":
    main()
