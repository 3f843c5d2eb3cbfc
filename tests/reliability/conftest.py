"""Shared by the reliability tests: one demo store built through the command line."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Fixtures shared with other folders, reused here (not copied): the Pilot app factory and
# its settings, and the terminal environment of the tmux tests.
from tests.e2e.test_terminal import term_env  # noqa: F401
from tests.ui.conftest import make_app, settings  # noqa: F401

REMTUI = Path(sys.executable).with_name("remtui")


@dataclass(frozen=True)
class DemoTemplate:
    path: Path  # the demo store, as `remtui demo --no-ui` left it
    folder_mode: int  # the mode of the folder the command created for it
    modes: dict[str, int]  # file name -> mode, right after the build


def cli_env(home: Path) -> dict[str, str]:
    """An environment for the installed command that touches nothing outside ``home``."""
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        REMTUI_DATA_DIR=str(home / "data"),
        REMTUI_CONFIG=str(home / "config.toml"),
        REMTUI_SITE_CONFIG=str(home / "site.toml"),
        LANG="C.UTF-8",
    )
    for var in ("REMTUI_DB", "REMTUI_LANGUAGE", "REMTUI_CURRENCY", "REMTUI_EXPORT_DIR"):
        env.pop(var, None)
    return env


def permissive_umask() -> None:
    """The most careless umask a clerk's shell could have (for subprocesses)."""
    os.umask(0)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """`remtui demo --no-ui --db FOLDER/demo.sqlite3` run once per test run (the first
    worker to ask builds it, the others wait for it), under umask 000, in a folder the
    command has to create. Tests copy it (shutil.copy2 keeps the modes)."""
    if not REMTUI.exists():
        pytest.fail("the remtui console script is not installed")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "demo-template"
    db = root / "made-by-remtui" / "demo.sqlite3"
    made = root / "made.json"
    with (shared / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not made.exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed in another worker
            (root / "home").mkdir(parents=True)
            done = subprocess.run(
                [str(REMTUI), "demo", "--no-ui", "--db", str(db)],
                env=cli_env(root / "home"),
                preexec_fn=permissive_umask,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr
            modes = {p.name: p.stat().st_mode & 0o7777 for p in db.parent.iterdir()}
            made.write_text(json.dumps({"folder": db.parent.stat().st_mode & 0o7777, **modes}))
        found = json.loads(made.read_text())
    return DemoTemplate(db, found.pop("folder"), found)


@pytest.fixture
def demo_copy(demo_template: DemoTemplate, tmp_path: Path) -> Path:
    """A private copy of the demo store for one test."""
    dest = tmp_path / "demo" / "demo.sqlite3"
    dest.parent.mkdir()
    for suffix in ("", "-wal"):  # a WAL not yet checkpointed holds part of the store
        source = Path(f"{demo_template.path}{suffix}")
        if source.exists():
            shutil.copy2(source, Path(f"{dest}{suffix}"))
    return dest
