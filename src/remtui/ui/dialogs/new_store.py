"""No store where the app was told to look: make one only when the clerk says so.

The configured store (the default one in the user's data folder, or the site's or the
user's config, or REMTUI_DB) is made on the first start: that is what makes a fresh
install work. A store named on the command line (`remtui --db PATH`) that is not there is
much more likely a typo: the app asks before it makes a new, empty store there, and the
answer that is focused, and Escape, is to quit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App

from ...config import Settings
from ...i18n import _
from ...safetext import safe_text

QUESTION_ID = "new-store-question"


def is_configured_store(settings: Settings) -> bool:
    """Whether ``settings`` open the store the configuration names (not one from --db)."""
    from ...config import ConfigError, load_settings

    try:
        return load_settings().db_url == settings.db_url
    except ConfigError:
        return False


def one_line(text: str) -> Text:
    """The line printed on the terminal after the app has quit: plain text, never markup,
    and one line (Rich would fold a long path in the middle; the terminal wraps it)."""
    return Text(text, no_wrap=True, overflow="ignore")


def no_store_message(path: Path) -> str:
    return _("No store at {path}.").format(path=path)


def ask_to_create(
    app: App[Any],
    path: Path,
    create: Callable[[], object],
    refused: Callable[[BaseException], object],
) -> None:
    """Ask whether to make a new store at ``path``: yes runs ``create``; no (the default)
    hands ``refused`` the StoreError and quits with the line the command line prints."""
    from ...errors import StoreError
    from .confirm import ConfirmDialog

    def answered(yes: bool | None) -> None:
        if yes:
            create()
        else:
            refused(StoreError(no_store_message(path)))
            line = f"remtui: {safe_text(no_store_message(path), single_line=True)}"
            app.exit(2, message=one_line(line))

    text = (
        no_store_message(path)
        + "\n\n"
        + _(
            "Check the path given to --db (a typo opens nothing). Make a new, empty store "
            "there? Its first user will be its administrator."
        )
    )
    app.push_screen(
        ConfirmDialog(
            _("No store there"),
            text,
            yes=_("Make a new store"),
            no=_("Quit"),
            id=QUESTION_ID,
        ),
        answered,
    )
