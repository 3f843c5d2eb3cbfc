"""The app on a store that is not there or cannot be used: a clear message, then quit;
a new store only for the configured one, or when the clerk says so."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from remtui.config import load_settings, sqlite_url
from remtui.ui.app import RemApp
from remtui.ui.dialogs.confirm import ConfirmDialog
from remtui.ui.dialogs.message import MessageDialog
from remtui.ui.screens.first_admin import FirstAdminScreen

from .conftest import screen_text, wait_for

pytestmark = pytest.mark.sqlite_only("SQLite files, missing or damaged on purpose")


def app_on(url: str) -> RemApp:
    app = RemApp(replace(load_settings(), db_url=url), watch=False)
    app.store_open_delay = 0
    return app


def flat(app: RemApp) -> str:
    """The screen's words as one line (the dialog's borders and line breaks removed)."""
    return re.sub(r"[\s█▀▄▌▐│]+", " ", screen_text(app))


async def quits_with(app: RemApp, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MessageDialog))
        text = flat(app)
        assert says in text, text
        assert "Traceback" not in text and "sqlalche.me" not in text
        assert "Something went wrong" not in text and "Error:" not in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.return_code is not None or app._exit)
    assert app.return_value == 2
    printed = " ".join(capsys.readouterr().err.split())  # Rich wraps it at the width
    assert printed.startswith("remtui: ") and says in printed, printed
    assert "Traceback" not in printed


@pytest.mark.parametrize("kind", ["folder", "text", "truncated", "newer", "unknown scheme"])
async def test_a_bad_store_is_one_clear_message_then_quit(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.sqlite3"
    if kind in ("truncated", "newer"):
        from remtui.store.engine import Store
        from remtui.store.migrate import upgrade

        store = Store(sqlite_url(good))
        upgrade(store)
        store.close()
    url, says = {
        "folder": (sqlite_url(tmp_path), "is a folder, not a store"),
        "text": (sqlite_url(tmp_path / "notes.txt"), "is not a remtui store"),
        "truncated": (sqlite_url(tmp_path / "cut.sqlite3"), "is damaged"),
        "newer": (sqlite_url(good), "written by a newer remtui (revision 0099_next)"),
        "unknown scheme": ("mysqlx://shop/db", "Unknown kind of store: mysqlx://"),
    }[kind]
    (tmp_path / "notes.txt").write_text("not a store\n" * 100)
    if kind == "truncated":
        (tmp_path / "cut.sqlite3").write_bytes(good.read_bytes()[:5000])
    if kind == "newer":
        with closing(sqlite3.connect(good)) as conn, conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099_next'")
    before = sorted(p.name for p in tmp_path.iterdir())
    await quits_with(app_on(url), says, capsys)
    after = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert after == before  # no new store, no .before-….bak copy


async def test_a_missing_store_from_the_command_line_is_asked_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "shpo.sqlite3"
    app = app_on(sqlite_url(typo))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = flat(app)
        assert "No store at" in text and str(typo) in text.replace(" ", ""), text
        await pilot.press("escape")  # the safe answer: quit
        await wait_for(pilot, lambda: app._exit)
    assert app.return_value == 2
    # the line may be folded at the terminal's width: compare without the breaks
    assert "".join(f"remtui: No store at {typo}.".split()) in "".join(
        capsys.readouterr().err.split()
    )
    assert not typo.exists()
    with pytest.raises(Exception, match="No store at"):
        app.store_future.result(timeout=0)


async def test_the_clerk_may_make_the_new_store(tmp_path: Path) -> None:
    new = tmp_path / "branch2.sqlite3"
    app = app_on(sqlite_url(new))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
    assert new.exists()


async def test_the_configured_store_is_made_on_the_first_start(tmp_path: Path) -> None:
    settings = load_settings()  # the default store, in the (test's) data folder
    default = tmp_path / "data" / "store.sqlite3"
    assert settings.db_url == sqlite_url(default) and not default.exists()
    app = RemApp(settings, watch=False)
    app.store_open_delay = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
    assert default.exists()
