"""What starting imports (the static layer rule is an import-linter contract, see
tests/test_architecture.py): --help loads no Textual, the first screen no SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys


def test_help_imports_no_textual():
    code = (
        "import sys, runpy; sys.argv = ['remtui', '--help']\n"
        "try:\n    runpy.run_module('remtui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules\n"
        "assert 'openpyxl' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_ui_app_module_does_not_import_the_store_stack():
    """The first screen must not wait for SQLAlchemy: the app imports it in a thread."""
    code = (
        "import sys; import remtui.ui.app, remtui.ui.screens.clients, "
        "remtui.ui.screens.sign_in; "
        "assert 'sqlalchemy' not in sys.modules; assert 'openpyxl' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_start_without_config_imports_no_toml_parser(tmp_path):
    """Every millisecond before the first screen counts: with no config file, starting
    imports neither the TOML parser nor getpass (only `remtui user` asks for passwords)."""
    code = (
        "import sys; from remtui import cli; from remtui.config import load_settings; "
        "from remtui.i18n import set_language, _; import remtui.ui.app; "
        "set_language(load_settings().language); assert _('Help') == 'Help'; "
        "bad = [m for m in ('tomllib', 'getpass') if m in sys.modules]; "
        "assert not bad, bad"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "REMTUI_CONFIG": str(tmp_path / "none.toml"),
        "REMTUI_SITE_CONFIG": str(tmp_path / "none-site.toml"),
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
