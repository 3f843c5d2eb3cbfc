"""Compile every .po catalog into its .mo (run after editing a .po):

uv run python -m remtui.i18n.build
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from . import LOCALE_DIR

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def compile_all(root: Path = LOCALE_DIR) -> list[Path]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # Babel stamps the header with the time of the build; a fixed stamp makes the .mo
        # depend on the .po alone, so rebuilding leaves unchanged catalogs unchanged.
        catalog.creation_date = FIXED_DATE
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(path, file=sys.stderr)
